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
    let page = HomePage {
        layout: user.layout("Start"),
        name: user.me.name.clone(),
        handler: user.me.is_handler(),
        admin: user.me.is_admin(),
        insight: user.me.may_read_yearly_report(),
        evaluation_reminder,
    };
    Ok(html(&page))
}
