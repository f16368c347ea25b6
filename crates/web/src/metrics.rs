//! Prometheus metrics at `/metrics`: requests by route template and status, their
//! latency, the overdue tasks and the outbox's waiting and failed mails per organisation.
//! Labels are route templates (`/zaken/{case}`), never the path asked for, so no case id,
//! name or address ends up in a metric; organisations are named by their id.
//!
//! The text format is written here rather than with a metrics crate: the few series are
//! simple, and an own encoder of some eighty lines costs less than a dependency tree.
//!
//! `/metrics` is off unless `[metrics] enabled` is set; with `[metrics] token` it answers
//! only a request with `Authorization: Bearer <token>`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// `[metrics]`: whether `/metrics` answers, and the bearer token it then asks for.
#[derive(Clone, Default)]
pub struct MetricsSettings {
    /// When set, `/metrics` asks for `Authorization: Bearer <token>`.
    pub token: Option<String>,
}

impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("token", &self.token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// What the server counted since it started.
#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Counted>,
}

#[derive(Default)]
struct Counted {
    /// (method, route, status) → requests.
    requests: BTreeMap<(&'static str, String, u16), u64>,
    /// (method, route) → latency.
    latency: BTreeMap<(&'static str, String), Histogram>,
}

impl Metrics {
    fn observe(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        let Ok(mut counted) = self.inner.lock() else {
            return;
        };
        *counted
            .requests
            .entry((method, route.clone(), status))
            .or_insert(0) += 1;
        let histogram = counted.latency.entry((method, route)).or_default();
        for (bound, count) in BUCKETS.iter().zip(histogram.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    fn render(&self, out: &mut String) {
        let Ok(counted) = self.inner.lock() else {
            return;
        };
        out.push_str("# HELP weerbaar_http_requests_total HTTP requests answered, by route template and status.\n");
        out.push_str("# TYPE weerbaar_http_requests_total counter\n");
        for ((method, route, status), count) in &counted.requests {
            let _ = writeln!(
                out,
                "weerbaar_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP weerbaar_http_request_duration_seconds Time to answer an HTTP request, by route template.\n");
        out.push_str("# TYPE weerbaar_http_request_duration_seconds histogram\n");
        for ((method, route), histogram) in &counted.latency {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, count) in BUCKETS.iter().zip(histogram.counts.iter()) {
                let _ = writeln!(
                    out,
                    "weerbaar_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "weerbaar_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "weerbaar_http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "weerbaar_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
    }
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The route template a request matched, carried out on the response for [`record`].
#[derive(Clone)]
struct Route(String);

/// Inside the router: copies the matched route template onto the response.
pub(crate) async fn tag_route(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(Route(route));
    }
    response
}

/// Around everything: counts the request and its time by route template and status.
pub(crate) async fn record(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<Route>()
        .map_or_else(|| String::from("(geen route)"), |route| route.0.clone());
    state.inner().metrics.observe(
        method,
        route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(settings) = state.settings().metrics.as_ref() else {
        return crate::error::WebError::NotFound.into_response();
    };
    if let Some(token) = &settings.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                "a bearer token is required\n",
            )
                .into_response();
        }
    }
    let mut out = String::new();
    state.inner().metrics.render(&mut out);
    match state
        .register()
        .overdue_tasks_per_organisation(jiff::Timestamp::now())
        .await
    {
        Ok(counts) => {
            out.push_str(
                "# HELP weerbaar_overdue_tasks Open tasks past their deadline, per organisation.\n",
            );
            out.push_str("# TYPE weerbaar_overdue_tasks gauge\n");
            for (organisation, count) in counts {
                let _ = writeln!(
                    out,
                    "weerbaar_overdue_tasks{{organisation=\"{}\"}} {count}",
                    escape(organisation.as_str())
                );
            }
        }
        Err(error) => {
            tracing::error!(%error, "metrics: the overdue tasks could not be counted");
        }
    }
    match state.register().outbox_depth_per_organisation().await {
        Ok(counts) => {
            out.push_str(
                "# HELP weerbaar_outbox_mails Mails in the outbox that wait to be sent (queued) or gave up (failed), per organisation.\n",
            );
            out.push_str("# TYPE weerbaar_outbox_mails gauge\n");
            for (organisation, queued, failed) in counts {
                let organisation = escape(organisation.as_str());
                let _ = writeln!(
                    out,
                    "weerbaar_outbox_mails{{organisation=\"{organisation}\",state=\"queued\"}} {queued}"
                );
                let _ = writeln!(
                    out,
                    "weerbaar_outbox_mails{{organisation=\"{organisation}\",state=\"failed\"}} {failed}"
                );
            }
        }
        Err(error) => {
            tracing::error!(%error, "metrics: the outbox could not be counted");
        }
    }
    out.push_str("# HELP weerbaar_build_info The running version.\n");
    out.push_str("# TYPE weerbaar_build_info gauge\n");
    let _ = writeln!(
        out,
        "weerbaar_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
