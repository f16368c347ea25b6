//! "Mijn meldingen": the reporter's and victim's own view. Their cases and how they
//! stand, the aftercare appointments and tasks that concern them, evidence they add
//! later, and who opened their file and when.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use weerbaar_register::CaseId;
use weerbaar_register::access::CaseAccess;

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::form::Errors;
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;
use crate::upload::PostedWithFiles;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/mijn-meldingen", get(list))
        .route("/mijn-meldingen/{case}", get(show))
        .route("/mijn-meldingen/{case}/bewijs", post(add_evidence))
}

pub(crate) struct Row {
    pub id: String,
    pub number: i64,
    pub kind: &'static str,
    pub status: &'static str,
    pub category: &'static str,
    pub occurred: String,
    pub reported: String,
}

#[derive(Template)]
#[template(path = "my_cases.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
}

async fn list(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    let rows = state
        .register()
        .my_cases(&user.me.person)
        .await?
        .into_iter()
        .map(|case| Row {
            id: case.id.to_string(),
            number: case.number,
            kind: labels::case_kind_label(case.kind),
            status: labels::case_status_label(case.status),
            category: case
                .category
                .map(labels::category_label)
                .unwrap_or("Nog niet bepaald"),
            occurred: dates::moment(case.occurred_at),
            reported: dates::moment(case.reported_at),
        })
        .collect();
    Ok(html(&ListPage {
        layout: user.layout("Mijn meldingen"),
        rows,
    }))
}

struct Appointment {
    conversation: &'static str,
    planned: String,
    held: Option<String>,
    with: String,
}

struct Step {
    task: String,
    due: String,
    done: bool,
}

struct Read {
    at: String,
    by: String,
    roles: String,
    what: &'static str,
}

#[derive(Template)]
#[template(path = "my_case.html")]
struct CasePage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    id: String,
    number: i64,
    kind: &'static str,
    status: &'static str,
    category: &'static str,
    occurred: String,
    reported: String,
    narrative: String,
    place: Option<String>,
    appointments: Vec<Appointment>,
    steps: Vec<Step>,
    reads: Vec<Read>,
    added: bool,
}

/// What a read in the access log was, in words.
pub(crate) fn scope_label(scope: &str) -> &'static str {
    match scope {
        "case" => "het hele dossier",
        "own" => "het overzicht van de melder",
        "summary" => "de samenvatting, zonder inhoud",
        "evidence_list" => "de lijst met bewijs",
        "evidence" => "een bewijsstuk",
        "perpetrator_dossier" => "het dossier van de dader",
        _ => "onbekend (gewist na de bewaartermijn)",
    }
}

async fn case_page(
    state: &AppState,
    user: &SignedIn,
    case: &CaseId,
    errors: Errors,
    added: bool,
) -> Result<CasePage, WebError> {
    let register = state.register();
    // Only the reporter and victims (and those who see everything anyway) come here.
    if matches!(
        register.case_access(&user.me.person, case).await?,
        CaseAccess::None | CaseAccess::Informed
    ) {
        return Err(WebError::NotFound);
    }
    let view = register.own_case(&user.me.person, case).await?;
    let protocol = register.protocol(&user.me.organisation).await?;
    let log = register.access_log(&user.me.person, case).await?;
    Ok(CasePage {
        layout: user.layout(&format!("Melding {}", view.number)),
        csrf: user.session.csrf.clone(),
        errors,
        id: case.to_string(),
        number: view.number,
        kind: labels::case_kind_label(view.kind),
        status: labels::case_status_label(view.status),
        category: view
            .category
            .map(labels::category_label)
            .unwrap_or("Nog niet bepaald"),
        occurred: dates::moment(view.occurred_at),
        reported: dates::moment(view.reported_at),
        narrative: view.narrative.unwrap_or_default(),
        place: view.place,
        appointments: view
            .aftercare
            .into_iter()
            .map(|a| Appointment {
                conversation: labels::aftercare_conversation_label(a.conversation),
                planned: a
                    .planned_at
                    .map(dates::moment)
                    .unwrap_or_else(|| String::from("nog niet gepland")),
                held: a.held_at.map(dates::moment),
                with: a.by_name.unwrap_or_default(),
            })
            .collect(),
        steps: view
            .tasks
            .into_iter()
            .map(|t| Step {
                task: labels::task_code_label(t.code, &protocol),
                due: dates::due_or_target(t.opens_at, t.due_at, t.due_date, t.target),
                done: t.done,
            })
            .collect(),
        // The reporter's own reads are no news to them.
        reads: log
            .into_iter()
            .filter(|entry| entry.by != user.me.person)
            .map(|entry| Read {
                at: dates::moment(entry.at),
                by: entry.by_name,
                roles: read_roles(&entry.by_roles, entry.roles_at_read),
                what: scope_label(&entry.scope),
            })
            .collect(),
        added,
    })
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
    crate::form::Lenient(query): crate::form::Lenient<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let added = query.contains_key("toegevoegd");
    let page = case_page(&state, &user, &CaseId(case), Errors::default(), added).await?;
    Ok(html(&page))
}

async fn add_evidence(
    State(state): State<AppState>,
    Path(case): Path<String>,
    posted: PostedWithFiles,
) -> Result<Response, WebError> {
    let PostedWithFiles {
        user,
        fields,
        files,
    } = posted;
    let case = CaseId(case);
    let register = state.register();
    if matches!(
        register.case_access(&user.me.person, &case).await?,
        CaseAccess::None | CaseAccess::Informed | CaseAccess::Granted
    ) {
        return Err(WebError::NotFound);
    }
    let errors =
        crate::evidence_form::add_from_form(register, &user.me.person, &case, &fields, files)
            .await?;
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/mijn-meldingen/{case}?toegevoegd=1")).into_response());
    }
    let page = case_page(&state, &user, &case, errors, false).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

/// The reader's roles as they were at the moment of reading; a read recorded before those
/// were kept shows the roles held now, and says so.
pub(crate) fn read_roles(by_roles: &[weerbaar_protocol::Role], at_read: bool) -> String {
    let roles = by_roles
        .iter()
        .map(|r| labels::role_label(*r))
        .collect::<Vec<_>>()
        .join(", ");
    if at_read {
        roles
    } else {
        format!("{roles} (functie van nu)")
    }
}
