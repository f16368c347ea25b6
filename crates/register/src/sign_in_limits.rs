//! Sign-in attempts per client address, counted in the database in a fixed window, so
//! that every server on the database shares one limit (issue 14). The per-login lockout
//! (`accounts`) guards each account; this keeps one address from trying many.
//!
//! The address is kept as its SHA-256 digest: enough to count by, and no list of who
//! tried to sign in from where. (The digest of an IPv4 address can be found by trying
//! them all; it keeps the table from being read at a glance, not from a determined
//! reader of the database.)

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::on_db;
use crate::error::RegisterError;
use crate::register::Register;
use crate::time::to_micros;

fn digest(address: &str) -> Vec<u8> {
    Sha256::digest(address.as_bytes()).to_vec()
}

impl Register {
    /// Counts a sign-in attempt from `address` and says whether it is within `limit`
    /// attempts in its `window` (which starts with the first attempt after the last
    /// window ended). One statement, so that concurrent attempts each count.
    pub async fn count_sign_in_attempt(
        &self,
        address: &str,
        limit: u32,
        window: SignedDuration,
        now: Timestamp,
    ) -> Result<bool, RegisterError> {
        let at = to_micros(now);
        let ended = now
            .checked_sub(window)
            .map(to_micros)
            .map_err(|_| RegisterError::Corrupt(String::from("window outside the calendar")))?;
        let attempts: i64 = on_db!(self.db(), pool => {
            sqlx::query(
                "INSERT INTO sign_in_attempts (address_digest, window_start, attempts) VALUES ($1, $2, 1) \
                 ON CONFLICT (address_digest) DO UPDATE SET \
                 attempts = CASE WHEN sign_in_attempts.window_start <= $3 THEN 1 \
                 ELSE sign_in_attempts.attempts + 1 END, \
                 window_start = CASE WHEN sign_in_attempts.window_start <= $3 THEN $2 \
                 ELSE sign_in_attempts.window_start END \
                 RETURNING attempts",
            )
            .bind(digest(address))
            .bind(at)
            .bind(ended)
            .fetch_one(pool)
            .await?
            .try_get("attempts")?
        });
        Ok(attempts <= i64::from(limit))
    }

    /// Removes the counts of windows that ended before `before`; returns how many.
    pub async fn purge_sign_in_attempts(&self, before: Timestamp) -> Result<u64, RegisterError> {
        let purged = on_db!(self.db(), pool => {
            sqlx::query("DELETE FROM sign_in_attempts WHERE window_start <= $1")
                .bind(to_micros(before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(purged)
    }
}
