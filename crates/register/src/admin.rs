//! Administration: what an administrator (or the operator on the command line) changes
//! about an organisation — its people, their roles, duties and accounts, its protocol
//! file and contacts — each change written to `admin_events` in the same transaction as
//! the change itself, so that the log can never miss one or show one that did not
//! happen.
//!
//! The log holds ids and codes only: names and addresses stay sealed in `people`, and a
//! password or second-factor secret never reaches it. An administrator is never shown
//! the content of a case here; nothing in this module reads a case.
//!
//! Two rules keep an organisation administrable: an administrator cannot remove their
//! own administrator duty or switch off their own account (a slip of the hand would lock
//! them out), and the last administrator who can sign in cannot lose the duty or the
//! account at all.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;
use weerbaar_protocol::{Code, Contact, Protocol, Role};

use crate::accounts::{
    check_new_password, hash_password_off_runtime, set_account_disabled_in_tx, set_password_in_tx,
};
use crate::db::{BeginWrite, on_db};
use crate::duties::{Duty, insert_duties_in_tx, replace_duties_in_tx};
use crate::error::RegisterError;
use crate::model::{NewPerson, OrganisationId, PersonId, redacted_debug, words};
use crate::people::{SealedPerson, insert_person_in_tx, replace_roles_in_tx};
use crate::protocol_evaluations::link_evaluations_to;
use crate::register::{Register, aad};
use crate::time::{from_micros, to_micros};

words!(
    /// What an entry of the administration log records.
    #[derive(PartialOrd, Ord)]
    AdminEventKind {
        PersonAdded = "person_added",
        RolesChanged = "roles_changed",
        DutiesChanged = "duties_changed",
        PasswordSet = "password_set",
        AccountDisabled = "account_disabled",
        AccountEnabled = "account_enabled",
        SecondFactorReset = "second_factor_reset",
        ProtocolReplaced = "protocol_replaced",
        ContactsChanged = "contacts_changed",
        RetentionChanged = "retention_changed",
        YearlyDiscussionSaved = "yearly_discussion_saved",
        YearlyDiscussionFinalised = "yearly_discussion_finalised",
        /// The yearly evaluation of the protocol was recorded.
        ProtocolEvaluated = "protocol_evaluated",
        /// Anonymised case rows were exported for further analysis.
        CasesExported = "cases_exported",
    }
);

/// One entry of the administration log, as the log page shows it.
#[derive(Clone, PartialEq)]
pub struct AdminEvent {
    pub id: String,
    pub at: Timestamp,
    /// Who made the change; `None` for the command line on the server.
    pub actor: Option<PersonId>,
    pub actor_name: Option<String>,
    pub kind: AdminEventKind,
    /// The person the change is about, if any.
    pub subject: Option<PersonId>,
    pub subject_name: Option<String>,
    /// Ids and codes only (roles, duties, protocol id and version, days).
    pub detail: Value,
}

redacted_debug!(AdminEvent {
    show: [id, at, actor, kind, subject, detail],
    hide: [actor_name, subject_name],
});

/// A person to add together with their duties and, if given, the password of their
/// account (without one they have no account until a password is set).
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub person: NewPerson,
    pub duties: Vec<Duty>,
    pub password: Option<String>,
}

redacted_debug!(NewAccount {
    show: [duties],
    hide: [person, password],
});

/// The roles as the log keeps them: `[code, current]` pairs.
fn roles_json(roles: &BTreeSet<(Role, bool)>) -> Value {
    Value::Array(
        roles
            .iter()
            .map(|(role, current)| json!([role.as_str(), current]))
            .collect(),
    )
}

fn duties_json(duties: &BTreeSet<Duty>) -> Value {
    Value::Array(duties.iter().map(|d| json!(d.as_str())).collect())
}

pub(crate) fn event_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Writes one entry of the administration log inside an open transaction.
macro_rules! log_admin_event {
    ($tx:expr, $organisation:expr, $actor:expr, $at:expr, $kind:expr, $subject:expr, $detail:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let actor: Option<&$crate::model::PersonId> = $actor;
        let kind: $crate::admin::AdminEventKind = $kind;
        let subject: Option<&str> = $subject;
        let detail: serde_json::Value = $detail;
        sqlx::query(
            "INSERT INTO admin_events (id, organisation_id, actor_id, at, kind, subject_id, detail_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::admin::event_id())
        .bind(organisation.as_str())
        .bind(actor.map(|a| a.as_str()))
        .bind($at)
        .bind(kind.as_str())
        .bind(subject)
        .bind(detail.to_string())
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use log_admin_event;

/// Queues, inside an open write transaction, the announcement that `$subject` was given
/// a role with which they handle cases: a mail ([`MailKind::BehandelrolGegeven`], which
/// cannot be turned off) to everyone who holds one of `$handler_roles` now and to every
/// privacy officer of the organisation, but not to the person themselves. Nothing of the
/// change is in the mail; the start page says who and when (issue 14: an administrator
/// who makes someone, or an account of their own making, a handler is seen at once).
macro_rules! announce_new_handler {
    ($tx:expr, $organisation:expr, $subject:expr, $handler_roles:expr, $at:expr) => {{
        let org: &str = $organisation.as_str();
        let subject: &str = $subject.as_str();
        let at: i64 = $at;
        let tag = format!("{subject}:{at}");
        for role in $handler_roles {
            $crate::outbox::enqueue_for_role!(
                $tx,
                org,
                role.as_str(),
                Some(subject),
                $crate::outbox::MailKind::BehandelrolGegeven,
                None,
                Some(tag.as_str()),
                at
            );
        }
        let officers = sqlx::query(
            "SELECT d.person_id FROM person_duties d JOIN people p ON p.id = d.person_id \
             WHERE d.duty = $1 AND p.organisation_id = $2 AND p.id <> $3",
        )
        .bind($crate::duties::Duty::Privacy.as_str())
        .bind(org)
        .bind(subject)
        .fetch_all(&mut *$tx)
        .await?;
        for officer in officers {
            let officer: String = sqlx::Row::try_get(&officer, "person_id")?;
            $crate::outbox::enqueue_mail!(
                $tx,
                org,
                officer.as_str(),
                $crate::outbox::MailKind::BehandelrolGegeven,
                None,
                Some(tag.as_str()),
                at
            );
        }
    }};
}

/// The roles of `new` that handle cases under `handler_roles` and were not held now
/// before (`old`): giving one is announced.
pub(crate) fn handler_roles_given(
    handler_roles: &[Role],
    old: &BTreeSet<(Role, bool)>,
    new: &BTreeSet<(Role, bool)>,
) -> Vec<Role> {
    new.iter()
        .filter(|(role, current)| {
            *current && handler_roles.contains(role) && !old.contains(&(*role, true))
        })
        .map(|(role, _)| *role)
        .collect()
}

/// Refuses, inside an open transaction, an actor who is not an administrator of the
/// organisation (the web checks this too; the register does not rely on it).
macro_rules! require_admin_actor {
    ($tx:expr, $organisation:expr, $actor:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let actor: Option<&$crate::model::PersonId> = $actor;
        if let Some(actor) = actor {
            let admin = sqlx::query(
                "SELECT p.id FROM people p JOIN person_duties d ON d.person_id = p.id \
                 WHERE p.id = $1 AND p.organisation_id = $2 AND d.duty = $3",
            )
            .bind(actor.as_str())
            .bind(organisation.as_str())
            .bind($crate::duties::Duty::Beheerder.as_str())
            .fetch_optional(&mut *$tx)
            .await?;
            if admin.is_none() {
                return Err($crate::error::RegisterError::Forbidden {
                    what: "administration",
                    id: actor.to_string(),
                });
            }
        }
    }};
}
pub(crate) use require_admin_actor;

/// Refuses, inside an open transaction, a person who is not of the organisation.
macro_rules! require_person_in {
    ($tx:expr, $organisation:expr, $person:expr) => {{
        let person: &$crate::model::PersonId = $person;
        let organisation: &$crate::model::OrganisationId = $organisation;
        let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
            .bind(person.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *$tx)
            .await?;
        if known.is_none() {
            return Err($crate::error::RegisterError::NotFound {
                what: "person",
                id: person.to_string(),
            });
        }
    }};
}
pub(crate) use require_person_in;

/// How many administrators other than `$person` can sign in: an account with a password
/// that is not switched off.
macro_rules! other_admins {
    ($tx:expr, $organisation:expr, $person:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let person: &$crate::model::PersonId = $person;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM people p \
             JOIN person_duties d ON d.person_id = p.id AND d.duty = $1 \
             JOIN accounts a ON a.person_id = p.id \
             WHERE p.organisation_id = $2 AND p.id <> $3 \
             AND a.disabled = $4 AND a.password_hash IS NOT NULL",
        )
        .bind($crate::duties::Duty::Beheerder.as_str())
        .bind(organisation.as_str())
        .bind(person.as_str())
        .bind(false)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::Row::try_get::<i64, _>(&row, "n")?
    }};
}

/// The reason given when the change would leave no administrator.
pub const LAST_ADMINISTRATOR: &str =
    "this is the last administrator who can sign in; make someone else administrator first";
/// The reason given when administrators would give themselves a role or a duty: a role
/// can make someone the handler of cases, so nobody widens their own access; another
/// administrator does it, and the administration log names both.
pub const OWN_ROLES: &str =
    "administrators cannot give themselves a role or a duty; another administrator does that";
/// The reason given when administrators would lock themselves out.
pub const OWN_ADMINISTRATION: &str =
    "administrators cannot remove their own administrator duty or switch off their own account";

fn check_roles(roles: &[(Role, bool)]) -> Result<BTreeSet<(Role, bool)>, RegisterError> {
    let mut seen = BTreeSet::new();
    for (role, current) in roles {
        if roles.iter().any(|(r, c)| r == role && c != current) {
            return Err(RegisterError::invalid(
                "roles",
                format!("`{role}` is listed as both current and former"),
            ));
        }
        seen.insert((*role, *current));
    }
    Ok(seen)
}

/// The protocol file `text` with its `[[contacts]]` replaced by `contacts`, everything
/// else (comments included) as it was. A contact kept under the same name keeps its own
/// comments too. The result is not checked: [`Protocol::from_toml`] does that.
pub fn with_contacts(text: &str, contacts: &[Contact]) -> Result<String, RegisterError> {
    use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};
    let mut document: DocumentMut = text.parse().map_err(|error: toml_edit::TomlError| {
        RegisterError::invalid("protocol", format!("the stored protocol file: {error}"))
    })?;
    let old: Vec<Table> = match document.get("contacts") {
        Some(Item::ArrayOfTables(array)) => array.iter().cloned().collect(),
        _ => Vec::new(),
    };
    let mut array = ArrayOfTables::new();
    for contact in contacts {
        let mut table = old
            .iter()
            .find(|t| t.get("name").and_then(Item::as_str) == Some(contact.name.trim()))
            .cloned()
            .unwrap_or_default();
        table["name"] = value(contact.name.trim());
        for (key, field) in [
            ("about", &contact.about),
            ("phone", &contact.phone),
            ("url", &contact.url),
            ("email", &contact.email),
            ("hours", &contact.hours),
        ] {
            match field.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                Some(text) => {
                    // Keep a kept key's place and comment; change only its value.
                    match table.get_mut(key).and_then(Item::as_value_mut) {
                        Some(existing) => {
                            let decor = existing.decor().clone();
                            *existing = toml_edit::Value::from(text);
                            *existing.decor_mut() = decor;
                        }
                        None => table[key] = value(text),
                    }
                }
                None => {
                    table.remove(key);
                }
            }
        }
        array.push(table);
    }
    if array.is_empty() {
        document.remove("contacts");
    } else {
        document["contacts"] = Item::ArrayOfTables(array);
    }
    Ok(document.to_string())
}

impl Register {
    /// Adds a person with their roles, duties and (if a password is given) account, in one
    /// transaction with its log entry. `actor` is the administrator, or `None` for the
    /// command line.
    pub async fn add_person_with_account(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        account: NewAccount,
    ) -> Result<PersonId, RegisterError> {
        let NewAccount {
            person,
            duties,
            password,
        } = account;
        let name = person.name.trim();
        if name.is_empty() {
            return Err(RegisterError::invalid("name", "a person needs a name"));
        }
        let roles = check_roles(&person.roles)?;
        let duties: BTreeSet<Duty> = duties.into_iter().collect();
        if roles.is_empty() && duties.is_empty() {
            return Err(RegisterError::invalid(
                "roles",
                "a person holds at least one role or duty",
            ));
        }
        let hash = match &password {
            Some(password) => {
                check_new_password(password)?;
                Some(hash_password_off_runtime(password).await?)
            }
            None => None,
        };
        let (key, _) = self.organisation(organisation).await?;
        let handler_roles = self.protocol(organisation).await?.handler_roles();
        let given = handler_roles_given(&handler_roles, &BTreeSet::new(), &roles);
        let id = PersonId::generate();
        let sealed = SealedPerson::new(&key, &id, name, person.email.as_deref());
        let at = to_micros(Timestamp::now());
        let detail = json!({
            "roles": roles_json(&roles),
            "duties": duties_json(&duties),
            "account": hash.is_some(),
        });
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            insert_person_in_tx!(tx, organisation, &id, sealed, &roles, at);
            insert_duties_in_tx!(tx, &id, &duties);
            if let Some(hash) = &hash {
                sqlx::query(
                    "INSERT INTO accounts (person_id, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(id.as_str())
                .bind(hash)
                .bind(at)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::PersonAdded, Some(id.as_str()), detail);
            if !given.is_empty() {
                announce_new_handler!(tx, organisation, &id, &handler_roles, at);
            }
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Replaces a person's roles and duties in one transaction, logging what changed. An
    /// administrator gives themselves no role or duty (they may give theirs up) and
    /// cannot remove their own administrator duty, and the last administrator who can
    /// sign in keeps it.
    pub async fn change_roles_and_duties(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        person: &PersonId,
        roles: &[(Role, bool)],
        duties: &[Duty],
    ) -> Result<(), RegisterError> {
        let roles = check_roles(roles)?;
        let duties: BTreeSet<Duty> = duties.iter().copied().collect();
        if roles.is_empty() && duties.is_empty() {
            return Err(RegisterError::invalid(
                "roles",
                "a person holds at least one role or duty",
            ));
        }
        let at = to_micros(Timestamp::now());
        let handler_roles = self.protocol(organisation).await?.handler_roles();
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            require_person_in!(tx, organisation, person);
            let old_roles = sqlx::query("SELECT role, current FROM person_roles WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| -> Result<(Role, bool), RegisterError> {
                    let role: String = row.try_get("role")?;
                    let role = Role::parse(&role).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                    Ok((role, row.try_get("current")?))
                })
                .collect::<Result<BTreeSet<_>, _>>()?;
            let old_duties = sqlx::query("SELECT duty FROM person_duties WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| -> Result<Duty, RegisterError> {
                    let duty: String = row.try_get("duty")?;
                    Duty::parse(&duty).ok_or_else(|| RegisterError::Corrupt(format!("unknown duty `{duty}`")))
                })
                .collect::<Result<BTreeSet<_>, _>>()?;
            if actor == Some(person) {
                let gains_role = roles.iter().any(|(role, current)| *current && !old_roles.contains(&(*role, true)));
                let gains_duty = duties.iter().any(|duty| !old_duties.contains(duty));
                if gains_role || gains_duty {
                    return Err(RegisterError::invalid("roles", OWN_ROLES));
                }
            }
            if old_duties.contains(&Duty::Beheerder) && !duties.contains(&Duty::Beheerder) {
                if actor == Some(person) {
                    return Err(RegisterError::invalid("duties", OWN_ADMINISTRATION));
                }
                if other_admins!(tx, organisation, person) == 0 {
                    return Err(RegisterError::invalid("duties", LAST_ADMINISTRATOR));
                }
            }
            if old_roles != roles {
                replace_roles_in_tx!(tx, person, &roles);
                log_admin_event!(tx, organisation, actor, at, AdminEventKind::RolesChanged, Some(person.as_str()),
                    json!({ "from": roles_json(&old_roles), "to": roles_json(&roles) }));
                if !handler_roles_given(&handler_roles, &old_roles, &roles).is_empty() {
                    announce_new_handler!(tx, organisation, person, &handler_roles, at);
                }
            }
            if old_duties != duties {
                replace_duties_in_tx!(tx, person, &duties);
                log_admin_event!(tx, organisation, actor, at, AdminEventKind::DutiesChanged, Some(person.as_str()),
                    json!({ "from": duties_json(&old_duties), "to": duties_json(&duties) }));
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets a new password chosen by an administrator (who hands it over), creating the
    /// account when needed. The person's sessions end and their login is unlocked, in the
    /// same transaction.
    pub async fn set_password_by(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        person: &PersonId,
        password: &str,
    ) -> Result<(), RegisterError> {
        check_new_password(password)?;
        let hash = hash_password_off_runtime(password).await?;
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            let created = set_password_in_tx!(tx, organisation, person, &hash, at);
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person.as_str())
                .execute(&mut *tx)
                .await?;
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::PasswordSet, Some(person.as_str()),
                json!({ "account_created": created }));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Switches an account off (ending its sessions) or on again. Administrators cannot
    /// switch off their own account, nor the last administrator's.
    pub async fn set_account_disabled_by(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        person: &PersonId,
        disabled: bool,
    ) -> Result<(), RegisterError> {
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            require_person_in!(tx, organisation, person);
            if disabled {
                if actor == Some(person) {
                    return Err(RegisterError::invalid("account", OWN_ADMINISTRATION));
                }
                let admin = sqlx::query("SELECT duty FROM person_duties WHERE person_id = $1 AND duty = $2")
                    .bind(person.as_str())
                    .bind(Duty::Beheerder.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if admin && other_admins!(tx, organisation, person) == 0 {
                    return Err(RegisterError::invalid("account", LAST_ADMINISTRATOR));
                }
            }
            if set_account_disabled_in_tx!(tx, person, disabled, at) == 0 {
                // No account: the transaction is dropped, uncommitted.
                return Err(RegisterError::NotFound { what: "account", id: person.to_string() });
            }
            let kind = if disabled { AdminEventKind::AccountDisabled } else { AdminEventKind::AccountEnabled };
            log_admin_event!(tx, organisation, actor, at, kind, Some(person.as_str()), json!({}));
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets a person's second factor and recovery codes (a lost phone): at the next
    /// sign-in they enrol a new one, if their role or duty requires it. Their sessions end.
    pub async fn reset_second_factor(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        person: &PersonId,
    ) -> Result<(), RegisterError> {
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            require_person_in!(tx, organisation, person);
            let updated = sqlx::query(
                "UPDATE accounts SET totp_secret_enc = NULL, totp_confirmed = $1, recovery_codes = '[]', \
                 updated_at = $2 WHERE person_id = $3",
            )
            .bind(false)
            .bind(at)
            .bind(person.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(RegisterError::NotFound { what: "account", id: person.to_string() });
            }
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person.as_str())
                .execute(&mut *tx)
                .await?;
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::SecondFactorReset, Some(person.as_str()), json!({}));
            tx.commit().await?;
        });
        Ok(())
    }

    /// The organisation's protocol file as stored, comments and all.
    pub async fn protocol_file(
        &self,
        organisation: &OrganisationId,
    ) -> Result<String, RegisterError> {
        let text: Option<String> = on_db!(self.db(), pool => {
            sqlx::query("SELECT protocol_toml FROM organisations WHERE id = $1")
                .bind(organisation.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get("protocol_toml"))
                .transpose()?
        });
        text.ok_or_else(|| RegisterError::NotFound {
            what: "organisation",
            id: organisation.to_string(),
        })
    }

    /// Replaces the organisation's protocol file; returns the new protocol's version.
    /// New reports are evaluated under it; a case keeps the plan it was given (each case
    /// stores its plan and the protocol version it came from).
    pub async fn set_protocol(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        toml: &str,
    ) -> Result<String, RegisterError> {
        let protocol = Protocol::from_toml(toml)
            .map_err(|error| RegisterError::invalid("protocol", error.to_string()))?;
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            let old = sqlx::query("SELECT protocol_id, protocol_version FROM organisations WHERE id = $1")
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(old) = old else {
                return Err(RegisterError::NotFound { what: "organisation", id: organisation.to_string() });
            };
            let detail = json!({
                "from": { "id": old.try_get::<String, _>("protocol_id")?, "version": old.try_get::<String, _>("protocol_version")? },
                "to": { "id": protocol.id, "version": protocol.version },
            });
            sqlx::query("UPDATE organisations SET protocol_id = $1, protocol_toml = $2, protocol_version = $3 WHERE id = $4")
                .bind(&protocol.id)
                .bind(toml)
                .bind(&protocol.version)
                .bind(organisation.as_str())
                .execute(&mut *tx)
                .await?;
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::ProtocolReplaced, None, detail);
            link_evaluations_to!(tx, organisation, &protocol.version, at);
            tx.commit().await?;
        });
        self.forget_protocols();
        Ok(protocol.version)
    }

    /// Replaces the contacts of the organisation's protocol file (its `[[contacts]]`),
    /// leaving the rest of the file as it is; read, rewritten and stored in one
    /// transaction, so that a protocol replaced meanwhile is not overwritten with the old
    /// one. Returns the protocol's version.
    pub async fn set_contacts(
        &self,
        organisation: &OrganisationId,
        actor: Option<&PersonId>,
        contacts: &[Contact],
    ) -> Result<String, RegisterError> {
        let at = to_micros(Timestamp::now());
        let version = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require_admin_actor!(tx, organisation, actor);
            let row = sqlx::query("SELECT protocol_toml FROM organisations WHERE id = $1")
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(RegisterError::NotFound { what: "organisation", id: organisation.to_string() });
            };
            let old: String = row.try_get("protocol_toml")?;
            let before = Protocol::from_toml(&old).map(|p| p.contacts.len()).unwrap_or(0);
            let text = with_contacts(&old, contacts)?;
            let protocol = Protocol::from_toml(&text)
                .map_err(|error| RegisterError::invalid("contacts", error.to_string()))?;
            sqlx::query("UPDATE organisations SET protocol_toml = $1 WHERE id = $2")
                .bind(&text)
                .bind(organisation.as_str())
                .execute(&mut *tx)
                .await?;
            log_admin_event!(tx, organisation, actor, at, AdminEventKind::ContactsChanged, None,
                json!({ "protocol": protocol.id, "version": protocol.version, "from": before, "to": protocol.contacts.len() }));
            tx.commit().await?;
            protocol.version
        });
        self.forget_protocols();
        Ok(version)
    }

    /// The administration log of an organisation, newest first, at most `limit` entries.
    pub async fn admin_events(
        &self,
        organisation: &OrganisationId,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, RegisterError> {
        self.admin_events_since(organisation, None, limit).await
    }

    /// As [`Register::admin_events`], only the entries made at or after `since`: read
    /// through the index by organisation and moment, so that a recent window costs only
    /// its own rows.
    pub async fn admin_events_since(
        &self,
        organisation: &OrganisationId,
        since: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<AdminEvent>, RegisterError> {
        let since = since.map_or(i64::MIN, to_micros);
        let (key, _) = self.organisation(organisation).await?;
        type EventRow = (
            String,
            i64,
            Option<String>,
            Option<Vec<u8>>,
            String,
            Option<String>,
            Option<Vec<u8>>,
            String,
        );
        let rows: Vec<EventRow> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT e.id, e.at, e.actor_id, a.name_enc AS actor_name, e.kind, e.subject_id, \
                 s.name_enc AS subject_name, e.detail_json FROM admin_events e \
                 LEFT JOIN people a ON a.id = e.actor_id \
                 LEFT JOIN people s ON s.id = e.subject_id AND s.organisation_id = e.organisation_id \
                 WHERE e.organisation_id = $1 AND e.at >= $2 ORDER BY e.at DESC, e.id DESC LIMIT $3",
            )
            .bind(organisation.as_str())
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| -> Result<EventRow, sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("at")?,
                    row.try_get("actor_id")?,
                    row.try_get("actor_name")?,
                    row.try_get("kind")?,
                    row.try_get("subject_id")?,
                    row.try_get("subject_name")?,
                    row.try_get("detail_json")?,
                ))
            })
            .collect::<Result<_, _>>()?
        });
        rows.into_iter()
            .map(
                |(id, at, actor, actor_name, kind, subject, subject_name, detail)| {
                    let open =
                        |person: &Option<String>, sealed: Option<Vec<u8>>| match (person, sealed) {
                            (Some(person), Some(sealed)) => key
                                .open_string(&sealed, &aad("people.name", person))
                                .map(Some),
                            _ => Ok(None),
                        };
                    Ok(AdminEvent {
                        actor_name: open(&actor, actor_name)?,
                        subject_name: open(&subject, subject_name)?,
                        id,
                        at: from_micros(at)?,
                        actor: actor.map(PersonId),
                        kind: AdminEventKind::parse(&kind).ok_or_else(|| {
                            RegisterError::Corrupt(format!("unknown administration event `{kind}`"))
                        })?,
                        subject: subject.map(PersonId),
                        detail: serde_json::from_str(&detail).map_err(|error| {
                            RegisterError::Corrupt(format!("administration event detail: {error}"))
                        })?,
                    })
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Ons protocol
id = "x"

# Wie helpt
[[contacts]]
# de landelijke lijn
name = "Slachtofferhulp"
phone = "0900 0101" # gratis

[[contacts]]
name = "Weg"
about = "verdwijnt"
"#;

    fn contact(name: &str, phone: Option<&str>) -> Contact {
        Contact {
            name: name.into(),
            about: None,
            phone: phone.map(Into::into),
            url: None,
            email: None,
            hours: None,
            role: None,
        }
    }

    #[test]
    fn contacts_are_replaced_and_comments_kept() {
        let text = with_contacts(
            FILE,
            &[
                contact("Slachtofferhulp", Some("0900 0102")),
                contact("Nieuw", Some("112")),
            ],
        )
        .unwrap();
        assert!(text.starts_with("# Ons protocol\nid = \"x\"\n"), "{text}");
        assert!(text.contains("# de landelijke lijn"), "{text}");
        assert!(text.contains("phone = \"0900 0102\" # gratis"), "{text}");
        assert!(text.contains("name = \"Nieuw\""), "{text}");
        assert!(!text.contains("Weg"), "{text}");
        let none = with_contacts(FILE, &[]).unwrap();
        assert!(!none.contains("contacts"), "{none}");
        assert!(none.contains("id = \"x\""));
    }
}
