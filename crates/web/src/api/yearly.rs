//! `GET /api/v1/reports/yearly?year=YYYY`: the yearly figures of the caller's
//! organisation (PROTOCOL.md §17), byte for byte what `weerbaar report yearly --format
//! json` prints: the same report of the register, written the same way. For who may read
//! it, see `Me::may_read_yearly_report` and docs/insight.md.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use weerbaar_register::ApiScope;
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};

use super::bearer::ApiUser;
use super::problem::Problem;
use super::schema::YearlyReportDoc;
use crate::state::AppState;
use crate::yearly::{YearMistake, parse_year};

/// The `year` of the query string, or a 422 naming `year`.
fn year_of(query: Option<&str>) -> Result<i16, Problem> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|error| Problem::field("(query)", error.to_string()))?;
    let mut years = pairs.iter().filter(|(key, _)| key == "year");
    let given = years.next().map(|(_, value)| value.as_str());
    if years.next().is_some() {
        return Err(Problem::field("year", "give the year once"));
    }
    parse_year(given).map_err(|mistake| {
        let detail = match mistake {
            YearMistake::Missing => String::from("give a year, e.g. ?year=2025"),
            YearMistake::Invalid => {
                format!("a whole number from {FIRST_YEAR} to {LAST_YEAR}")
            }
        };
        Problem::field("year", detail)
    })
}

/// The yearly figures of my organisation.
#[utoipa::path(
    get,
    path = "/reports/yearly",
    tag = "insight",
    params(
        ("year" = i32, Query, description = "The year: an incident counts in the year it happened, in Europe/Amsterdam.", minimum = 1900, maximum = 2999, example = 2025),
    ),
    responses(
        (status = 200, description = "The figures of PROTOCOL.md §17, as `weerbaar report yearly --format json` prints them: counts from 1 to 4 as \"<5\", and \"x\" where a \"<5\" could otherwise be worked out. A year without incidents is zeros.", body = YearlyReportDoc, content_type = "application/json"),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "I do not handle cases, am not informed of incidents by the protocol, and am not the privacy officer.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No year, or not a whole number from 1900 to 2999; `errors` names `year`.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn yearly(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Response, Problem> {
    user.require(ApiScope::Read)?;
    // Who may not read the report learns nothing from its query: refused first.
    if !user.me.may_read_yearly_report() {
        return Err(Problem::forbidden(
            "Het jaarverslag is voor wie meldingen behandelt, wie het protocol over incidenten informeert, en de privacyfunctionaris.",
        ));
    }
    let year = year_of(query.as_deref())?;
    let report = state
        .register()
        .yearly_report(&user.me.organisation, year, weerbaar_register::time::now())
        .await?;
    // As the command line writes it (crates/weerbaar/src/report_cmd.rs): pretty, with a
    // final line break, so that the two can be compared byte for byte.
    let json = serde_json::to_string_pretty(&report).map_err(|error| {
        tracing::error!(%error, "api: cannot write a yearly report");
        Problem::internal()
    })?;
    let mut response = format!("{json}\n").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
