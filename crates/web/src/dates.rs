//! Dates as Dutch people read them ("ma 2 mrt 2026, 20:15"), always in Europe/Amsterdam,
//! and the values of the date and time fields of forms.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use weerbaar_protocol::calendar::{amsterdam, in_amsterdam};

/// "ma 2 mrt 2026"
pub(crate) fn date(date: Date) -> String {
    weerbaar_protocol::labels::date_words(date)
}

/// "ma 2 mrt 2026, 20:15" in Dutch time.
pub(crate) fn moment(at: Timestamp) -> String {
    weerbaar_protocol::labels::moment_words(at)
}

/// The day of a moment in Dutch time.
pub(crate) fn local_date(at: Timestamp) -> Date {
    in_amsterdam(at).date()
}

/// Reads an `<input type="datetime-local">` as Dutch time. A time that does not exist
/// (the hour skipped in spring) moves forward; an ambiguous one takes the first.
pub(crate) fn parse_input(value: &str) -> Option<Timestamp> {
    let civil: DateTime = value.trim().parse().ok()?;
    if !(1900..=2999).contains(&civil.year()) {
        return None;
    }
    civil.to_zoned(amsterdam()).ok().map(|z| z.timestamp())
}

/// Reads an `<input type="date">`.
pub(crate) fn parse_date(value: &str) -> Option<Date> {
    let date: Date = value.trim().parse().ok()?;
    (1900..=2999).contains(&date.year()).then_some(date)
}

/// A task's deadline in words: "uiterlijk ma 2 mrt 2026, 20:15", a window, a date, or
/// none.
pub(crate) fn due(
    opens_at: Option<Timestamp>,
    due_at: Option<Timestamp>,
    due_date: Option<Date>,
) -> String {
    match (opens_at, due_at, due_date) {
        (Some(from), Some(to), _) => format!("tussen {} en {}", moment(from), moment(to)),
        (None, Some(to), _) => format!("uiterlijk {}", moment(to)),
        (_, None, Some(day)) => format!("uiterlijk {}", date(day)),
        _ => String::from("geen vaste termijn"),
    }
}

/// A deadline as `due` says it, or a target (PROTOCOL.md §16.4) as a streefdatum: "streven
/// naar uiterlijk …", which no page marks as late.
pub(crate) fn due_or_target(
    opens_at: Option<Timestamp>,
    due_at: Option<Timestamp>,
    due_date: Option<Date>,
    target: bool,
) -> String {
    let words = due(opens_at, due_at, due_date);
    match words.strip_prefix("uiterlijk ") {
        Some(rest) if target => format!("streefdatum {rest}"),
        _ if target => format!("{words} (streefdatum)"),
        _ => words,
    }
}

/// Whether a deadline has passed.
pub(crate) fn overdue(due_at: Option<Timestamp>, due_date: Option<Date>, now: Timestamp) -> bool {
    match (due_at, due_date) {
        (Some(at), _) => at < now,
        (None, Some(day)) => day < in_amsterdam(now).date(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_reads_as_a_streefdatum() {
        let day: Date = "2026-03-02".parse().unwrap();
        assert_eq!(
            due_or_target(None, None, Some(day), true),
            "streefdatum ma 2 mrt 2026"
        );
        assert_eq!(
            due_or_target(None, None, Some(day), false),
            "uiterlijk ma 2 mrt 2026"
        );
        assert_eq!(
            due_or_target(None, None, None, true),
            "geen vaste termijn (streefdatum)"
        );
    }

    #[test]
    fn dutch_dates_read_as_the_issue_shows() {
        let at: Timestamp = "2026-03-02T19:15:00Z".parse().unwrap();
        assert_eq!(moment(at), "ma 2 mrt 2026, 20:15");
        let summer: Timestamp = "2026-07-05T08:05:00Z".parse().unwrap();
        assert_eq!(moment(summer), "zo 5 jul 2026, 10:05");
    }

    #[test]
    fn form_values_are_read_in_dutch_time() {
        // 02:30 on the last Sunday of October exists twice; the first (summer time) counts.
        assert_eq!(
            parse_input("2026-10-25T02:30"),
            Some("2026-10-25T00:30:00Z".parse().unwrap())
        );
        assert_eq!(
            parse_input("2026-03-02T20:15"),
            Some("2026-03-02T19:15:00Z".parse().unwrap())
        );
        assert_eq!(parse_input("gisteren"), None);
        assert_eq!(parse_input("3026-03-02T20:15"), None);
    }
}
