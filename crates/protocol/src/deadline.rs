//! Deadlines as a protocol file states them, and the moments they give for one incident
//! (PROTOCOL.md §5).

use jiff::Zoned;
use jiff::civil::Date;

use crate::calendar;

/// A length of time in one of the protocol's two arithmetics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Exact hours ("binnen 24 uur").
    Hours(u32),
    /// Calendar days, same local clock time ("binnen drie dagen").
    Days(u32),
    /// Calendar weeks, same local clock time ("na 4 tot 6 weken").
    Weeks(u32),
}

impl Length {
    /// The nominal length in hours, for checking that a window opens before it closes.
    pub fn nominal_hours(self) -> u64 {
        match self {
            Length::Hours(h) => u64::from(h),
            Length::Days(d) => u64::from(d) * 24,
            Length::Weeks(w) => u64::from(w) * 24 * 7,
        }
    }

    fn after(self, start: &Zoned) -> Result<Zoned, jiff::Error> {
        match self {
            Length::Hours(h) => calendar::add_hours(start, i64::from(h)),
            Length::Days(d) => calendar::add_days(start, i64::from(d)),
            Length::Weeks(w) => calendar::add_weeks(start, i64::from(w)),
        }
    }
}

/// When a task is due, as the protocol states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// No fixed deadline: tailored work, or "at once" without a clock.
    None,
    /// A length after the incident.
    After(Length),
    /// A window after the incident: it opens after `from` and closes after `due`.
    Window { from: Length, due: Length },
    /// The n-th working day after the day of reporting; a date, not a moment.
    WorkingDays(u32),
    /// The day of the incident itself ("bij voorkeur op dezelfde dag", §16.4); a date.
    SameDay,
}

/// The due moment of one task for one incident, in the shape of PROTOCOL.md §15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    None,
    At(Zoned),
    Window { from: Zoned, due: Zoned },
    Date(Date),
}

impl Deadline {
    /// Applies the deadline to an incident that occurred at `occurred` and was reported
    /// at `reported` (both on the Amsterdam clock).
    pub fn apply(self, occurred: &Zoned, reported: &Zoned) -> Result<Due, jiff::Error> {
        Ok(match self {
            Deadline::None => Due::None,
            Deadline::After(length) => Due::At(length.after(occurred)?),
            Deadline::Window { from, due } => Due::Window {
                from: from.after(occurred)?,
                due: due.after(occurred)?,
            },
            Deadline::WorkingDays(n) => Due::Date(calendar::add_working_days(reported.date(), n)?),
            Deadline::SameDay => Due::Date(occurred.date()),
        })
    }
}

/// RFC 3339 with the Amsterdam offset of that moment: `2026-03-03T20:15:00+01:00`.
pub fn rfc3339(moment: &Zoned) -> String {
    moment
        .timestamp()
        .display_with_offset(moment.offset())
        .to_string()
}
