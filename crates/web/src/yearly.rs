//! The yearly report's words (PROTOCOL.md §17): the Dutch caption of every breakdown and
//! the label of every key, shared by `weerbaar report yearly --format html|csv`, the API
//! and the page `/inzicht/jaarverslag`, so that the council reads the same words
//! wherever the figures come from. The figures themselves are the register's
//! ([`weerbaar_register::Register::yearly_report`]); nothing here counts or hides.

use weerbaar_protocol::{Category, Channel, Code, Measure};
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};
use weerbaar_register::{Cell, PerpetratorKind, PoliceContactKind, Shown, YearlyReport};

use crate::labels;

/// A year as asked for in a query (`?year=` of the API, `?jaar=` of the page): a whole
/// number from [`FIRST_YEAR`] to [`LAST_YEAR`], as the register takes it. The error says
/// what is wrong in English (the API's field details are English, as the protocol
/// engine's); the page words its own message.
pub(crate) fn parse_year(text: Option<&str>) -> Result<i16, YearMistake> {
    let text = text.map(str::trim).filter(|text| !text.is_empty());
    let Some(text) = text else {
        return Err(YearMistake::Missing);
    };
    text.parse::<i16>()
        .ok()
        .filter(|year| (FIRST_YEAR..=LAST_YEAR).contains(year))
        .ok_or(YearMistake::Invalid)
}

/// What is wrong with an asked-for year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YearMistake {
    Missing,
    /// Not a whole number, or outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    Invalid,
}

/// The breakdowns of a report with their JSON names, in the contract's order.
pub fn breakdowns(report: &YearlyReport) -> [(&'static str, &Shown); 10] {
    [
        ("by_category", &report.by_category),
        ("by_abcd", &report.by_abcd),
        ("by_channel", &report.by_channel),
        ("by_month", &report.by_month),
        ("by_victim_group", &report.by_victim_group),
        ("by_perpetrator_kind", &report.by_perpetrator_kind),
        ("police", &report.police),
        ("measures", &report.measures),
        ("aftercare", &report.aftercare),
        ("tasks", &report.tasks),
    ]
}

/// A cell as the contract writes it: the number, `<5` or `x`.
pub fn cell_text(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Small => String::from("<5"),
        Cell::Hidden => String::from("x"),
    }
}

/// Days with a decimal comma, as Dutch readers (and Dutch spreadsheets) expect.
pub fn decimal_comma(days: f64) -> String {
    format!("{days:.1}").replace('.', ",")
}

/// The months, for `by_month`'s keys "1" to "12".
pub const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// The Dutch caption of a breakdown and the heading of its first column.
pub fn caption(breakdown: &str) -> (&'static str, &'static str) {
    match breakdown {
        "by_category" => ("Naar soort gedrag", "Soort gedrag"),
        "by_abcd" => ("Naar ABCD-model", "Letter"),
        "by_channel" => ("Naar kanaal", "Kanaal"),
        "by_month" => ("Naar maand", "Maand"),
        "by_victim_group" => ("Naar groep ambtsdragers", "Groep"),
        "by_perpetrator_kind" => ("Naar soort pleger", "Pleger"),
        "police" => ("Contact met de politie", "Soort contact"),
        "measures" => ("Maatregelen tegen de pleger", "Maatregel"),
        "aftercare" => ("Nazorggesprekken met een termijn", "Gehouden"),
        "tasks" => ("Taken met een vaste termijn", "Gedaan"),
        _ => ("", ""),
    }
}

/// The Dutch label of a key of a breakdown; the key itself where none is known.
pub fn label(breakdown: &str, key: &str) -> String {
    let known: Option<&str> = match breakdown {
        "by_category" => Category::parse(key).ok().map(labels::category_label),
        "by_abcd" => None,
        "by_channel" => Channel::parse(key).ok().map(labels::channel_label),
        "by_month" => key
            .parse::<usize>()
            .ok()
            .and_then(|month| month.checked_sub(1))
            .and_then(|index| MONTH_NAMES.get(index).copied()),
        "by_victim_group" => match key {
            "raad" => Some("Gemeenteraad"),
            "college" => Some("College van burgemeester en wethouders"),
            "provinciale_staten" => Some("Provinciale Staten"),
            "gedeputeerde_staten" => Some("Gedeputeerde Staten en commissaris van de Koning"),
            "algemeen_bestuur" => Some("Algemeen bestuur"),
            "dagelijks_bestuur" => Some("Dagelijks bestuur en dijkgraaf"),
            _ => None,
        },
        "by_perpetrator_kind" => PerpetratorKind::parse(key).map(labels::perpetrator_kind_label),
        "police" => PoliceContactKind::parse(key).map(labels::police_contact_kind_label),
        "measures" => Measure::parse(key).ok().map(labels::measure_label),
        "aftercare" => match key {
            "on_time" => Some("Op tijd"),
            "late" => Some("Te laat"),
            "not_held" => Some("Niet gehouden"),
            _ => None,
        },
        "tasks" => match key {
            "on_time" => Some("Op tijd"),
            "late" => Some("Te laat"),
            "overdue_open" => Some("Nog open, termijn verstreken"),
            _ => None,
        },
        _ => None,
    };
    match (breakdown, known) {
        ("by_abcd", _) => format!("{key}-gedrag"),
        (_, Some(text)) => text.to_owned(),
        (_, None) => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_get_dutch_labels() {
        assert_eq!(label("by_month", "3"), "maart");
        assert_eq!(label("by_month", "13"), "13");
        assert_eq!(label("by_abcd", "D"), "D-gedrag");
        assert_eq!(label("by_channel", "email"), "E-mail");
        assert_eq!(label("aftercare", "not_held"), "Niet gehouden");
        assert_eq!(cell_text(Cell::Small), "<5");
        assert_eq!(decimal_comma(12.34), "12,3");
    }

    #[test]
    fn a_year_is_a_whole_number_from_1900_to_2999() {
        assert_eq!(parse_year(Some("2026")), Ok(2026));
        assert_eq!(parse_year(Some(" 1900 ")), Ok(1900));
        assert_eq!(parse_year(Some("2999")), Ok(2999));
        assert_eq!(parse_year(None), Err(YearMistake::Missing));
        assert_eq!(parse_year(Some("")), Err(YearMistake::Missing));
        for bad in ["1899", "3000", "206", "twee", "2026.0", "-2026", "99999"] {
            assert_eq!(parse_year(Some(bad)), Err(YearMistake::Invalid), "{bad}");
        }
    }
}
