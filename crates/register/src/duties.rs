//! Duties in the application, apart from the protocol's roles: who administers the
//! organisation's users and protocol file, and who is its privacy officer. A duty opens
//! screens of the application; it gives no access to the content of any case (see
//! `access`): an administrator is not a handler.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::admin::require_person_in;
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, words};
use crate::register::{Register, parse_word};

words!(
    /// A duty in the application.
    #[derive(PartialOrd, Ord)]
    Duty {
        /// Administrator: users, roles, the protocol file, contacts.
        Beheerder = "beheerder",
        /// Privacy officer (functionaris gegevensbescherming): the audit log, retention.
        Privacy = "privacy",
    }
);

/// Inserts, inside an open transaction, the duties of `$person` (who holds none yet).
macro_rules! insert_duties_in_tx {
    ($tx:expr, $person:expr, $duties:expr) => {{
        let person: &$crate::model::PersonId = $person;
        for duty in $duties {
            sqlx::query("INSERT INTO person_duties (person_id, duty) VALUES ($1, $2)")
                .bind(person.as_str())
                .bind(duty.as_str())
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use insert_duties_in_tx;

/// Replaces, inside an open transaction, the duties of `$person` with `$duties`.
macro_rules! replace_duties_in_tx {
    ($tx:expr, $person:expr, $duties:expr) => {{
        let person: &$crate::model::PersonId = $person;
        sqlx::query("DELETE FROM person_duties WHERE person_id = $1")
            .bind(person.as_str())
            .execute(&mut *$tx)
            .await?;
        $crate::duties::insert_duties_in_tx!($tx, person, $duties);
    }};
}
pub(crate) use replace_duties_in_tx;

impl Register {
    /// Replaces the duties of a person of `organisation` with `duties`, in one
    /// transaction. A person keeps at least one role or duty, so that no one is left who
    /// is nothing in the register.
    pub async fn set_duties(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        duties: &[Duty],
    ) -> Result<(), RegisterError> {
        let duties = BTreeSet::from_iter(duties.iter().copied());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_person_in!(tx, organisation, person);
            if duties.is_empty() {
                let roles = sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 LIMIT 1")
                    .bind(person.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if roles.is_none() {
                    return Err(RegisterError::invalid(
                        "duties",
                        "this person holds no role, so keeps at least one duty",
                    ));
                }
            }
            replace_duties_in_tx!(tx, person, &duties);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The duties of a person, in the order of [`Duty::ALL`]; none for an unknown person.
    pub async fn duties(&self, person: &PersonId) -> Result<Vec<Duty>, RegisterError> {
        let mut duties = on_db!(self.db(), pool => {
            sqlx::query("SELECT duty FROM person_duties WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| parse_word(Duty::parse, row.try_get("duty")?))
                .collect::<Result<Vec<Duty>, RegisterError>>()?
        });
        duties.sort_unstable();
        Ok(duties)
    }
}
