//! "E-mail" in the administration (`/beheer/e-mail`): the organisation's outbox — how
//! many mails wait, were sent or failed, and the latest mails with their kind, state,
//! attempts and last error. Never a mail's content or address: there is none to show.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use weerbaar_register::MailState;

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::render::{Layout, html};
use crate::state::AppState;

/// How many of the latest mails the page lists.
const SHOWN: u32 = 200;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/beheer/e-mail", get(show))
}

struct Row {
    kind: &'static str,
    state: &'static str,
    attempts: u32,
    created: String,
    next: String,
    error: String,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    layout: Layout,
    queued: usize,
    sent: usize,
    failed: usize,
    rows: Vec<Row>,
}

fn state_label(state: MailState) -> &'static str {
    match state {
        MailState::Queued => "wacht",
        MailState::Sent => "verstuurd",
        MailState::Failed => "mislukt",
    }
}

async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    user.require_admin()?;
    let entries = state
        .register()
        .outbox(&user.me.organisation, SHOWN)
        .await?;
    let count = |wanted: MailState| entries.iter().filter(|e| e.state == wanted).count();
    let page = OutboxPage {
        layout: user.layout("E-mail"),
        queued: count(MailState::Queued),
        sent: count(MailState::Sent),
        failed: count(MailState::Failed),
        rows: entries
            .iter()
            .map(|entry| Row {
                kind: entry.kind.label(),
                state: state_label(entry.state),
                attempts: entry.attempts,
                created: dates::moment(entry.created_at),
                next: match entry.state {
                    MailState::Queued => dates::moment(entry.next_attempt_at),
                    MailState::Sent => entry.sent_at.map(dates::moment).unwrap_or_default(),
                    MailState::Failed => String::new(),
                },
                error: entry.last_error.clone().unwrap_or_default(),
            })
            .collect(),
    };
    Ok(html(&page))
}
