//! The one error type of the web layer: every failure becomes a calm Dutch page with the
//! right status, and nothing about a case leaks through it.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use weerbaar_register::RegisterError;

use crate::render::Layout;

#[derive(Debug)]
pub(crate) enum WebError {
    /// Unknown, or not yours to see: the same answer, so a guessed id tells nothing.
    NotFound,
    /// Signed in, but this is not for you (a page, not a case).
    Forbidden,
    /// Not signed in (or the session ended): go to the sign-in page, then come back.
    SignInRequired {
        back_to: String,
    },
    /// The person's roles now require a second factor and they have none: the session
    /// waits at the enrolment page.
    SecondFactorRequired,
    /// The form's token is missing or wrong.
    FormToken,
    /// The body is larger than the server takes (a file over the limit).
    TooLarge,
    /// The body could not be read as a form (cut off, or not a form at all).
    Unreadable,
    /// A change sent from another site.
    CrossSite,
    TooManyAttempts,
    /// Signing in through the identity provider did not work; the explanation says why
    /// in words the person can act on.
    SignInRefused(&'static str),
    /// The identity provider cannot be reached, or its configuration is wrong.
    ProviderUnavailable,
    /// Something broke that the person cannot fix; the details go to the log only.
    Internal(String),
}

impl WebError {
    /// A body that could not be read, by the status its extractor gave: too large, or
    /// not a (whole) form. Never "Formulier verlopen": the token was not even reached.
    pub(crate) fn unreadable_body(status: StatusCode) -> WebError {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::Unreadable
        }
    }
}

impl From<RegisterError> for WebError {
    fn from(error: RegisterError) -> WebError {
        match error {
            RegisterError::NotFound { .. } => WebError::NotFound,
            RegisterError::Forbidden { .. } => WebError::Forbidden,
            other => WebError::Internal(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    explanation: &'static str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, heading, explanation) = match self {
            WebError::SignInRequired { back_to } => {
                let target = if back_to.starts_with('/') && !back_to.starts_with("//") {
                    format!("/aanmelden?terug={}", crate::form::url_encode(&back_to))
                } else {
                    String::from("/aanmelden")
                };
                return Redirect::to(&target).into_response();
            }
            WebError::SecondFactorRequired => {
                return Redirect::to("/aanmelden/tweede-factor").into_response();
            }
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Niet gevonden",
                "Deze pagina bestaat niet, of u hebt er geen toegang toe.",
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Geen toegang",
                "Deze pagina is niet voor uw rol bedoeld. Neem contact op met de beheerder als u denkt dat dit niet klopt.",
            ),
            WebError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Te groot om te versturen",
                "Wat u verstuurde is groter dan Weerbaar aanneemt: een bestand mag ten hoogste 25 MB zijn. Er is niets opgeslagen. Ga terug, kies een kleiner bestand (of maak een schermafbeelding) en verstuur het formulier opnieuw.",
            ),
            WebError::Unreadable => (
                StatusCode::BAD_REQUEST,
                "Formulier niet goed aangekomen",
                "Het formulier kwam niet volledig aan, bijvoorbeeld omdat de verbinding wegviel. Er is niets opgeslagen. Ga terug en verstuur het opnieuw.",
            ),
            WebError::FormToken | WebError::CrossSite => (
                StatusCode::FORBIDDEN,
                "Formulier verlopen",
                "Het formulier kon niet worden verwerkt, omdat het verlopen is of niet van deze site kwam. Ga terug, laad de pagina opnieuw en probeer het nog eens.",
            ),
            WebError::TooManyAttempts => (
                StatusCode::TOO_MANY_REQUESTS,
                "Te veel pogingen",
                "Er zijn te veel pogingen gedaan. Wacht een minuut en probeer het dan opnieuw.",
            ),
            WebError::SignInRefused(explanation) => {
                (StatusCode::FORBIDDEN, "Aanmelden niet gelukt", explanation)
            }
            WebError::ProviderUnavailable => (
                StatusCode::BAD_GATEWAY,
                "Aanmelden bij uw organisatie lukt nu niet",
                "De aanmeldvoorziening van uw organisatie is nu niet bereikbaar. Probeer het over een paar minuten opnieuw, of meld u aan met uw e-mailadres en wachtwoord.",
            ),
            WebError::Internal(detail) => {
                // Register errors carry no case content (see weerbaar_register::error).
                tracing::error!(error = %detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis",
                    "Er ging iets mis aan onze kant. Er is niets verloren gegaan dat al was opgeslagen. Probeer het over een paar minuten opnieuw.",
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::anonymous(heading),
            heading,
            explanation,
        };
        (status, crate::render::html(&page)).into_response()
    }
}
