//! Sign-ins at the organisation's identity provider (OpenID Connect) in progress: what
//! `/aanmelden/extern` must remember until the provider sends the browser back to
//! `/aanmelden/extern/terug` — the nonce, the PKCE verifier and where to go afterwards —
//! kept in the database, so that any `weerbaar serve` on one database can finish a
//! sign-in another began (no sticky sessions behind a load balancer).
//!
//! The row's key is the SHA-256 of the OAuth state (the state itself is only in the
//! authorization request and the browser's cookie), so a copy of the database finishes no
//! one's sign-in. The nonce and the verifier are sealed with the organisation's data key,
//! as the register seals second-factor secrets, with the state's hash as associated data.
//! A sign-in is taken once: [`Register::take_provider_sign_in`] deletes the row as it
//! reads it, in one write transaction, so of two returns with one state only one gets it.
//! One older than [`SIGN_IN_TIME`] is refused, and purged with the expired sessions.

use jiff::{SignedDuration, Timestamp};
use sqlx::Row;

use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, redacted_debug};
use crate::register::{Register, aad};
use crate::sessions::token_hash;
use crate::time::to_micros;

/// How long a sign-in at the provider may take, from start to return.
pub const SIGN_IN_TIME: SignedDuration = SignedDuration::from_mins(10);

/// What a sign-in in progress remembers.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier for the token request.
    pub verifier: String,
    /// The path on this site to go to after signing in.
    pub return_to: String,
}

redacted_debug!(PendingSignIn {
    show: [return_to],
    hide: [nonce, verifier],
});

fn out_of_range() -> RegisterError {
    RegisterError::invalid("now", "the moment is outside the calendar")
}

/// The associated data of a sealed column of one row (named by the state's hash).
fn row_aad(column: &str, state_hash: &[u8]) -> Vec<u8> {
    aad(
        &format!("provider_sign_ins.{column}"),
        &hex::encode(state_hash),
    )
}

impl Register {
    /// Remembers a sign-in at the provider for `organisation`, under `state` (kept as its
    /// hash only).
    pub async fn begin_provider_sign_in(
        &self,
        organisation: &OrganisationId,
        state: &str,
        pending: &PendingSignIn,
        now: Timestamp,
    ) -> Result<(), RegisterError> {
        if state.is_empty() {
            return Err(RegisterError::invalid("state", "a sign-in needs a state"));
        }
        let (key, _) = self.organisation(organisation).await?;
        let hash = token_hash(state);
        let nonce = key.seal_str(&pending.nonce, &row_aad("nonce", &hash));
        let verifier = key.seal_str(&pending.verifier, &row_aad("verifier", &hash));
        on_db!(self.db(), pool => {
            sqlx::query(
                "INSERT INTO provider_sign_ins (state_hash, organisation_id, nonce_enc, verifier_enc, return_to, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(hash)
            .bind(organisation.as_str())
            .bind(nonce)
            .bind(verifier)
            .bind(pending.return_to.as_str())
            .bind(to_micros(now))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes `organisation`'s sign-in of `state`: it is removed, so it works once. `None`
    /// when there is none (unknown, taken before, or begun for another organisation) or
    /// when it began more than [`SIGN_IN_TIME`] before `now` (removed too).
    ///
    /// The organisation is the caller's — the one whose provider checked the ID token —
    /// never the row's: several organisations' instances may share one database, and a
    /// state begun at one organisation must not finish, through another organisation's
    /// provider, as a sign-in to the first.
    pub async fn take_provider_sign_in(
        &self,
        organisation: &OrganisationId,
        state: &str,
        now: Timestamp,
    ) -> Result<Option<PendingSignIn>, RegisterError> {
        let hash = token_hash(state);
        let oldest = to_micros(now.checked_sub(SIGN_IN_TIME).map_err(|_| out_of_range())?);
        type Taken = (Vec<u8>, Vec<u8>, String, i64);
        let taken: Option<Taken> = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let row = sqlx::query(
                "DELETE FROM provider_sign_ins WHERE state_hash = $1 AND organisation_id = $2 \
                 RETURNING nonce_enc, verifier_enc, return_to, created_at",
            )
            .bind(hash.clone())
            .bind(organisation.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let taken = row
                .map(|row| -> Result<Taken, sqlx::Error> {
                    Ok((
                        row.try_get("nonce_enc")?,
                        row.try_get("verifier_enc")?,
                        row.try_get("return_to")?,
                        row.try_get("created_at")?,
                    ))
                })
                .transpose()?;
            tx.commit().await?;
            taken
        });
        let Some((nonce, verifier, return_to, created_at)) = taken else {
            return Ok(None);
        };
        if created_at < oldest {
            return Ok(None);
        }
        let (key, _) = self.organisation(organisation).await?;
        let pending = PendingSignIn {
            nonce: key.open_string(&nonce, &row_aad("nonce", &hash))?,
            verifier: key.open_string(&verifier, &row_aad("verifier", &hash))?,
            return_to,
        };
        Ok(Some(pending))
    }

    /// Removes the sign-ins that began more than [`SIGN_IN_TIME`] before `now`; returns
    /// how many. [`Register::purge_sessions`] calls it.
    pub async fn purge_provider_sign_ins(&self, now: Timestamp) -> Result<u64, RegisterError> {
        let oldest = to_micros(now.checked_sub(SIGN_IN_TIME).map_err(|_| out_of_range())?);
        let purged = on_db!(self.db(), pool => {
            sqlx::query("DELETE FROM provider_sign_ins WHERE created_at < $1")
                .bind(oldest)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }
}
