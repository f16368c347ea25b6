//! Dates as Dutch people read them ("ma 2 mrt 2026, 20:15"), always in Europe/Amsterdam,
//! and the values of the date and time fields of forms.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use weerbaar_protocol::calendar::{amsterdam, in_amsterdam};

use crate::labels::{MONTHS_SHORT, WEEKDAYS_SHORT};

/// "ma 2 mrt 2026"
pub(crate) fn date(date: Date) -> String {
    let weekday = WEEKDAYS_SHORT[usize::from(date.weekday().to_monday_zero_offset() as u8)];
    let month = MONTHS_SHORT[usize::from(date.month() as u8).saturating_sub(1)];
    format!("{weekday} {} {month} {}", date.day(), date.year())
}

/// "ma 2 mrt 2026, 20:15" in Dutch time.
pub(crate) fn moment(at: Timestamp) -> String {
    let local = in_amsterdam(at);
    format!(
        "{}, {:02}:{:02}",
        date(local.date()),
        local.hour(),
        local.minute()
    )
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
