//! `/inzicht/jaarverslag?jaar=YYYY`: the yearly report (PROTOCOL.md §17) as the council
//! reads it — short Dutch sentences, then per breakdown a bar chart and a table with the
//! year before beside it. The figures are the register's, small cells already hidden;
//! the words are those of the command line's report (`crate::yearly`). The charts are
//! inline SVG drawn here: the pages run no script, and the CSP allows no style
//! attributes, so sizes are SVG attributes and colours come from weerbaar.css.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};
use weerbaar_register::{Cell, Shown, YearlyReport};

use super::yearly_discussion::DiscussionView;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::Errors;
use crate::render::{Layout, html};
use crate::state::AppState;
use crate::yearly::{breakdowns, caption, cell_text, decimal_comma, label, parse_year};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/inzicht/jaarverslag", get(yearly))
        .merge(super::yearly_discussion::routes())
}

/// How many years the selector offers, counting back from this year.
const YEARS_OFFERED: i16 = 10;

// The chart's drawing, in the SVG's own units (the viewBox); weerbaar.css scales the
// whole drawing to the column's width, about one unit to a pixel on a phone. One row per
// key: its label (on more lines when long: SVG text does not wrap), and below it the bar
// with its number after it.
const CHART_WIDTH: u32 = 360;
/// The height of a line of label text (the font is 16 units, in weerbaar.css).
const LINE_HEIGHT: u32 = 19;
/// The first label line's baseline below the row's top.
const LABEL_BASELINE: u32 = 16;
/// The gap between the last label line's baseline and the bar.
const BAR_GAP: u32 = 7;
const BAR_HEIGHT: u32 = 18;
/// The number's baseline below the bar's top.
const VALUE_BASELINE: u32 = 14;
/// Space below a row's bar.
const ROW_GAP: u32 = 12;
/// Room after the longest bar for its number.
const VALUE_ROOM: u32 = 56;
/// The gap between a bar's end and its number.
const VALUE_GAP: u32 = 6;
/// The characters on a line of label text: a 16-unit font fits about 40 in the
/// chart's width; a few fewer leave room for wide letters.
const LINE_CHARACTERS: usize = 36;

/// One key of a chart: where its label, bar and number go.
struct Bar {
    /// The label's lines with their baselines.
    lines: Vec<(String, u32)>,
    /// The number, "<5" or "x", written after the bar (or where a bar would start).
    value: String,
    /// `None` for "<5", "x" and 0: those are text, never a bar.
    width: Option<u32>,
    bar_y: u32,
    value_x: u32,
    value_y: u32,
}

struct Chart {
    width: u32,
    height: u32,
    bar_height: u32,
    bars: Vec<Bar>,
}

/// A label in lines of at most [`LINE_CHARACTERS`], broken between words.
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LINE_CHARACTERS => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// A horizontal bar chart of one breakdown: bars for the numbers, in proportion to the
/// largest; "<5" and "x" as text only, so that no bar suggests a size nobody may know.
fn chart(breakdown: &str, shown: &Shown) -> Chart {
    let largest = shown
        .0
        .iter()
        .filter_map(|(_, cell)| match cell {
            Cell::Count(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let longest = CHART_WIDTH - VALUE_ROOM;
    let mut top = 0;
    let mut bars = Vec::with_capacity(shown.0.len());
    for (key, cell) in &shown.0 {
        let width = match cell {
            Cell::Count(n) if *n > 0 && largest > 0 => {
                // At least 2 units, so that the smallest number still shows a bar.
                let scaled = (*n as f64 / largest as f64 * f64::from(longest)).round();
                Some((scaled as u32).clamp(2, longest))
            }
            _ => None,
        };
        let lines: Vec<(String, u32)> = wrap(&label(breakdown, key))
            .into_iter()
            .zip(0u32..)
            .map(|(line, index)| (line, top + LABEL_BASELINE + index * LINE_HEIGHT))
            .collect();
        let last_baseline = lines.last().map_or(top + LABEL_BASELINE, |(_, y)| *y);
        let bar_y = last_baseline + BAR_GAP;
        bars.push(Bar {
            lines,
            value: cell_text(*cell),
            width,
            bar_y,
            value_x: width.map_or(0, |w| w + VALUE_GAP),
            value_y: bar_y + VALUE_BASELINE,
        });
        top = bar_y + BAR_HEIGHT + ROW_GAP;
    }
    Chart {
        width: CHART_WIDTH,
        height: top.max(1),
        bar_height: BAR_HEIGHT,
        bars,
    }
}

/// A cell as the page writes it in a sentence: "minder dan 5" reads better than "<5".
fn cell_words(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Small => String::from("minder dan 5"),
        Cell::Hidden => String::from("een verborgen aantal"),
    }
}

/// One sentence about a breakdown: its largest shown number, or why there is none.
fn summary(breakdown: &str, shown: &Shown, year: i16) -> String {
    let largest = shown
        .0
        .iter()
        .filter_map(|(_, cell)| match cell {
            Cell::Count(n) if *n > 0 => Some(*n),
            _ => None,
        })
        .max();
    let small = shown.0.iter().any(|(_, cell)| *cell == Cell::Small);
    let hidden = shown.0.iter().any(|(_, cell)| *cell == Cell::Hidden);
    match largest {
        Some(most) => {
            let keys: Vec<String> = shown
                .0
                .iter()
                .filter(|(_, cell)| *cell == Cell::Count(most))
                .map(|(key, _)| lower_first(&label(breakdown, key)))
                .collect();
            format!(
                "Het hoogste aantal in {year}: {} ({most}).",
                join_and(&keys)
            )
        }
        // An "x" is 5 or more: "all smaller than 5" would then be untrue.
        None if hidden => format!(
            "In {year} staan hier geen precieze aantallen. Ze zijn kleiner dan 5, of verborgen zodat niemand te herkennen is."
        ),
        None if small => format!(
            "In {year} zijn alle aantallen hier kleiner dan 5. Daarom staan er geen precieze getallen."
        ),
        None => format!("In {year} is hier niets geteld."),
    }
}

/// "a", "a en b", "a, b en c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// A label inside a sentence: "verbale agressie", but "A-gedrag", "E-mail" and
/// "Provinciale Staten" keep their capitals (a word with a second capital or a hyphen
/// after one letter is a name or a code).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    let keeps_capital = rest.starts_with('-')
        || text
            .split(' ')
            .skip(1)
            .any(|word| word.chars().next().is_some_and(char::is_uppercase))
        || text == "E-mail";
    if keeps_capital {
        text.to_owned()
    } else {
        format!("{}{rest}", first.to_lowercase())
    }
}

/// The sentences above the tables: how many incidents, against last year, and what else
/// the year shows.
pub(crate) fn sentences(report: &YearlyReport, before: Option<&YearlyReport>) -> Vec<String> {
    let year = report.year;
    let mut out = Vec::new();
    let first = match report.incidents {
        0 => format!("In {year} zijn geen incidenten gemeld."),
        1 => format!("In {year} is 1 incident gemeld."),
        n => format!("In {year} zijn {n} incidenten gemeld."),
    };
    let compared = before.map(|before| {
        let then = before.incidents;
        let (word, year_before) = (
            match report.incidents.cmp(&then) {
                std::cmp::Ordering::Greater => "meer dan",
                std::cmp::Ordering::Less => "minder dan",
                std::cmp::Ordering::Equal => "evenveel als",
            },
            before.year,
        );
        format!("Dat is {word} in {year_before} ({then}).")
    });
    out.push(match compared {
        Some(compared) => format!("{first} {compared}"),
        None => first,
    });
    out.push(match report.consults {
        Cell::Count(0) => String::from(
            "Niemand heeft eerst vertrouwelijk om raad gevraagd zonder te melden (een consult).",
        ),
        Cell::Count(1) => String::from(
            "1 keer heeft iemand eerst vertrouwelijk om raad gevraagd zonder te melden (een consult).",
        ),
        cell => format!(
            "{} keer heeft iemand eerst vertrouwelijk om raad gevraagd zonder te melden (een consult).",
            capitalise(&cell_words(cell))
        ),
    });
    if report.incidents > 0 {
        out.push(match report.recidive {
            Cell::Count(0) => {
                String::from("Bij geen enkel incident was de pleger al eerder bekend.")
            }
            Cell::Count(1) => String::from("Bij 1 incident was de pleger al eerder bekend."),
            cell => format!(
                "Bij {} incidenten was de pleger al eerder bekend.",
                cell_words(cell)
            ),
        });
        out.push(match report.median_days_to_close {
            Some(days) => format!(
                "De helft van de afgeronde meldingen was binnen {} dagen afgerond.",
                decimal_comma(days)
            ),
            None => format!("Er zijn nog geen meldingen uit {year} afgerond."),
        });
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A row of a table: a label, this year's value and the year before's.
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) this: String,
    pub(crate) before: String,
}

/// One breakdown: a figure with its title, one sentence, the chart and the table.
pub(crate) struct Figure {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) column: &'static str,
    pub(crate) summary: String,
    chart: Chart,
    pub(crate) rows: Vec<Row>,
}

pub(crate) fn figures(report: &YearlyReport, before: Option<&YearlyReport>) -> Vec<Figure> {
    let earlier = before.map(breakdowns);
    breakdowns(report)
        .into_iter()
        .enumerate()
        .map(|(index, (breakdown, shown))| {
            let (title, column) = caption(breakdown);
            let then = earlier
                .as_ref()
                .and_then(|all| all.get(index))
                .map(|(_, s)| *s);
            let rows = shown
                .0
                .iter()
                .map(|(key, cell)| Row {
                    label: label(breakdown, key),
                    this: cell_text(*cell),
                    before: then
                        .and_then(|then| then.get(key))
                        .map(cell_text)
                        .unwrap_or_default(),
                })
                .collect();
            Figure {
                id: breakdown,
                title,
                column,
                summary: summary(breakdown, shown, report.year),
                chart: chart(breakdown, shown),
                rows,
            }
        })
        .collect()
}

pub(crate) fn totals(report: &YearlyReport, before: Option<&YearlyReport>) -> Vec<Row> {
    let median = |report: &YearlyReport| {
        report
            .median_days_to_close
            .map(|days| format!("{} dagen", decimal_comma(days)))
            .unwrap_or_else(|| String::from("geen afgeronde meldingen"))
    };
    let row = |label: &str, value: &dyn Fn(&YearlyReport) -> String| Row {
        label: label.to_owned(),
        this: value(report),
        before: before.map(value).unwrap_or_default(),
    };
    vec![
        row("Incidenten", &|r| r.incidents.to_string()),
        row("Consulten (eerst om raad gevraagd)", &|r| {
            cell_text(r.consults)
        }),
        row("Incidenten met een pleger die al eerder bekend was", &|r| {
            cell_text(r.recidive)
        }),
        row("Mediane doorlooptijd van melding tot afronding", &median),
    ]
}

#[derive(Template)]
#[template(path = "insight_yearly.html")]
struct YearlyPage {
    layout: Layout,
    organisation: String,
    /// The years the selector offers, newest first, with the one shown selected.
    years: Vec<(i16, bool)>,
    errors: Errors,
    /// `None` when the year asked for could not be read.
    year: Option<i16>,
    before: Option<i16>,
    sentences: Vec<String>,
    totals: Vec<Row>,
    figures: Vec<Figure>,
    /// The text of the yearly discussion and its form (`yearly_discussion`).
    discussion: Option<DiscussionView>,
}

/// The year in Amsterdam now.
fn this_year() -> i16 {
    weerbaar_protocol::calendar::in_amsterdam(weerbaar_register::time::now()).year()
}

/// The selector's years: the last [`YEARS_OFFERED`] years and the one shown.
fn years(shown: i16) -> Vec<(i16, bool)> {
    let newest = this_year();
    let oldest = (newest - (YEARS_OFFERED - 1)).max(FIRST_YEAR);
    let mut years: Vec<i16> = (oldest..=newest).rev().collect();
    if !years.contains(&shown) {
        years.push(shown);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    years
        .into_iter()
        .map(|year| (year, year == shown))
        .collect()
}

async fn yearly(
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
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.trim().is_empty());
    let default_year = (this_year() - 1).max(FIRST_YEAR);
    let year = match asked {
        None => Ok(default_year),
        Some(text) => parse_year(Some(text)),
    };
    let Ok(year) = year else {
        let mut errors = Errors::default();
        errors.add(
            "jaar",
            format!("Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}."),
        );
        let page = YearlyPage {
            layout: user.layout("Jaarverslag"),
            organisation: user.me.organisation_name.clone(),
            years: years(default_year)
                .into_iter()
                .map(|(year, _)| (year, false))
                .collect(),
            errors,
            year: None,
            before: None,
            sentences: Vec::new(),
            totals: Vec::new(),
            figures: Vec::new(),
            discussion: None,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
    };
    let discussion = DiscussionView::load(&state, &user, year).await?;
    page_for_year(&state, &user, year, discussion, Errors::default()).await
}

/// The page of a year that could be read, with the discussion as given: as stored, or
/// as just sent with its mistakes (`errors`, then answered 422).
pub(super) async fn page_for_year(
    state: &AppState,
    user: &SignedIn,
    year: i16,
    discussion: DiscussionView,
    errors: Errors,
) -> Result<Response, WebError> {
    let register = state.register();
    let now = weerbaar_register::time::now();
    let organisation = &user.me.organisation;
    let report = register.yearly_report(organisation, year, now).await?;
    // The year before, for the comparison; there is none before the first year.
    let before = match year.checked_sub(1).filter(|y| *y >= FIRST_YEAR) {
        Some(previous) => Some(register.yearly_report(organisation, previous, now).await?),
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = YearlyPage {
        layout: user.layout(&format!("Jaarverslag {year}")),
        organisation: user.me.organisation_name.clone(),
        years: years(year),
        errors,
        year: Some(year),
        before: before.as_ref().map(|b| b.year),
        sentences: sentences(&report, before.as_ref()),
        totals: totals(&report, before.as_ref()),
        figures: figures(&report, before.as_ref()),
        discussion: Some(discussion),
    };
    Ok((status, html(&page)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_a_sentence_keep_the_capitals_of_names() {
        assert_eq!(lower_first("Verbale agressie"), "verbale agressie");
        assert_eq!(lower_first("A-gedrag"), "A-gedrag");
        assert_eq!(lower_first("Provinciale Staten"), "Provinciale Staten");
        assert_eq!(lower_first("E-mail"), "E-mail");
        assert_eq!(join_and(&["a".into(), "b".into(), "c".into()]), "a, b en c");
    }

    #[test]
    fn small_and_hidden_counts_are_text_never_bars() {
        let shown = Shown(vec![
            ("email", Cell::Hidden),
            ("telefoon", Cell::Small),
            ("brief", Cell::Count(0)),
            ("in_persoon", Cell::Count(10)),
            ("overig", Cell::Count(5)),
        ]);
        let chart = chart("by_channel", &shown);
        let widths: Vec<Option<u32>> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(
            widths,
            vec![None, None, None, Some(CHART_WIDTH - VALUE_ROOM), Some(152)]
        );
        let values: Vec<&str> = chart.bars.iter().map(|b| b.value.as_str()).collect();
        assert_eq!(values, vec!["x", "<5", "0", "10", "5"]);
        let row = LABEL_BASELINE + BAR_GAP + BAR_HEIGHT + ROW_GAP;
        assert_eq!(chart.height, 5 * row);
        assert_eq!(
            chart.bars[1].lines,
            vec![(String::from("Telefoon"), row + LABEL_BASELINE)]
        );
        assert_eq!(
            wrap("Iemand namens een bedrijf, organisatie of groepering"),
            vec!["Iemand namens een bedrijf,", "organisatie of groepering"]
        );
        assert_eq!(
            summary("by_channel", &shown, 2026),
            "Het hoogste aantal in 2026: in persoon (10)."
        );
    }
}
