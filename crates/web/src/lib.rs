//! Weerbaar in the browser: the pages where an office holder reports, a handler works a
//! case and an administrator keeps the organisation's people and protocol. Server-rendered
//! Dutch HTML (askama), no script; every route checks who asks before it reads anything.

mod api;
mod auth;
mod chart;
mod client_address;
mod cookies;
mod dates;
mod error;
mod evidence_form;
mod form;
mod guard;
pub mod labels;
pub mod mail;
mod metrics;
mod oidc;
mod pages;
mod rate_limit;
mod render;
mod second_factor;
mod security;
pub mod spreadsheet;
mod state;
mod static_files;
mod tokens;
mod upload;
pub mod yearly;
pub mod yearly_pdf;

use std::net::SocketAddr;

use axum::Router;

pub use api::openapi_json;
pub use ipnet::IpNet;
pub use metrics::MetricsSettings;
pub use oidc::{CALLBACK_PATH as OIDC_CALLBACK_PATH, OidcClaim, OidcSettings};
pub use state::{AppState, Settings};

/// The whole application: pages, static files, health checks, with the security layers
/// around them.
pub fn router(state: AppState) -> Router {
    pages::routes()
        .merge(tokens::routes())
        .merge(oidc::routes())
        .nest(api::PREFIX, api::routes())
        .merge(static_files::routes())
        .merge(metrics::routes())
        // The route template goes out on the response, for the count around everything.
        .route_layer(axum::middleware::from_fn(metrics::tag_route))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::refuse_cross_site_posts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            state::MAX_REQUEST_BYTES,
        ))
        // A request that takes longer has gone wrong (or is a slow-read attack on the
        // upload); the transaction it was in is rolled back with it.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(60),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .with_state(state)
}

/// Whether the register still waits for its first administrator (setup in the browser).
pub async fn setup_pending(
    register: &weerbaar_register::Register,
) -> Result<bool, weerbaar_register::RegisterError> {
    Ok(pages::setup::pending(register).await?.is_some())
}

/// Serves the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
