//! A second wall against cross-site requests, before the form token is even read: a
//! browser says where a request comes from (`Sec-Fetch-Site`, `Origin`), and a change
//! that comes from another site is refused outright.

use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

pub(crate) async fn refuse_cross_site_posts(request: Request, next: Next) -> Response {
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
        if !vouched && Some(origin_host) != host {
            return WebError::CrossSite.into_response();
        }
    }
    next.run(request).await
}
