//! The yearly report (PROTOCOL.md §17) as a PDF that a griffier attaches to a
//! raadsvoorstel: A4, the same content as the council page `/inzicht/jaarverslag` in the
//! same order (its sentences, tables and figures are the page's own, from
//! `pages::insight`), then the text of the yearly discussion when there is one. Made
//! offline by krilla (docs/insight.md says why), fonts embedded and subset, tagged for
//! screen readers: headings, paragraphs, the list, tables with their header cells, and
//! each chart a figure with a text alternative.
//!
//! A document is final only when the discussion is: it then shows the figures kept with
//! the final version, and says who made it final and when. Anything else is marked
//! "Concept" at the top and on every page.

mod fonts;
mod layout;

use jiff::Timestamp;
use weerbaar_register::yearly::FIRST_YEAR;
use weerbaar_register::yearly_discussion::DiscussionText;
use weerbaar_register::{Cell, OrganisationId, Register, RegisterError, YearlyReport};

use crate::pages::insight::{figures, sentences, totals};
use crate::yearly::{breakdowns, cell_text, label};
use fonts::Weight;
use layout::{BarText, Flow, Node, TableText};

/// What a yearly report PDF shows.
#[derive(Debug, Clone, Copy)]
pub struct YearlyPdf<'a> {
    /// The organisation's name, as in the title.
    pub organisation: &'a str,
    pub report: &'a YearlyReport,
    /// The year before, for the comparison in each table.
    pub before: Option<&'a YearlyReport>,
    /// The discussion's text, if any was written.
    pub text: Option<&'a DiscussionText>,
    /// For the final version: when it was made final and by whom. `None`: a concept.
    pub finalised: Option<(Timestamp, &'a str)>,
}

/// Why no PDF was made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(transparent)]
    Register(#[from] RegisterError),
    /// The document could not be written (a fault of this code, not of the input).
    #[error("the yearly report's PDF: {0}")]
    Render(String),
}

/// The PDF of an organisation's year as it stands: the final version (its kept figures
/// and text) once the discussion is final, otherwise a concept with the figures as of
/// `now` and the draft text if there is one. The page and `weerbaar report yearly
/// --format pdf` both make it here.
pub async fn for_year(
    register: &Register,
    organisation: &OrganisationId,
    organisation_name: &str,
    year: i16,
    now: Timestamp,
) -> Result<Vec<u8>, PdfError> {
    let discussion = register.yearly_discussion(organisation, year).await?;
    if let Some(version) = discussion.as_ref().and_then(|d| d.final_version.as_ref()) {
        let by = register.person(organisation, &version.by).await?.name;
        return render(&YearlyPdf {
            organisation: organisation_name,
            report: &version.report,
            before: version.before.as_ref(),
            text: discussion.as_ref().map(|d| &d.text),
            finalised: Some((version.at, &by)),
        });
    }
    let report = register.yearly_report(organisation, year, now).await?;
    let before = match year.checked_sub(1).filter(|y| *y >= FIRST_YEAR) {
        Some(previous) => Some(register.yearly_report(organisation, previous, now).await?),
        None => None,
    };
    render(&YearlyPdf {
        organisation: organisation_name,
        report: &report,
        before: before.as_ref(),
        text: discussion.as_ref().map(|d| &d.text),
        finalised: None,
    })
}

/// The title of the document: the year and the organisation.
pub fn title(organisation: &str, year: i16) -> String {
    format!("Jaarverslag {year} {organisation}")
}

/// The file name a download gets: `jaarverslag-<organisation>-<year>.pdf`, the name in
/// lower-case ASCII letters and digits with dashes between, so that it survives every
/// browser and file system unquoted.
pub fn file_name(organisation: &str, year: i16) -> String {
    let mut slug = String::new();
    for ch in organisation.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "organisatie" } else { slug };
    format!("jaarverslag-{slug}-{year}.pdf")
}

/// How to read "<5" and "x", and what counts: the page's list, in the same words.
fn reading_notes(year: i16, before: Option<i16>) -> Vec<String> {
    let mut notes = vec![
        String::from("Een incident telt mee in het jaar waarin het gebeurde."),
        String::from(
            "Een consult is een vraag om raad bij twijfel. Consulten tellen niet mee als incident. Incidenten tegen ambtenaren ook niet.",
        ),
        String::from(
            "<5 betekent: 1, 2, 3 of 4. Zo kleine aantallen tonen we niet precies, want dan is iemand misschien te herkennen.",
        ),
        String::from(
            "x betekent: een aantal van 5 of meer dat we verbergen. Anders kunt u een aantal <5 uitrekenen uit het totaal.",
        ),
    ];
    if let Some(before) = before {
        notes.push(format!(
            "In elke tabel staat {before} naast {year}. De grafieken tonen {year}."
        ));
    }
    notes
}

/// The header row of a table: its first column, the year, the year before.
fn header(first: &str, year: i16, before: Option<i16>) -> Vec<String> {
    let mut header = vec![first.to_owned(), year.to_string()];
    header.extend(before.map(|b| b.to_string()));
    header
}

/// Renders the document.
pub fn render(pdf: &YearlyPdf) -> Result<Vec<u8>, PdfError> {
    let report = pdf.report;
    let year = report.year;
    let before_year = pdf.before.map(|b| b.year);
    let mut flow = Flow::new().map_err(PdfError::Render)?;
    let mut structure: Vec<Node> = Vec::new();

    let title = title(pdf.organisation, year);
    structure.push(flow.heading(1, &title));
    structure.push(match pdf.finalised {
        Some((at, by)) => flow.paragraph(
            &format!(
                "Definitieve versie, vastgesteld op {} door {by}. De cijfers zijn zoals ze op dat moment waren.",
                crate::dates::moment(at)
            ),
            Weight::Bold,
        ),
        None => flow.paragraph(
            "Concept. Dit is nog niet de definitieve versie: de cijfers en de tekst kunnen nog veranderen.",
            Weight::Bold,
        ),
    });
    structure.push(flow.paragraph(
        &format!(
            "Agressie en intimidatie tegen ambtsdragers van {}, in cijfers. Niemand is in deze cijfers te herkennen.",
            pdf.organisation
        ),
        Weight::Regular,
    ));

    structure.push(flow.heading(2, "Het jaar in het kort"));
    for sentence in sentences(report, pdf.before) {
        structure.push(flow.paragraph(&sentence, Weight::Regular));
    }

    structure.push(flow.heading(2, "Hoe leest u de cijfers?"));
    let notes = reading_notes(year, before_year);
    let notes: Vec<&str> = notes.iter().map(String::as_str).collect();
    structure.push(flow.bullets(&notes));

    structure.push(flow.heading(2, "Totalen"));
    structure.push(
        flow.table(&TableText {
            header: header("Wat", year, before_year),
            rows: totals(report, pdf.before)
                .into_iter()
                .map(|row| row_cells(row.label, row.this, row.before, before_year.is_some()))
                .collect(),
        }),
    );

    for (figure, (breakdown, shown)) in figures(report, pdf.before)
        .into_iter()
        .zip(breakdowns(report))
    {
        let largest = shown
            .0
            .iter()
            .filter_map(|(_, cell)| match cell {
                Cell::Count(n) => Some(*n),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let bars: Vec<BarText> = shown
            .0
            .iter()
            .map(|(key, cell)| BarText {
                label: label(breakdown, key),
                // "<5", "x" and 0 are text, never a bar: no bar suggests a size nobody
                // may know.
                share: match cell {
                    Cell::Count(n) if *n > 0 && largest > 0 => Some(*n as f32 / largest as f32),
                    _ => None,
                },
                value: cell_text(*cell),
            })
            .collect();
        let alternative = format!(
            "Staafdiagram {} in {year}. {} De getallen staan ook in de tabel.",
            figure.title.to_lowercase(),
            figure.summary
        );
        let table = TableText {
            header: header(figure.column, year, before_year),
            rows: figure
                .rows
                .into_iter()
                .map(|row| row_cells(row.label, row.this, row.before, before_year.is_some()))
                .collect(),
        };
        // A figure is read as one: its heading, summary, chart and table on one page
        // when they fit on one.
        flow.keep(
            layout::SECTION_HEADING
                + flow.paragraph_height(&figure.summary, Weight::Regular)
                + flow.chart_height(&bars)
                + flow.table_height(&table),
        );
        structure.push(flow.heading(2, figure.title));
        structure.push(flow.paragraph(&figure.summary, Weight::Regular));
        structure.push(flow.chart(&bars, &alternative));
        structure.push(flow.table(&table));
    }

    if let Some(text) = pdf.text {
        structure.push(flow.heading(2, "De jaarbespreking"));
        for (heading, body) in [
            ("Dilemma's", &text.dilemmas),
            ("Conclusies", &text.conclusions),
            ("Voorgestelde wijzigingen van het protocol", &text.changes),
        ] {
            structure.push(flow.heading(3, heading));
            let paragraphs: Vec<&str> = body
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect();
            if paragraphs.is_empty() {
                structure.push(flow.paragraph("Niet ingevuld.", Weight::Regular));
            }
            for paragraph in paragraphs {
                structure.push(flow.paragraph(paragraph, Weight::Regular));
            }
        }
    }

    let running = match pdf.finalised {
        Some(_) => format!("{} · Jaarverslag {year}", pdf.organisation),
        None => format!("{} · Jaarverslag {year} · CONCEPT", pdf.organisation),
    };
    flow.write(structure, &title, &running)
        .map_err(PdfError::Render)
}

/// A table row: the label, this year, and the year before when there is one.
fn row_cells(label: String, this: String, before: String, with_before: bool) -> Vec<String> {
    let mut cells = vec![label, this];
    if with_before {
        cells.push(before);
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use weerbaar_register::yearly_discussion::report_from_json;

    /// docs/insight.md's example: six insults in March 2025, one by phone.
    fn example() -> YearlyReport {
        let zeros = |keys: &[&str]| {
            serde_json::Value::Object(keys.iter().map(|k| ((*k).to_owned(), json!(0))).collect())
        };
        let mut value = json!({
            "organisation": "leiden", "year": 2025, "incidents": 6, "consults": 0,
            "by_category": zeros(&["emotioneel_ik", "emotioneel_jullie", "bedreiging_intimidatie", "fysiek_geweld"]),
            "by_abcd": {"A": 0, "B": 0, "C": 6, "D": 0},
            "by_channel": zeros(&["in_persoon", "brief", "sociale_media", "berichtenapp", "overig"]),
            "by_month": zeros(&["1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
            "by_victim_group": {"raad": 6, "college": 0},
            "by_perpetrator_kind": {"persoon": 0, "collectief": 0, "namens_organisatie": 0, "onbekend": 6},
            "recidive": 0, "police": {"melding": 0, "aangifte": 0},
            "measures": zeros(&["mondelinge_waarschuwing", "schriftelijke_waarschuwing", "incidentgesprek", "herstelgesprek", "beperking_dienstverlening", "toegangsverbod", "contactverbod", "melding_politie", "aangifte", "schadeverhaal", "herstelbemiddeling", "overig"]),
            "aftercare": {"on_time": 0, "late": 0, "not_held": 18},
            "tasks": {"on_time": 0, "late": 0, "overdue_open": 18},
            "median_days_to_close": null
        });
        value["by_category"]["verbale_agressie"] = json!(6);
        value["by_channel"]["telefoon"] = json!("<5");
        value["by_channel"]["email"] = json!("x");
        value["by_month"]["3"] = json!(6);
        report_from_json(&value).expect("the example reads")
    }

    #[test]
    fn the_file_name_is_plain() {
        assert_eq!(
            file_name("Gemeente Leiden", 2025),
            "jaarverslag-gemeente-leiden-2025.pdf"
        );
        assert_eq!(
            file_name("  \"Ons\" dorp!! ", 1900),
            "jaarverslag-ons-dorp-1900.pdf"
        );
        assert_eq!(file_name("€", 2026), "jaarverslag-organisatie-2026.pdf");
    }

    #[test]
    fn a_concept_and_a_final_version_render() {
        let report = example();
        let text = DiscussionText {
            dilemmas: "Wel of geen aangifte als de pleger bekend is?\nEn wie doet die?".into(),
            conclusions: "Vaker aangifte doen. ".repeat(200),
            changes: String::new(),
        };
        for finalised in [None, Some((Timestamp::UNIX_EPOCH, "Xander Elders"))] {
            let bytes = render(&YearlyPdf {
                organisation: "Gemeente Leiden",
                report: &report,
                before: Some(&report),
                text: Some(&text),
                finalised,
            })
            .expect("a PDF");
            assert!(bytes.starts_with(b"%PDF-"));
            if let Some(path) = std::env::var_os("WEERBAAR_PDF_SAMPLE") {
                let name = if finalised.is_some() {
                    "final.pdf"
                } else {
                    "concept.pdf"
                };
                std::fs::write(std::path::Path::new(&path).join(name), &bytes).expect("written");
            }
        }
    }
}
