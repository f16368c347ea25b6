//! Turning a template into a response, and what every page's layout needs.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

/// What the layout around every page shows: the title, and for a signed-in person their
/// name, the menu that fits their roles and the token of the sign-out form.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub title: String,
    pub user: Option<Nav>,
}

#[derive(Debug, Clone)]
pub(crate) struct Nav {
    pub name: String,
    pub organisation: String,
    pub csrf: String,
    pub handler: bool,
    pub informed: bool,
    pub admin: bool,
    /// May read the yearly report and the dashboard (`/inzicht`).
    pub insight: bool,
    /// Holds the privacy duty: the privacy overview (`/privacy`).
    pub privacy: bool,
}

impl Layout {
    pub(crate) fn anonymous(title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            user: None,
        }
    }
}

/// The page as HTML; a template that fails to render is a bug, answered with a plain
/// Dutch message rather than half a page.
pub(crate) fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page did not render");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"nl\"><title>Fout</title><p>Er ging iets mis bij het tonen van deze pagina.</p></html>"),
            )
                .into_response()
        }
    }
}
