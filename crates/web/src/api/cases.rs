//! Reading cases over the API, with the pages' access rules (the register's
//! `case_access`): my cases, the handler's inbox, the cases I am informed of, and one
//! case as far as I may see it — in full for its handler and granted readers, the own
//! view for its reporter and victims, a summary without content for informed roles. No
//! access is 404 for a real id as for a made-up one; every read is a Viewed event.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use weerbaar_protocol::{Category, Code, ReportObligation, Role};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    AftercareConversation, ApiScope, CaseId, CaseKind, CaseStatus, EventKind, ItemKind,
    PerpetratorKind, Relation,
};

use super::bearer::ApiUser;
use super::problem::Problem;
use super::schema::*;
use crate::state::AppState;

/// A case in one of my lists: no content.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MyCaseOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    /// Not yet decided for a consult.
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
}

/// A case in a handler's inbox or an informed person's list: no content.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseListingOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
    #[schema(value_type = RoleCode)]
    pub victim_role: Role,
    pub open_tasks: u32,
    /// The soonest deadline of the open tasks that have a moment.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due: Option<Timestamp>,
    /// The soonest deadline of the open tasks that have a working-day date.
    #[schema(value_type = Option<String>, format = Date)]
    pub next_due_date: Option<Date>,
}

impl From<weerbaar_register::CaseListing> for CaseListingOut {
    fn from(case: weerbaar_register::CaseListing) -> CaseListingOut {
        CaseListingOut {
            id: case.id.to_string(),
            number: case.number,
            kind: case.kind,
            status: case.status,
            category: case.category,
            occurred_at: case.occurred_at,
            reported_at: case.reported_at,
            victim_role: case.victim_role,
            open_tasks: case.open_tasks,
            next_due: case.next_due,
            next_due_date: case.next_due_date,
        }
    }
}

/// An open task in a handler's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OpenTaskOut {
    pub case: String,
    pub case_number: i64,
    #[schema(value_type = TaskCode)]
    pub code: weerbaar_protocol::TaskCode,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opens_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    /// A target deadline (PROTOCOL.md §16.4): a streefdatum, never overdue.
    pub target: bool,
}

/// The handler's inbox for one of their roles.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InboxOut {
    #[schema(value_type = RoleCode)]
    pub role: Role,
    /// Reports not yet taken in hand (status `gemeld`), newest first.
    pub new_reports: Vec<CaseListingOut>,
    /// Open tasks: with a deadline soonest first, then those without.
    pub tasks: Vec<OpenTaskOut>,
    /// The cases of the role, of the status asked (default `in_behandeling`).
    pub cases: Vec<CaseListingOut>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct InboxQuery {
    /// One of the caller's handler roles; the first when left out.
    #[param(value_type = Option<RoleCode>)]
    role: Option<String>,
    /// A status, or `alle` for every status; `in_behandeling` when left out.
    status: Option<String>,
    /// How many rows each list gives: 1 to 200, 50 when left out.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LimitQuery {
    /// How many cases: 1 to 200, 100 when left out.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// The cases I reported or was hit by, newest report first.
#[utoipa::path(
    get,
    path = "/cases/mine",
    tag = "cases",
    responses(
        (status = 200, description = "My cases.", body = Vec<MyCaseOut>),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn mine(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<MyCaseOut>>, Problem> {
    user.require(ApiScope::Read)?;
    let cases = state.register().my_cases(&user.me.person).await?;
    Ok(Json(
        cases
            .into_iter()
            .map(|case| MyCaseOut {
                id: case.id.to_string(),
                number: case.number,
                kind: case.kind,
                status: case.status,
                category: case.category,
                occurred_at: case.occurred_at,
                reported_at: case.reported_at,
            })
            .collect(),
    ))
}

fn limit(given: Option<u32>, default: u32) -> Result<u32, Problem> {
    match given {
        None => Ok(default),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(Problem::field("limit", "a number from 1 to 200")),
    }
}

/// The handler's inbox ("werkbak"): new reports, open tasks by deadline, cases by status.
#[utoipa::path(
    get,
    path = "/inbox",
    tag = "cases",
    params(InboxQuery),
    responses(
        (status = 200, description = "The inbox of one of my handler roles.", body = InboxOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "I hold no role that handles cases.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A role I do not handle for, or an unknown status.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn inbox(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<InboxOut>, Problem> {
    user.require(ApiScope::Read)?;
    let query: InboxQuery = super::json::query(query.as_deref())?;
    if !user.me.is_handler() {
        return Err(Problem::forbidden(
            "U hebt geen functie die meldingen behandelt.",
        ));
    }
    let role = match query.role.as_deref() {
        None => user.me.handler_roles[0],
        Some(text) => Role::parse(text)
            .ok()
            .filter(|role| user.me.handler_roles.contains(role))
            .ok_or_else(|| Problem::field("role", "not a role you handle cases for"))?,
    };
    let status = match query.status.as_deref() {
        Some("alle") => None,
        Some(text) => Some(
            CaseStatus::parse(text)
                .ok_or_else(|| Problem::field("status", "a case status, or `alle`"))?,
        ),
        None => Some(CaseStatus::InBehandeling),
    };
    let limit = limit(query.limit, 50)?;
    let register = state.register();
    let organisation = &user.me.organisation;
    let new_reports = register
        .handler_cases(organisation, role, Some(CaseStatus::Gemeld), limit)
        .await?;
    let tasks = register.open_tasks_first(organisation, role, limit).await?;
    let cases = register
        .handler_cases(organisation, role, status, limit)
        .await?;
    Ok(Json(InboxOut {
        role,
        new_reports: new_reports.into_iter().map(Into::into).collect(),
        tasks: tasks
            .into_iter()
            .map(|task| OpenTaskOut {
                case: task.case.to_string(),
                case_number: task.case_number,
                code: task.code,
                opens_at: task.opens_at,
                due_at: task.due_at,
                due_date: task.due_date,
                target: task.target,
            })
            .collect(),
        cases: cases.into_iter().map(Into::into).collect(),
    }))
}

/// The cases I am informed of (through a role I hold now) or was let into.
#[utoipa::path(
    get,
    path = "/cases/informed",
    tag = "cases",
    params(LimitQuery),
    responses(
        (status = 200, description = "Cases I am informed of, newest report first.", body = Vec<CaseListingOut>),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A limit out of range.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn informed(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<CaseListingOut>>, Problem> {
    user.require(ApiScope::Read)?;
    let query: LimitQuery = super::json::query(query.as_deref())?;
    let limit = limit(query.limit, 100)?;
    let cases = state
        .register()
        .informed_cases(&user.me.person, limit)
        .await?;
    Ok(Json(cases.into_iter().map(Into::into).collect()))
}

/// Someone hit by the incident.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct VictimOut {
    pub person: String,
    #[schema(value_type = RoleCode)]
    pub role: Role,
    #[schema(value_type = RelationCode)]
    pub relation: Relation,
}

/// What is known of a perpetrator.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PerpetratorOut {
    pub id: String,
    #[schema(value_type = PerpetratorKindCode)]
    pub kind: PerpetratorKind,
    pub name: Option<String>,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub accounts: Vec<String>,
    pub licence_plate: Option<String>,
    pub description: Option<String>,
    pub on_behalf_of: Option<String>,
}

impl PerpetratorOut {
    pub(crate) fn new(
        id: weerbaar_register::PerpetratorId,
        kind: PerpetratorKind,
        details: weerbaar_register::PerpetratorDetails,
    ) -> PerpetratorOut {
        PerpetratorOut {
            id: id.to_string(),
            kind,
            name: details.name,
            date_of_birth: details.date_of_birth,
            email: details.email,
            phone: details.phone,
            accounts: details.accounts,
            licence_plate: details.licence_plate,
            description: details.description,
            on_behalf_of: details.on_behalf_of,
        }
    }
}

/// A task of the case.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TaskOut {
    #[schema(value_type = TaskCode)]
    pub code: weerbaar_protocol::TaskCode,
    #[schema(value_type = RoleCode)]
    pub assignee_role: Role,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opens_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
    pub done_by: Option<String>,
    /// A target deadline (PROTOCOL.md §16.4): a streefdatum, never overdue.
    pub target: bool,
}

/// A measure, aftercare conversation, police contact, damage, communication or
/// evaluation: `state` holds codes, dates and amounts, `content` the texts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ItemOut {
    pub id: String,
    #[schema(value_type = ItemKindCode)]
    pub kind: ItemKind,
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
    #[schema(value_type = Option<Object>)]
    pub content: Option<serde_json::Value>,
}

/// One event on the case's timeline (what and who, not its payload).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventOut {
    pub seq: i64,
    #[schema(value_type = EventKindCode)]
    pub kind: EventKind,
    /// `null` for Weerbaar itself (the classification).
    pub actor: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

/// The whole case, for its handler (who may act) and for whom the handler let in.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FullCaseOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    #[schema(value_type = RoleCode)]
    pub victim_role: Role,
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    #[schema(value_type = Option<RoleCode>)]
    pub handler_role: Option<Role>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
    /// Whether it happened during a meeting, as reported.
    pub during_meeting: bool,
    pub narrative: Option<String>,
    pub place: Option<String>,
    /// The facts as the protocol took them (PROTOCOL.md §15).
    #[schema(value_type = Option<Object>)]
    pub facts: Option<serde_json::Value>,
    /// The plan the protocol gave (PROTOCOL.md §15).
    #[schema(value_type = Option<Object>)]
    pub plan: Option<serde_json::Value>,
    pub protocol_version: Option<String>,
    pub victims: Vec<VictimOut>,
    pub perpetrators: Vec<PerpetratorOut>,
    pub tasks: Vec<TaskOut>,
    pub items: Vec<ItemOut>,
    /// The people the handler let read the case.
    pub access: Vec<String>,
    pub events: Vec<EventOut>,
    /// Whether the caller may act (the handler), or only read (a granted reader).
    pub can_act: bool,
}

/// An aftercare conversation as the victim sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwnAftercareOut {
    pub item: String,
    #[schema(value_type = ConversationCode)]
    pub conversation: AftercareConversation,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub planned_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub held_at: Option<Timestamp>,
    pub by: Option<String>,
    pub by_name: Option<String>,
}

/// A task that concerns the victim.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwnTaskOut {
    #[schema(value_type = TaskCode)]
    pub code: weerbaar_protocol::TaskCode,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opens_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<Date>,
    pub done: bool,
    /// A target deadline (PROTOCOL.md §16.4): a streefdatum, never overdue.
    pub target: bool,
}

/// The case as its reporter or a victim sees it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwnCaseOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    #[schema(value_type = Option<ReportCode>)]
    pub report: Option<ReportObligation>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
    pub narrative: Option<String>,
    pub place: Option<String>,
    pub aftercare: Vec<OwnAftercareOut>,
    pub tasks: Vec<OwnTaskOut>,
}

/// That the case happened and how it goes, without content: for informed roles.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SummaryOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    /// The day it happened, in Amsterdam.
    #[schema(value_type = String, format = Date)]
    pub occurred_on: Date,
    #[schema(value_type = Option<RoleCode>)]
    pub handler_role: Option<Role>,
    pub open_tasks: u32,
    pub done_tasks: u32,
    /// The police were contacted.
    pub police_involved: bool,
}

/// One case as far as the caller may see it: `access` says how far, and exactly one of
/// `full` (handler, granted), `own` (reporter, victim) and `summary` (informed) is given.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseOut {
    /// `handler`, `granted`, `own` or `informed`.
    #[schema(value_type = AccessCode)]
    pub access: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full: Option<FullCaseOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own: Option<OwnCaseOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<SummaryOut>,
}

fn full(view: weerbaar_register::CaseView, can_act: bool) -> FullCaseOut {
    FullCaseOut {
        id: view.id.to_string(),
        number: view.number,
        kind: view.kind,
        status: view.status,
        victim_role: view.victim_role,
        category: view.category,
        handler_role: view.handler_role,
        occurred_at: view.occurred_at,
        reported_at: view.reported_at,
        during_meeting: view.during_meeting,
        narrative: view.narrative,
        place: view.place,
        facts: view.facts,
        plan: view.plan,
        protocol_version: view.protocol_version,
        victims: view
            .victims
            .into_iter()
            .map(|(person, role, relation)| VictimOut {
                person: person.to_string(),
                role,
                relation,
            })
            .collect(),
        perpetrators: view
            .perpetrators
            .into_iter()
            .map(|(id, kind, details)| PerpetratorOut::new(id, kind, details))
            .collect(),
        tasks: view
            .tasks
            .into_iter()
            .map(|task| TaskOut {
                code: task.code,
                assignee_role: task.assignee_role,
                opens_at: task.opens_at,
                due_at: task.due_at,
                due_date: task.due_date,
                target: task.target,
                done_at: task.done_at,
                done_by: task.done_by.map(|p| p.to_string()),
            })
            .collect(),
        items: view
            .items
            .into_iter()
            .map(|item| ItemOut {
                id: item.id.to_string(),
                kind: item.kind,
                state: if item.state.is_object() {
                    item.state
                } else {
                    serde_json::json!({})
                },
                content: Some(item.content).filter(serde_json::Value::is_object),
            })
            .collect(),
        access: view.access.iter().map(ToString::to_string).collect(),
        events: view
            .events
            .into_iter()
            .map(|event| EventOut {
                seq: event.seq,
                kind: event.kind,
                actor: event.actor.map(|p| p.to_string()),
                at: event.at,
            })
            .collect(),
        can_act,
    }
}

/// One case, as far as the caller may see it.
#[utoipa::path(
    get,
    path = "/cases/{case}",
    tag = "cases",
    params(("case" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "The case: in full, the own view, or a summary, by access. Reading it is an event on its timeline.", body = CaseOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business (the same answer).", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
) -> Result<Json<CaseOut>, Problem> {
    user.require(ApiScope::Read)?;
    let register = state.register();
    let case = CaseId(case);
    let person = &user.me.person;
    let out = match register.case_access(person, &case).await? {
        CaseAccess::None => return Err(Problem::not_found()),
        access @ (CaseAccess::Handler | CaseAccess::Granted) => {
            let can_act = access == CaseAccess::Handler;
            CaseOut {
                access: if can_act { "handler" } else { "granted" },
                full: Some(full(register.open_case(person, &case).await?, can_act)),
                own: None,
                summary: None,
            }
        }
        CaseAccess::Own => {
            let view = register.own_case(person, &case).await?;
            CaseOut {
                access: "own",
                full: None,
                own: Some(OwnCaseOut {
                    id: view.id.to_string(),
                    number: view.number,
                    kind: view.kind,
                    status: view.status,
                    category: view.category,
                    report: view.report,
                    occurred_at: view.occurred_at,
                    reported_at: view.reported_at,
                    narrative: view.narrative,
                    place: view.place,
                    aftercare: view
                        .aftercare
                        .into_iter()
                        .map(|a| OwnAftercareOut {
                            item: a.item.to_string(),
                            conversation: a.conversation,
                            planned_at: a.planned_at,
                            held_at: a.held_at,
                            by: a.by.map(|p| p.to_string()),
                            by_name: a.by_name,
                        })
                        .collect(),
                    tasks: view
                        .tasks
                        .into_iter()
                        .map(|t| OwnTaskOut {
                            code: t.code,
                            opens_at: t.opens_at,
                            due_at: t.due_at,
                            due_date: t.due_date,
                            target: t.target,
                            done: t.done,
                        })
                        .collect(),
                }),
                summary: None,
            }
        }
        CaseAccess::Informed => {
            let s = register.case_summary(person, &case).await?;
            CaseOut {
                access: "informed",
                full: None,
                own: None,
                summary: Some(SummaryOut {
                    id: s.id.to_string(),
                    number: s.number,
                    kind: s.kind,
                    status: s.status,
                    category: s.category,
                    occurred_on: s.occurred_on,
                    handler_role: s.handler_role,
                    open_tasks: s.open_tasks,
                    done_tasks: s.done_tasks,
                    police_involved: s.police_involved,
                }),
            }
        }
    };
    Ok(Json(out))
}

/// One read of a case.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReadOut {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub by: String,
    pub by_name: String,
    /// The roles the reader held at the moment of reading (or, when `roles_at_read` is
    /// false, for a read recorded before these were kept: the roles held now).
    #[schema(value_type = Vec<RoleCode>)]
    pub by_roles: Vec<Role>,
    /// Whether `by_roles` are the roles of the moment of reading.
    pub roles_at_read: bool,
    /// What was read: `case`, `own`, `summary`, `evidence_list`, `evidence`,
    /// `perpetrator_dossier`, or `unknown` once retention erased it.
    pub scope: String,
}

/// Who read the case, newest first: for its reporter, victims, handler and granted readers.
#[utoipa::path(
    get,
    path = "/cases/{case}/reads",
    tag = "cases",
    params(("case" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "Every read of the case, newest first.", body = Vec<ReadOut>),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Informed of the case, which does not show who read it.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn reads(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
) -> Result<Json<Vec<ReadOut>>, Problem> {
    user.require(ApiScope::Read)?;
    let log = state
        .register()
        .access_log(&user.me.person, &CaseId(case))
        .await?;
    Ok(Json(
        log.into_iter()
            .map(|entry| ReadOut {
                at: entry.at,
                by: entry.by.to_string(),
                by_name: entry.by_name,
                by_roles: entry.by_roles,
                roles_at_read: entry.roles_at_read,
                scope: entry.scope,
            })
            .collect(),
    ))
}
