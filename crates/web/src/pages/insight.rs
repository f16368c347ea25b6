//! `/inzicht/jaarverslag?jaar=YYYY`: the yearly report (PROTOCOL.md §17) as the council
//! reads it — short Dutch sentences, then per breakdown a bar chart and a table with the
//! year before beside it. The figures are the register's, small cells already hidden;
//! the words are those of the command line's report (`crate::yearly`). The charts are
//! inline SVG drawn by `crate::chart`, shared with the dashboard.

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
use crate::chart::{Chart, bars};
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

/// A horizontal bar chart of one breakdown, its keys labelled as the report labels them.
fn chart(breakdown: &str, shown: &Shown) -> Chart {
    let rows: Vec<(String, Cell)> = shown
        .0
        .iter()
        .map(|(key, cell)| (label(breakdown, key), *cell))
        .collect();
    bars(&rows)
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
    /// The chart's name for screen readers: what it shows, its summary, where the table is.
    chart_title: String,
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
            let summary = summary(breakdown, shown, report.year);
            Figure {
                id: breakdown,
                title,
                column,
                chart_title: format!(
                    "Staafdiagram {} in {}. {summary} De getallen staan ook in de tabel.",
                    title.to_lowercase(),
                    report.year
                ),
                summary,
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
    use crate::chart::*;

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
