//! Who may see what of a case (PROTOCOL.md §4), decided here and enforced by the
//! register's own operations, in the same transaction as the read or write they guard:
//! the web layer checks too, but a mistake there must not open a case.
//!
//! | access    | who                                              | may                              |
//! |-----------|--------------------------------------------------|----------------------------------|
//! | Handler   | holds the case's handler role now                | everything                       |
//! | Granted   | let in by the handler (`Action::GrantAccess`)    | read everything, act on nothing  |
//! | Own       | reported it, or is one of its victims            | their own view, add evidence     |
//! | Informed  | holds now a role the plan says is informed       | a summary without content        |
//! | None      | anyone else, another organisation's people too   | nothing                          |
//!
//! Duties (administrator, privacy officer) give no access: they are not in this table.
//! A former holder of the handler role is not the handler.
//!
//! Refusals: whoever has no access at all is told the case does not exist
//! ([`RegisterError::NotFound`]), so that guessing ids reveals nothing. Whoever has some
//! access, and so knows the case from one of their lists, but not enough for what they
//! try, gets [`RegisterError::Forbidden`].

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;
use sqlx::Row;
use weerbaar_protocol::calendar::in_amsterdam;
use weerbaar_protocol::{Category, Code, ReportObligation, Role, TaskCode};

use crate::case_life::{AftercareConversation, ItemId, ItemKind};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{
    CaseId, CaseKind, CaseStatus, EventKind, OrganisationId, PersonId, redacted_debug,
};
use crate::register::{Register, aad, parse_code, parse_date, parse_task, parse_word};
use crate::time::from_micros;

/// Appends the `Viewed` event of `actor`'s read of `case` inside an open transaction,
/// with the roles the reader holds at this moment (`"roles"` in the sealed payload): the
/// access logs must name the roles someone read with, not those they were given later
/// (issue 14: an administrator who made themselves griffier, read, and gave it back).
macro_rules! append_read {
    ($tx:expr, $key:expr, $case:expr, $actor:expr, $payload:expr) => {{
        let actor: &$crate::model::PersonId = $actor;
        let mut roles: Vec<String> = Vec::new();
        for row in
            sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 AND current = $2")
                .bind(actor.as_str())
                .bind(true)
                .fetch_all(&mut *$tx)
                .await?
        {
            roles.push(sqlx::Row::try_get(&row, "role")?);
        }
        roles.sort_unstable();
        let mut payload: serde_json::Value = $payload;
        payload["roles"] = serde_json::json!(roles);
        $crate::register::append_event!(
            $tx,
            $key,
            $case,
            $crate::model::EventKind::Viewed,
            Some(actor),
            $crate::time::to_micros($crate::time::now()),
            payload
        )
    }};
}
pub(crate) use append_read;

/// What a person may see of a case, from most to least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseAccess {
    /// Holds the case's handler role now: reads and acts.
    Handler,
    /// Let in by the handler: reads all details, acts on nothing.
    Granted,
    /// The reporter or a victim: their own view of the case, and may add evidence.
    Own,
    /// Holds a role the plan informs: a summary without content.
    Informed,
    /// Nothing; for the person the case does not exist.
    None,
}

/// The access of `person` to `case`, inside an open transaction.
pub(crate) async fn access_in<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    person: &PersonId,
    case: &CaseId,
) -> Result<CaseAccess, RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> Option<String>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    // The person and the case must be of one organisation: the join finds nothing else.
    let row = sqlx::query(
        "SELECT c.handler_role, c.reported_by FROM cases c \
         JOIN people p ON p.organisation_id = c.organisation_id WHERE c.id = $1 AND p.id = $2",
    )
    .bind(case.as_str())
    .bind(person.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(CaseAccess::None);
    };
    let handler_role: Option<String> = row.try_get("handler_role")?;
    let reported_by: Option<String> = row.try_get("reported_by")?;
    let roles: BTreeSet<String> =
        sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 AND current = $2")
            .bind(person.as_str())
            .bind(true)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("role"))
            .collect::<Result<_, _>>()?;
    if handler_role.is_some_and(|role| roles.contains(&role)) {
        return Ok(CaseAccess::Handler);
    }
    let granted =
        sqlx::query("SELECT person_id FROM case_access WHERE case_id = $1 AND person_id = $2")
            .bind(case.as_str())
            .bind(person.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if granted.is_some() {
        return Ok(CaseAccess::Granted);
    }
    if reported_by.as_deref() == Some(person.as_str()) {
        return Ok(CaseAccess::Own);
    }
    let victim =
        sqlx::query("SELECT person_id FROM case_victims WHERE case_id = $1 AND person_id = $2")
            .bind(case.as_str())
            .bind(person.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if victim.is_some() {
        return Ok(CaseAccess::Own);
    }
    let informed = sqlx::query("SELECT role FROM case_informed WHERE case_id = $1")
        .bind(case.as_str())
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("role"))
        .collect::<Result<Vec<_>, _>>()?;
    if informed.iter().any(|role| roles.contains(role)) {
        return Ok(CaseAccess::Informed);
    }
    Ok(CaseAccess::None)
}

/// Lets `access` through when it is one of `allowed`; otherwise refuses as described in
/// the module: not found for no access at all, forbidden for too little.
pub(crate) fn require(
    access: CaseAccess,
    allowed: &[CaseAccess],
    case: &CaseId,
) -> Result<(), RegisterError> {
    if allowed.contains(&access) {
        Ok(())
    } else if access == CaseAccess::None {
        Err(RegisterError::NotFound {
            what: "case",
            id: case.to_string(),
        })
    } else {
        Err(RegisterError::Forbidden {
            what: "case",
            id: case.to_string(),
        })
    }
}

/// Who may read the full case: [`Register::open_case`], the case's evidence.
pub(crate) const READ_ALL: &[CaseAccess] = &[CaseAccess::Handler, CaseAccess::Granted];
/// Who may read their own view, the evidence and the access log.
pub(crate) const READ_OWN: &[CaseAccess] =
    &[CaseAccess::Handler, CaseAccess::Granted, CaseAccess::Own];
/// Who may add evidence: the handler, and the reporter or a victim to their own case.
pub(crate) const ADD_EVIDENCE: &[CaseAccess] = &[CaseAccess::Handler, CaseAccess::Own];
/// Who may act.
pub(crate) const ACT: &[CaseAccess] = &[CaseAccess::Handler];
/// Who may read the summary.
const READ_SUMMARY: &[CaseAccess] = &[
    CaseAccess::Handler,
    CaseAccess::Granted,
    CaseAccess::Own,
    CaseAccess::Informed,
];

/// A case the person reported or was hit by, as their list shows it: no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyCase {
    pub id: CaseId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub category: Option<Category>,
    pub occurred_at: Timestamp,
    pub reported_at: Timestamp,
}

/// A case in a handler's inbox or an informed person's list: no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListing {
    pub id: CaseId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub category: Option<Category>,
    pub occurred_at: Timestamp,
    pub reported_at: Timestamp,
    pub victim_role: Role,
    pub open_tasks: u32,
    /// The soonest deadline of the open tasks that have a moment.
    pub next_due: Option<Timestamp>,
    /// The soonest deadline of the open tasks that have a working-day date.
    pub next_due_date: Option<Date>,
}

/// The case as its reporter or victim sees it.
#[derive(Clone, PartialEq)]
pub struct OwnCaseView {
    pub id: CaseId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub category: Option<Category>,
    pub report: Option<ReportObligation>,
    pub occurred_at: Timestamp,
    pub reported_at: Timestamp,
    pub narrative: Option<String>,
    pub place: Option<String>,
    /// The aftercare conversations, in the order they were planned.
    pub aftercare: Vec<OwnAftercare>,
    /// The tasks that concern the victim (aftercare), by code.
    pub tasks: Vec<OwnTask>,
}

redacted_debug!(OwnCaseView {
    show: [
        id,
        number,
        kind,
        status,
        category,
        report,
        occurred_at,
        reported_at,
        aftercare,
        tasks
    ],
    hide: [narrative, place],
});

/// An aftercare conversation as the victim sees it: when, whether held, with whom. The
/// handler's notes of it are not shown.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnAftercare {
    pub item: ItemId,
    pub conversation: AftercareConversation,
    pub planned_at: Option<Timestamp>,
    pub held_at: Option<Timestamp>,
    pub by: Option<PersonId>,
    pub by_name: Option<String>,
}

redacted_debug!(OwnAftercare {
    show: [item, conversation, planned_at, held_at, by],
    hide: [by_name],
});

/// A task of the case that concerns the victim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnTask {
    pub code: TaskCode,
    pub opens_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub due_date: Option<Date>,
    pub done: bool,
    /// A target deadline (PROTOCOL.md §16.4), shown as a streefdatum.
    pub target: bool,
}

/// One read of a case, for whoever may see who read it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub at: Timestamp,
    pub by: PersonId,
    pub by_name: String,
    /// The roles the reader held at the moment of reading. A read recorded before these
    /// were kept, or whose payload retention erased, has the roles the reader holds now,
    /// and `roles_at_read` says which of the two it is.
    pub by_roles: Vec<Role>,
    pub roles_at_read: bool,
    /// What was read: `case` (the handler's full view), `own`, `summary`,
    /// `evidence_list`, `evidence` (one file), `perpetrator_dossier`; `unknown` once
    /// retention erased the event's payload.
    pub scope: String,
}

redacted_debug!(AccessLogEntry {
    show: [at, by, by_roles, roles_at_read, scope],
    hide: [by_name],
});

/// What someone informed of a case sees: that it happened and how it goes, no content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub category: Option<Category>,
    /// The day it happened, in Amsterdam.
    pub occurred_on: Date,
    pub handler_role: Option<Role>,
    pub open_tasks: u32,
    pub done_tasks: u32,
    /// The police were contacted (a melding or aangifte is recorded).
    pub police_involved: bool,
}

/// The scope of a `Viewed` event from its payload. Reads recorded before scopes were
/// written are told apart by the keys they carried.
pub(crate) fn scope_of(payload: Option<&serde_json::Value>) -> String {
    let Some(payload) = payload else {
        return String::from("unknown");
    };
    if let Some(scope) = payload.get("scope").and_then(serde_json::Value::as_str) {
        return scope.to_owned();
    }
    for key in ["evidence_list", "evidence", "perpetrator_dossier"] {
        if payload.get(key).is_some() {
            return key.to_owned();
        }
    }
    String::from("case")
}

/// The roles a `Viewed` event recorded the reader as holding, sorted; `None` for a read
/// recorded before they were kept, or whose payload retention erased.
pub(crate) fn roles_of_read(
    payload: Option<&serde_json::Value>,
) -> Result<Option<Vec<Role>>, RegisterError> {
    let Some(codes) = payload
        .and_then(|payload| payload.get("roles"))
        .and_then(serde_json::Value::as_array)
    else {
        return Ok(None);
    };
    let mut roles = codes
        .iter()
        .map(|code| {
            let code = code
                .as_str()
                .ok_or_else(|| RegisterError::Corrupt(format!("a read's role `{code}`")))?;
            parse_code::<Role>(code.to_owned())
        })
        .collect::<Result<Vec<_>, _>>()?;
    roles.sort_unstable();
    Ok(Some(roles))
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The columns of a [`CaseListing`], with the open tasks counted per case.
macro_rules! listing_columns {
    () => {
        "c.id, c.number, c.kind, c.status, c.category, c.occurred_at, c.reported_at, c.victim_role, \
         (SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.done_at IS NULL) AS open_tasks, \
         (SELECT MIN(t.due_at) FROM tasks t WHERE t.case_id = c.id AND t.done_at IS NULL) AS next_due, \
         (SELECT MIN(t.due_date) FROM tasks t WHERE t.case_id = c.id AND t.done_at IS NULL) AS next_due_date"
    };
}

macro_rules! listing {
    ($row:expr) => {{
        let row = $row;
        CaseListing {
            id: CaseId(row.try_get("id")?),
            number: row.try_get("number")?,
            kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
            status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
            category: row
                .try_get::<Option<String>, _>("category")?
                .map(parse_code)
                .transpose()?,
            occurred_at: from_micros(row.try_get("occurred_at")?)?,
            reported_at: from_micros(row.try_get("reported_at")?)?,
            victim_role: parse_code(row.try_get("victim_role")?)?,
            open_tasks: count(row.try_get("open_tasks")?),
            next_due: row
                .try_get::<Option<i64>, _>("next_due")?
                .map(from_micros)
                .transpose()?,
            next_due_date: row
                .try_get::<Option<String>, _>("next_due_date")?
                .map(parse_date)
                .transpose()?,
        }
    }};
}

impl Register {
    /// What `person` may see of `case` (see the module). An unknown case, or one of
    /// another organisation, is [`CaseAccess::None`].
    pub async fn case_access(
        &self,
        person: &PersonId,
        case: &CaseId,
    ) -> Result<CaseAccess, RegisterError> {
        on_db!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let access = access_in(&mut tx, person, case).await?;
            tx.commit().await?;
            Ok(access)
        })
    }

    /// The cases `person` reported or was hit by, newest report first.
    pub async fn my_cases(&self, person: &PersonId) -> Result<Vec<MyCase>, RegisterError> {
        on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT c.id, c.number, c.kind, c.status, c.category, c.occurred_at, c.reported_at FROM cases c \
                 WHERE c.reported_by = $1 OR c.id IN (SELECT v.case_id FROM case_victims v WHERE v.person_id = $1) \
                 ORDER BY c.reported_at DESC, c.number DESC",
            )
            .bind(person.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok(MyCase {
                    id: CaseId(row.try_get("id")?),
                    number: row.try_get("number")?,
                    kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
                    status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
                    category: row.try_get::<Option<String>, _>("category")?.map(parse_code).transpose()?,
                    occurred_at: from_micros(row.try_get("occurred_at")?)?,
                    reported_at: from_micros(row.try_get("reported_at")?)?,
                })
            })
            .collect()
        })
    }

    /// The case as its reporter or a victim sees it (the handler and granted readers may
    /// look too). The read is recorded first, as a `Viewed` event `{"scope": "own"}`.
    pub async fn own_case(
        &self,
        person: &PersonId,
        case: &CaseId,
    ) -> Result<OwnCaseView, RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require(access_in(&mut tx, person, case).await?, READ_OWN, case)?;
            append_read!(tx, key, case, person, json!({ "scope": "own" }));
            let row = sqlx::query(
                "SELECT number, kind, status, category, report, occurred_at, reported_at, narrative_enc, place_enc \
                 FROM cases WHERE id = $1",
            )
            .bind(case.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let text = |column: &str, value: Option<Vec<u8>>| -> Result<Option<String>, RegisterError> {
                value.map(|sealed| key.open_string(&sealed, &aad(column, case.as_str()))).transpose().map_err(Into::into)
            };
            let mut view = OwnCaseView {
                id: case.clone(),
                number: row.try_get("number")?,
                kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
                status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
                category: row.try_get::<Option<String>, _>("category")?.map(parse_code).transpose()?,
                report: row.try_get::<Option<String>, _>("report")?.map(parse_code).transpose()?,
                occurred_at: from_micros(row.try_get("occurred_at")?)?,
                reported_at: from_micros(row.try_get("reported_at")?)?,
                narrative: text("cases.narrative", row.try_get("narrative_enc")?)?,
                place: text("cases.place", row.try_get("place_enc")?)?,
                aftercare: Vec::new(),
                tasks: Vec::new(),
            };
            let items = sqlx::query(
                "SELECT id, state_json FROM case_items WHERE case_id = $1 AND kind = $2 ORDER BY created_at, id",
            )
            .bind(case.as_str())
            .bind(ItemKind::Aftercare.as_str())
            .fetch_all(&mut *tx)
            .await?;
            let mut names: HashMap<String, Option<String>> = HashMap::new();
            for row in &items {
                let item = ItemId(row.try_get("id")?);
                let state: String = row.try_get("state_json")?;
                let state: serde_json::Value =
                    serde_json::from_str(&state).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                let moment = |field: &str| -> Result<Option<Timestamp>, RegisterError> {
                    state[field]
                        .as_str()
                        .map(|text| text.parse::<Timestamp>())
                        .transpose()
                        .map_err(|_| RegisterError::Corrupt(format!("aftercare `{item}`: {field} is not a moment")))
                };
                let conversation = state["conversation"]
                    .as_str()
                    .and_then(AftercareConversation::parse)
                    .ok_or_else(|| RegisterError::Corrupt(format!("aftercare `{item}` without conversation")))?;
                let by = state["by"].as_str().map(str::to_owned);
                let by_name = match &by {
                    None => None,
                    Some(by) => match names.get(by) {
                        Some(name) => name.clone(),
                        None => {
                            let sealed = sqlx::query("SELECT name_enc FROM people WHERE id = $1")
                                .bind(by.as_str())
                                .fetch_optional(&mut *tx)
                                .await?
                                .map(|row| row.try_get::<Vec<u8>, _>("name_enc"))
                                .transpose()?;
                            let name = sealed
                                .map(|sealed| key.open_string(&sealed, &aad("people.name", by)))
                                .transpose()?;
                            names.insert(by.clone(), name.clone());
                            name
                        }
                    },
                };
                view.aftercare.push(OwnAftercare {
                    planned_at: moment("planned_at")?,
                    held_at: moment("held_at")?,
                    by: by.map(PersonId),
                    by_name,
                    conversation,
                    item,
                });
            }
            for row in sqlx::query(
                "SELECT code, opens_at, due_at, due_date, done_at, target FROM tasks WHERE case_id = $1",
            )
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                let code: TaskCode = parse_task(row.try_get("code")?)?;
                if !code.as_str().starts_with("nazorg_") {
                    continue;
                }
                view.tasks.push(OwnTask {
                    code,
                    opens_at: row.try_get::<Option<i64>, _>("opens_at")?.map(from_micros).transpose()?,
                    due_at: row.try_get::<Option<i64>, _>("due_at")?.map(from_micros).transpose()?,
                    due_date: row.try_get::<Option<String>, _>("due_date")?.map(parse_date).transpose()?,
                    done: row.try_get::<Option<i64>, _>("done_at")?.is_some(),
                    target: row.try_get("target")?,
                });
            }
            view.tasks.sort_by_key(|task| task.code);
            tx.commit().await?;
            Ok(view)
        })
    }

    /// Who read the case, newest first: every `Viewed` event, for the reporter, a victim,
    /// the handler or a granted reader. Reading the log reads no content and is not
    /// itself recorded.
    pub async fn access_log(
        &self,
        person: &PersonId,
        case: &CaseId,
    ) -> Result<Vec<AccessLogEntry>, RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        type ReadRow = (i64, i64, Option<String>, Option<Vec<u8>>);
        type Reader = (Option<Vec<u8>>, Vec<Role>);
        let (reads, readers) = on_db!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            require(access_in(&mut tx, person, case).await?, READ_OWN, case)?;
            let reads = sqlx::query(
                "SELECT seq, at, actor_id, payload_enc FROM events WHERE case_id = $1 AND kind = $2 ORDER BY seq DESC",
            )
            .bind(case.as_str())
            .bind(EventKind::Viewed.as_str())
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| -> Result<ReadRow, sqlx::Error> {
                Ok((row.try_get("seq")?, row.try_get("at")?, row.try_get("actor_id")?, row.try_get("payload_enc")?))
            })
            .collect::<Result<Vec<_>, _>>()?;
            let mut readers: HashMap<String, Reader> = HashMap::new();
            for actor in reads.iter().filter_map(|read| read.2.clone()) {
                if readers.contains_key(&actor) {
                    continue;
                }
                let name = sqlx::query("SELECT name_enc FROM people WHERE id = $1")
                    .bind(actor.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|row| row.try_get::<Vec<u8>, _>("name_enc"))
                    .transpose()?;
                let mut roles = Vec::new();
                for row in sqlx::query("SELECT role FROM person_roles WHERE person_id = $1 AND current = $2")
                    .bind(actor.as_str())
                    .bind(true)
                    .fetch_all(&mut *tx)
                    .await?
                {
                    roles.push(parse_code::<Role>(row.try_get("role")?)?);
                }
                roles.sort_unstable();
                readers.insert(actor, (name, roles));
            }
            tx.commit().await?;
            (reads, readers)
        });
        let mut log = Vec::with_capacity(reads.len());
        for (seq, at, actor, payload) in reads {
            // A read without a reader is not one the register writes; shown as nobody's.
            let actor = actor.unwrap_or_default();
            let payload = payload
                .map(|sealed| -> Result<serde_json::Value, RegisterError> {
                    let bytes =
                        key.open(&sealed, &aad("events.payload", &format!("{case}:{seq}")))?;
                    serde_json::from_slice(&bytes)
                        .map_err(|e| RegisterError::Corrupt(e.to_string()))
                })
                .transpose()?;
            let (name, roles_now) = match readers.get(&actor) {
                Some((Some(sealed), roles)) => (
                    key.open_string(sealed, &aad("people.name", &actor))?,
                    roles.clone(),
                ),
                Some((None, roles)) => (String::new(), roles.clone()),
                None => (String::new(), Vec::new()),
            };
            let roles_then = roles_of_read(payload.as_ref())?;
            log.push(AccessLogEntry {
                at: from_micros(at)?,
                by: PersonId(actor),
                by_name: name,
                roles_at_read: roles_then.is_some(),
                by_roles: roles_then.unwrap_or(roles_now),
                scope: scope_of(payload.as_ref()),
            });
        }
        Ok(log)
    }

    /// That a case happened and how it goes, without content, for whoever is informed of
    /// it (and everyone with more access). Recorded as a `Viewed` event
    /// `{"scope": "summary"}`.
    pub async fn case_summary(
        &self,
        person: &PersonId,
        case: &CaseId,
    ) -> Result<CaseSummary, RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require(access_in(&mut tx, person, case).await?, READ_SUMMARY, case)?;
            append_read!(tx, key, case, person, json!({ "scope": "summary" }));
            let row = sqlx::query(
                "SELECT c.number, c.kind, c.status, c.category, c.occurred_at, c.handler_role, \
                 (SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.done_at IS NULL) AS open_tasks, \
                 (SELECT COUNT(*) FROM tasks t WHERE t.case_id = c.id AND t.done_at IS NOT NULL) AS done_tasks, \
                 (SELECT COUNT(*) FROM case_items i WHERE i.case_id = c.id AND i.kind = $2) AS police \
                 FROM cases c WHERE c.id = $1",
            )
            .bind(case.as_str())
            .bind(ItemKind::Police.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let summary = CaseSummary {
                id: case.clone(),
                number: row.try_get("number")?,
                kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
                status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
                category: row.try_get::<Option<String>, _>("category")?.map(parse_code).transpose()?,
                occurred_on: in_amsterdam(from_micros(row.try_get("occurred_at")?)?).date(),
                handler_role: row.try_get::<Option<String>, _>("handler_role")?.map(parse_code).transpose()?,
                open_tasks: count(row.try_get("open_tasks")?),
                done_tasks: count(row.try_get("done_tasks")?),
                police_involved: row.try_get::<i64, _>("police")? > 0,
            };
            tx.commit().await?;
            Ok(summary)
        })
    }

    /// The cases a role handles in an organisation, newest report first, optionally of one
    /// status: a handler's inbox. Read in the order of the `cases_handler` indexes.
    pub async fn handler_cases(
        &self,
        organisation: &OrganisationId,
        role: Role,
        status: Option<CaseStatus>,
        limit: u32,
    ) -> Result<Vec<CaseListing>, RegisterError> {
        let limit = i64::from(limit);
        on_db!(self.db(), pool => {
            let rows = match status {
                None => {
                    sqlx::query(concat!(
                        "SELECT ", listing_columns!(), " FROM cases c \
                         WHERE c.organisation_id = $1 AND c.handler_role = $2 \
                         ORDER BY c.reported_at DESC, c.number DESC LIMIT $3",
                    ))
                    .bind(organisation.as_str())
                    .bind(role.as_str())
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
                Some(status) => {
                    sqlx::query(concat!(
                        "SELECT ", listing_columns!(), " FROM cases c \
                         WHERE c.organisation_id = $1 AND c.handler_role = $2 AND c.status = $3 \
                         ORDER BY c.reported_at DESC, c.number DESC LIMIT $4",
                    ))
                    .bind(organisation.as_str())
                    .bind(role.as_str())
                    .bind(status.as_str())
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
                }
            };
            let mut listings = Vec::with_capacity(rows.len());
            for row in &rows {
                listings.push(listing!(row));
            }
            Ok(listings)
        })
    }

    /// The cases `person` is informed of (through a role they hold now) or was granted,
    /// newest report first.
    pub async fn informed_cases(
        &self,
        person: &PersonId,
        limit: u32,
    ) -> Result<Vec<CaseListing>, RegisterError> {
        let limit = i64::from(limit);
        on_db!(self.db(), pool => {
            let rows = sqlx::query(concat!(
                "SELECT ", listing_columns!(), " FROM cases c \
                 WHERE c.organisation_id = (SELECT p.organisation_id FROM people p WHERE p.id = $1) \
                 AND c.id IN (SELECT i.case_id FROM case_informed i \
                 JOIN person_roles r ON r.role = i.role AND r.person_id = $1 AND r.current = $2 \
                 JOIN people p ON p.id = $1 AND p.organisation_id = i.organisation_id \
                 UNION SELECT a.case_id FROM case_access a WHERE a.person_id = $1) \
                 ORDER BY c.reported_at DESC, c.number DESC LIMIT $3",
            ))
            .bind(person.as_str())
            .bind(true)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut listings = Vec::with_capacity(rows.len());
            for row in &rows {
                listings.push(listing!(row));
            }
            Ok(listings)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_reads_get_a_scope_from_their_keys() {
        assert_eq!(scope_of(Some(&json!({}))), "case");
        assert_eq!(scope_of(Some(&json!({ "scope": "own" }))), "own");
        assert_eq!(
            scope_of(Some(&json!({ "evidence_list": true }))),
            "evidence_list"
        );
        assert_eq!(scope_of(Some(&json!({ "evidence": "x" }))), "evidence");
        assert_eq!(
            scope_of(Some(&json!({ "perpetrator_dossier": "x" }))),
            "perpetrator_dossier"
        );
        assert_eq!(scope_of(None), "unknown");
    }

    #[test]
    fn only_the_allowed_pass_and_strangers_learn_nothing() {
        let case = CaseId::generate();
        assert!(require(CaseAccess::Handler, ACT, &case).is_ok());
        assert!(matches!(
            require(CaseAccess::None, READ_SUMMARY, &case),
            Err(RegisterError::NotFound { what: "case", .. })
        ));
        assert!(matches!(
            require(CaseAccess::Informed, ACT, &case),
            Err(RegisterError::Forbidden { what: "case", .. })
        ));
        assert!(require(CaseAccess::Own, ADD_EVIDENCE, &case).is_ok());
        assert!(require(CaseAccess::Granted, ADD_EVIDENCE, &case).is_err());
        assert!(require(CaseAccess::Own, READ_ALL, &case).is_err());
    }
}
