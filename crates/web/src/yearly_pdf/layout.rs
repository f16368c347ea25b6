//! Laying the report out on A4 pages, and writing the pages with krilla.
//!
//! Two steps, because krilla's page and drawing surface borrow the document while a page
//! is open: first the content flows into a list of drawing operations per page
//! ([`Flow`]), together with the document's structure ([`Node`]: headings, paragraphs,
//! lists, tables, figures) whose leaves are numbered slots; then [`Flow::write`] draws
//! each page, marks each slot's drawing as tagged content, and hangs the identifiers
//! krilla gives back into the structure tree. What is not content (the running header,
//! page numbers, table rules, a chart's axis) is drawn as an artifact, which screen
//! readers skip.

use std::num::NonZeroU16;

use krilla::Document;
use krilla::SerializeSettings;
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, TextDirection};

use super::fonts::{Measure, Weight};

/// A4 in points.
pub(super) const PAGE_WIDTH: f32 = 595.28;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// 20 mm margins left and right; the text column between them.
pub(super) const LEFT: f32 = 56.7;
pub(super) const RIGHT: f32 = PAGE_WIDTH - 56.7;
pub(super) const WIDTH: f32 = RIGHT - LEFT;
/// Where the content starts and must end; the running header and the page number sit
/// in the margins above and below.
const TOP: f32 = 70.0;
const BOTTOM: f32 = PAGE_HEIGHT - 70.0;
const HEADER_BASELINE: f32 = 40.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 36.0;

/// Body text.
pub(super) const BODY: f32 = 10.5;
const BODY_LEADING: f32 = 14.5;
/// Small text: the running header, page numbers, tables and charts.
const SMALL: f32 = 9.0;
const SMALL_LEADING: f32 = 12.0;

/// A table's number columns, and the padding inside every cell.
const NUMBER_WIDTH: f32 = 78.0;
const CELL_PAD: f32 = 4.0;
/// A chart's column of labels; the bars start after it.
const CHART_LABEL_WIDTH: f32 = 170.0;
/// The room a level-2 heading of one line takes, with its space above and below.
pub(super) const SECTION_HEADING: f32 = 14.0 + 14.0 * 1.3 + 4.0;

const TEXT: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const MUTED: (u8, u8, u8) = (0x4a, 0x4a, 0x4a);
const RULE: (u8, u8, u8) = (0x9a, 0x9a, 0x9a);
const BAR: (u8, u8, u8) = (0x1f, 0x4e, 0x8c);

/// What a structure element is.
#[derive(Debug, Clone)]
pub(super) enum Kind {
    /// A heading of a level with its text (PDF/UA asks for the text as its title).
    Heading(u16, String),
    Paragraph,
    List,
    ListItem,
    Label,
    ListBody,
    Table,
    Row,
    /// A header cell: of its column (`true`) or of its row.
    HeaderCell(bool),
    Cell,
    /// A figure with its text alternative.
    Figure(String),
}

/// The document's structure: groups in reading order, their leaves slots of content.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Group(Kind, Vec<Node>),
    Leaf(usize),
}

#[derive(Debug, Clone)]
enum Op {
    /// Text with its baseline starting at (x, y).
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        colour: (u8, u8, u8),
        text: String,
        /// The slot of the leaf this text is.
        leaf: usize,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        colour: (u8, u8, u8),
        leaf: usize,
    },
    /// A thin line, always an artifact.
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
}

/// A table's rows as text: the first column names the row, the others are numbers.
pub(super) struct TableText {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One bar of a chart: its label, its width as a share of the longest bar (`None`: no
/// bar, only the value), and the value written after it.
pub(super) struct BarText {
    pub label: String,
    pub share: Option<f32>,
    pub value: String,
}

/// The content flowing onto pages.
pub(super) struct Flow {
    pages: Vec<Vec<Op>>,
    /// The top of the free space on the current page.
    y: f32,
    leaves: usize,
    /// The headings for the document outline (bookmarks): level, text, page and height.
    outline: Vec<(u16, String, usize, f32)>,
    regular: Measure<'static>,
    bold: Measure<'static>,
}

impl Flow {
    pub(super) fn new() -> Result<Flow, String> {
        let measure = |weight| Measure::new(weight).ok_or("the embedded font does not read");
        Ok(Flow {
            pages: vec![Vec::new()],
            y: TOP,
            leaves: 0,
            outline: Vec::new(),
            regular: measure(Weight::Regular)?,
            bold: measure(Weight::Bold)?,
        })
    }

    fn measure(&self, weight: Weight) -> &Measure<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    fn leaf(&mut self) -> usize {
        self.leaves += 1;
        self.leaves - 1
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Goes to a new page unless `height` still fits on this one (or this one is empty:
    /// what does not fit on an empty page is drawn on it anyway and runs into the margin,
    /// rather than leaving the page empty for ever).
    fn need(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    /// Vertical space, dropped at the top of a page.
    pub(super) fn gap(&mut self, height: f32) {
        if self.y > TOP {
            self.y = (self.y + height).min(BOTTOM);
        }
    }

    /// Text of the leaf `leaf` with its baseline starting at (x, y).
    fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, text: &str, leaf: usize) {
        self.push(Op::Text {
            x,
            y,
            size,
            weight,
            colour: TEXT,
            text: text.to_owned(),
            leaf,
        });
    }

    /// Wrapped lines at `x` in `width`, each a leaf of content, breaking pages between
    /// lines.
    fn lines(
        &mut self,
        text: &str,
        size: f32,
        leading: f32,
        weight: Weight,
        x: f32,
        width: f32,
    ) -> Vec<Node> {
        let lines = spaced(self.measure(weight).wrap(text, size, width));
        let mut leaves = Vec::with_capacity(lines.len());
        for line in lines {
            self.need(leading);
            let leaf = self.leaf();
            let baseline = self.y + size;
            self.text(x, baseline, size, weight, &line, leaf);
            self.y += leading;
            leaves.push(Node::Leaf(leaf));
        }
        leaves
    }

    /// A paragraph of body text.
    pub(super) fn paragraph(&mut self, text: &str, weight: Weight) -> Node {
        let leaves = self.lines(text, BODY, BODY_LEADING, weight, LEFT, WIDTH);
        self.gap(6.0);
        Node::Group(Kind::Paragraph, leaves)
    }

    /// A heading of level 1 to 3, kept on a page with room for what follows it.
    pub(super) fn heading(&mut self, level: u16, text: &str) -> Node {
        let (size, before, keep) = match level {
            1 => (20.0, 0.0, 120.0),
            2 => (14.0, 14.0, 110.0),
            _ => (11.5, 8.0, 60.0),
        };
        self.gap(before);
        self.need(keep);
        let page = self.pages.len().saturating_sub(1);
        self.outline.push((level, text.to_owned(), page, self.y));
        let leaves = self.lines(text, size, size * 1.3, Weight::Bold, LEFT, WIDTH);
        self.gap(4.0);
        Node::Group(Kind::Heading(level, text.to_owned()), leaves)
    }

    /// A list with a bullet before each item.
    pub(super) fn bullets(&mut self, items: &[&str]) -> Node {
        let indent = 14.0;
        let mut children = Vec::with_capacity(items.len());
        for item in items {
            self.need(BODY_LEADING);
            let label = self.leaf();
            self.text(LEFT + 2.0, self.y + BODY, BODY, Weight::Regular, "•", label);
            let body = self.lines(
                item,
                BODY,
                BODY_LEADING,
                Weight::Regular,
                LEFT + indent,
                WIDTH - indent,
            );
            self.gap(2.0);
            children.push(Node::Group(
                Kind::ListItem,
                vec![
                    Node::Group(Kind::Label, vec![Node::Leaf(label)]),
                    Node::Group(Kind::ListBody, body),
                ],
            ));
        }
        self.gap(6.0);
        Node::Group(Kind::List, children)
    }

    /// A table: a header row, then rows whose first cell names the row and whose other
    /// cells are numbers (or a few words), right-aligned. Every cell wraps within its
    /// column. Kept on one page when it fits on one.
    pub(super) fn table(&mut self, table: &TableText) -> Node {
        let (header, body, total) = self.table_cells(table);
        self.keep(total);
        let numbers = table.header.len().saturating_sub(1);
        let label_width = WIDTH - NUMBER_WIDTH * numbers as f32;
        let pad = CELL_PAD;
        let width_of = |index: usize| {
            if index == 0 {
                label_width
            } else {
                NUMBER_WIDTH
            }
        };
        let left_of = |index: usize| {
            if index == 0 {
                LEFT
            } else {
                LEFT + label_width + NUMBER_WIDTH * (index - 1) as f32
            }
        };
        let height_of = row_height_of;

        let mut rows = Vec::with_capacity(body.len() + 1);
        for (number, cells) in std::iter::once(&header).chain(&body).enumerate() {
            let is_header = number == 0;
            let weight = if is_header {
                Weight::Bold
            } else {
                Weight::Regular
            };
            let height = height_of(cells);
            self.need(height);
            let mut groups = Vec::with_capacity(cells.len());
            for (index, lines) in cells.iter().enumerate() {
                let mut leaves = Vec::with_capacity(lines.len());
                for (line_number, line) in lines.iter().enumerate() {
                    let leaf = self.leaf();
                    let baseline = self.y + pad + SMALL + line_number as f32 * SMALL_LEADING;
                    let x = if index == 0 {
                        left_of(index) + pad
                    } else {
                        left_of(index) + width_of(index)
                            - pad
                            - self.measure(weight).width(line.trim_end(), SMALL)
                    };
                    self.text(x, baseline, SMALL, weight, line, leaf);
                    leaves.push(Node::Leaf(leaf));
                }
                let kind = match (is_header, index) {
                    (true, _) => Kind::HeaderCell(true),
                    (false, 0) => Kind::HeaderCell(false),
                    (false, _) => Kind::Cell,
                };
                groups.push(Node::Group(kind, leaves));
            }
            self.y += height;
            self.push(Op::Line {
                x1: LEFT,
                y1: self.y,
                x2: RIGHT,
                y2: self.y,
            });
            rows.push(Node::Group(Kind::Row, groups));
        }
        self.gap(10.0);
        Node::Group(Kind::Table, rows)
    }

    /// A table's cells in lines (the header row, then the body rows) and its height.
    #[allow(clippy::type_complexity)]
    fn table_cells(&self, table: &TableText) -> (Vec<Vec<String>>, Vec<Vec<Vec<String>>>, f32) {
        let numbers = table.header.len().saturating_sub(1);
        let label_width = WIDTH - NUMBER_WIDTH * numbers as f32;
        let wrap_row = |row: &[String], weight: Weight| -> Vec<Vec<String>> {
            row.iter()
                .enumerate()
                .map(|(index, text)| {
                    // An empty cell gets a dash, so that every cell has content a
                    // reader can land on.
                    let text = if text.trim().is_empty() {
                        "–"
                    } else {
                        text.as_str()
                    };
                    let width = if index == 0 {
                        label_width
                    } else {
                        NUMBER_WIDTH
                    };
                    spaced(
                        self.measure(weight)
                            .wrap(text, SMALL, width - 2.0 * CELL_PAD),
                    )
                })
                .collect()
        };
        let header = wrap_row(&table.header, Weight::Bold);
        let body: Vec<Vec<Vec<String>>> = table
            .rows
            .iter()
            .map(|row| wrap_row(row, Weight::Regular))
            .collect();
        let total =
            row_height_of(&header) + body.iter().map(|cells| row_height_of(cells)).sum::<f32>();
        (header, body, total)
    }

    /// The height a table takes, with the space after it.
    pub(super) fn table_height(&self, table: &TableText) -> f32 {
        self.table_cells(table).2 + 10.0
    }

    /// The height a paragraph of body text takes, with the space after it.
    pub(super) fn paragraph_height(&self, text: &str, weight: Weight) -> f32 {
        self.measure(weight).wrap(text, BODY, WIDTH).len() as f32 * BODY_LEADING + 6.0
    }

    /// The labels of a chart in lines, and the chart's height.
    fn chart_labels(&self, bars: &[BarText]) -> (Vec<Vec<String>>, f32) {
        let labels: Vec<Vec<String>> = bars
            .iter()
            .map(|bar| spaced(self.regular.wrap(&bar.label, SMALL, CHART_LABEL_WIDTH)))
            .collect();
        let total = labels.iter().map(|l| chart_row_height(l.len())).sum();
        (labels, total)
    }

    /// The height a chart takes, with the space after it.
    pub(super) fn chart_height(&self, bars: &[BarText]) -> f32 {
        self.chart_labels(bars).1 + 8.0
    }

    /// Goes to a new page unless `height` fits on this one; what is higher than a page
    /// starts on a new page and breaks where it must.
    pub(super) fn keep(&mut self, height: f32) {
        self.need(height.min(BOTTOM - TOP));
    }

    /// A horizontal bar chart with its text alternative: per key its label on the left,
    /// the bar, and the value written after the bar (or alone, for a value without a
    /// bar), so no meaning rests on colour or length alone.
    pub(super) fn chart(&mut self, bars: &[BarText], alternative: &str) -> Node {
        let bar_left = LEFT + CHART_LABEL_WIDTH + 8.0;
        let value_room = 40.0;
        let longest = RIGHT - bar_left - value_room;
        let bar_height = 9.0;
        let (labels, total) = self.chart_labels(bars);
        self.keep(total);
        let row_height = chart_row_height;
        let top = self.y;
        let mut leaves = Vec::new();
        for (bar, label_lines) in bars.iter().zip(&labels) {
            let height = row_height(label_lines.len());
            self.need(height);
            for (index, line) in label_lines.iter().enumerate() {
                let leaf = self.leaf();
                let baseline = self.y + 2.0 + SMALL + index as f32 * SMALL_LEADING;
                self.text(LEFT, baseline, SMALL, Weight::Regular, line, leaf);
                leaves.push(Node::Leaf(leaf));
            }
            let bar_top = self.y + 2.0 + (SMALL_LEADING - bar_height) / 2.0 + 1.0;
            let mut value_x = bar_left + 3.0;
            if let Some(share) = bar.share {
                let width = (share.clamp(0.0, 1.0) * longest).max(1.5);
                let leaf = self.leaf();
                self.push(Op::Rect {
                    x: bar_left,
                    y: bar_top,
                    width,
                    height: bar_height,
                    colour: BAR,
                    leaf,
                });
                leaves.push(Node::Leaf(leaf));
                value_x = bar_left + width + 4.0;
            }
            let leaf = self.leaf();
            self.text(
                value_x,
                self.y + 2.0 + SMALL,
                SMALL,
                Weight::Bold,
                &bar.value,
                leaf,
            );
            leaves.push(Node::Leaf(leaf));
            self.y += height;
        }
        // The axis the bars start from.
        self.push(Op::Line {
            x1: bar_left,
            y1: top,
            x2: bar_left,
            y2: self.y,
        });
        self.gap(8.0);
        Node::Group(Kind::Figure(alternative.to_owned()), leaves)
    }

    /// Writes the pages: the flowed content, on each page the running header and
    /// "Pagina n van m", the structure tree and the metadata. Tagged, and checked by
    /// krilla against PDF/UA-1 as far as a program can check it.
    pub(super) fn write(
        self,
        structure: Vec<Node>,
        title: &str,
        header: &str,
    ) -> Result<Vec<u8>, String> {
        let configuration = ConfigurationBuilder::new()
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .map_err(|e| format!("PDF configuration: {e:?}"))?;
        let settings = SerializeSettings {
            configuration,
            enable_tagging: true,
            ..SerializeSettings::default()
        };
        let mut document = Document::new_with(settings);
        let font = |weight: Weight| {
            Font::new(weight.bytes().into(), 0)
                .ok_or_else(|| String::from("the embedded font does not load"))
        };
        let regular = font(Weight::Regular)?;
        let bold = font(Weight::Bold)?;
        let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("A4 is a page size")?;
        let count = self.pages.len();
        let mut identifiers: Vec<Option<Identifier>> = vec![None; self.leaves];
        for (index, ops) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(size.clone());
            let mut surface = page.surface();
            let mut pen = Pen {
                surface: &mut surface,
                regular: &regular,
                bold: &bold,
            };
            for op in ops {
                if let Some((leaf, identifier)) = pen.draw(op)
                    && let Some(slot) = identifiers.get_mut(leaf)
                {
                    *slot = Some(identifier);
                }
            }
            pen.artifact_text(LEFT, HEADER_BASELINE, header, ArtifactType::Header);
            let number = format!("Pagina {} van {count}", index + 1);
            let number_left = RIGHT - self.regular.width(&number, SMALL);
            pen.artifact_text(number_left, FOOTER_BASELINE, &number, ArtifactType::Footer);
            surface.finish();
            page.finish();
        }
        let mut tree = TagTree::new().with_lang(Some(String::from("nl-NL")));
        for node in &structure {
            tree.push(to_krilla(node, &identifiers)?);
        }
        document.set_tag_tree(tree);
        document.set_outline(outline(&self.outline));
        document.set_metadata(
            Metadata::new()
                .title(title.to_owned())
                .language(String::from("nl-NL"))
                .creator(String::from("Weerbaar")),
        );
        document.finish().map_err(|e| format!("PDF: {e:?}"))
    }
}

/// Draws operations on one page's surface.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    regular: &'s Font,
    bold: &'s Font,
}

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

impl Pen<'_, '_> {
    /// Draws one operation; for content, the slot it fills and krilla's identifier.
    fn draw(&mut self, op: &Op) -> Option<(usize, Identifier)> {
        match op {
            Op::Text {
                x,
                y,
                size,
                weight,
                colour,
                text,
                leaf,
            } => {
                let font = match weight {
                    Weight::Regular => self.regular.clone(),
                    Weight::Bold => self.bold.clone(),
                };
                let identifier = self
                    .surface
                    .start_tagged(ContentTag::Span(SpanTag::empty()));
                self.surface.set_fill(Some(fill(*colour)));
                self.surface.draw_text(
                    Point::from_xy(*x, *y),
                    font,
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
                self.surface.end_tagged();
                Some((*leaf, identifier))
            }
            Op::Rect {
                x,
                y,
                width,
                height,
                colour,
                leaf,
            } => {
                let identifier = self.surface.start_tagged(ContentTag::Other);
                let mut builder = PathBuilder::new();
                if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                    builder.push_rect(rect);
                }
                if let Some(path) = builder.finish() {
                    self.surface.set_fill(Some(fill(*colour)));
                    self.surface.set_stroke(None);
                    self.surface.draw_path(&path);
                }
                self.surface.end_tagged();
                Some((*leaf, identifier))
            }
            Op::Line { x1, y1, x2, y2 } => {
                self.surface
                    .start_tagged(ContentTag::Artifact(Artifact::with_kind(
                        ArtifactType::Layout,
                    )));
                let mut builder = PathBuilder::new();
                builder.move_to(*x1, *y1);
                builder.line_to(*x2, *y2);
                if let Some(path) = builder.finish() {
                    self.surface.set_fill(None);
                    self.surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(RULE.0, RULE.1, RULE.2).into(),
                        width: 0.5,
                        ..Stroke::default()
                    }));
                    self.surface.draw_path(&path);
                    self.surface.set_stroke(None);
                }
                self.surface.end_tagged();
                None
            }
        }
    }

    /// The running header or the page number: small, muted, not content.
    fn artifact_text(&mut self, x: f32, y: f32, text: &str, kind: ArtifactType) {
        self.surface
            .start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
        self.surface.set_fill(Some(fill(MUTED)));
        self.surface.draw_text(
            Point::from_xy(x, y),
            self.regular.clone(),
            SMALL,
            text,
            false,
            TextDirection::Auto,
        );
        self.surface.end_tagged();
    }
}

/// The structure as krilla takes it, with each slot's identifier; a slot never drawn is
/// a mistake of the layout, not of the input.
fn to_krilla(
    node: &Node,
    identifiers: &[Option<Identifier>],
) -> Result<krilla::tagging::Node, String> {
    match node {
        Node::Leaf(leaf) => identifiers
            .get(*leaf)
            .copied()
            .flatten()
            .map(krilla::tagging::Node::from)
            .ok_or_else(|| format!("PDF layout: content {leaf} was never drawn")),
        Node::Group(kind, children) => {
            let tag: TagKind = match kind {
                Kind::Heading(level, text) => {
                    let level = NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN);
                    Tag::Hn(level, Some(text.clone())).into()
                }
                Kind::Paragraph => Tag::P.into(),
                Kind::List => Tag::L(ListNumbering::Disc).into(),
                Kind::ListItem => Tag::LI.into(),
                Kind::Label => Tag::Lbl.into(),
                Kind::ListBody => Tag::LBody.into(),
                Kind::Table => Tag::Table.into(),
                Kind::Row => Tag::TR.into(),
                Kind::HeaderCell(true) => Tag::TH(TableHeaderScope::Column).into(),
                Kind::HeaderCell(false) => Tag::TH(TableHeaderScope::Row).into(),
                Kind::Cell => Tag::TD.into(),
                Kind::Figure(alternative) => Tag::Figure(Some(alternative.clone())).into(),
            };
            let children = children
                .iter()
                .map(|child| to_krilla(child, identifiers))
                .collect::<Result<Vec<_>, String>>()?;
            Ok(TagGroup::with_children(tag, children).into())
        }
    }
}

/// The height of a table row whose tallest cell has this many lines.
fn row_height_of(cells: &[Vec<String>]) -> f32 {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * SMALL_LEADING + 2.0 * CELL_PAD
}

/// The height of a chart's row whose label has this many lines.
fn chart_row_height(lines: usize) -> f32 {
    lines.max(1) as f32 * SMALL_LEADING + 4.0
}

/// Wrapped lines with a space at the end of each but the last: the break between two
/// lines is then a space in the text itself, so that a screen reader or a copy does not
/// run the last word of one line into the first of the next.
fn spaced(mut lines: Vec<String>) -> Vec<String> {
    let last = lines.len().saturating_sub(1);
    for line in lines.iter_mut().take(last) {
        line.push(' ');
    }
    lines
}

/// The outline (bookmarks) of the headings: the title at the top, each section below
/// it, each subsection below its section. PDF/UA asks for one.
fn outline(headings: &[(u16, String, usize, f32)]) -> Outline {
    let node = |text: &str, page: usize, y: f32| {
        OutlineNode::new(
            text.to_owned(),
            XyzDestination::new(page, Point::from_xy(LEFT, y)),
        )
    };
    let mut title: Option<OutlineNode> = None;
    let mut sections: Vec<OutlineNode> = Vec::new();
    for (level, text, page, y) in headings {
        match level {
            1 => title = Some(node(text, *page, *y)),
            2 => sections.push(node(text, *page, *y)),
            _ => match sections.last_mut() {
                Some(section) => section.push_child(node(text, *page, *y)),
                None => sections.push(node(text, *page, *y)),
            },
        }
    }
    let mut outline = Outline::new();
    match title {
        Some(mut title) => {
            for section in sections {
                title.push_child(section);
            }
            outline.push_child(title.with_open(true));
        }
        None => sections
            .into_iter()
            .for_each(|section| outline.push_child(section)),
    }
    outline
}
