//! The JSON API under `/api/v1`: what the pages do, for other systems (a municipality's
//! case system, a provincial dashboard), with the same access rules — the register's —
//! and errors as RFC 9457 problem documents. Callers sign in with a personal API token
//! (`Authorization: Bearer wbr_…`); cookies are never read here, so no request to the
//! API can ride on a browser's session (and the cross-site guard has nothing to guard).

mod actions;
mod bearer;
mod cases;
mod dossiers;
mod evaluate;
mod evidence;
mod json;
mod me;
mod people;
pub(crate) mod problem;
mod report;
mod schema;
mod yearly;

use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;
use evidence::EvidenceDownload;
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
        .route("/openapi.json", get(openapi))
        .route("/me", get(me::me))
        .route("/reports", post(report::report))
        .route("/consults", post(report::consult))
        .route("/cases/mine", get(cases::mine))
        .route("/cases/informed", get(cases::informed))
        .route("/inbox", get(cases::inbox))
        .route("/cases/{case}", get(cases::read))
        .route("/cases/{case}/reads", get(cases::reads))
        .route(
            "/cases/{case}/evidence",
            get(evidence::list)
                .post(evidence::add)
                // A file may be as large as the pages take one (the rest: 1 MiB).
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::state::MAX_REQUEST_BYTES,
                )),
        )
        .route("/cases/{case}/evidence/{evidence}", get(evidence::download))
        .route("/cases/{case}/dossier", get(dossiers::police))
        .route(
            "/cases/{case}/perpetrators/{perpetrator}",
            get(dossiers::perpetrator),
        )
        .route("/cases/{case}/status", post(actions::status))
        .route("/cases/{case}/promote", post(report::promote))
        .route(
            "/cases/{case}/tasks/{task}/done",
            post(actions::complete_task),
        )
        .route("/cases/{case}/measures", post(actions::measure))
        .route(
            "/cases/{case}/measures/{item}/account",
            post(actions::account),
        )
        .route("/cases/{case}/measures/{item}/end", post(actions::end))
        .route("/cases/{case}/aftercare", post(actions::aftercare))
        .route("/cases/{case}/aftercare/{item}/held", post(actions::held))
        .route("/cases/{case}/police", post(actions::police))
        .route(
            "/cases/{case}/police/{item}/outcome",
            post(actions::outcome),
        )
        .route("/cases/{case}/damage", post(actions::damage))
        .route("/cases/{case}/communication", post(actions::communication))
        .route("/cases/{case}/evaluation", post(actions::evaluation))
        .route("/cases/{case}/access", post(actions::grant))
        .route(
            "/cases/{case}/access/{person}",
            delete(actions::revoke_access),
        )
        .route("/people", get(people::list).post(people::add))
        .route("/reports/yearly", get(yearly::yearly))
        .method_not_allowed_fallback(|| async { Problem::method_not_allowed() })
        .fallback(|| async { Problem::not_found() })
        .layer(axum::middleware::map_response(problems_only))
        // One limiter per application: the bearer extractor counts each token's requests.
        .layer(axum::Extension(bearer::token_limiter()))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The largest request body the API takes: a report is a few kilobytes.
pub(super) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Every refusal of the API is a problem document, also those that axum writes itself
/// (a body over the limit, a path or query it cannot read) in plain text.
async fn problems_only(response: axum::response::Response) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == problem::PROBLEM_JSON.as_bytes());
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        return Problem::of_status(status).into_response();
    }
    response
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
    paths(
        evaluate::evaluate_facts,
        me::me,
        report::report,
        report::consult,
        cases::mine,
        cases::informed,
        cases::inbox,
        cases::read,
        cases::reads,
        evidence::list,
        evidence::add,
        evidence::download,
        dossiers::police,
        dossiers::perpetrator,
        report::promote,
        actions::change_status,
        actions::complete_task,
        actions::decide_measure,
        actions::record_perpetrator_account,
        actions::end_measure,
        actions::plan_aftercare,
        actions::hold_aftercare,
        actions::record_police_contact,
        actions::record_police_outcome,
        actions::record_damage,
        actions::record_communication,
        actions::record_evaluation,
        actions::grant_access,
        actions::revoke_access,
        people::list,
        people::add,
        yearly::yearly,
    ),
    components(schemas(Problem, problem::FieldProblem)),
    tags(
        (name = "protocol", description = "The protocol engine (PROTOCOL.md §15); no sign-in."),
        (name = "me", description = "The person behind the token."),
        (name = "reports", description = "Report an incident, or ask the handler in confidence (scope write)."),
        (name = "cases", description = "My cases, the handler's inbox, the cases I am informed of, one case as far as I may see it (scope read)."),
        (name = "evidence", description = "The evidence of a case: list and download (the handler and granted readers), add (the handler, the reporter, a victim)."),
        (name = "actions", description = "What the case's handler does (scope write); only the handler acts."),
        (name = "people", description = "The organisation's people (scope admin, administrators only)."),
        (name = "insight", description = "The yearly figures (PROTOCOL.md §17), anonymised: for who handles cases, who the protocol informs, and the privacy officer (scope read)."),
    ),
    modifiers(&BearerAuth, &EvidenceDownload, &TooManyRequests),
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

/// Every operation that takes a token may answer 429 (see `bearer::REQUESTS_PER_WINDOW`):
/// said once here for all of them, with the `Retry-After` header.
struct TooManyRequests;

impl Modify for TooManyRequests {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let response = ResponseBuilder::new()
            .description(format!(
                "Too many requests with this token: more than {} a minute. Wait the seconds of `Retry-After`.",
                bearer::REQUESTS_PER_WINDOW
            ))
            .header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(1)),
                    ))
                    .description(Some("Seconds until the token may make requests again."))
                    .build(),
            )
            .content(
                problem::PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                if operation.responses.responses.contains_key("401") {
                    operation
                        .responses
                        .responses
                        .insert(String::from("429"), response.clone().into());
                }
            }
        }
    }
}

/// `GET /api/v1/openapi.json`: the document, as committed in `docs/openapi.json`.
async fn openapi() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        openapi_json(),
    )
        .into_response()
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}
