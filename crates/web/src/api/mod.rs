//! The JSON API under `/api/v1`: what the pages do, for other systems (a municipality's
//! case system, a provincial dashboard), with the same access rules — the register's —
//! and errors as RFC 9457 problem documents. Callers sign in with a personal API token
//! (`Authorization: Bearer wbr_…`); cookies are never read here, so no request to the
//! API can ride on a browser's session (and the cross-site guard has nothing to guard).

mod bearer;
mod evaluate;
#[allow(dead_code)] // `parse` serves the endpoints that take a body (next commits)
mod json;
mod me;
pub(crate) mod problem;
mod schema;

use axum::Router;
use axum::routing::{get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;
use problem::Problem;

/// Where the API lives.
pub(crate) const PREFIX: &str = "/api/v1";

/// Whether a request is for the API (which reads no cookie).
pub(crate) fn is_api_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The API's routes, to be nested under [`PREFIX`].
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/protocol/evaluate", post(evaluate::evaluate_facts))
        .route("/me", get(me::me))
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .fallback(|| async { Problem::not_found() })
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Weerbaar API",
        description = "Register and case handler for aggression against Dutch political office holders. \
            The same access rules as the pages: no access answers 404 (never revealing that a case exists), \
            too little access 403. Errors are RFC 9457 problem documents with Dutch titles and details.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    servers((url = "/api/v1")),
    paths(evaluate::evaluate_facts, me::me),
    components(schemas(Problem, problem::FieldProblem)),
    tags(
        (name = "protocol", description = "The protocol engine (PROTOCOL.md §15); no sign-in."),
        (name = "me", description = "The person behind the token."),
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub(crate) struct ApiDoc;

/// The bearer scheme: a personal API token, made on /instellingen/tokens.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("wbr_…")
                    .description(Some(
                        "A personal API token (`wbr_` and 43 characters), made by its person on /instellingen/tokens or with `weerbaar token create`; scope read, write or admin.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}
