//! `/inzicht?periode=…`: the dashboard of who handles and follows cases (issue 12). The
//! §17 breakdowns of a month, a quarter or a year beside the same period a year earlier,
//! a rise said in words, what is open now, deadlines and aftercare, repeat perpetrators
//! and the improvement actions of evaluations.
//!
//! Who may look is who may read the yearly report (`Me::may_read_yearly_report`). Who
//! handles cases sees exact counts, the handlers' names, the case numbers of repeat
//! perpetrators and the open improvement actions; everyone else (informed roles, the
//! privacy officer) sees §17's small cells, and nothing that points at a case or a
//! person. The figures are the register's (`Register::dashboard`); this module words
//! them and draws the charts (`crate::chart`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use weerbaar_protocol::{Category, Role};
use weerbaar_register::insight::{Dashboard, Period, PeriodKind, Rise, shown, shown_count};
use weerbaar_register::{Cell, PersonId, Shown, Tally, YearlyCounts};

use crate::auth::SignedIn;
use crate::chart::{Chart, bars};
use crate::dates;
use crate::error::WebError;
use crate::form::Errors;
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;
use crate::yearly::{MONTH_NAMES, caption, cell_text, label};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/inzicht", get(dashboard))
}

/// How far back the chooser offers each kind of period, counting the current one.
const MONTHS_OFFERED: usize = 13;
const QUARTERS_OFFERED: usize = 8;
const YEARS_OFFERED: usize = 5;

/// The breakdowns the dashboard shows per period (of §17's: the others are the yearly
/// report's).
const BREAKDOWNS: [&str; 4] = [
    "by_category",
    "by_channel",
    "by_victim_group",
    "by_perpetrator_kind",
];

fn breakdown<'a>(counts: &'a YearlyCounts, name: &str) -> Option<&'a Tally> {
    match name {
        "by_category" => Some(&counts.by_category),
        "by_channel" => Some(&counts.by_channel),
        "by_victim_group" => Some(&counts.by_victim_group),
        "by_perpetrator_kind" => Some(&counts.by_perpetrator_kind),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Periods in words

/// "december 2026", "het 4e kwartaal van 2026", "2026".
fn period_name(period: &Period) -> String {
    match period.kind {
        PeriodKind::Month => {
            let month = usize::try_from(period.number - 1)
                .ok()
                .and_then(|index| MONTH_NAMES.get(index))
                .copied()
                .unwrap_or_default();
            format!("{month} {}", period.year)
        }
        PeriodKind::Quarter => format!("het {}e kwartaal van {}", period.number, period.year),
        PeriodKind::Year => period.year.to_string(),
    }
}

/// The period as an option of the chooser: "4e kwartaal 2026".
fn option_name(period: &Period) -> String {
    match period.kind {
        PeriodKind::Quarter => format!("{}e kwartaal {}", period.number, period.year),
        _ => capitalise(&period_name(period)),
    }
}

/// How a sentence names the period and the same one a year earlier: "dit kwartaal" and
/// "hetzelfde kwartaal vorig jaar" when it is the current one, else by name.
fn period_words(period: &Period, current: bool) -> (String, String) {
    let earlier = period.a_year_earlier();
    match (current, period.kind) {
        (true, PeriodKind::Month) => ("deze maand".into(), "in dezelfde maand vorig jaar".into()),
        (true, PeriodKind::Quarter) => (
            "dit kwartaal".into(),
            "in hetzelfde kwartaal vorig jaar".into(),
        ),
        (true, PeriodKind::Year) => ("dit jaar".into(), "vorig jaar".into()),
        (false, _) => (
            format!("in {}", period_name(period)),
            earlier
                .map(|earlier| format!("in {}", period_name(&earlier)))
                .unwrap_or_default(),
        ),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The category as the subject of a sentence about a rise.
fn category_words(category: Category) -> &'static str {
    match category {
        Category::EmotioneelIk => "Emotionele uitingen over de ambtsdrager zelf",
        Category::EmotioneelJullie => "Emotionele uitingen over het bestuur",
        Category::VerbaleAgressie => "Verbale agressie",
        Category::BedreigingIntimidatie => "Bedreigingen en intimidatie",
        Category::FysiekGeweld => "Fysiek geweld",
    }
}

/// "Bedreigingen en intimidatie: 7 dit kwartaal, 3 in hetzelfde kwartaal vorig jaar —
/// meer dan verdubbeld." Only numbers that are shown anyway are used (see
/// `Dashboard::rises`).
fn rise_sentence(rise: &Rise, this: &str, earlier: &str) -> String {
    let subject = category_words(rise.category);
    let how = if rise.now > rise.before * 2 {
        "meer dan verdubbeld"
    } else if rise.now == rise.before * 2 {
        "verdubbeld"
    } else {
        "gestegen"
    };
    match rise.before {
        // "From none" says it already; "more than doubled" would say nothing more.
        0 => format!("{subject}: {} {this}, geen {earlier}.", rise.now),
        before => format!(
            "{subject}: {} {this}, {before} {earlier} — {how}.",
            rise.now
        ),
    }
}

// ---------------------------------------------------------------------------------------
// The page

/// A row of a table: a label and its figures, already words.
struct Row {
    label: String,
    values: Vec<String>,
}

/// A breakdown: its title, one sentence, the chart and the table.
struct Figure {
    id: &'static str,
    title: &'static str,
    column: &'static str,
    summary: String,
    chart: Chart,
    chart_title: String,
    rows: Vec<Row>,
}

struct Improvement {
    case_number: i64,
    who: String,
    by: String,
    overdue: bool,
}

/// The chooser's options, by kind, with the one shown selected.
struct OptionGroup {
    label: &'static str,
    options: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "insight.html")]
struct DashboardPage {
    layout: Layout,
    organisation: String,
    errors: Errors,
    groups: Vec<OptionGroup>,
    /// Exact counts (who handles cases) or §17's small cells (everyone else).
    exact: bool,
    /// The period's short name ("4e kwartaal 2026"); `None` when the period asked for
    /// could not be read.
    period: Option<String>,
    /// The period in a sentence ("het 4e kwartaal van 2026").
    period_long: String,
    earlier: Option<String>,
    sentences: Vec<String>,
    rises: Vec<String>,
    figures: Vec<Figure>,
    open_by_handler: Vec<Row>,
    open_by_category: Option<Figure>,
    deadlines: Vec<Row>,
    repeat_perpetrators: Vec<String>,
    improvements: Vec<Improvement>,
    /// For who sees no list: how many improvement actions are open, as a cell.
    improvements_open: String,
}

impl DashboardPage {
    fn empty(layout: Layout, organisation: String, groups: Vec<OptionGroup>, exact: bool) -> Self {
        DashboardPage {
            layout,
            organisation,
            errors: Errors::default(),
            groups,
            exact,
            period: None,
            period_long: String::new(),
            earlier: None,
            sentences: Vec::new(),
            rises: Vec::new(),
            figures: Vec::new(),
            open_by_handler: Vec::new(),
            open_by_category: None,
            deadlines: Vec::new(),
            repeat_perpetrators: Vec::new(),
            improvements: Vec::new(),
            improvements_open: String::new(),
        }
    }
}

/// The chooser: quarters first (the default is the current quarter, the first option),
/// then months and years, newest first; the period shown is selected, and added where it
/// is older than the options.
fn chooser(today: Date, shown: Option<&Period>) -> Vec<OptionGroup> {
    let back = |kind: PeriodKind, count: usize| -> Vec<Period> {
        let mut periods = vec![Period::containing(kind, today)];
        while periods.len() < count {
            match periods.last().and_then(Period::previous) {
                Some(previous) => periods.push(previous),
                None => break,
            }
        }
        periods
    };
    [
        ("Kwartaal", PeriodKind::Quarter, QUARTERS_OFFERED),
        ("Maand", PeriodKind::Month, MONTHS_OFFERED),
        ("Jaar", PeriodKind::Year, YEARS_OFFERED),
    ]
    .into_iter()
    .map(|(label, kind, count)| {
        let mut periods = back(kind, count);
        if let Some(shown) = shown.filter(|p| p.kind == kind && !periods.contains(p)) {
            periods.push(*shown);
        }
        OptionGroup {
            label,
            options: periods
                .iter()
                .map(|p| (p.key(), option_name(p), Some(p) == shown))
                .collect(),
        }
    })
    .collect()
}

/// Cells as text, exact or under §17's rule.
fn cells(tally: &Tally, exact: bool) -> Shown {
    shown(tally, exact)
}

/// One sentence about a breakdown: its largest shown number, or why there is none.
/// `phrase` says whose numbers they are ("dit kwartaal", "van de open meldingen").
fn summary(shown: &Shown, breakdown: &str, phrase: &str, nothing: &str) -> String {
    let largest = shown
        .0
        .iter()
        .filter_map(|(_, cell)| match cell {
            Cell::Count(n) if *n > 0 => Some(*n),
            _ => None,
        })
        .max();
    let hidden = shown
        .0
        .iter()
        .any(|(_, cell)| matches!(cell, Cell::Small | Cell::Hidden));
    match largest {
        Some(most) => {
            let keys: Vec<String> = shown
                .0
                .iter()
                .filter(|(_, cell)| *cell == Cell::Count(most))
                .map(|(key, _)| label(breakdown, key).to_lowercase())
                .collect();
            format!(
                "Het hoogste aantal {phrase}: {} ({most}).",
                keys.join(" en ")
            )
        }
        None if hidden => {
            format!("De aantallen {phrase} zijn klein of verborgen, zodat niemand te herkennen is.")
        }
        None => nothing.to_owned(),
    }
}

/// What a figure is about: its breakdown, the title when not the report's caption, and
/// how its sentences name the numbers.
struct About {
    breakdown: &'static str,
    id: &'static str,
    title: Option<&'static str>,
    phrase: String,
    nothing: String,
}

fn figure(about: About, now: &Tally, earlier: Option<&Tally>, exact: bool) -> Figure {
    let breakdown = about.breakdown;
    let (caption_title, column) = caption(breakdown);
    let title = about.title.unwrap_or(caption_title);
    let shown_now = cells(now, exact);
    let shown_earlier = earlier.map(|tally| cells(tally, exact));
    let rows: Vec<Row> = shown_now
        .0
        .iter()
        .map(|(key, cell)| {
            let mut values = vec![cell_text(*cell)];
            if let Some(earlier) = &shown_earlier {
                values.push(earlier.get(key).map(cell_text).unwrap_or_default());
            }
            Row {
                label: label(breakdown, key),
                values,
            }
        })
        .collect();
    let chart_rows: Vec<(String, Cell)> = shown_now
        .0
        .iter()
        .map(|(key, cell)| (label(breakdown, key), *cell))
        .collect();
    let summary = summary(&shown_now, breakdown, &about.phrase, &about.nothing);
    Figure {
        id: about.id,
        title,
        column,
        chart_title: match about.title {
            // An own title says already whose numbers they are.
            Some(_) => format!(
                "Staafdiagram {}. {summary} De getallen staan ook in de tabel.",
                title.to_lowercase()
            ),
            None => format!(
                "Staafdiagram {} {}. {summary} De getallen staan ook in de tabel.",
                title.to_lowercase(),
                about.phrase
            ),
        },
        summary,
        chart: bars(&chart_rows),
        rows,
    }
}

fn role_name(role: Option<Role>) -> String {
    match role {
        Some(role) => capitalise(labels::role_label(role)),
        None => String::from("Nog niet toegewezen"),
    }
}

fn build(
    dashboard: &Dashboard,
    exact: bool,
    current: bool,
    names: &HashMap<PersonId, String>,
    holders: &HashMap<Role, Vec<String>>,
    today: Date,
) -> DashboardPageParts {
    let (this_words, earlier_words) = period_words(&dashboard.period, current);
    let counts = &dashboard.counts;
    let earlier = dashboard.a_year_earlier.as_ref();

    let mut sentences = Vec::new();
    let incidents = |n: u64| match n {
        0 => String::from("geen incidenten"),
        1 => String::from("1 incident"),
        n => format!("{n} incidenten"),
    };
    let mut first = format!(
        "{} {} gemeld.",
        capitalise(&this_words),
        match counts.incidents {
            1 => format!("is {}", incidents(1)),
            n => format!("zijn {}", incidents(n)),
        }
    );
    if let Some(earlier) = earlier {
        first.push_str(&format!(
            " {}: {}.",
            capitalise(&earlier_words),
            incidents(earlier.incidents)
        ));
    }
    sentences.push(first);

    let rises = dashboard
        .rises(exact)
        .iter()
        .map(|rise| rise_sentence(rise, &this_words, &earlier_words))
        .collect();

    let figures = BREAKDOWNS
        .iter()
        .filter_map(|name| {
            let now = breakdown(counts, name)?;
            Some(figure(
                About {
                    breakdown: name,
                    id: name,
                    title: None,
                    phrase: this_words.clone(),
                    nothing: format!("Er is {this_words} niets geteld."),
                },
                now,
                earlier.and_then(|e| breakdown(e, name)),
                exact,
            ))
        })
        .collect();

    // Open cases per handler: the role, and for who handles cases the names of who holds
    // it; for everyone else under §17's rule, over the open total.
    let open_counts: Vec<u64> = dashboard.open_by_handler.iter().map(|o| o.cases).collect();
    let open_cells: Vec<Cell> = if exact {
        open_counts.iter().map(|n| Cell::Count(*n)).collect()
    } else {
        weerbaar_register::yearly::suppress(&open_counts, true)
    };
    let open_by_handler = dashboard
        .open_by_handler
        .iter()
        .zip(open_cells)
        .map(|(open, cell)| {
            let mut label = role_name(open.role);
            if exact
                && let Some(people) = open.role.and_then(|role| holders.get(&role))
                && !people.is_empty()
            {
                label = format!("{label} ({})", people.join(", "));
            }
            Row {
                label,
                values: vec![cell_text(cell)],
            }
        })
        .collect();
    let open_by_category = Some(figure(
        About {
            breakdown: "by_category",
            id: "open_by_category",
            title: Some("Open meldingen naar soort gedrag"),
            phrase: String::from("van de open meldingen"),
            nothing: String::from("Er staan geen meldingen open."),
        },
        &dashboard.open_by_category,
        None,
        exact,
    ));

    // Deadlines and aftercare of the period's incidents: no total is shown, so only
    // counts from 1 to 4 are hidden.
    let tasks = counts.tasks.publish(false);
    let aftercare = counts.aftercare.publish(false);
    let exact_or = |tally: &Tally, published: &Shown, key: &str| -> String {
        if exact {
            tally.get(key).unwrap_or_default().to_string()
        } else {
            published.get(key).map(cell_text).unwrap_or_default()
        }
    };
    let deadlines = vec![
        Row {
            label: "Taken op tijd gedaan".into(),
            values: vec![exact_or(&counts.tasks, &tasks, "on_time")],
        },
        Row {
            label: "Taken te laat gedaan".into(),
            values: vec![exact_or(&counts.tasks, &tasks, "late")],
        },
        Row {
            label: "Taken nog open, termijn verstreken".into(),
            values: vec![exact_or(&counts.tasks, &tasks, "overdue_open")],
        },
        Row {
            label: "Nazorggesprekken op tijd gehouden".into(),
            values: vec![exact_or(&counts.aftercare, &aftercare, "on_time")],
        },
        Row {
            label: "Nazorggesprekken te laat gehouden".into(),
            values: vec![exact_or(&counts.aftercare, &aftercare, "late")],
        },
        Row {
            label: "Nazorggesprekken niet gehouden".into(),
            values: vec![exact_or(&counts.aftercare, &aftercare, "not_held")],
        },
    ];

    let repeat_perpetrators = if exact {
        dashboard
            .repeat_perpetrators
            .iter()
            .map(|numbers| {
                let numbers: Vec<String> = numbers.iter().map(i64::to_string).collect();
                format!("Meldingen {}", join_and(&numbers))
            })
            .collect()
    } else {
        Vec::new()
    };
    let improvements = if exact {
        dashboard
            .open_improvements
            .iter()
            .map(|open| Improvement {
                case_number: open.case_number,
                who: names
                    .get(&open.who)
                    .cloned()
                    .unwrap_or_else(|| String::from("onbekend")),
                by: dates::date(open.by),
                overdue: open.by < today,
            })
            .collect()
    } else {
        Vec::new()
    };
    let improvements_open = cell_text(shown_count(
        u64::try_from(dashboard.open_improvements.len()).unwrap_or(u64::MAX),
        exact,
    ));

    DashboardPageParts {
        period: option_name(&dashboard.period),
        period_long: period_name(&dashboard.period),
        earlier: dashboard.period.a_year_earlier().map(|p| option_name(&p)),
        sentences,
        rises,
        figures,
        open_by_handler,
        open_by_category,
        deadlines,
        repeat_perpetrators,
        improvements,
        improvements_open,
    }
}

/// What [`build`] makes of the register's figures.
struct DashboardPageParts {
    period: String,
    period_long: String,
    earlier: Option<String>,
    sentences: Vec<String>,
    rises: Vec<String>,
    figures: Vec<Figure>,
    open_by_handler: Vec<Row>,
    open_by_category: Option<Figure>,
    deadlines: Vec<Row>,
    repeat_perpetrators: Vec<String>,
    improvements: Vec<Improvement>,
    improvements_open: String,
}

/// "a", "a en b", "a, b en c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

async fn dashboard(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    if !user.me.may_read_yearly_report() {
        return Err(WebError::Forbidden);
    }
    let exact = user.me.is_handler();
    let now = weerbaar_register::time::now();
    let today = dates::local_date(now);
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or_default()).unwrap_or_default();
    let asked = pairs
        .iter()
        .find(|(key, _)| key == "periode")
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.trim().is_empty());
    let current = Period::containing(PeriodKind::Quarter, today);
    let period = match asked {
        None => Some(current),
        Some(text) => Period::parse(text),
    };
    let organisation = user.me.organisation_name.clone();
    let Some(period) = period else {
        let mut page = DashboardPage::empty(
            user.layout("Inzicht"),
            organisation,
            chooser(today, None),
            exact,
        );
        page.errors
            .add("periode", "Kies een maand, kwartaal of jaar uit de lijst.");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
    };
    let register = state.register();
    let data = register
        .dashboard(&user.me.organisation, period, now)
        .await?;
    let is_current = period == Period::containing(period.kind, today);

    // Names only for who handles cases: of the handlers' roles, and of who took on an
    // improvement action.
    let mut names: HashMap<PersonId, String> = HashMap::new();
    let mut holders: HashMap<Role, Vec<String>> = HashMap::new();
    if exact {
        for person in register.people(&user.me.organisation).await? {
            for (role, current) in &person.roles {
                if *current && !person.disabled {
                    holders.entry(*role).or_default().push(person.name.clone());
                }
            }
            names.insert(person.id.clone(), person.name);
        }
    }
    let parts = build(&data, exact, is_current, &names, &holders, today);
    let page = DashboardPage {
        layout: user.layout(&format!("Inzicht: {}", parts.period)),
        organisation,
        errors: Errors::default(),
        groups: chooser(today, Some(&period)),
        exact,
        period: Some(parts.period),
        period_long: parts.period_long,
        earlier: parts.earlier,
        sentences: parts.sentences,
        rises: parts.rises,
        figures: parts.figures,
        open_by_handler: parts.open_by_handler,
        open_by_category: parts.open_by_category,
        deadlines: parts.deadlines,
        repeat_perpetrators: parts.repeat_perpetrators,
        improvements: parts.improvements,
        improvements_open: parts.improvements_open,
    };
    Ok(html(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_named_in_dutch() {
        let q = Period::parse("2026-K4").unwrap();
        assert_eq!(period_name(&q), "het 4e kwartaal van 2026");
        assert_eq!(option_name(&q), "4e kwartaal 2026");
        let m = Period::parse("2026-03").unwrap();
        assert_eq!(period_name(&m), "maart 2026");
        assert_eq!(option_name(&m), "Maart 2026");
        assert_eq!(
            period_words(&q, true),
            (
                "dit kwartaal".to_owned(),
                "in hetzelfde kwartaal vorig jaar".to_owned()
            )
        );
        assert_eq!(
            period_words(&q, false),
            (
                "in het 4e kwartaal van 2026".to_owned(),
                "in het 4e kwartaal van 2025".to_owned()
            )
        );
    }

    #[test]
    fn a_rise_is_said_calmly() {
        let rise = Rise {
            category: Category::BedreigingIntimidatie,
            now: 7,
            before: 3,
        };
        assert_eq!(
            rise_sentence(&rise, "dit kwartaal", "in hetzelfde kwartaal vorig jaar"),
            "Bedreigingen en intimidatie: 7 dit kwartaal, 3 in hetzelfde kwartaal vorig jaar — meer dan verdubbeld."
        );
        let new = Rise {
            category: Category::VerbaleAgressie,
            now: 5,
            before: 0,
        };
        assert_eq!(
            rise_sentence(&new, "dit jaar", "vorig jaar"),
            "Verbale agressie: 5 dit jaar, geen vorig jaar."
        );
    }

    #[test]
    fn the_chooser_starts_on_the_current_quarter() {
        let groups = chooser(jiff::civil::date(2026, 12, 8), None);
        assert_eq!(groups[0].options[0].0, "2026-K4");
        assert_eq!(groups[0].options.len(), QUARTERS_OFFERED);
        assert_eq!(groups[1].options[0].0, "2026-12");
        assert_eq!(groups[2].options[0].0, "2026");
        assert!(groups.iter().all(|g| g.options.iter().all(|o| !o.2)));
        let old = Period::parse("2019-K2").unwrap();
        let groups = chooser(jiff::civil::date(2026, 12, 8), Some(&old));
        assert_eq!(
            groups[0].options.last().unwrap(),
            &("2019-K2".to_owned(), "2e kwartaal 2019".to_owned(), true)
        );
    }
}
