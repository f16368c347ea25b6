//! The style sheets, built into the binary: Weerbaar runs as one file, and a page never
//! waits for a file that was not deployed.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::WebError;
use crate::state::AppState;

const FILES: &[(&str, &[u8])] = &[
    (
        "nlds/utrecht-component-library.css",
        include_bytes!("../static/nlds/utrecht-component-library.css"),
    ),
    (
        "nlds/voorbeeld-theme.css",
        include_bytes!("../static/nlds/voorbeeld-theme.css"),
    ),
    ("weerbaar.css", include_bytes!("../static/weerbaar.css")),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(file))
}

async fn file(Path(path): Path<String>) -> Result<Response, WebError> {
    let Some((_, bytes)) = FILES.iter().find(|(name, _)| *name == path) else {
        return Err(WebError::NotFound);
    };
    let mut response = (*bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(response)
}
