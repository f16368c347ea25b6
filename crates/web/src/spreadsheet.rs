//! CSV as a spreadsheet with Dutch settings opens it without an import dialogue: UTF-8
//! with a byte order mark (else Excel reads it as Windows-1252 and breaks "ë"), `;`
//! between fields (Dutch settings read `,` as the decimal separator), and lines ending
//! in CRLF (RFC 4180). Used by the yearly figures on the command line and by the export
//! of anonymised case rows.

use weerbaar_protocol::Code;
use weerbaar_register::AnonymisedCase;

use crate::labels;
use crate::yearly::label;

/// A field as RFC 4180 wants it: quoted when it holds the separator, a quote or a line
/// break. A field a spreadsheet would take for a formula (starting with `=`, `+`, `@`, or
/// `-` and more) gets a space before it and is quoted, so that a value from the register
/// is never run as a formula.
pub fn field(text: &str) -> String {
    let guarded;
    let text = if text.starts_with(['=', '+', '@']) || (text.starts_with('-') && text.len() > 1) {
        guarded = format!(" {text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([';', '"', '\n', '\r']) || text.starts_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The rows as one CSV document, the first row being the header.
pub fn document<R, F>(rows: R) -> String
where
    R: IntoIterator<Item = F>,
    F: IntoIterator<Item = String>,
{
    let mut out = String::from("\u{feff}");
    for row in rows {
        let fields: Vec<String> = row.into_iter().map(|text| field(&text)).collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The header of the export of anonymised case rows.
const CASE_HEADER: [&str; 11] = [
    "Jaar",
    "Maand",
    "Soort gedrag",
    "Kanaal",
    "Groep ambtsdragers",
    "Soort pleger",
    "Herhaling",
    "Status",
    "Taken op tijd",
    "Taken te laat",
    "Taken open, termijn verstreken",
];

/// The anonymised case rows of a year as CSV, with Dutch headers and labels.
pub fn anonymised_cases(year: i16, rows: &[AnonymisedCase]) -> String {
    let header = vec![CASE_HEADER.map(str::to_owned).to_vec()];
    let body = rows.iter().map(|row| {
        vec![
            year.to_string(),
            row.month.to_string(),
            row.category
                .map(|category| labels::category_label(category).to_owned())
                .unwrap_or_else(|| String::from("Niet ingedeeld")),
            label("by_channel", row.channel.as_str()),
            row.victim_group
                .map(|group| label("by_victim_group", group))
                .unwrap_or_else(|| String::from("Geen ambtsdrager")),
            labels::perpetrator_kind_label(row.perpetrator_kind).to_owned(),
            String::from(if row.recidive { "ja" } else { "nee" }),
            labels::case_status_label(row.status).to_owned(),
            row.tasks_on_time.to_string(),
            row.tasks_late.to_string(),
            row.tasks_overdue_open.to_string(),
        ]
    });
    document(header.into_iter().chain(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("<5"), "<5");
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("zeg \"hoi\""), "\"zeg \"\"hoi\"\"\"");
        assert_eq!(field("regel\neen"), "\"regel\neen\"");
    }

    #[test]
    fn a_value_that_looks_like_a_formula_is_never_one() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\" =HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+31"), "\" +31\"");
        assert_eq!(field("@a"), "\" @a\"");
        // A lone minus and negative numbers are not written here; a dash stays a dash.
        assert_eq!(field("-"), "-");
    }

    #[test]
    fn the_document_starts_with_a_byte_order_mark_and_ends_lines_in_crlf() {
        let text = document([vec!["a".to_owned(), "b".to_owned()]]);
        assert_eq!(text, "\u{feff}a;b\r\n");
    }
}
