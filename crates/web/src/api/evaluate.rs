//! `POST /api/v1/protocol/evaluate?preset=NAME`: PROTOCOL.md §15 over HTTP. The facts of
//! an incident in, the plan of a preset out — the same plan `weerbaar protocol evaluate`
//! prints. No sign-in (the presets are public documents) and nothing is stored.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use weerbaar_protocol::{Facts, evaluate, preset, preset_names};

use super::json::require_json;
use super::problem::Problem;
use super::schema::{FactsDoc, PlanDoc};

/// The `preset` of the query string; `None` when it is left out or given empty.
fn preset_of(query: Option<&str>) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query.unwrap_or_default())
        .ok()?
        .into_iter()
        .find(|(key, _)| key == "preset")
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// Evaluate the facts of an incident under a preset.
#[utoipa::path(
    post,
    path = "/protocol/evaluate",
    tag = "protocol",
    params(
        ("preset" = String, Query, description = "One of the presets: westerveld, utrecht, leiden, nijmegen, model.", example = "westerveld"),
    ),
    request_body(content = FactsDoc, content_type = "application/json", description = "The facts (PROTOCOL.md §15, input)."),
    responses(
        (status = 200, description = "The plan (PROTOCOL.md §15, output), as `weerbaar protocol evaluate` prints it.", body = PlanDoc, content_type = "application/json"),
        (status = 404, description = "No preset of that name.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The facts are not of the contract's shape, or the protocol cannot take them; `errors` names the field.", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub(crate) async fn evaluate_facts(
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let Some(name) = preset_of(query.as_deref()) else {
        return Err(Problem::field(
            "preset",
            format!(
                "give a preset, e.g. ?preset=westerveld; allowed: {}",
                preset_names().join(", ")
            ),
        ));
    };
    let Some(protocol) = preset(&name) else {
        let mut problem = Problem::not_found();
        problem.detail = format!(
            "Er is geen preset `{name}`. Kies uit: {}.",
            preset_names().join(", ")
        );
        return Err(problem);
    };
    require_json(&headers)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::field("(document)", "the body is not UTF-8 text"))?;
    let facts = Facts::from_json(text)?;
    let plan = evaluate(protocol, &facts)?;
    let json = serde_json::to_string_pretty(&plan).map_err(|error| {
        tracing::error!(%error, "api: cannot print a plan");
        Problem::internal()
    })?;
    let mut response = format!("{json}\n").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
