//! Horizontal bar charts as inline SVG, shared by the yearly report's page and the
//! dashboard. The pages run no script, and the CSP allows no style attributes, so sizes
//! are SVG attributes and colours come from weerbaar.css; the markup is in
//! `templates/chart.html`. Bars are drawn for numbers only: `"<5"` and `"x"` are text,
//! so that no bar suggests a size nobody may know, and nothing depends on colour.

use weerbaar_register::Cell;

use crate::yearly::cell_text;

// The chart's drawing, in the SVG's own units (the viewBox); weerbaar.css scales the
// whole drawing to the column's width, about one unit to a pixel on a phone. One row per
// key: its label (on more lines when long: SVG text does not wrap), and below it the bar
// with its number after it.
pub(crate) const CHART_WIDTH: u32 = 360;
/// The height of a line of label text (the font is 16 units, in weerbaar.css).
pub(crate) const LINE_HEIGHT: u32 = 19;
/// The first label line's baseline below the row's top.
pub(crate) const LABEL_BASELINE: u32 = 16;
/// The gap between the last label line's baseline and the bar.
pub(crate) const BAR_GAP: u32 = 7;
pub(crate) const BAR_HEIGHT: u32 = 18;
/// The number's baseline below the bar's top.
pub(crate) const VALUE_BASELINE: u32 = 14;
/// Space below a row's bar.
pub(crate) const ROW_GAP: u32 = 12;
/// Room after the longest bar for its number.
pub(crate) const VALUE_ROOM: u32 = 56;
/// The gap between a bar's end and its number.
pub(crate) const VALUE_GAP: u32 = 6;
/// The characters on a line of label text: a 16-unit font fits about 40 in the
/// chart's width; a few fewer leave room for wide letters.
pub(crate) const LINE_CHARACTERS: usize = 36;

/// One key of a chart: where its label, bar and number go.
pub(crate) struct Bar {
    /// The label's lines with their baselines.
    pub lines: Vec<(String, u32)>,
    /// The number, "<5" or "x", written after the bar (or where a bar would start).
    pub value: String,
    /// `None` for "<5", "x" and 0: those are text, never a bar.
    pub width: Option<u32>,
    pub bar_y: u32,
    pub value_x: u32,
    pub value_y: u32,
}

pub(crate) struct Chart {
    pub width: u32,
    pub height: u32,
    pub bar_height: u32,
    pub bars: Vec<Bar>,
}

/// A label in lines of at most [`LINE_CHARACTERS`], broken between words.
pub(crate) fn wrap(text: &str) -> Vec<String> {
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

/// A horizontal bar chart of labelled cells: bars for the numbers, in proportion to the
/// largest; "<5" and "x" as text only.
pub(crate) fn bars(rows: &[(String, Cell)]) -> Chart {
    let largest = rows
        .iter()
        .filter_map(|(_, cell)| match cell {
            Cell::Count(n) => Some(*n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let longest = CHART_WIDTH - VALUE_ROOM;
    let mut top = 0;
    let mut bars = Vec::with_capacity(rows.len());
    for (label, cell) in rows {
        let width = match cell {
            Cell::Count(n) if *n > 0 && largest > 0 => {
                // At least 2 units, so that the smallest number still shows a bar.
                let scaled = (*n as f64 / largest as f64 * f64::from(longest)).round();
                Some((scaled as u32).clamp(2, longest))
            }
            _ => None,
        };
        let lines: Vec<(String, u32)> = wrap(label)
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
