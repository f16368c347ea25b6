//! The handler's inbox ("werkbak"): new reports, the open tasks by deadline (overdue
//! first, marked in words), and the cases in hand, filtered by role and status.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use weerbaar_protocol::{Code, Role};
use weerbaar_register::CaseStatus;

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;

/// How many rows each list shows: a page, not the register.
const PAGE: u32 = 50;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/werkbak", get(inbox))
}

#[derive(Debug, Default, Deserialize)]
struct Filter {
    rol: Option<String>,
    stand: Option<String>,
}

struct TaskRow {
    case: String,
    number: i64,
    task: String,
    due: String,
    overdue: bool,
    soon: bool,
}

struct CaseRow {
    case: String,
    number: i64,
    category: &'static str,
    victim_role: &'static str,
    status: &'static str,
    reported: String,
    open_tasks: u32,
    next_due: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    layout: Layout,
    roles: Vec<(&'static str, &'static str)>,
    role: &'static str,
    role_label: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    status: &'static str,
    new_reports: Vec<CaseRow>,
    tasks: Vec<TaskRow>,
    cases: Vec<CaseRow>,
}

fn case_row(case: weerbaar_register::access::CaseListing) -> CaseRow {
    CaseRow {
        case: case.id.to_string(),
        number: case.number,
        category: case
            .category
            .map(labels::category_label)
            .unwrap_or("Overleg"),
        victim_role: labels::role_label(case.victim_role),
        status: labels::case_status_label(case.status),
        reported: dates::moment(case.reported_at),
        open_tasks: case.open_tasks,
        next_due: if case.next_due.is_some() || case.next_due_date.is_some() {
            dates::due(None, case.next_due, case.next_due_date)
        } else {
            String::from("geen")
        },
    }
}

async fn inbox(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(filter): crate::form::Lenient<Filter>,
) -> Result<Response, WebError> {
    if !user.me.is_handler() {
        return Err(WebError::Forbidden);
    }
    let register = state.register();
    let role = filter
        .rol
        .as_deref()
        .and_then(|r| Role::parse(r).ok())
        .filter(|r| user.me.handler_roles.contains(r))
        .unwrap_or(user.me.handler_roles[0]);
    let status = match filter.stand.as_deref() {
        Some("alle") => None,
        Some(text) => Some(CaseStatus::parse(text).unwrap_or(CaseStatus::InBehandeling)),
        None => Some(CaseStatus::InBehandeling),
    };
    let organisation = &user.me.organisation;
    let protocol = register.protocol(organisation).await?;
    let now = jiff::Timestamp::now();
    let new_reports = register
        .handler_cases(organisation, role, Some(CaseStatus::Gemeld), PAGE)
        .await?
        .into_iter()
        .map(case_row)
        .collect();
    let tasks = register
        .open_tasks_first(organisation, role, PAGE)
        .await?
        .into_iter()
        .map(|task| {
            // A target (§16.4) is never shown as overdue or pressing.
            let overdue = !task.target && dates::overdue(task.due_at, task.due_date, now);
            let soon = !overdue
                && !task.target
                && task.due_at.is_some_and(|at| {
                    at.duration_since(now) < jiff::SignedDuration::from_hours(24)
                });
            TaskRow {
                case: task.case.to_string(),
                number: task.case_number,
                task: labels::task_code_label(task.code, &protocol),
                due: dates::due_or_target(task.opens_at, task.due_at, task.due_date, task.target),
                overdue,
                soon,
            }
        })
        .collect();
    let cases = register
        .handler_cases(organisation, role, status, PAGE)
        .await?
        .into_iter()
        .map(case_row)
        .collect();
    let page = InboxPage {
        layout: user.layout("Werkbak"),
        roles: user
            .me
            .handler_roles
            .iter()
            .map(|r| (r.as_str(), labels::role_label(*r)))
            .collect(),
        role: role.as_str(),
        role_label: labels::role_label(role),
        statuses: std::iter::once(("alle", "Alle"))
            .chain(
                CaseStatus::ALL
                    .iter()
                    .map(|s| (s.as_str(), labels::case_status_label(*s))),
            )
            .collect(),
        status: status.map(CaseStatus::as_str).unwrap_or("alle"),
        new_reports,
        tasks,
        cases,
    };
    Ok(html(&page))
}
