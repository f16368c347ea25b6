//! The start page: what this person can do here, by their roles.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::auth::{SignedIn, current_session};
use crate::error::WebError;
use crate::render::{Layout, html};
use crate::state::AppState;
use crate::{dates, labels};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    name: String,
    handler: bool,
    admin: bool,
    /// May read the yearly report.
    insight: bool,
    /// For those who handle cases: a year has passed without an evaluation of the
    /// protocol.
    evaluation_reminder: Option<String>,
    /// For those who handle cases and the privacy officers: who was given a handling
    /// role in the last weeks, one sentence each.
    new_handlers: Vec<String>,
}

/// How long a new handler is named on the start page.
const NEW_HANDLER_DAYS: i64 = 30;

/// Who was given a handling role in the last [`NEW_HANDLER_DAYS`] days, as sentences;
/// the reader's own new role is no news to them.
async fn new_handlers(state: &AppState, user: &SignedIn) -> Result<Vec<String>, WebError> {
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * NEW_HANDLER_DAYS);
    let found = state
        .register()
        .new_handlers(&user.me.organisation, since)
        .await?;
    Ok(found
        .into_iter()
        .filter(|given| given.person.as_ref() != Some(&user.me.person))
        .map(|given| {
            let roles: Vec<&str> = given.roles.iter().map(|r| labels::role_label(*r)).collect();
            let by = match (&given.by, given.by_name.as_deref()) {
                (None, _) => "De beheerder van de server",
                (Some(_), Some(name)) => name,
                (Some(_), None) => "Een beheerder die niet meer bekend is",
            };
            format!(
                "{by} gaf {} op {} de functie {}.",
                given
                    .person_name
                    .as_deref()
                    .unwrap_or("een persoon die niet meer bekend is"),
                dates::moment(given.at),
                roles.join(" en "),
            )
        })
        .collect())
}

async fn home(
    State(state): State<AppState>,
    mut parts: axum::http::request::Parts,
) -> Result<Response, WebError> {
    if crate::pages::setup::pending_setup(&state).await?.is_some() {
        return Ok(Redirect::to("/inrichten").into_response());
    }
    if current_session(&parts, &state).await?.is_none() {
        return Ok(Redirect::to("/aanmelden").into_response());
    }
    let user = <SignedIn as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await?;
    let evaluation_reminder = if user.me.is_handler() {
        crate::pages::protocol_evaluations::reminder(
            state.register(),
            &user.me.organisation,
            jiff::Timestamp::now(),
        )
        .await?
    } else {
        None
    };
    let new_handlers = if user.me.is_handler() || user.me.is_privacy_officer() {
        new_handlers(&state, &user).await?
    } else {
        Vec::new()
    };
    let page = HomePage {
        layout: user.layout("Start"),
        name: user.me.name.clone(),
        handler: user.me.is_handler(),
        admin: user.me.is_admin(),
        insight: user.me.may_read_yearly_report(),
        evaluation_reminder,
        new_handlers,
    };
    Ok(html(&page))
}
