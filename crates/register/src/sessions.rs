//! Sessions of signed-in browsers, kept in the database so that signing out, disabling an
//! account or restarting the server ends them for sure.
//!
//! The cookie holds a random token (32 bytes, base64url without padding); the register
//! keeps only its SHA-256, so a copy of the database (a backup, a dump) signs no one in.
//! A session ends when it is idle too long, when it is too old, when its account is
//! disabled, or when its person signs out (here or everywhere). Passing the second
//! factor gives the session a new token: a token planted before sign-in (session
//! fixation) is worth nothing after it. A session records how it began (its
//! [`SessionSource`]): with a password, or through the organisation's identity provider.

use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, redacted_debug, words};
use crate::register::{Register, parse_word};
use crate::time::{from_micros, to_micros};

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Without a request for this long, the session ends.
    pub idle: SignedDuration,
    /// This long after sign-in, the session ends whatever happens.
    pub absolute: SignedDuration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
        }
    }
}

words!(
    /// How a session began.
    SessionSource {
        /// The e-mail address and password (then the second factor, where asked).
        Password = "password",
        /// The organisation's identity provider (OpenID Connect), which did the second
        /// factor.
        Provider = "provider",
    }
);

impl SessionSource {
    /// In Dutch, as a person's sessions or an audit line say it: "via de
    /// identiteitsprovider".
    pub fn label(self) -> &'static str {
        match self {
            SessionSource::Password => "met wachtwoord",
            SessionSource::Provider => "via de identiteitsprovider",
        }
    }
}

/// A live session, as a request finds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub organisation: OrganisationId,
    pub person: PersonId,
    /// The second factor was given in this session.
    pub verified: bool,
    /// The session's token for forms (compared with what a form sends back).
    pub csrf: String,
    pub started_at: Timestamp,
    /// How the session began.
    pub source: SessionSource,
}

redacted_debug!(Session {
    show: [organisation, person, verified, started_at, source],
    hide: [csrf],
});

/// `last_seen` is written only when it is older than this: most requests then read the
/// session without writing. The idle limit may so end a session up to this much early.
const TOUCH_AFTER: SignedDuration = SignedDuration::from_secs(60);

/// A new random token: 32 bytes from the operating system's generator, base64url.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64url(&bytes)
}

/// Base64url without padding (RFC 4648 §5): the token is a cookie value and a form
/// field, where `+`, `/` and `=` would need escaping.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for sextet in sextets.iter().take(chunk.len() + 1) {
            out.push(char::from(ALPHABET[*sextet as usize]));
        }
    }
    out
}

/// What is stored of a token.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn out_of_range() -> RegisterError {
    RegisterError::invalid("now", "the moment is outside the calendar")
}

impl Register {
    /// Starts a session for a person of `organisation` whose account is not disabled,
    /// after the password (`verified` false) or after the second factor too. Returns the
    /// token for the cookie; the register keeps only its hash. The session's source is
    /// [`SessionSource::Password`]; see [`Register::start_session_from`].
    pub async fn start_session(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        verified: bool,
        now: Timestamp,
    ) -> Result<String, RegisterError> {
        self.start_session_from(organisation, person, verified, SessionSource::Password, now)
            .await
    }

    /// As [`Register::start_session`], recording how the session began (`source`).
    pub async fn start_session_from(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        verified: bool,
        source: SessionSource,
        now: Timestamp,
    ) -> Result<String, RegisterError> {
        let token = new_token();
        let at = to_micros(now);
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let account = sqlx::query(
                "SELECT a.disabled FROM people p JOIN accounts a ON a.person_id = p.id \
                 WHERE p.id = $1 AND p.organisation_id = $2",
            )
            .bind(person.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(account) = account else {
                return Err(RegisterError::NotFound { what: "account", id: person.to_string() });
            };
            if account.try_get::<bool, _>("disabled")? {
                return Err(RegisterError::Forbidden { what: "account", id: person.to_string() });
            }
            sqlx::query(
                "INSERT INTO sessions (token_hash, organisation_id, person_id, csrf, verified, created_at, last_seen, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(token_hash(&token))
            .bind(organisation.as_str())
            .bind(person.as_str())
            .bind(new_token())
            .bind(verified)
            .bind(at)
            .bind(at)
            .bind(source.as_str())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(token)
    }

    /// The live session of a token, or `None`: unknown, idle or too old (the row is then
    /// removed), or its account disabled or gone.
    pub async fn session(
        &self,
        token: &str,
        now: Timestamp,
        limits: SessionLimits,
    ) -> Result<Option<Session>, RegisterError> {
        let hash = token_hash(token);
        let at = to_micros(now);
        let idle_since = now.checked_sub(limits.idle).map_err(|_| out_of_range())?;
        let started_after = now
            .checked_sub(limits.absolute)
            .map_err(|_| out_of_range())?;
        let touch_before = now.checked_sub(TOUCH_AFTER).map_err(|_| out_of_range())?;
        type SessionRow = (String, String, String, bool, i64, i64, Option<bool>, String);
        let row: Option<SessionRow> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT s.organisation_id, s.person_id, s.csrf, s.verified, s.created_at, s.last_seen, a.disabled, s.source \
                 FROM sessions s LEFT JOIN accounts a ON a.person_id = s.person_id WHERE s.token_hash = $1",
            )
            .bind(hash.clone())
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<SessionRow, sqlx::Error> {
                Ok((
                    row.try_get("organisation_id")?,
                    row.try_get("person_id")?,
                    row.try_get("csrf")?,
                    row.try_get("verified")?,
                    row.try_get("created_at")?,
                    row.try_get("last_seen")?,
                    row.try_get("disabled")?,
                    row.try_get("source")?,
                ))
            })
            .transpose()?
        });
        let Some((organisation, person, csrf, verified, created_at, last_seen, disabled, source)) =
            row
        else {
            return Ok(None);
        };
        let ended = last_seen < to_micros(idle_since)
            || created_at < to_micros(started_after)
            || disabled != Some(false);
        if ended {
            on_db!(self.db(), pool => {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(hash)
                    .execute(pool)
                    .await?;
            });
            return Ok(None);
        }
        if last_seen < to_micros(touch_before) {
            on_db!(self.db(), pool => {
                sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2 AND last_seen < $1")
                    .bind(at)
                    .bind(hash)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(Some(Session {
            organisation: OrganisationId(organisation),
            person: PersonId(person),
            verified,
            csrf,
            started_at: from_micros(created_at)?,
            source: parse_word(SessionSource::parse, source)?,
        }))
    }

    /// The second factor was given: the session is marked verified and gets a new token
    /// and a new form token, keeping its start (so the absolute limit still counts from
    /// sign-in). Returns the new token, or `None` when the old one names no session (or
    /// one whose account is disabled). The old token is void from here on. Call it on a
    /// session that [`Register::session`] found live.
    pub async fn verify_session(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<String>, RegisterError> {
        let new = new_token();
        let at = to_micros(now);
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            // Removing the old row first claims it: of two concurrent verifications of
            // one token, one finds nothing to remove.
            let old = sqlx::query(
                "DELETE FROM sessions WHERE token_hash = $1 RETURNING organisation_id, person_id, created_at, source",
            )
            .bind(token_hash(token))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(old) = old else {
                return Ok(None);
            };
            let person: String = old.try_get("person_id")?;
            let organisation: String = old.try_get("organisation_id")?;
            let created_at: i64 = old.try_get("created_at")?;
            let source: String = old.try_get("source")?;
            let disabled = sqlx::query("SELECT disabled FROM accounts WHERE person_id = $1")
                .bind(&person)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get::<bool, _>("disabled"))
                .transpose()?;
            if disabled != Some(false) {
                // The old row stays removed: a disabled account keeps no session.
                tx.commit().await?;
                return Ok(None);
            }
            sqlx::query(
                "INSERT INTO sessions (token_hash, organisation_id, person_id, csrf, verified, created_at, last_seen, source) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(token_hash(&new))
            .bind(organisation)
            .bind(person)
            .bind(new_token())
            .bind(true)
            .bind(created_at)
            .bind(at)
            .bind(source)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(Some(new))
    }

    /// The session goes back to waiting for a second factor: its person now needs one
    /// (a role or duty given after sign-in) and has none, so the session may show nothing
    /// until they enrol (`verify_session` then gives it a new token).
    pub async fn await_second_factor(&self, token: &str) -> Result<(), RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query("UPDATE sessions SET verified = $1 WHERE token_hash = $2")
                .bind(false)
                .bind(token_hash(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Signs out: the session of this token ends (nothing happens for an unknown token).
    pub async fn end_session(&self, token: &str) -> Result<(), RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Signs a person out everywhere; returns how many sessions ended. Disabling an
    /// account ([`Register::set_account_disabled`]) does this in the same transaction.
    pub async fn end_sessions_of(&self, person: &PersonId) -> Result<u64, RegisterError> {
        let ended = on_db!(self.db(), pool => {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(ended)
    }

    /// Removes every session that has ended (idle, too old, or of a disabled or removed
    /// account); returns how many. For a periodic job: `session` removes an ended
    /// session only when its token comes back. Sign-ins at the identity provider that
    /// began more than ten minutes ago are removed too
    /// ([`Register::purge_provider_sign_ins`]; not counted).
    pub async fn purge_sessions(
        &self,
        now: Timestamp,
        limits: SessionLimits,
    ) -> Result<u64, RegisterError> {
        let idle_since = to_micros(now.checked_sub(limits.idle).map_err(|_| out_of_range())?);
        let started_after = to_micros(
            now.checked_sub(limits.absolute)
                .map_err(|_| out_of_range())?,
        );
        let purged = on_db!(self.db(), pool => {
            sqlx::query(
                "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2 \
                 OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = sessions.person_id AND a.disabled = $3)",
            )
            .bind(idle_since)
            .bind(started_after)
            .bind(false)
            .execute(pool)
            .await?
            .rows_affected()
        });
        self.purge_provider_sign_ins(now).await?;
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_follows_rfc_4648_without_padding() {
        // RFC 4648 §10, in the URL-safe alphabet and without `=`.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), encoded);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn tokens_are_43_url_safe_characters_and_differ() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(token_hash(&a).len(), 32);
    }
}
