//! The pages, one module per area; each module's routes are gathered here.

pub(crate) mod admin;
pub(crate) mod calendar;
pub(crate) mod case;
mod case_actions;
pub(crate) mod case_files;
mod consult;
mod health;
mod home;
mod inbox;
mod informed;
pub(crate) mod insight;
mod insight_dashboard;
mod insight_export;
pub(crate) mod my_cases;
mod outbox;
mod preferences;
mod privacy;
mod protocol;
mod protocol_evaluations;
pub(crate) mod report;
pub(crate) mod setup;
mod sign_in;
mod yearly_discussion;

use axum::Router;

use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(admin::routes())
        .merge(setup::routes())
        .merge(sign_in::routes())
        .merge(home::routes())
        .merge(report::routes())
        .merge(my_cases::routes())
        .merge(consult::routes())
        .merge(consult::promotion_routes())
        .merge(inbox::routes())
        .merge(case::routes())
        .merge(case_files::routes())
        .merge(informed::routes())
        .merge(insight::routes())
        .merge(insight_dashboard::routes())
        .merge(insight_export::routes())
        .merge(privacy::routes())
        .merge(outbox::routes())
        .merge(preferences::routes())
        .merge(protocol::routes())
        .merge(protocol_evaluations::routes())
        .merge(calendar::routes())
        .fallback(|| async { crate::error::WebError::NotFound })
}

/// The mistakes of a protocol file, one line each: where (line, key) and why. The reasons
/// come from the protocol engine, which speaks English (it is also a command-line tool).
pub(crate) fn protocol_mistakes(error: &weerbaar_protocol::FileError) -> Vec<String> {
    error
        .mistakes
        .iter()
        .map(|mistake| match mistake.line {
            Some(line) => format!("Regel {line}, {}: {}", mistake.key, mistake.reason),
            None => format!("{}: {}", mistake.key, mistake.reason),
        })
        .collect()
}

/// A new password and its repetition, as the register accepts them.
pub(crate) fn check_new_password(fields: &crate::form::Fields, errors: &mut crate::form::Errors) {
    let password = fields.raw("password").unwrap_or_default();
    if password.chars().count() < weerbaar_register::accounts::MIN_PASSWORD_CHARS {
        errors.add(
            "password",
            format!(
                "Kies een wachtwoord van minstens {} tekens; een zin werkt goed.",
                weerbaar_register::accounts::MIN_PASSWORD_CHARS
            ),
        );
    } else if fields.raw("password_again").unwrap_or_default() != password {
        errors.add("password_again", "Herhaal hetzelfde wachtwoord.");
    }
}
