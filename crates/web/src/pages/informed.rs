//! What informed roles (the burgemeester, the adviseur VPT …) see: that an incident
//! happened, its category and how it is going; the content only where the handler lets
//! them read it, and then on the case page itself.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use weerbaar_register::CaseId;
use weerbaar_register::access::CaseAccess;

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/overzicht", get(list))
        .route("/overzicht/{case}", get(show))
}

struct Row {
    id: String,
    number: i64,
    category: &'static str,
    victim_role: &'static str,
    status: &'static str,
    occurred: String,
}

#[derive(Template)]
#[template(path = "informed.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    let rows = state
        .register()
        .informed_cases(&user.me.person, 100)
        .await?
        .into_iter()
        .map(|c| Row {
            id: c.id.to_string(),
            number: c.number,
            category: c.category.map(labels::category_label).unwrap_or("Overleg"),
            victim_role: labels::role_label(c.victim_role),
            status: labels::case_status_label(c.status),
            occurred: dates::date(dates::local_date(c.occurred_at)),
        })
        .collect();
    Ok(html(&ListPage {
        layout: user.layout("Geïnformeerd"),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "informed_case.html")]
struct SummaryPage {
    layout: Layout,
    id: String,
    number: i64,
    kind: &'static str,
    status: &'static str,
    category: &'static str,
    occurred: String,
    handler: &'static str,
    open_tasks: u32,
    done_tasks: u32,
    police: bool,
    granted: bool,
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let case = CaseId(case);
    let register = state.register();
    let access = register.case_access(&user.me.person, &case).await?;
    match access {
        CaseAccess::None => return Err(WebError::NotFound),
        CaseAccess::Own => {
            return Ok(Redirect::to(&format!("/mijn-meldingen/{case}")).into_response());
        }
        CaseAccess::Handler => return Ok(Redirect::to(&format!("/zaken/{case}")).into_response()),
        CaseAccess::Granted | CaseAccess::Informed => {}
    }
    let summary = register.case_summary(&user.me.person, &case).await?;
    let page = SummaryPage {
        layout: user.layout(&format!("Melding {}", summary.number)),
        id: case.to_string(),
        number: summary.number,
        kind: labels::case_kind_label(summary.kind),
        status: labels::case_status_label(summary.status),
        category: summary
            .category
            .map(labels::category_label)
            .unwrap_or("Overleg"),
        occurred: dates::date(summary.occurred_on),
        handler: summary.handler_role.map(labels::role_label).unwrap_or(""),
        open_tasks: summary.open_tasks,
        done_tasks: summary.done_tasks,
        police: summary.police_involved,
        granted: access == CaseAccess::Granted,
    };
    Ok(html(&page))
}
