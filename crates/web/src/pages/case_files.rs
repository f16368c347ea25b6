//! What hangs off a case page: its evidence (listed, downloaded, added), the printable
//! dossier for the police, and the perpetrator's earlier cases. Each read is an event on
//! the case's timeline.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use weerbaar_protocol::Code;
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{CaseId, EvidenceDetails, EvidenceId, PerpetratorId};

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
        .route("/zaken/{case}/bewijs", get(evidence).post(add_evidence))
        .route("/zaken/{case}/bewijs/{evidence}", get(download))
        .route("/zaken/{case}/dossier", get(police_dossier))
        .route("/zaken/{case}/dader/{perpetrator}", get(perpetrator))
}

/// Handlers and granted readers only; a reporter has their own evidence form.
async fn reader(state: &AppState, user: &SignedIn, case: &CaseId) -> Result<bool, WebError> {
    match state.register().case_access(&user.me.person, case).await? {
        CaseAccess::Handler => Ok(true),
        CaseAccess::Granted => Ok(false),
        CaseAccess::Own => Err(WebError::Forbidden),
        CaseAccess::Informed | CaseAccess::None => Err(WebError::NotFound),
    }
}

struct EvidenceRow {
    id: String,
    kind: &'static str,
    title: String,
    lines: Vec<String>,
    downloadable: bool,
    added: String,
}

#[derive(Template)]
#[template(path = "case_evidence.html")]
struct EvidencePage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    id: String,
    number: i64,
    can_add: bool,
    rows: Vec<EvidenceRow>,
}

async fn evidence_page(
    state: &AppState,
    user: &SignedIn,
    case: &CaseId,
    errors: Errors,
) -> Result<EvidencePage, WebError> {
    let can_add = reader(state, user, case).await?;
    let register = state.register();
    let summary = register.case_summary(&user.me.person, case).await?;
    let people = register.people(&user.me.organisation).await?;
    let name_of = |id: &weerbaar_register::PersonId| {
        people
            .iter()
            .find(|p| &p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let rows = register
        .evidence_list(&user.me.person, case)
        .await?
        .into_iter()
        .map(|e| {
            let (title, lines, downloadable) = match &e.details {
                EvidenceDetails::File {
                    file_name,
                    description,
                } => {
                    let mut lines = vec![format!(
                        "{}, {} kB",
                        e.media_type.clone().unwrap_or_default(),
                        e.size.unwrap_or(0).div_ceil(1024)
                    )];
                    if let Some(d) = description {
                        lines.push(d.clone());
                    }
                    if let Some(hash) = &e.sha256 {
                        lines.push(format!("SHA-256: {hash}"));
                    }
                    (file_name.clone(), lines, true)
                }
                EvidenceDetails::Online(online) => {
                    let mut lines = Vec::new();
                    if let Some(a) = &online.account {
                        lines.push(format!("Account: {a}"));
                    }
                    if let Some(u) = &online.url {
                        lines.push(format!("Webadres: {u}"));
                    }
                    if let Some(m) = online.moment {
                        lines.push(format!("Gezien: {}", dates::moment(m)));
                    }
                    if let Some(d) = &online.description {
                        lines.push(d.clone());
                    }
                    (online.platform.clone(), lines, false)
                }
            };
            EvidenceRow {
                id: e.id.to_string(),
                kind: labels::evidence_kind_label(e.kind),
                title,
                lines,
                downloadable,
                added: format!(
                    "{} door {}",
                    dates::moment(e.added_at),
                    name_of(&e.added_by)
                ),
            }
        })
        .collect();
    Ok(EvidencePage {
        layout: user.layout(&format!("Bewijs bij melding {}", summary.number)),
        csrf: user.session.csrf.clone(),
        errors,
        id: case.to_string(),
        number: summary.number,
        can_add,
        rows,
    })
}

async fn evidence(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let page = evidence_page(&state, &user, &CaseId(case), Errors::default()).await?;
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
    if !reader(&state, &user, &case).await? {
        return Err(WebError::Forbidden);
    }
    let errors = crate::evidence_form::add_from_form(
        state.register(),
        &user.me.person,
        &case,
        &fields,
        files,
    )
    .await?;
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/zaken/{case}/bewijs")).into_response());
    }
    let page = evidence_page(&state, &user, &case, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

async fn download(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case, evidence)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let case = CaseId(case);
    reader(&state, &user, &case).await?;
    let (summary, bytes) = match state
        .register()
        .read_evidence_file(&user.me.person, &case, &EvidenceId(evidence))
        .await
    {
        Ok(file) => file,
        // Online evidence has no file to download.
        Err(weerbaar_register::RegisterError::Invalid { .. }) => return Err(WebError::NotFound),
        Err(other) => return Err(other.into()),
    };
    Ok(evidence_file_response(&summary, bytes))
}

/// An evidence file as an answer, for the page and the API alike: always a download,
/// never shown inline, so that a file from outside cannot run as part of this site (with
/// the `nosniff` and the script-less policy that every answer carries). The declared
/// media type is sent as stored; the original name goes in `Content-Disposition`,
/// reduced to safe characters.
pub(crate) fn evidence_file_response(
    summary: &weerbaar_register::EvidenceSummary,
    bytes: Vec<u8>,
) -> Response {
    let media_type = summary
        .media_type
        .clone()
        .unwrap_or_else(|| String::from("application/octet-stream"));
    let name = summary
        .file_name()
        .unwrap_or("bewijs")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect::<String>();
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&media_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

struct DossierPerpetrator {
    kind: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "case_dossier.html")]
struct DossierPage {
    layout: Layout,
    id: String,
    number: i64,
    organisation: String,
    printed: String,
    who_victim: Vec<String>,
    perpetrators: Vec<DossierPerpetrator>,
    what: Vec<&'static str>,
    narrative: String,
    where_place: Option<String>,
    channel: &'static str,
    during_meeting: bool,
    with_what: Vec<String>,
    injury: &'static str,
    when: String,
    reported: String,
    why: Vec<String>,
    police: Vec<String>,
}

async fn police_dossier(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let case = CaseId(case);
    reader(&state, &user, &case).await?;
    let register = state.register();
    let view = register.open_case(&user.me.person, &case).await?;
    let evidence = register.evidence_list(&user.me.person, &case).await?;
    let facts = view.facts.clone().unwrap_or(serde_json::Value::Null);
    let str_of = |key: &str| {
        facts
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let page_view = super::case::case_page(
        &state,
        &user,
        view.clone(),
        false,
        Default::default(),
        Errors::default(),
    )
    .await?;
    let with_what = evidence
        .iter()
        .map(|e| match &e.details {
            EvidenceDetails::File {
                file_name,
                description,
            } => format!(
                "Bestand {file_name}{}{}",
                description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default(),
                e.sha256
                    .as_deref()
                    .map(|h| format!(" (SHA-256 {h})"))
                    .unwrap_or_default()
            ),
            EvidenceDetails::Online(online) => format!(
                "Online ({}){}{}{}",
                online.platform,
                online
                    .account
                    .as_deref()
                    .map(|a| format!(", account {a}"))
                    .unwrap_or_default(),
                online
                    .url
                    .as_deref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default(),
                online
                    .moment
                    .map(|m| format!(", gezien {}", dates::moment(m)))
                    .unwrap_or_default()
            ),
        })
        .collect();
    // "Why": what the perpetrator said when heard, the measures' reasons; the report's
    // own account is in "what".
    let why = page_view
        .measures
        .iter()
        .flat_map(|m| {
            m.lines
                .iter()
                .filter(|l| l.starts_with("Reactie van de dader") || l.starts_with("Toelichting"))
                .cloned()
        })
        .collect();
    let page = DossierPage {
        layout: user.layout(&format!("Dossier melding {}", view.number)),
        id: case.to_string(),
        number: view.number,
        organisation: user.me.organisation_name.clone(),
        printed: dates::moment(jiff::Timestamp::now()),
        // The victim's role and relation only: no home address is ever part of a case,
        // and this sheet leaves the organisation.
        who_victim: page_view.victims.clone(),
        perpetrators: page_view
            .perpetrators
            .iter()
            .map(|(_, kind, lines)| DossierPerpetrator {
                kind: kind.clone(),
                lines: lines.clone(),
            })
            .collect(),
        what: page_view.behaviours.clone(),
        narrative: page_view.narrative.clone(),
        where_place: view.place.clone(),
        channel: page_view.channel,
        during_meeting: view.during_meeting,
        with_what,
        injury: weerbaar_protocol::Injury::parse(&str_of("injury"))
            .map(labels::injury_label)
            .unwrap_or(""),
        when: dates::moment(view.occurred_at),
        reported: dates::moment(view.reported_at),
        why,
        police: page_view
            .police
            .iter()
            .flat_map(|p| std::iter::once(p.title.clone()).chain(p.lines.iter().cloned()))
            .collect(),
    };
    Ok(html(&page))
}

struct EarlierCase {
    id: String,
    number: i64,
    kind: &'static str,
    status: &'static str,
    category: &'static str,
    victim_role: &'static str,
    occurred: String,
    this_one: bool,
}

#[derive(Template)]
#[template(path = "case_perpetrator.html")]
struct PerpetratorPage {
    layout: Layout,
    id: String,
    kind: &'static str,
    lines: Vec<String>,
    cases: Vec<EarlierCase>,
}

async fn perpetrator(
    State(state): State<AppState>,
    user: SignedIn,
    Path((case, perpetrator)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let case = CaseId(case);
    if !reader(&state, &user, &case).await? {
        return Err(WebError::Forbidden);
    }
    let dossier = state
        .register()
        .perpetrator_dossier(&user.me.person, &case, &PerpetratorId(perpetrator))
        .await?;
    let d = &dossier.details;
    let mut lines = Vec::new();
    for (label, value) in [
        ("Naam", &d.name),
        ("Geboortedatum", &d.date_of_birth),
        ("E-mail", &d.email),
        ("Telefoon", &d.phone),
        ("Kenteken", &d.licence_plate),
        ("Namens", &d.on_behalf_of),
        ("Beschrijving", &d.description),
    ] {
        if let Some(v) = value {
            lines.push(format!("{label}: {v}"));
        }
    }
    if !d.accounts.is_empty() {
        lines.push(format!("Accounts: {}", d.accounts.join(", ")));
    }
    let page = PerpetratorPage {
        layout: user.layout("Eerdere incidenten van de dader"),
        id: case.to_string(),
        kind: labels::perpetrator_kind_label(dossier.kind),
        lines,
        cases: dossier
            .cases
            .iter()
            .map(|c| EarlierCase {
                id: c.case.to_string(),
                number: c.number,
                kind: labels::case_kind_label(c.kind),
                status: labels::case_status_label(c.status),
                category: c.category.map(labels::category_label).unwrap_or(""),
                victim_role: labels::role_label(c.victim_role),
                occurred: dates::moment(c.occurred_at),
                this_one: c.case == case,
            })
            .collect(),
    };
    Ok(html(&page))
}
