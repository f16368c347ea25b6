//! The text of the yearly discussion on the council page, and the page as a PDF.
//!
//! - `POST /inzicht/jaarverslag/bespreking`: who handles cases saves the draft of the
//!   three texts (dilemma's, conclusies, voorgestelde wijzigingen van het protocol), or
//!   makes it final ("Definitief maken"); the register then keeps the figures of that
//!   moment with it, and nothing changes it again.
//! - `GET /inzicht/jaarverslag.pdf?jaar=YYYY`: the yearly report as a PDF, for who may
//!   read the page: the final version once there is one, else a concept
//!   (`crate::yearly_pdf::for_year`).
//!
//! Who may read the page (informed roles, the privacy officer) reads the draft too, as
//! the PDF of the concept shows it; only who handles cases writes.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use weerbaar_register::RegisterError;
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};
use weerbaar_register::yearly_discussion::{DiscussionText, MAX_TEXT_CHARS, YearlyDiscussion};

use super::insight::page_for_year;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted};
use crate::state::AppState;
use crate::yearly::parse_year;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/inzicht/jaarverslag.pdf", get(pdf))
        .route("/inzicht/jaarverslag/bespreking", post(save))
}

/// The form's fields with the register's names for them and their Dutch labels.
const FIELDS: [(&str, &str, &str); 3] = [
    ("dilemmas", "dilemmas", "Dilemma's"),
    ("conclusies", "conclusions", "Conclusies"),
    (
        "wijzigingen",
        "changes",
        "Voorgestelde wijzigingen van het protocol",
    ),
];

/// The discussion as the page shows it.
pub(crate) struct DiscussionView {
    pub(crate) year: i16,
    /// Whether the person may write (who handles cases), and the version is a draft.
    pub(crate) may_write: bool,
    /// "Definitief gemaakt op … door …", once final.
    pub(crate) final_note: Option<String>,
    /// "Laatst opgeslagen op … door …", for a draft.
    pub(crate) draft_note: Option<String>,
    /// The values of the form's fields, in the order of [`FIELDS`].
    pub(crate) values: [String; 3],
    /// The texts to read: per heading its paragraphs (a line each).
    pub(crate) sections: Vec<(&'static str, Vec<String>)>,
    pub(crate) pdf_href: String,
}

impl DiscussionView {
    pub(crate) fn is_final(&self) -> bool {
        self.final_note.is_some()
    }

    /// The value of one of the form's fields, by its name.
    pub(crate) fn value(&self, name: &str) -> &str {
        FIELDS
            .iter()
            .zip(&self.values)
            .find(|((field, _, _), _)| *field == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The discussion of `year` as stored.
    pub(crate) async fn load(
        state: &AppState,
        user: &SignedIn,
        year: i16,
    ) -> Result<DiscussionView, WebError> {
        let stored = state
            .register()
            .yearly_discussion(&user.me.organisation, year)
            .await?;
        let text = stored.as_ref().map(|d| d.text.clone()).unwrap_or_default();
        Self::with_text(state, user, year, stored.as_ref(), &text).await
    }

    /// The discussion of `year` with `text` in the form (as stored, or as just sent).
    async fn with_text(
        state: &AppState,
        user: &SignedIn,
        year: i16,
        stored: Option<&YearlyDiscussion>,
        text: &DiscussionText,
    ) -> Result<DiscussionView, WebError> {
        let name = |person| async move { person_name(state, user, person).await };
        let final_note = match stored.and_then(|d| d.final_version.as_ref()) {
            Some(version) => Some(format!(
                "Deze tekst is definitief gemaakt op {} door {}. Hij verandert niet meer. De pdf bevat de cijfers zoals ze op dat moment waren.",
                crate::dates::moment(version.at),
                name(&version.by).await?
            )),
            None => None,
        };
        let draft_note = match stored {
            Some(draft) if draft.final_version.is_none() => Some(format!(
                "Het concept is het laatst opgeslagen op {} door {}.",
                crate::dates::moment(draft.updated_at),
                name(&draft.updated_by).await?
            )),
            _ => None,
        };
        // What is shown to read: the stored text (the form shows what was sent).
        let shown = stored.map(|d| d.text.clone()).unwrap_or_default();
        let sections = if stored.is_some() {
            FIELDS
                .iter()
                .zip(shown.fields())
                .map(|((_, _, heading), (_, body))| (*heading, paragraphs(body)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(DiscussionView {
            year,
            may_write: user.me.is_handler() && final_note.is_none(),
            final_note,
            draft_note,
            values: [
                text.dilemmas.clone(),
                text.conclusions.clone(),
                text.changes.clone(),
            ],
            sections,
            pdf_href: format!("/inzicht/jaarverslag.pdf?jaar={year}"),
        })
    }
}

/// A text in paragraphs, one per non-empty line; "Niet ingevuld." for no text at all.
fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        vec![String::from("Niet ingevuld.")]
    } else {
        lines
    }
}

/// The name of a person of the organisation, for "door …".
async fn person_name(
    state: &AppState,
    user: &SignedIn,
    person: &weerbaar_register::PersonId,
) -> Result<String, WebError> {
    match state.register().person(&user.me.organisation, person).await {
        Ok(summary) => Ok(summary.name),
        Err(RegisterError::NotFound { .. }) => Ok(String::from("iemand die er niet meer is")),
        Err(other) => Err(other.into()),
    }
}

/// What the person asked: save the draft or make it final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Save,
    Finalise,
}

/// The Dutch message for a mistake the register found, at the form's field.
fn mistake(field: &str, year: i16) -> (&'static str, String) {
    match field {
        "year" => (
            "jaar",
            format!("Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}."),
        ),
        "final" => (
            "bespreking",
            format!("De tekst van {year} is al definitief gemaakt. Hij kan niet meer veranderen."),
        ),
        other => {
            let (form_field, _, label) = FIELDS
                .iter()
                .find(|(_, register, _)| *register == other)
                .copied()
                .unwrap_or(FIELDS[0]);
            (
                form_field,
                format!("{label}: hoogstens {} tekens.", thousands(MAX_TEXT_CHARS)),
            )
        }
    }
}

async fn save(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    if !user.me.may_read_yearly_report() || !user.me.is_handler() {
        return Err(WebError::Forbidden);
    }
    let Ok(year) = parse_year(Some(fields.get("jaar"))) else {
        // Without a year there is no page to show the text on: the year's form says it.
        return Ok(Redirect::to("/inzicht/jaarverslag?jaar=ongeldig").into_response());
    };
    let text = text_of(&fields);
    let action = match fields.get("actie") {
        "definitief" => Action::Finalise,
        _ => Action::Save,
    };
    let mut errors = check(&text, action);
    let register = state.register();
    let organisation = &user.me.organisation;
    if errors.is_empty() {
        let now = weerbaar_register::time::now();
        let done = match action {
            Action::Save => {
                register
                    .save_yearly_discussion(organisation, &user.me.person, year, &text, now)
                    .await
            }
            Action::Finalise => {
                register
                    .finalise_yearly_discussion(organisation, &user.me.person, year, &text, now)
                    .await
            }
        };
        match done {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/inzicht/jaarverslag?jaar={year}#bespreking"))
                        .into_response(),
                );
            }
            Err(RegisterError::Invalid { field, .. }) => {
                let (field, message) = mistake(&field, year);
                errors.add(field, message);
            }
            Err(other) => return Err(other.into()),
        }
    }
    let stored = register.yearly_discussion(organisation, year).await?;
    let view = DiscussionView::with_text(&state, &user, year, stored.as_ref(), &text).await?;
    page_for_year(&state, &user, year, view, errors).await
}

/// A number as Dutch readers write it: 10.000.
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// The three texts as sent.
fn text_of(fields: &Fields) -> DiscussionText {
    let raw = |name: &str| fields.raw(name).unwrap_or_default().trim().to_owned();
    DiscussionText {
        dilemmas: raw("dilemmas"),
        conclusions: raw("conclusies"),
        changes: raw("wijzigingen"),
    }
}

/// The mistakes the page can see before the register does: a text too long, and a
/// final version without any text.
fn check(text: &DiscussionText, action: Action) -> Errors {
    let mut errors = Errors::default();
    for ((field, _, label), (_, body)) in FIELDS.iter().zip(text.fields()) {
        let length = body.chars().count();
        if length > MAX_TEXT_CHARS {
            errors.add(
                field,
                format!(
                    "{label}: hoogstens {} tekens. Nu zijn het er {}.",
                    thousands(MAX_TEXT_CHARS),
                    thousands(length)
                ),
            );
        }
    }
    if action == Action::Finalise && text.is_empty() && errors.is_empty() {
        errors.add(
            "dilemmas",
            "Vul minstens één van de drie teksten in voordat u de tekst definitief maakt.",
        );
    }
    errors
}

async fn pdf(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    if !user.me.may_read_yearly_report() {
        return Err(WebError::Forbidden);
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let asked = pairs
        .iter()
        .find(|(key, _)| key == "jaar")
        .map(|(_, value)| value.as_str());
    let Ok(year) = parse_year(asked) else {
        // The page names the mistake at its year field.
        let back = format!(
            "/inzicht/jaarverslag?jaar={}",
            crate::form::url_encode(asked.unwrap_or_default())
        );
        return Ok(Redirect::to(&back).into_response());
    };
    let bytes = crate::yearly_pdf::for_year(
        state.register(),
        &user.me.organisation,
        &user.me.organisation_name,
        year,
        weerbaar_register::time::now(),
    )
    .await
    .map_err(|error| match error {
        crate::yearly_pdf::PdfError::Register(error) => WebError::from(error),
        other => WebError::Internal(other.to_string()),
    })?;
    let name = crate::yearly_pdf::file_name(&user.me.organisation_name, year);
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_dots_between_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
    }
}
