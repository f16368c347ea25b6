//! A second wall against cross-site requests, before the form token is even read: a
//! browser says where a request comes from (`Sec-Fetch-Site`, `Origin`), and a change
//! that comes from another site is refused outright.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;
use crate::state::AppState;

/// The origin (`scheme://host[:port]`) of `server.public_url`, which may carry a path.
fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    url[start..]
        .find('/')
        .map_or(url, |end| &url[..start + end])
}

pub(crate) async fn refuse_cross_site_posts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    // The API reads no cookie (its callers send a bearer token), so a request that a
    // browser sends from another site carries nothing that would sign it in.
    if crate::api::is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let site = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok());
    if matches!(site, Some("cross-site" | "same-site")) {
        return WebError::CrossSite.into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        // An opaque origin ("null", sent under strict referrer settings) says nothing;
        // it passes only when the browser itself says the request is from this site.
        let vouched = origin == "null" && site == Some("same-origin");
        // With the site's address known, the whole origin must be it: `http://` on the
        // host of an `https://` site is another origin (a network attacker's page).
        // Without it, behind a proxy the scheme cannot be known here; the host must match.
        let same = match state.settings().public_url.as_deref() {
            Some(url) => origin.eq_ignore_ascii_case(origin_of(url)),
            None => Some(origin_host) == host,
        };
        if !vouched && !same {
            return WebError::CrossSite.into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn the_origin_of_the_public_url_is_its_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://weerbaar.gemeente.nl"),
            "https://weerbaar.gemeente.nl"
        );
        assert_eq!(
            origin_of("https://gemeente.nl:8443/weerbaar"),
            "https://gemeente.nl:8443"
        );
    }
}
