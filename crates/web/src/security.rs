//! Response headers that close off what the pages do not need: no script at all, no
//! framing, no sniffing, no referrer to other sites, no caching of pages with case data.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The pages run no script, so none is allowed; styles and images come from this site.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// HSTS for a year: once a browser has reached the site over HTTPS, it never tries plain
/// HTTP again (where a network attacker could answer). Only when the site's address is
/// `https://`: sent over plain HTTP the header is ignored, and a wrong one would lock
/// people out of a site that has no certificate.
pub(crate) const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

pub(crate) async fn headers(
    State(state): State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = state
        .settings()
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"));
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Not "no-referrer": with that, browsers send `Origin: null` on this site's own form
    // posts, and the cross-site guard can no longer tell them apart. "same-origin" still
    // tells other sites nothing.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    if https {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            STRICT_TRANSPORT_SECURITY,
        );
    }
    if !is_static {
        // A page may hold a threat's account: no copy in any cache or back-forward store.
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    response
}
