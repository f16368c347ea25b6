//! Errors of the JSON API as problem documents (RFC 9457): `type`, `title`, `status`,
//! `detail`, and for bad input an `errors` list naming each field. Titles and details are
//! Dutch; the reasons of the protocol engine (which is also a command-line tool) stay in
//! English, as the pages show them too. Nothing about a case leaks through a problem:
//! no access and no such case are one and the same answer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use weerbaar_register::RegisterError;

/// The media type of a problem document.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct Problem {
    /// What kind of problem this is: a URN that stays the same for the same kind.
    #[schema(example = "urn:weerbaar:problem:invalid-input")]
    #[serde(rename = "type")]
    pub kind: String,
    /// A short Dutch summary of the kind of problem.
    pub title: String,
    /// The HTTP status code, repeated.
    pub status: u16,
    /// What went wrong in this request, in Dutch.
    pub detail: String,
    /// For bad input: each field that is wrong, by its path in the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For 429: the seconds to wait, sent as `Retry-After` (not in the document).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// One field of the request that is wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct FieldProblem {
    /// Where in the request: `behaviours[1]`, `victim.role`, `preset`; `(document)` for
    /// the request as a whole.
    #[schema(example = "behaviours[1]")]
    pub field: String,
    /// Why it is wrong.
    pub detail: String,
}

impl Problem {
    fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("urn:weerbaar:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The request's content is wrong: 422, with the fields named.
    pub(crate) fn invalid(errors: Vec<FieldProblem>) -> Problem {
        let detail = match errors.as_slice() {
            [one] => format!("Het veld `{}` klopt niet: {}", one.field, one.detail),
            _ => String::from("Enkele velden kloppen niet; zie `errors`."),
        };
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "De invoer klopt niet",
            detail,
        );
        problem.errors = errors;
        problem
    }

    /// One field is wrong.
    pub(crate) fn field(field: impl Into<String>, detail: impl Into<String>) -> Problem {
        Problem::invalid(vec![FieldProblem {
            field: field.into(),
            detail: detail.into(),
        }])
    }

    /// Unknown, or not yours: the same answer, so that a guessed id tells nothing.
    pub(crate) fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Niet gevonden",
            "Dit bestaat niet, of u hebt er geen toegang toe.",
        )
    }

    /// Known to the caller, but not theirs to do.
    pub(crate) fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Geen toegang", detail)
    }

    /// The token's scope does not reach this far.
    pub(crate) fn insufficient_scope(needed: &str) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            "Sleutel reikt niet zo ver",
            format!("Deze handeling vraagt een API-sleutel met bereik `{needed}`."),
        )
    }

    /// No token, or one that is unknown, expired, revoked or of a disabled account.
    pub(crate) fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Niet aangemeld",
            "Stuur een geldige API-sleutel mee: `Authorization: Bearer wbr_…`. Een sleutel werkt niet meer als hij verlopen of ingetrokken is, of als het account is uitgeschakeld.",
        )
    }

    /// The token has made more requests in this window than the API takes from one
    /// token; `wait` is sent as `Retry-After` (whole seconds, at least one).
    pub(crate) fn too_many_requests(wait: std::time::Duration) -> Problem {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let seconds = seconds.max(1);
        let mut problem = Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Te veel verzoeken",
            format!(
                "Deze API-sleutel heeft in de laatste minuut meer verzoeken gedaan dan de API aanneemt. Probeer het over {seconds} seconden opnieuw."
            ),
        );
        problem.retry_after = Some(seconds);
        problem
    }

    pub(crate) fn unsupported_media_type() -> Problem {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Verkeerd formaat",
            "Stuur de gegevens als JSON, met `Content-Type: application/json`.",
        )
    }

    pub(crate) fn method_not_allowed() -> Problem {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Methode niet toegestaan",
            "Deze methode kan niet op dit adres.",
        )
    }

    /// A refusal that no handler wrote (a body too large, a path that does not parse):
    /// the status kept, in the form of every other problem.
    pub(crate) fn of_status(status: StatusCode) -> Problem {
        match status {
            StatusCode::NOT_FOUND => Problem::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => Problem::method_not_allowed(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::unsupported_media_type(),
            StatusCode::PAYLOAD_TOO_LARGE => Problem::new(
                status,
                "too-large",
                "Te groot",
                "Het verzoek is groter dan de API aanneemt: 1 MiB, met een bewijsstuk 26 MiB.",
            ),
            status if status.is_server_error() => Problem::internal(),
            status => Problem::new(
                status,
                "bad-request",
                "Verzoek niet begrepen",
                "Het verzoek kon niet worden gelezen. Controleer het adres, de parameters en de gegevens.",
            ),
        }
    }

    /// Something broke that the caller cannot fix; the details go to the log only.
    pub(crate) fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Er ging iets mis",
            "Er ging iets mis aan onze kant. Er is niets verloren gegaan dat al was opgeslagen. Probeer het over een paar minuten opnieuw.",
        )
    }
}

impl From<RegisterError> for Problem {
    fn from(error: RegisterError) -> Problem {
        match error {
            RegisterError::NotFound { .. } => Problem::not_found(),
            RegisterError::Forbidden { .. } => {
                Problem::forbidden("U hebt niet genoeg toegang voor deze handeling.")
            }
            RegisterError::Invalid { field, reason } => Problem::field(field, reason),
            RegisterError::Protocol(error) => Problem::from(error),
            other => {
                // Register errors carry no case content (see weerbaar_register::error).
                tracing::error!(error = %other, "api: the register failed");
                Problem::internal()
            }
        }
    }
}

impl From<crate::error::WebError> for Problem {
    fn from(error: crate::error::WebError) -> Problem {
        use crate::error::WebError;
        match error {
            WebError::NotFound => Problem::not_found(),
            WebError::Forbidden => {
                Problem::forbidden("U hebt niet genoeg toegang voor deze handeling.")
            }
            WebError::Internal(detail) => {
                tracing::error!(%detail, "api: the request failed");
                Problem::internal()
            }
            // The API reads no session and no form: these do not arise here.
            _ => Problem::internal(),
        }
    }
}

impl From<weerbaar_protocol::Error> for Problem {
    /// The facts could not become a plan: the field the protocol engine names.
    fn from(error: weerbaar_protocol::Error) -> Problem {
        let field = error.field();
        let reason = match &error {
            weerbaar_protocol::Error::InvalidFacts { reason, .. } => reason.clone(),
            other => {
                let text = other.to_string();
                text.strip_prefix(&format!("{field}: "))
                    .map(str::to_owned)
                    .unwrap_or(text)
            }
        };
        Problem::field(field, reason)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"weerbaar\""),
            );
        }
        response
    }
}
