//! Time as the protocol counts it (PROTOCOL.md §5): all in `Europe/Amsterdam`;
//! hours are exact durations, days and weeks keep the local clock time, and working
//! days skip weekends and the public holidays of the Algemene termijnenwet.

use std::sync::LazyLock;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan, Zoned};

/// The bundled `Europe/Amsterdam` zone: the machine's own tz database is never needed.
pub fn amsterdam() -> TimeZone {
    static ZONE: LazyLock<TimeZone> = LazyLock::new(|| {
        TimeZone::get("Europe/Amsterdam")
            .expect("jiff is built with its tz database bundled, so Europe/Amsterdam is there")
    });
    ZONE.clone()
}

/// A moment seen on the Amsterdam clock.
pub fn in_amsterdam(moment: Timestamp) -> Zoned {
    moment.to_zoned(amsterdam())
}

/// `hours` exact hours later: across a daylight-saving change the clock time shifts.
pub fn add_hours(start: &Zoned, hours: i64) -> Result<Zoned, jiff::Error> {
    start.checked_add(Span::new().try_hours(hours)?)
}

/// The same local clock time `days` calendar days later. A clock time that does not
/// exist on that day (the spring-forward hour) moves forward past the gap.
pub fn add_days(start: &Zoned, days: i64) -> Result<Zoned, jiff::Error> {
    start.checked_add(Span::new().try_days(days)?)
}

/// The same local clock time `weeks` weeks later.
pub fn add_weeks(start: &Zoned, weeks: i64) -> Result<Zoned, jiff::Error> {
    start.checked_add(Span::new().try_weeks(weeks)?)
}

/// Easter Sunday of the Gregorian calendar, by the anonymous (Meeus/Jones/Butcher)
/// computus.
pub fn easter_sunday(year: i16) -> Date {
    // Euclidean division keeps every intermediate value non-negative, so for any year
    // the month is 3 or 4 and the day a real day of it (at most 31 March, 25 April).
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    Date::new(year, month as i8, day as i8).expect("the computus yields a date in March or April")
}

/// The public holidays of the Algemene termijnenwet (art. 3), as PROTOCOL.md §5 lists
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holiday {
    Nieuwjaarsdag,
    TweedePaasdag,
    Koningsdag,
    Bevrijdingsdag,
    Hemelvaartsdag,
    TweedePinksterdag,
    EersteKerstdag,
    TweedeKerstdag,
}

impl Holiday {
    pub fn name(self) -> &'static str {
        match self {
            Holiday::Nieuwjaarsdag => "Nieuwjaarsdag",
            Holiday::TweedePaasdag => "Tweede Paasdag",
            Holiday::Koningsdag => "Koningsdag",
            Holiday::Bevrijdingsdag => "Bevrijdingsdag",
            Holiday::Hemelvaartsdag => "Hemelvaartsdag",
            Holiday::TweedePinksterdag => "Tweede Pinksterdag",
            Holiday::EersteKerstdag => "Eerste Kerstdag",
            Holiday::TweedeKerstdag => "Tweede Kerstdag",
        }
    }
}

/// The holidays of one year, in calendar order.
pub fn public_holidays(year: i16) -> Vec<(Date, Holiday)> {
    let fixed = |month, day| Date::new(year, month, day).expect("fixed holidays are real dates");
    let easter = easter_sunday(year);
    let after_easter = |days: i32| {
        easter
            .checked_add(days.days())
            .expect("a holiday near Easter stays within the year")
    };
    let koningsdag = match fixed(4, 27).weekday() {
        Weekday::Sunday => fixed(4, 26),
        _ => fixed(4, 27),
    };
    let mut holidays = vec![
        (fixed(1, 1), Holiday::Nieuwjaarsdag),
        (after_easter(1), Holiday::TweedePaasdag),
        (koningsdag, Holiday::Koningsdag),
        (fixed(5, 5), Holiday::Bevrijdingsdag),
        (after_easter(39), Holiday::Hemelvaartsdag),
        (after_easter(50), Holiday::TweedePinksterdag),
        (fixed(12, 25), Holiday::EersteKerstdag),
        (fixed(12, 26), Holiday::TweedeKerstdag),
    ];
    holidays.sort_by_key(|(date, _)| *date);
    holidays
}

/// The holiday on `date`, if any.
pub fn holiday_on(date: Date) -> Option<Holiday> {
    public_holidays(date.year())
        .into_iter()
        .find(|(day, _)| *day == date)
        .map(|(_, holiday)| holiday)
}

pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && holiday_on(date).is_none()
}

/// The `n`-th working day after `date` (which itself never counts).
pub fn add_working_days(date: Date, n: u32) -> Result<Date, jiff::Error> {
    let mut day = date;
    let mut left = n;
    let mut holidays = (day.year(), public_holidays(day.year()));
    while left > 0 {
        day = day.tomorrow()?;
        if holidays.0 != day.year() {
            holidays = (day.year(), public_holidays(day.year()));
        }
        let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !weekend && !holidays.1.iter().any(|(holiday, _)| *holiday == day) {
            left -= 1;
        }
    }
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn zoned(text: &str) -> Zoned {
        in_amsterdam(text.parse().unwrap())
    }

    fn rfc3339(moment: &Zoned) -> String {
        moment
            .timestamp()
            .display_with_offset(moment.offset())
            .to_string()
    }

    #[test]
    fn easter_matches_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
        assert_eq!(easter_sunday(1961), date(1961, 4, 2));
    }

    #[test]
    fn holidays_of_2026() {
        let days: Vec<Date> = public_holidays(2026).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            days,
            vec![
                date(2026, 1, 1),
                date(2026, 4, 6),
                date(2026, 4, 27),
                date(2026, 5, 5),
                date(2026, 5, 14),
                date(2026, 5, 25),
                date(2026, 12, 25),
                date(2026, 12, 26),
            ]
        );
    }

    #[test]
    fn koningsdag_moves_to_saturday_when_the_27th_is_a_sunday() {
        // 27 April 2025 and 2031 are Sundays.
        assert_eq!(holiday_on(date(2025, 4, 26)), Some(Holiday::Koningsdag));
        assert_eq!(holiday_on(date(2025, 4, 27)), None);
        assert_eq!(holiday_on(date(2031, 4, 26)), Some(Holiday::Koningsdag));
    }

    #[test]
    fn holidays_of_2027_and_2030_from_the_government_calendar() {
        let days =
            |year| -> Vec<Date> { public_holidays(year).into_iter().map(|(d, _)| d).collect() };
        assert_eq!(
            days(2027),
            [
                date(2027, 1, 1),
                date(2027, 3, 29),
                date(2027, 4, 27),
                date(2027, 5, 5),
                date(2027, 5, 6),
                date(2027, 5, 17),
                date(2027, 12, 25),
                date(2027, 12, 26),
            ]
        );
        assert_eq!(
            days(2030),
            [
                date(2030, 1, 1),
                date(2030, 4, 22),
                date(2030, 4, 27),
                date(2030, 5, 5),
                date(2030, 5, 30),
                date(2030, 6, 10),
                date(2030, 12, 25),
                date(2030, 12, 26),
            ]
        );
    }

    #[test]
    fn easter_never_panics_for_any_year_jiff_knows() {
        for year in -9999..=9999 {
            let easter = easter_sunday(year);
            assert!(matches!(easter.month(), 3 | 4), "{year}");
        }
    }

    #[test]
    fn good_friday_is_a_working_day() {
        assert!(is_working_day(date(2026, 4, 3)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Tuesday 3 March 2026 + 2 = Thursday 5 March (PROTOCOL.md §15).
        assert_eq!(
            add_working_days(date(2026, 3, 3), 2).unwrap(),
            date(2026, 3, 5)
        );
        // Friday + 2 = Tuesday.
        assert_eq!(
            add_working_days(date(2026, 3, 6), 2).unwrap(),
            date(2026, 3, 10)
        );
        // Saturday + 2 = Tuesday.
        assert_eq!(
            add_working_days(date(2026, 3, 7), 2).unwrap(),
            date(2026, 3, 10)
        );
        // Thursday 2 April 2026: Good Friday counts, Easter Monday does not.
        assert_eq!(
            add_working_days(date(2026, 4, 2), 2).unwrap(),
            date(2026, 4, 7)
        );
        // Wednesday 13 May 2026, Ascension on the 14th: Friday 15, Monday 18.
        assert_eq!(
            add_working_days(date(2026, 5, 13), 2).unwrap(),
            date(2026, 5, 18)
        );
        // Christmas Eve 2026 (Thursday): 25, 26 and the weekend skipped, then 28, 29.
        assert_eq!(
            add_working_days(date(2026, 12, 24), 2).unwrap(),
            date(2026, 12, 29)
        );
        // 31 December 2026 (Thursday): New Year's Day skipped: Fri 1 is a holiday, so Mon 4, Tue 5.
        assert_eq!(
            add_working_days(date(2026, 12, 31), 2).unwrap(),
            date(2027, 1, 5)
        );
        // Sunday 26 April 2026, Koningsdag Monday 27: Tuesday 28, Wednesday 29.
        assert_eq!(
            add_working_days(date(2026, 4, 26), 2).unwrap(),
            date(2026, 4, 29)
        );
    }

    #[test]
    fn hours_are_exact_across_the_spring_change() {
        // 29 March 2026, 02:00 CET → 03:00 CEST.
        let start = zoned("2026-03-28T20:15:00+01:00");
        assert_eq!(
            rfc3339(&add_hours(&start, 24).unwrap()),
            "2026-03-29T21:15:00+02:00"
        );
        assert_eq!(
            rfc3339(&add_hours(&start, 72).unwrap()),
            "2026-03-31T21:15:00+02:00"
        );
    }

    #[test]
    fn hours_are_exact_across_the_autumn_change() {
        // 25 October 2026, 03:00 CEST → 02:00 CET.
        let start = zoned("2026-10-24T20:15:00+02:00");
        assert_eq!(
            rfc3339(&add_hours(&start, 24).unwrap()),
            "2026-10-25T19:15:00+01:00"
        );
    }

    #[test]
    fn days_keep_the_clock_time_across_the_changes() {
        let spring = zoned("2026-03-28T20:15:00+01:00");
        assert_eq!(
            rfc3339(&add_days(&spring, 3).unwrap()),
            "2026-03-31T20:15:00+02:00"
        );
        let autumn = zoned("2026-10-24T20:15:00+02:00");
        assert_eq!(
            rfc3339(&add_days(&autumn, 3).unwrap()),
            "2026-10-27T20:15:00+01:00"
        );
        assert_eq!(
            rfc3339(&add_weeks(&spring, 4).unwrap()),
            "2026-04-25T20:15:00+02:00"
        );
    }

    #[test]
    fn a_clock_time_in_the_spring_gap_moves_past_it() {
        let start = zoned("2026-03-28T02:30:00+01:00");
        assert_eq!(
            rfc3339(&add_days(&start, 1).unwrap()),
            "2026-03-29T03:30:00+02:00"
        );
    }

    proptest! {
        #[test]
        fn a_working_day_deadline_is_never_a_weekend_or_holiday(
            year in 1900i16..2400, ordinal in 1i16..=365, n in 1u32..30,
        ) {
            let start = Date::new(year, 1, 1).unwrap().checked_add(i32::from(ordinal).days()).unwrap();
            let due = add_working_days(start, n).unwrap();
            prop_assert!(due > start);
            prop_assert!(is_working_day(due));
            prop_assert!(!matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday));
            prop_assert!(holiday_on(due).is_none());
            // Exactly n working days lie in (start, due].
            let mut count = 0;
            let mut day = start;
            while day < due {
                day = day.tomorrow().unwrap();
                if is_working_day(day) { count += 1; }
            }
            prop_assert_eq!(count, n);
        }

        #[test]
        fn easter_is_a_sunday_between_22_march_and_25_april(year in 1583i16..4000) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sunday);
            prop_assert!(easter >= Date::new(year, 3, 22).unwrap());
            prop_assert!(easter <= Date::new(year, 4, 25).unwrap());
        }

        #[test]
        fn exact_hours_and_calendar_days_agree_except_across_a_change(
            seconds in 1_600_000_000i64..2_100_000_000, days in 1i64..60,
        ) {
            let start = in_amsterdam(Timestamp::from_second(seconds).unwrap());
            let by_hours = add_hours(&start, 24 * days).unwrap();
            let by_days = add_days(&start, days).unwrap();
            if by_days.offset() == start.offset() && by_hours.offset() == start.offset() {
                prop_assert_eq!(by_hours.timestamp(), by_days.timestamp());
            }
            prop_assert!(by_days.timestamp() > start.timestamp());
        }
    }
}
