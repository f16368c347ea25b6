//! `/protocol`: the organisation's protocol as a Dutch document, for everyone who works
//! under it. It is rendered from the active protocol file itself (PROTOCOL.md §16), so the
//! text people read is the rule Weerbaar runs.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use weerbaar_protocol::document::{Block, Document};
use weerbaar_protocol::readable;

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/protocol", get(show))
}

#[derive(Template)]
#[template(path = "protocol.html")]
struct ProtocolPage {
    layout: Layout,
    doc: Document,
    /// Who may read the evaluations of the protocol gets a link to them, and the
    /// reminder when a year has passed without one.
    evaluations: bool,
    reminder: Option<String>,
}

async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let evaluations = user.me.may_read_yearly_report();
    let reminder = if evaluations {
        super::protocol_evaluations::reminder(
            state.register(),
            &user.me.organisation,
            jiff::Timestamp::now(),
        )
        .await?
    } else {
        None
    };
    let page = ProtocolPage {
        layout: user.layout("Ons protocol"),
        doc: readable::document(&protocol),
        evaluations,
        reminder,
    };
    Ok(html(&page))
}
