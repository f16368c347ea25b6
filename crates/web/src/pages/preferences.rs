//! "E-mail" (`/instellingen/e-mail`): which mails a person gets. Every kind is on until
//! the person turns it off; mails carry no case content, only what waits and a link.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use weerbaar_register::MailKind;

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::Posted;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/instellingen/e-mail", get(show).post(save))
}

struct Choice {
    code: &'static str,
    label: &'static str,
    on: bool,
}

#[derive(Template)]
#[template(path = "preferences.html")]
struct PreferencesPage {
    layout: Layout,
    csrf: String,
    choices: Vec<Choice>,
    saved: bool,
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let saved = query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair.split('=').next() == Some("opgeslagen"));
    let choices = state
        .register()
        .mail_preferences(&user.me.person)
        .await?
        .into_iter()
        .filter(|(kind, _)| kind.optional())
        .map(|(kind, on)| Choice {
            code: kind.as_str(),
            label: kind.label(),
            on,
        })
        .collect();
    let page = PreferencesPage {
        layout: user.layout("E-mail"),
        csrf: user.session.csrf.clone(),
        choices,
        saved,
    };
    Ok(html(&page))
}

async fn save(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    for kind in MailKind::ALL.iter().filter(|kind| kind.optional()) {
        state
            .register()
            .set_mail_preference(
                &user.me.organisation,
                &user.me.person,
                *kind,
                fields.ticked(kind.as_str()),
            )
            .await?;
    }
    Ok(Redirect::to("/instellingen/e-mail?opgeslagen").into_response())
}
