//! `/protocol/evaluaties`: the yearly evaluation of the protocol (Leiden §5.2, Westerveld
//! §3.2). Who handles cases records one after the discussion in council and college;
//! who may read the yearly report reads them, each with the version it evaluated and the
//! version that followed. A year without one is said on this page, on `/protocol` and on
//! the start page of those who handle cases.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde::Deserialize;
use weerbaar_register::protocol_evaluations::{MAX_TEXT_CHARS, today};
use weerbaar_register::{
    EvaluationDue, NewProtocolEvaluation, OrganisationId, ProtocolEvaluation, Register,
    RegisterError,
};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted};
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/protocol/evaluaties", get(show).post(record))
}

/// The reminder, in words, when a year has passed without an evaluation.
pub(crate) async fn reminder(
    register: &Register,
    organisation: &OrganisationId,
    now: Timestamp,
) -> Result<Option<String>, WebError> {
    Ok(
        match register.protocol_evaluation_due(organisation, now).await? {
            EvaluationDue::No => None,
            EvaluationDue::SinceLast(last) => Some(format!(
                "Het protocol is voor het laatst geëvalueerd op {}. Dat is meer dan een jaar geleden: \
                 bespreek het protocol dit jaar weer met raad en college.",
                crate::dates::date(last)
            )),
            EvaluationDue::Never(since) => Some(format!(
                "Het protocol is nog niet geëvalueerd sinds uw organisatie Weerbaar gebruikt ({}). \
                 Bespreek het protocol elk jaar met raad en college.",
                crate::dates::date(since)
            )),
        },
    )
}

struct Shown {
    held_on: String,
    version: String,
    participants: String,
    discussed: String,
    changes: String,
    recorded: String,
    followed_by: String,
}

fn shown(evaluation: &ProtocolEvaluation) -> Shown {
    Shown {
        held_on: crate::dates::date(evaluation.held_on),
        version: evaluation.protocol_version.clone(),
        participants: evaluation.participants.clone(),
        discussed: evaluation.discussed.clone(),
        changes: if evaluation.changes.is_empty() {
            String::from("Geen wijzigingen.")
        } else {
            evaluation.changes.clone()
        },
        recorded: format!(
            "Vastgelegd door {} op {}",
            evaluation
                .recorded_by_name
                .as_deref()
                .unwrap_or("een persoon die niet meer bekend is"),
            crate::dates::moment(evaluation.recorded_at)
        ),
        followed_by: match &evaluation.followed_by {
            Some((version, at)) => format!(
                "Daarna is versie {version} van het protocol in gebruik genomen, op {}.",
                crate::dates::date(crate::dates::local_date(*at))
            ),
            None => String::from("Er is sindsdien nog geen nieuwe versie van het protocol."),
        },
    }
}

#[derive(Template)]
#[template(path = "protocol_evaluations.html")]
struct EvaluationsPage {
    layout: Layout,
    csrf: String,
    may_record: bool,
    reminder: Option<String>,
    version: String,
    evaluations: Vec<Shown>,
    errors: Errors,
    held_on: String,
    participants: String,
    discussed: String,
    changes: String,
    today: String,
    done: bool,
}

#[derive(Debug, Default, Deserialize)]
struct Done {
    klaar: Option<String>,
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    posted: Option<&Fields>,
    errors: Errors,
    done: bool,
) -> Result<EvaluationsPage, WebError> {
    let register = state.register();
    let organisation = &user.me.organisation;
    let now = Timestamp::now();
    let protocol = register.protocol(organisation).await?;
    let evaluations = register.protocol_evaluations(organisation).await?;
    let field = |name: &str| posted.map(|f| f.get(name).to_owned()).unwrap_or_default();
    Ok(EvaluationsPage {
        layout: user.layout("Evaluaties van het protocol"),
        csrf: user.session.csrf.clone(),
        may_record: user.me.is_handler(),
        reminder: reminder(register, organisation, now).await?,
        version: protocol.version.clone(),
        evaluations: evaluations.iter().map(shown).collect(),
        errors,
        held_on: field("gehouden_op"),
        participants: field("deelnemers"),
        discussed: field("besproken"),
        changes: field("wijzigingen"),
        today: today(now).to_string(),
        done,
    })
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    if !user.me.may_read_yearly_report() {
        return Err(WebError::Forbidden);
    }
    let done = done.klaar.as_deref() == Some("vastgelegd");
    Ok(html(
        &page(&state, &user, None, Errors::default(), done).await?,
    ))
}

/// The Dutch message for a field the register refused.
fn message(field: &str) -> (&'static str, String) {
    match field {
        "held_on" => (
            "gehouden_op",
            String::from(
                "Vul de datum in waarop de evaluatie is gehouden; die ligt niet in de toekomst.",
            ),
        ),
        "participants" => (
            "deelnemers",
            format!(
                "Vul in wie er aan de evaluatie deelnamen (ten hoogste {MAX_TEXT_CHARS} tekens)."
            ),
        ),
        "discussed" => (
            "besproken",
            format!("Vul in wat er is besproken (ten hoogste {MAX_TEXT_CHARS} tekens)."),
        ),
        _ => (
            "wijzigingen",
            format!("De wijzigingen zijn te lang: ten hoogste {MAX_TEXT_CHARS} tekens."),
        ),
    }
}

async fn record(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    if !user.me.is_handler() {
        return Err(WebError::Forbidden);
    }
    let mut errors = Errors::default();
    let held_on = crate::dates::parse_date(fields.get("gehouden_op"));
    let new = NewProtocolEvaluation {
        held_on: held_on.unwrap_or_default(),
        participants: fields.get("deelnemers").to_owned(),
        discussed: fields.get("besproken").to_owned(),
        changes: fields.get("wijzigingen").to_owned(),
    };
    // Every field is checked before the register is asked, so that one answer names
    // every mistake; the register checks again.
    let too_long = |text: &str| text.chars().count() > MAX_TEXT_CHARS;
    for (field, wrong) in [
        (
            "held_on",
            held_on.is_none_or(|date| date > today(Timestamp::now())),
        ),
        (
            "participants",
            new.participants.is_empty() || too_long(&new.participants),
        ),
        (
            "discussed",
            new.discussed.is_empty() || too_long(&new.discussed),
        ),
        ("changes", too_long(&new.changes)),
    ] {
        if wrong {
            let (field, text) = message(field);
            errors.add(field, text);
        }
    }
    if errors.is_empty() {
        match state
            .register()
            .record_protocol_evaluation(
                &user.me.organisation,
                &user.me.person,
                &new,
                Timestamp::now(),
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to("/protocol/evaluaties?klaar=vastgelegd").into_response());
            }
            Err(RegisterError::Invalid { field, .. }) => {
                let (field, text) = message(&field);
                errors.add(field, text);
            }
            Err(error) => return Err(error.into()),
        }
    }
    let page = page(&state, &user, Some(&fields), errors, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}
