//! `/privacy`: the privacy officer's overview (issue 14). Who read which case, when and
//! with which roles at that moment; who a handler let into a case and who lost that
//! access; what retention anonymised; the changes of people's roles, duties and accounts;
//! the exports. Case numbers and people's names, never a case's content. Only the privacy
//! officer sees it: an administrator, a handler or anyone else is refused.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use weerbaar_register::AdminEventKind;
use weerbaar_register::privacy_view::{OVERVIEW_LENGTH, PrivacyOverview};

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::form::Errors;
use crate::labels;
use crate::pages::admin::describe;
use crate::pages::my_cases::{read_roles, scope_label};
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/privacy", get(show))
}

/// Changes of who someone is in the register: what can widen or end their access.
const PEOPLE_CHANGES: [AdminEventKind; 5] = [
    AdminEventKind::PersonAdded,
    AdminEventKind::RolesChanged,
    AdminEventKind::DutiesChanged,
    AdminEventKind::AccountDisabled,
    AdminEventKind::AccountEnabled,
];

struct Read {
    at: String,
    case: i64,
    by: String,
    roles: String,
    what: &'static str,
}

struct Grant {
    at: String,
    case: i64,
    what: String,
}

struct Anonymised {
    at: String,
    case: i64,
    why: String,
}

struct LogLine {
    at: String,
    by: String,
    what: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    layout: Layout,
    errors: Errors,
    /// The case number as typed, for the filter's field.
    asked: String,
    /// Only one case is shown.
    filtered: bool,
    reads: Vec<Read>,
    more_reads: bool,
    length: usize,
    grants: Vec<Grant>,
    anonymised: Vec<Anonymised>,
    people: Vec<LogLine>,
    exports: Vec<LogLine>,
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    if !user.me.is_privacy_officer() {
        return Err(WebError::Forbidden);
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let asked = pairs
        .iter()
        .find(|(key, _)| key == "melding")
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let mut errors = Errors::default();
    let number = if asked.is_empty() {
        None
    } else {
        match asked.parse::<i64>() {
            Ok(number) if number > 0 => Some(number),
            _ => {
                errors.add(
                    "melding",
                    "Vul het nummer van een melding in, bijvoorbeeld 12, of laat het veld leeg.",
                );
                None
            }
        }
    };
    let register = state.register();
    let organisation = &user.me.organisation;
    let overview = if errors.is_empty() {
        register
            .privacy_overview(organisation, &user.me.person, number)
            .await?
    } else {
        PrivacyOverview {
            reads: Vec::new(),
            more_reads: false,
            access_changes: Vec::new(),
            anonymisations: Vec::new(),
        }
    };
    let log = if number.is_none() && errors.is_empty() {
        register
            .admin_events(organisation, u32::try_from(OVERVIEW_LENGTH).unwrap_or(200))
            .await?
    } else {
        Vec::new()
    };
    let line = |event: &weerbaar_register::AdminEvent| LogLine {
        at: dates::moment(event.at),
        by: match (&event.actor, &event.actor_name) {
            (None, _) => String::from("Opdrachtregel op de server"),
            (Some(_), Some(name)) => name.clone(),
            (Some(_), None) => String::from("(onbekend)"),
        },
        what: describe(event),
    };
    let page = PrivacyPage {
        layout: user.layout("Privacy-overzicht"),
        filtered: number.is_some(),
        asked,
        reads: overview
            .reads
            .iter()
            .map(|read| Read {
                at: dates::moment(read.at),
                case: read.case_number,
                by: name_or_unknown(&read.by_name),
                roles: read_roles(&read.by_roles, read.roles_at_read),
                what: scope_label(&read.scope),
            })
            .collect(),
        more_reads: overview.more_reads,
        length: OVERVIEW_LENGTH,
        grants: overview
            .access_changes
            .iter()
            .map(|change| Grant {
                at: dates::moment(change.at),
                case: change.case_number,
                what: if change.granted {
                    format!(
                        "{} gaf {} toegang",
                        name_or_unknown(&change.by_name),
                        name_or_unknown(&change.to_name)
                    )
                } else {
                    format!(
                        "{} nam de toegang van {} weg",
                        name_or_unknown(&change.by_name),
                        name_or_unknown(&change.to_name)
                    )
                },
            })
            .collect(),
        anonymised: overview
            .anonymisations
            .iter()
            .map(|done| Anonymised {
                at: dates::moment(done.at),
                case: done.case_number,
                why: format!(
                    "{} dagen na de status {}",
                    done.period_days,
                    labels::case_status_label(done.status).to_lowercase()
                ),
            })
            .collect(),
        people: log
            .iter()
            .filter(|event| PEOPLE_CHANGES.contains(&event.kind))
            .map(line)
            .collect(),
        exports: log
            .iter()
            .filter(|event| event.kind == AdminEventKind::CasesExported)
            .map(line)
            .collect(),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, html(&page)).into_response())
}

fn name_or_unknown(name: &str) -> String {
    if name.is_empty() {
        String::from("(onbekende persoon)")
    } else {
        name.to_owned()
    }
}
