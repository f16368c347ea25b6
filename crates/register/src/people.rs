//! The people of an organisation as an administrator manages them: names and e-mail
//! addresses opened, roles and duties, and the state of their sign-in.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::Row;
use weerbaar_protocol::{Code, Role};

use crate::admin::require_person_in;
use crate::crypto::{DataKey, IndexKind};
use crate::db::{BeginWrite, on_db};
use crate::duties::Duty;
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, redacted_debug};
use crate::register::{Register, aad, parse_code, parse_word};

/// A person as the list of people shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonSummary {
    pub id: PersonId,
    pub name: String,
    pub email: Option<String>,
    /// Roles with whether they are current (false: a former office), in the order of
    /// the protocol's vocabulary.
    pub roles: Vec<(Role, bool)>,
    pub duties: Vec<Duty>,
    pub has_password: bool,
    /// A second factor is confirmed.
    pub second_factor: bool,
    pub disabled: bool,
}

redacted_debug!(PersonSummary {
    show: [id, roles, duties, has_password, second_factor, disabled],
    hide: [name, email],
});

/// A new person's name and e-mail address sealed under their organisation's key, with the
/// blind index of the address (how a login and the uniqueness check find it). The address
/// is trimmed; an empty one is none.
pub(crate) struct SealedPerson {
    pub(crate) name_enc: Vec<u8>,
    pub(crate) email_enc: Option<Vec<u8>>,
    pub(crate) email_index: Option<Vec<u8>>,
}

impl SealedPerson {
    /// Seals `name` (already trimmed) and `email` of the new person `id`.
    pub(crate) fn new(key: &DataKey, id: &PersonId, name: &str, email: Option<&str>) -> Self {
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        SealedPerson {
            name_enc: key.seal_str(name, &aad("people.name", id.as_str())),
            email_enc: email.map(|e| key.seal_str(e, &aad("people.email", id.as_str()))),
            email_index: email
                .and_then(|e| key.blind_index(IndexKind::Email, e))
                .map(|d| d.to_vec()),
        }
    }
}

/// The first role of `roles` that is listed both as current and as former.
pub(crate) fn role_listed_twice(roles: &BTreeSet<(Role, bool)>) -> Option<Role> {
    // Sorted by role first, so the two entries of one role stand next to each other.
    roles
        .iter()
        .zip(roles.iter().skip(1))
        .find(|((a, _), (b, _))| a == b)
        .map(|((role, _), _)| *role)
}

/// Inserts, inside an open transaction, the new person `$id` of `$organisation` with their
/// sealed name and address ([`SealedPerson`]), created at `$at` (micros), and their roles.
/// Refuses an e-mail address another person of the organisation already has, and a role
/// listed both as current and as former.
macro_rules! insert_person_in_tx {
    ($tx:expr, $organisation:expr, $id:expr, $sealed:expr, $roles:expr, $at:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let id: &$crate::model::PersonId = $id;
        let sealed: $crate::people::SealedPerson = $sealed;
        let roles: &std::collections::BTreeSet<(weerbaar_protocol::Role, bool)> = $roles;
        let at: i64 = $at;
        if let Some(index) = &sealed.email_index {
            let taken = sqlx::query("SELECT id FROM people WHERE organisation_id = $1 AND email_index = $2")
                .bind(organisation.as_str())
                .bind(index.clone())
                .fetch_optional(&mut *$tx)
                .await?;
            if taken.is_some() {
                return Err($crate::error::RegisterError::invalid(
                    "email",
                    "another person already has this e-mail address",
                ));
            }
        }
        sqlx::query(
            "INSERT INTO people (id, organisation_id, name_enc, email_enc, email_index, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(organisation.as_str())
        .bind(sealed.name_enc)
        .bind(sealed.email_enc)
        .bind(sealed.email_index)
        .bind(at)
        .execute(&mut *$tx)
        .await?;
        if let Some(role) = $crate::people::role_listed_twice(roles) {
            return Err($crate::error::RegisterError::invalid(
                "roles",
                format!("`{role}` is listed twice"),
            ));
        }
        $crate::people::insert_roles_in_tx!($tx, id, roles);
    }};
}
pub(crate) use insert_person_in_tx;

/// Inserts, inside an open transaction, the roles of `$person` (who holds none yet), each
/// `(role, current)` pair of `$roles` once.
macro_rules! insert_roles_in_tx {
    ($tx:expr, $person:expr, $roles:expr) => {{
        let person: &$crate::model::PersonId = $person;
        for (role, current) in $roles {
            sqlx::query("INSERT INTO person_roles (person_id, role, current) VALUES ($1, $2, $3)")
                .bind(person.as_str())
                .bind(role.as_str())
                .bind(*current)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use insert_roles_in_tx;

/// Replaces, inside an open transaction, the roles of `$person` with `$roles`.
macro_rules! replace_roles_in_tx {
    ($tx:expr, $person:expr, $roles:expr) => {{
        let person: &$crate::model::PersonId = $person;
        sqlx::query("DELETE FROM person_roles WHERE person_id = $1")
            .bind(person.as_str())
            .execute(&mut *$tx)
            .await?;
        $crate::people::insert_roles_in_tx!($tx, person, $roles);
    }};
}
pub(crate) use replace_roles_in_tx;

impl Register {
    /// Every person of an organisation, by name.
    pub async fn people(
        &self,
        organisation: &OrganisationId,
    ) -> Result<Vec<PersonSummary>, RegisterError> {
        self.summaries(organisation, None).await
    }

    /// One person of an organisation; a person of another organisation is not found.
    pub async fn person(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<PersonSummary, RegisterError> {
        self.summaries(organisation, Some(person))
            .await?
            .pop()
            .ok_or_else(|| RegisterError::NotFound {
                what: "person",
                id: person.to_string(),
            })
    }

    /// The people of an organisation, or the one person `only`, read in one transaction
    /// so that roles, duties and accounts belong to the same moment.
    async fn summaries(
        &self,
        organisation: &OrganisationId,
        only: Option<&PersonId>,
    ) -> Result<Vec<PersonSummary>, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        // `$2` is NULL for everyone, or the one person.
        let only = only.map(PersonId::as_str);
        type PersonRow = (String, Vec<u8>, Option<Vec<u8>>, bool, bool, bool);
        let (people, roles, duties) = on_db!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let people = sqlx::query(
                "SELECT p.id, p.name_enc, p.email_enc, a.password_hash, a.totp_confirmed, a.disabled \
                 FROM people p LEFT JOIN accounts a ON a.person_id = p.id \
                 WHERE p.organisation_id = $1 AND ($2 IS NULL OR p.id = $2)",
            )
            .bind(organisation.as_str())
            .bind(only)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| -> Result<PersonRow, sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("name_enc")?,
                    row.try_get("email_enc")?,
                    row.try_get::<Option<String>, _>("password_hash")?.is_some(),
                    row.try_get::<Option<bool>, _>("totp_confirmed")?.unwrap_or(false),
                    row.try_get::<Option<bool>, _>("disabled")?.unwrap_or(false),
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
            let roles = sqlx::query(
                "SELECT r.person_id, r.role, r.current FROM person_roles r \
                 JOIN people p ON p.id = r.person_id \
                 WHERE p.organisation_id = $1 AND ($2 IS NULL OR p.id = $2)",
            )
            .bind(organisation.as_str())
            .bind(only)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| -> Result<(String, String, bool), sqlx::Error> {
                Ok((row.try_get("person_id")?, row.try_get("role")?, row.try_get("current")?))
            })
            .collect::<Result<Vec<_>, _>>()?;
            let duties = sqlx::query(
                "SELECT d.person_id, d.duty FROM person_duties d \
                 JOIN people p ON p.id = d.person_id \
                 WHERE p.organisation_id = $1 AND ($2 IS NULL OR p.id = $2)",
            )
            .bind(organisation.as_str())
            .bind(only)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| -> Result<(String, String), sqlx::Error> {
                Ok((row.try_get("person_id")?, row.try_get("duty")?))
            })
            .collect::<Result<Vec<_>, _>>()?;
            tx.commit().await?;
            (people, roles, duties)
        });

        let mut roles_of: HashMap<String, Vec<(Role, bool)>> = HashMap::new();
        for (person, role, current) in roles {
            roles_of
                .entry(person)
                .or_default()
                .push((parse_code(role)?, current));
        }
        let mut duties_of: HashMap<String, Vec<Duty>> = HashMap::new();
        for (person, duty) in duties {
            duties_of
                .entry(person)
                .or_default()
                .push(parse_word(Duty::parse, duty)?);
        }
        let mut summaries = Vec::with_capacity(people.len());
        for (id, name_enc, email_enc, has_password, second_factor, disabled) in people {
            let name = key.open_string(&name_enc, &aad("people.name", &id))?;
            let email = email_enc
                .map(|sealed| key.open_string(&sealed, &aad("people.email", &id)))
                .transpose()?;
            let mut roles = roles_of.remove(&id).unwrap_or_default();
            roles.sort_unstable();
            let mut duties = duties_of.remove(&id).unwrap_or_default();
            duties.sort_unstable();
            summaries.push(PersonSummary {
                id: PersonId(id),
                name,
                email,
                roles,
                duties,
                has_password,
                second_factor,
                disabled,
            });
        }
        summaries.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(summaries)
    }

    /// Replaces the roles of a person of `organisation`, in one transaction. A role is
    /// listed once; a person without any duty keeps at least one role.
    pub async fn set_roles(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        roles: Vec<(Role, bool)>,
    ) -> Result<(), RegisterError> {
        let mut wanted: BTreeMap<Role, bool> = BTreeMap::new();
        for (role, current) in roles {
            if wanted
                .insert(role, current)
                .is_some_and(|was| was != current)
            {
                return Err(RegisterError::invalid(
                    "roles",
                    format!("`{role}` is listed as both current and former"),
                ));
            }
        }
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_person_in!(tx, organisation, person);
            if wanted.is_empty() {
                let duty = sqlx::query("SELECT duty FROM person_duties WHERE person_id = $1 LIMIT 1")
                    .bind(person.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if duty.is_none() {
                    return Err(RegisterError::invalid("roles", "a person holds at least one role"));
                }
            }
            replace_roles_in_tx!(tx, person, &wanted);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The person of `organisation` with this e-mail address, found through its blind
    /// index (the address itself is stored sealed).
    pub async fn find_person_by_email(
        &self,
        organisation: &OrganisationId,
        email: &str,
    ) -> Result<Option<PersonId>, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let Some(index) = key.blind_index(IndexKind::Email, email) else {
            return Ok(None);
        };
        let id: Option<String> = on_db!(self.db(), pool => {
            sqlx::query("SELECT id FROM people WHERE organisation_id = $1 AND email_index = $2")
                .bind(organisation.as_str())
                .bind(index.to_vec())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get("id"))
                .transpose()?
        });
        Ok(id.map(PersonId))
    }
}
