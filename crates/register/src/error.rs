//! What can go wrong in the register. Every error says what is wrong in words a person
//! can act on; none carries case content.

use crate::crypto::CryptoError;

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("configuration: {0}")]
    Config(String),

    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    #[error("encryption: {0}")]
    Crypto(#[from] CryptoError),

    /// A referenced record does not exist (or is not of this organisation).
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },

    /// The person may see that the record exists (it is in one of their lists) but may
    /// not do this with it: an informed burgemeester who tries to act in a case, a victim
    /// who tries to open the handler's full view. Whoever may not know that a record
    /// exists gets [`RegisterError::NotFound`] instead (see `access`).
    #[error("{what} `{id}`: not allowed")]
    Forbidden { what: &'static str, id: String },

    /// The input breaks a rule; `field` names the input field.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },

    /// The protocol refused the facts.
    #[error("{0}")]
    Protocol(#[from] weerbaar_protocol::Error),

    /// The organisation's stored protocol file no longer loads.
    #[error("the protocol of organisation `{organisation}` does not load: {reason}")]
    BrokenProtocol {
        organisation: String,
        reason: String,
    },

    /// The master key is not the one the organisation's data key was wrapped with.
    #[error(
        "the master key (fingerprint {given}) is not the key of organisation `{organisation}` \
         (fingerprint {expected})"
    )]
    WrongMasterKey {
        organisation: String,
        given: String,
        expected: String,
    },

    /// Stored data is not what the register wrote (a tampered or corrupted row).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl RegisterError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        RegisterError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
