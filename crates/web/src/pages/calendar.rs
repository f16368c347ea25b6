//! The calendar link: `/instellingen/agenda` makes (the link shown once) and revokes a
//! person's secret link, and `/agenda/{token}.ics` serves their calendar (RFC 5545):
//! the deadlines of the open tasks of the roles they hold, and the aftercare
//! conversations planned with them or held by them. Summaries name the kind of thing and
//! the case's number, never content: "Weerbaar: taak nazorggesprek 1 (melding 12)".

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use weerbaar_protocol::{Protocol, TaskCode};
use weerbaar_register::{CalendarEntry, CalendarWhen};

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::form::Posted;
use crate::labels::task_code_label;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/instellingen/agenda", get(show).post(create))
        .route("/instellingen/agenda/intrekken", post(revoke))
        .route("/agenda/{file}", get(feed))
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    csrf: String,
    since: Option<String>,
    /// The link just made, shown once: the full address when `server.public_url` is
    /// set, else only its path (see `full`).
    created: Option<String>,
    /// Whether `created` is the full address (with the site's public address before it).
    full: bool,
    revoked: bool,
}

/// The link to give a calendar program: the full address behind `server.public_url`, or
/// the path alone (and `false`) when the site does not know its public address.
fn feed_link(public_url: Option<&str>, token: &str) -> (String, bool) {
    let path = format!("/agenda/{token}.ics");
    match public_url.map(|url| url.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => (format!("{base}{path}"), true),
        _ => (path, false),
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    created: Option<String>,
    revoked: bool,
) -> Result<CalendarPage, WebError> {
    let since = state
        .register()
        .calendar_feed_since(&user.me.person)
        .await?
        .map(dates::moment);
    Ok(CalendarPage {
        layout: user.layout("Agenda"),
        csrf: user.session.csrf.clone(),
        since,
        full: state.settings().public_url.is_some(),
        created,
        revoked,
    })
}

async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    Ok(html(&page(&state, &user, None, false).await?))
}

async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, .. } = posted;
    let token = state
        .register()
        .create_calendar_feed(&user.me.organisation, &user.me.person)
        .await?;
    let (link, _) = feed_link(state.settings().public_url.as_deref(), &token);
    Ok(html(&page(&state, &user, Some(link), false).await?))
}

async fn revoke(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, .. } = posted;
    state
        .register()
        .revoke_calendar_feed(&user.me.person)
        .await?;
    Ok(html(&page(&state, &user, None, true).await?))
}

async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let Some(token) = file.strip_suffix(".ics") else {
        return Err(WebError::NotFound);
    };
    let Some((organisation, person)) = state.register().calendar_feed_owner(token).await? else {
        return Err(WebError::NotFound);
    };
    let entries = state
        .register()
        .calendar_entries(&organisation, &person)
        .await?;
    let protocol = state.register().protocol(&organisation).await?;
    let body = icalendar(&entries, Timestamp::now(), &protocol);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response())
}

/// A calendar in RFC 5545: CRLF line ends, lines folded at 75 octets, text escaped.
pub(crate) fn icalendar(entries: &[CalendarEntry], now: Timestamp, protocol: &Protocol) -> String {
    let mut out = String::new();
    let stamp = utc(now);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Weerbaar//Weerbaar//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Weerbaar",
    ] {
        push(&mut out, line);
    }
    for entry in entries {
        let summary = match (&entry.task, &entry.conversation) {
            (Some(code), _) => {
                // An own task of the protocol (§16.5) has the label its file gives it.
                let label = TaskCode::parse(code)
                    .map(|task| task_code_label(task, protocol).to_lowercase())
                    .unwrap_or_else(|_| String::from("een taak"));
                format!("Weerbaar: taak {label} (melding {})", entry.case_number)
            }
            (None, _) => format!("Weerbaar: nazorggesprek (melding {})", entry.case_number),
        };
        push(&mut out, "BEGIN:VEVENT");
        push(&mut out, &format!("UID:{}@weerbaar", entry.uid));
        push(&mut out, &format!("DTSTAMP:{stamp}"));
        match entry.when {
            CalendarWhen::At(at) => {
                push(&mut out, &format!("DTSTART:{}", utc(at)));
                let end = at
                    + jiff::SignedDuration::from_mins(if entry.task.is_some() { 15 } else { 60 });
                push(&mut out, &format!("DTEND:{}", utc(end)));
            }
            CalendarWhen::Day(day) => {
                push(
                    &mut out,
                    &format!("DTSTART;VALUE=DATE:{}", day.strftime("%Y%m%d")),
                );
                if let Ok(next) = day.tomorrow() {
                    push(
                        &mut out,
                        &format!("DTEND;VALUE=DATE:{}", next.strftime("%Y%m%d")),
                    );
                }
            }
        }
        push(&mut out, &format!("SUMMARY:{}", escape(&summary)));
        push(&mut out, "TRANSP:TRANSPARENT");
        push(&mut out, "END:VEVENT");
    }
    push(&mut out, "END:VCALENDAR");
    out
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Adds one content line, folded so that no line exceeds 75 octets (a fold is CRLF and a
/// space), never inside a UTF-8 character.
fn push(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use weerbaar_register::CaseId;

    #[test]
    fn the_link_is_full_behind_the_public_address_and_a_path_without_it() {
        assert_eq!(
            feed_link(Some("https://weerbaar.gemeente.nl"), "abc"),
            (
                String::from("https://weerbaar.gemeente.nl/agenda/abc.ics"),
                true
            )
        );
        assert_eq!(
            feed_link(Some("https://weerbaar.gemeente.nl/"), "abc").0,
            "https://weerbaar.gemeente.nl/agenda/abc.ics"
        );
        assert_eq!(
            feed_link(None, "abc"),
            (String::from("/agenda/abc.ics"), false)
        );
    }

    #[test]
    fn lines_are_folded_at_75_octets_with_crlf() {
        let entries = vec![
            CalendarEntry {
                uid: String::from("taak-c-nazorg_gesprek_1"),
                case: CaseId(String::from("c")),
                case_number: 12,
                task: Some(String::from("nazorg_gesprek_1")),
                conversation: None,
                when: CalendarWhen::At("2026-03-10T09:00:00Z".parse().unwrap()),
            },
            CalendarEntry {
                uid: format!("nazorg-{}", "é".repeat(60)),
                case: CaseId(String::from("c")),
                case_number: 12,
                task: None,
                conversation: Some(String::from("eerste")),
                when: CalendarWhen::Day("2026-03-11".parse().unwrap()),
            },
        ];
        let protocol = weerbaar_protocol::preset("westerveld").unwrap();
        let text = icalendar(&entries, "2026-03-01T00:00:00Z".parse().unwrap(), protocol);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("DTSTART:20260310T090000Z\r\n"));
        assert!(unfolded.contains("DTSTART;VALUE=DATE:20260311\r\nDTEND;VALUE=DATE:20260312\r\n"));
        assert!(unfolded.contains("SUMMARY:Weerbaar: taak "));
        assert!(unfolded.contains("(melding 12)"));
        assert!(unfolded.contains(&format!("UID:nazorg-{}@weerbaar", "é".repeat(60))));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    }
}
