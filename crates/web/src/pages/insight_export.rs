//! `POST /inzicht/export`: the incidents of a year as anonymised rows in a CSV file, for
//! those who handle cases and analyse further (`Register::export_anonymised_cases`). A
//! POST with the form's token, not a link: every export is written to the administration
//! log, and no other site may make a browser write one.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jiff::Timestamp;

use crate::error::WebError;
use crate::form::Posted;
use crate::state::AppState;
use crate::yearly::parse_year;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/inzicht/export", post(export))
}

async fn export(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    // Rows, even anonymised, are for those who handle the cases; the others who may
    // read the yearly report see its figures with small cells hidden.
    if !user.me.is_handler() {
        return Err(WebError::Forbidden);
    }
    let Ok(year) = parse_year(Some(fields.get("jaar"))) else {
        return Err(WebError::NotFound);
    };
    let rows = state
        .register()
        .export_anonymised_cases(
            &user.me.organisation,
            Some(&user.me.person),
            year,
            Timestamp::now(),
        )
        .await?;
    let body = crate::spreadsheet::anonymised_cases(year, &rows);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"incidenten-{year}.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
