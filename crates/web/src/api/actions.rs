//! What a handler does in a case, over the API: complete tasks, change the status,
//! measures (with hoor en wederhoor and their end), aftercare, police contacts, damage,
//! communication with the victim's consent, the evaluation, and who else may read the
//! case. Each is one register action (`Register::act`, one event, one transaction), with
//! the pages' rule: only the case's handler acts; no access is 404, some access 403. The
//! access is asked before the body is read, so a stranger learns nothing from a 422.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weerbaar_protocol::{Measure, TaskCode};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    Action, AftercareConversation, ApiScope, Audience, CaseId, CaseStatus, ItemId, PersonId,
    PoliceContactKind, Risk,
};

use super::bearer::ApiUser;
use super::json::parse;
use super::problem::Problem;
use super::schema::*;
use crate::state::AppState;

/// Lets the case's handler through, with a token that may act.
pub(super) async fn handler_of(
    state: &AppState,
    user: &ApiUser,
    case: &CaseId,
) -> Result<(), Problem> {
    user.require(ApiScope::Write)?;
    match state.register().case_access(&user.me.person, case).await? {
        CaseAccess::Handler => Ok(()),
        CaseAccess::None => Err(Problem::not_found()),
        _ => Err(Problem::forbidden(
            "Alleen de behandelaar van deze melding kan hierin handelen.",
        )),
    }
}

/// What an action made.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedItem {
    /// The new measure, conversation, police contact … (for the actions that follow on it).
    pub item: String,
}

/// The handler acts in `case`: the access is asked first (a stranger learns nothing from
/// a 422), then the body is read into `In` and made the register's action.
async fn act<In: serde::de::DeserializeOwned>(
    state: &AppState,
    user: &ApiUser,
    case: String,
    headers: &HeaderMap,
    body: &[u8],
    action: impl FnOnce(In) -> Action,
) -> Result<Response, Problem> {
    let case = CaseId(case);
    handler_of(state, user, &case).await?;
    let input: In = parse(headers, body)?;
    run(state, user, &case, action(input)).await
}

/// Runs `action` in `case` for the caller, after the access check and reading the body.
async fn run(
    state: &AppState,
    user: &ApiUser,
    case: &CaseId,
    action: Action,
) -> Result<Response, Problem> {
    let made = state.register().act(&user.me.person, case, action).await?;
    Ok(match made {
        Some(item) => (
            StatusCode::CREATED,
            Json(CreatedItem {
                item: item.to_string(),
            }),
        )
            .into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// The problems every action may answer; `$created` for the 2xx.
macro_rules! action_path {
    ($name:ident, $path:literal, $summary:literal, $body:ty, $ok:expr) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "actions",
            summary = $summary,
            params(
                ("case" = String, Path, description = "The case's id."),
            ),
            request_body(content = $body, content_type = "application/json"),
            responses(
                $ok,
                (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Not the case's handler (but some access), or a token that may only read.", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such case (or item), or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "The body, or the register, refuses a field; `errors` names it.", body = Problem, content_type = "application/problem+json"),
            ),
        )]
        #[allow(dead_code)]
        fn $name() {}
    };
}

// --- status and tasks ------------------------------------------------------------------

/// A new status for the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatusIn {
    #[schema(value_type = CaseStatusCode)]
    pub to: CaseStatus,
}

action_path!(
    change_status,
    "/cases/{case}/status",
    "Change the case's status",
    StatusIn,
    (status = 204, description = "The status changed.")
);

pub(crate) async fn status(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: StatusIn| {
        Action::ChangeStatus { to: input.to }
    })
    .await
}

/// A remark with a completed task.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TaskDoneIn {
    pub remark: Option<String>,
}

/// Mark a task of the case done.
#[utoipa::path(
    post,
    path = "/cases/{case}/tasks/{task}/done",
    tag = "actions",
    params(
        ("case" = String, Path, description = "The case's id."),
        ("task" = String, Path, description = "The task's code: one of PROTOCOL.md's, or a task of the organisation's own protocol."),
    ),
    request_body(content = Option<TaskDoneIn>, content_type = "application/json", description = "Optional: a remark."),
    responses(
        (status = 204, description = "The task is done."),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the case's handler, or a token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or task code, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The task is done already or not of this case.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn complete_task(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, task)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let case = CaseId(case);
    handler_of(&state, &user, &case).await?;
    let task = TaskCode::parse(&task).map_err(|_| Problem::not_found())?;
    // A word that is no task of the spec nor of this organisation's protocol (nor an
    // improvement action's, which the register checks in the case) names nothing, as a
    // made-up id does.
    if let TaskCode::Own(own) = task
        && !weerbaar_register::is_improvement_task(own.as_str())
    {
        let protocol = state.register().protocol(&user.me.organisation).await?;
        if protocol.own_task(own).is_none() {
            return Err(Problem::not_found());
        }
    }
    let input: TaskDoneIn = if body.iter().all(u8::is_ascii_whitespace) {
        TaskDoneIn::default()
    } else {
        parse(&headers, &body)?
    };
    state
        .register()
        .complete_task(&user.me.person, &case, task, input.remark.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// --- measures --------------------------------------------------------------------------

/// A measure toward the perpetrator (PROTOCOL.md §7).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeasureIn {
    #[schema(value_type = MeasureCode)]
    pub measure: Measure,
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
    pub note: Option<String>,
}

action_path!(
    decide_measure,
    "/cases/{case}/measures",
    "Decide a measure",
    MeasureIn,
    (
        status = 201,
        description = "The measure is recorded.",
        body = CreatedItem
    )
);

pub(crate) async fn measure(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: MeasureIn| {
        Action::DecideMeasure {
            measure: input.measure,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            note: input.note,
        }
    })
    .await
}

/// Hoor en wederhoor: the perpetrator's own account of a measure.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountIn {
    pub account: String,
}

/// A measure's end.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndIn {
    #[schema(value_type = String, format = Date)]
    pub on: Date,
}

/// When an aftercare conversation was held, with a referral and notes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeldIn {
    #[schema(value_type = String, format = DateTime)]
    pub held_at: Timestamp,
    pub referral: Option<String>,
    pub notes: Option<String>,
}

/// The outcome of a police contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomeIn {
    pub outcome: String,
    /// The outcome was told to the victim.
    #[serde(default)]
    pub feedback_given: bool,
}

/// The follow-ups on an item: `$name` is the last segment of the path.
macro_rules! item_path {
    ($doc:ident, $path:literal, $summary:literal, $body:ty) => {
        #[utoipa::path(
            post,
            path = $path,
            tag = "actions",
            summary = $summary,
            params(
                ("case" = String, Path, description = "The case's id."),
                ("item" = String, Path, description = "The item's id (as its creation gave it)."),
            ),
            request_body(content = $body, content_type = "application/json"),
            responses(
                (status = 204, description = "Recorded."),
                (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Not the case's handler, or a token that may only read.", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such case or item, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
                (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
                (status = 422, description = "A field is refused; `errors` names it.", body = Problem, content_type = "application/problem+json"),
            ),
        )]
        #[allow(dead_code)]
        fn $doc() {}
    };
}

item_path!(
    record_perpetrator_account,
    "/cases/{case}/measures/{item}/account",
    "Record the perpetrator's account (hoor en wederhoor)",
    AccountIn
);
item_path!(
    end_measure,
    "/cases/{case}/measures/{item}/end",
    "End a measure",
    EndIn
);
item_path!(
    hold_aftercare,
    "/cases/{case}/aftercare/{item}/held",
    "Record that an aftercare conversation was held",
    HeldIn
);
item_path!(
    record_police_outcome,
    "/cases/{case}/police/{item}/outcome",
    "Record the outcome of a police contact",
    OutcomeIn
);

pub(crate) async fn account(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: AccountIn| {
        Action::RecordPerpetratorAccount {
            item: ItemId(item),
            account: input.account,
        }
    })
    .await
}

pub(crate) async fn end(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: EndIn| {
        Action::EndMeasure {
            item: ItemId(item),
            on: input.on,
        }
    })
    .await
}

pub(crate) async fn held(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: HeldIn| {
        Action::HoldAftercare {
            item: ItemId(item),
            held_at: input.held_at,
            referral: input.referral,
            notes: input.notes,
        }
    })
    .await
}

pub(crate) async fn outcome(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, item)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: OutcomeIn| {
        Action::PoliceOutcome {
            item: ItemId(item),
            outcome: input.outcome,
            feedback_given: input.feedback_given,
        }
    })
    .await
}

// --- aftercare, police, damage, communication, evaluation ------------------------------

/// An aftercare conversation to plan (PROTOCOL.md §9).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AftercareIn {
    #[schema(value_type = ConversationCode)]
    pub conversation: AftercareConversation,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// Who holds the conversation: a person of the organisation.
    pub by: String,
}

action_path!(
    plan_aftercare,
    "/cases/{case}/aftercare",
    "Plan an aftercare conversation",
    AftercareIn,
    (
        status = 201,
        description = "The conversation is planned.",
        body = CreatedItem
    )
);

pub(crate) async fn aftercare(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(
        &state,
        &user,
        case,
        &headers,
        &body,
        |input: AftercareIn| Action::PlanAftercare {
            conversation: input.conversation,
            at: input.at,
            by: PersonId(input.by),
        },
    )
    .await
}

/// A melding or aangifte at the police (PROTOCOL.md §8).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PoliceIn {
    #[schema(value_type = PoliceKindCode)]
    pub kind: PoliceContactKind,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub reference: Option<String>,
    /// The victim agreed (the organisation files an aangifte only with consent).
    #[serde(default)]
    pub victim_consent: bool,
}

action_path!(
    record_police_contact,
    "/cases/{case}/police",
    "Record a police contact",
    PoliceIn,
    (
        status = 201,
        description = "The contact is recorded.",
        body = CreatedItem
    )
);

pub(crate) async fn police(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: PoliceIn| {
        Action::PoliceContact {
            kind: input.kind,
            at: input.at,
            reference: input.reference,
            victim_consent: input.victim_consent,
        }
    })
    .await
}

/// Damage, paid to the victim first and recovered from the perpetrator (PROTOCOL.md §10).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DamageIn {
    pub description: String,
    /// In euro cents.
    pub amount_cents: i64,
    #[serde(default)]
    pub paid_to_victim_cents: i64,
    #[serde(default)]
    pub recovered_cents: i64,
}

action_path!(
    record_damage,
    "/cases/{case}/damage",
    "Record damage",
    DamageIn,
    (
        status = 201,
        description = "The damage is recorded.",
        body = CreatedItem
    )
);

pub(crate) async fn damage(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: DamageIn| {
        Action::Damage {
            description: input.description,
            amount_cents: input.amount_cents,
            paid_to_victim_cents: input.paid_to_victim_cents,
            recovered_cents: input.recovered_cents,
        }
    })
    .await
}

/// What was told to whom (PROTOCOL.md §11): beyond the confidential circle only with the
/// victim's consent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommunicationIn {
    #[schema(value_type = AudienceCode)]
    pub audience: Audience,
    #[serde(default)]
    pub victim_consent: bool,
    pub said: String,
}

action_path!(
    record_communication,
    "/cases/{case}/communication",
    "Record communication (and the victim's consent)",
    CommunicationIn,
    (
        status = 201,
        description = "The communication is recorded.",
        body = CreatedItem
    )
);

pub(crate) async fn communication(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(
        &state,
        &user,
        case,
        &headers,
        &body,
        |input: CommunicationIn| Action::Communication {
            audience: input.audience,
            victim_consent: input.victim_consent,
            said: input.said,
        },
    )
    .await
}

/// The evaluation of the incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvaluationIn {
    #[schema(value_type = RiskCode)]
    pub risk: Risk,
    #[serde(default)]
    pub likely_to_recur: bool,
    pub cause: String,
    #[serde(default)]
    pub trend: String,
    #[serde(default)]
    pub improvement: String,
    /// Improvement actions agreed in the evaluation; each becomes a task of the case
    /// (`verbeteractie_N`) with its date as the deadline.
    #[serde(default)]
    pub actions: Vec<ImprovementActionIn>,
}

/// One improvement action: what, who (a person of the organisation) and by when.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImprovementActionIn {
    pub what: String,
    pub who: String,
    #[schema(value_type = String, format = Date)]
    pub by: Date,
}

action_path!(
    record_evaluation,
    "/cases/{case}/evaluation",
    "Record the evaluation",
    EvaluationIn,
    (
        status = 201,
        description = "The evaluation is recorded.",
        body = CreatedItem
    )
);

pub(crate) async fn evaluation(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(
        &state,
        &user,
        case,
        &headers,
        &body,
        |input: EvaluationIn| Action::Evaluation {
            risk: input.risk,
            likely_to_recur: input.likely_to_recur,
            cause: input.cause,
            trend: input.trend,
            improvement: input.improvement,
            actions: input
                .actions
                .into_iter()
                .map(|action| weerbaar_register::ImprovementAction {
                    what: action.what,
                    who: PersonId(action.who),
                    by: action.by,
                })
                .collect(),
        },
    )
    .await
}

// --- who may read the case -------------------------------------------------------------

/// A person to let read the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GrantIn {
    pub person: String,
}

action_path!(
    grant_access,
    "/cases/{case}/access",
    "Let a person of the organisation read the case",
    GrantIn,
    (status = 204, description = "The person may read the case.")
);

pub(crate) async fn grant(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    act(&state, &user, case, &headers, &body, |input: GrantIn| {
        Action::GrantAccess {
            person: PersonId(input.person),
        }
    })
    .await
}

/// End a person's grant to read the case.
#[utoipa::path(
    delete,
    path = "/cases/{case}/access/{person}",
    tag = "actions",
    params(
        ("case" = String, Path, description = "The case's id."),
        ("person" = String, Path, description = "The person whose grant ends."),
    ),
    responses(
        (status = 204, description = "The grant ended."),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the case's handler, or a token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or grant, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `errors` names why.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn revoke_access(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, person)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let case = CaseId(case);
    handler_of(&state, &user, &case).await?;
    let action = Action::RevokeAccess {
        person: PersonId(person),
    };
    run(&state, &user, &case, action).await
}
