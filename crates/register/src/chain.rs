//! The audit chain: every event carries the SHA-256 of the event before it, so that a
//! changed, removed or inserted row breaks the chain where it was touched.

use sha2::{Digest, Sha256};

/// The "previous hash" of a case's first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The fields of an event as stored; the hash covers every one of them.
#[derive(Debug, Clone, Copy)]
pub struct ChainedEvent<'a> {
    pub case_id: &'a str,
    pub seq: i64,
    pub kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub at: i64,
    /// SHA-256 of the sealed payload (see `payload_digest`).
    pub payload_digest: &'a [u8],
    pub prev_hash: &'a [u8],
}

impl ChainedEvent<'_> {
    /// Each variable-length field is length-prefixed, so no two different events share
    /// an encoding.
    pub fn hash(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"weerbaar event v1");
        hasher.update(self.prev_hash);
        for field in [self.case_id.as_bytes(), self.kind.as_bytes()] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        match self.actor_id {
            Some(actor) => {
                hasher.update([1]);
                hasher.update((actor.len() as u64).to_be_bytes());
                hasher.update(actor.as_bytes());
            }
            None => hasher.update([0]),
        }
        hasher.update(self.seq.to_be_bytes());
        hasher.update(self.at.to_be_bytes());
        hasher.update((self.payload_digest.len() as u64).to_be_bytes());
        hasher.update(self.payload_digest);
        hasher.finalize().into()
    }
}

/// The digest of a sealed payload that the chain covers: the payload itself may later be
/// erased by retention while its place in the chain stays verifiable.
pub fn payload_digest(payload_enc: &[u8]) -> [u8; 32] {
    Sha256::digest(payload_enc).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(payload: &'a [u8], actor: Option<&'a str>) -> ChainedEvent<'a> {
        ChainedEvent {
            case_id: "c1",
            seq: 1,
            kind: "reported",
            actor_id: actor,
            at: 1_000,
            payload_digest: payload,
            prev_hash: &GENESIS,
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = event(b"x", Some("p1")).hash();
        assert_ne!(base, event(b"y", Some("p1")).hash());
        assert_ne!(base, event(b"x", Some("p2")).hash());
        assert_ne!(base, event(b"x", None).hash());
        assert_ne!(
            base,
            ChainedEvent {
                seq: 2,
                ..event(b"x", Some("p1"))
            }
            .hash()
        );
        assert_ne!(
            base,
            ChainedEvent {
                at: 1_001,
                ..event(b"x", Some("p1"))
            }
            .hash()
        );
        assert_ne!(
            base,
            ChainedEvent {
                kind: "viewed",
                ..event(b"x", Some("p1"))
            }
            .hash()
        );
        assert_ne!(
            base,
            ChainedEvent {
                prev_hash: &[1; 32],
                ..event(b"x", Some("p1"))
            }
            .hash()
        );
        assert_eq!(base, event(b"x", Some("p1")).hash());
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = ChainedEvent {
            case_id: "c1r",
            kind: "eported",
            ..event(b"", None)
        };
        let b = ChainedEvent {
            case_id: "c1",
            kind: "reported",
            ..event(b"", None)
        };
        assert_ne!(a.hash(), b.hash());
    }
}
