//! The guards of the second factor, kept in the account's row so that they hold across
//! sign-ins, server instances and restarts: wrong codes are counted per account and lock
//! it for [`LOCKOUT`] after [`MAX_FAILED_ATTEMPTS`] (as the password does), and a code is
//! accepted once — for a time step later than the last one accepted.
//!
//! Each guard is one statement, so that concurrent attempts each count and two requests
//! with the same code cannot both pass.

use jiff::Timestamp;
use sqlx::Row;

use crate::accounts::{LOCKOUT, MAX_FAILED_ATTEMPTS};
use crate::db::on_db;
use crate::error::RegisterError;
use crate::model::PersonId;
use crate::register::Register;
use crate::time::{from_micros, to_micros};

impl Register {
    /// Until when the person's second factor is locked after too many wrong codes, if it
    /// is locked at `now`.
    pub async fn second_factor_locked_until(
        &self,
        person: &PersonId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, RegisterError> {
        let until: Option<i64> = on_db!(self.db(), pool => {
            sqlx::query("SELECT code_locked_until FROM accounts WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Option<i64>, _>("code_locked_until"))
                .transpose()?
                .flatten()
        });
        until
            .filter(|&until| until > to_micros(now))
            .map(from_micros)
            .transpose()
    }

    /// Accepts a code of time step `step` if no code of this step or a later one was
    /// accepted before and the second factor is not locked; an accepted code clears the
    /// count of wrong ones.
    pub async fn accept_second_factor_step(
        &self,
        person: &PersonId,
        step: u64,
        now: Timestamp,
    ) -> Result<bool, RegisterError> {
        let step = i64::try_from(step)
            .map_err(|_| RegisterError::invalid("code", "time step out of range"))?;
        let accepted = on_db!(self.db(), pool => {
            sqlx::query(
                "UPDATE accounts SET last_code_step = $1, code_failures = 0 \
                 WHERE person_id = $2 AND (last_code_step IS NULL OR last_code_step < $1) \
                 AND (code_locked_until IS NULL OR code_locked_until <= $3)",
            )
            .bind(step)
            .bind(person.as_str())
            .bind(to_micros(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(accepted == 1)
    }

    /// Clears the count of wrong codes (after a recovery code was accepted).
    pub async fn clear_second_factor_failures(
        &self,
        person: &PersonId,
    ) -> Result<(), RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query("UPDATE accounts SET code_failures = 0 WHERE person_id = $1")
                .bind(person.as_str())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Counts a wrong code; the one that reaches [`MAX_FAILED_ATTEMPTS`] locks the
    /// second factor for [`LOCKOUT`] and resets the count. Returns until when it is
    /// locked, if it is (a code sent while locked is not counted again).
    pub async fn count_second_factor_failure(
        &self,
        person: &PersonId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, RegisterError> {
        let at = to_micros(now);
        let lock = now
            .checked_add(LOCKOUT)
            .map(to_micros)
            .map_err(|_| RegisterError::Corrupt(String::from("lockout outside the calendar")))?;
        on_db!(self.db(), pool => {
            sqlx::query(
                "UPDATE accounts SET \
                 code_failures = CASE WHEN code_failures + 1 >= $1 THEN 0 ELSE code_failures + 1 END, \
                 code_locked_until = CASE WHEN code_failures + 1 >= $1 THEN $2 ELSE code_locked_until END \
                 WHERE person_id = $3 AND (code_locked_until IS NULL OR code_locked_until <= $4)",
            )
            .bind(MAX_FAILED_ATTEMPTS)
            .bind(lock)
            .bind(person.as_str())
            .bind(at)
            .execute(pool)
            .await?;
        });
        self.second_factor_locked_until(person, now).await
    }
}
