//! A small document of headings, paragraphs, lists and tables, written out as HTML or as
//! Markdown. The protocol's readable text and the comparison of two protocols are built
//! as such a document once, so that the page, the printed page and the command line
//! show the same words.

use std::fmt::Write;

/// A document: a title, a few lines under it, and sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Used as the HTML id, so that a table of contents can link to it.
    pub id: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A sub-heading inside a section.
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    /// The first cell of each row heads that row.
    pub rows: Vec<Vec<String>>,
}

impl Document {
    /// The body of the document as HTML (no `<html>` around it): every text escaped, a
    /// table of contents first, headings from `h1`, tables with a caption and scopes.
    pub fn to_html_fragment(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "<h1>{}</h1>", escape(&self.title));
        for line in &self.intro {
            let _ = writeln!(out, "<p>{}</p>", escape(line));
        }
        let _ = writeln!(out, "<nav aria-labelledby=\"inhoud\">");
        let _ = writeln!(out, "<h2 id=\"inhoud\">Inhoud</h2>\n<ol>");
        for section in &self.sections {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(&section.id),
                escape(&section.heading)
            );
        }
        let _ = writeln!(out, "</ol>\n</nav>");
        for section in &self.sections {
            let _ = writeln!(
                out,
                "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{}</h2>",
                escape(&section.heading),
                id = escape(&section.id),
            );
            for block in &section.blocks {
                block_html(&mut out, block);
            }
            let _ = writeln!(out, "</section>");
        }
        out
    }

    /// A whole HTML page for printing or opening in a browser, A4 with page numbers.
    pub fn to_html_page(&self) -> String {
        format!(
            "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{PRINT_STYLE}</style>\n</head>\n<body>\n<main>\n{}</main>\n\
             </body>\n</html>\n",
            escape(&self.title),
            self.to_html_fragment()
        )
    }

    /// The document as Markdown (CommonMark with pipe tables).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        for line in &self.intro {
            let _ = writeln!(out, "{line}\n");
        }
        for section in &self.sections {
            let _ = writeln!(out, "## {}\n", section.heading);
            for block in &section.blocks {
                match block {
                    Block::Heading(text) => {
                        let _ = writeln!(out, "### {text}\n");
                    }
                    Block::Paragraph(text) => {
                        let _ = writeln!(out, "{text}\n");
                    }
                    Block::List(items) => {
                        for item in items {
                            let _ = writeln!(out, "- {item}");
                        }
                        out.push('\n');
                    }
                    Block::Table(table) => {
                        let _ = writeln!(out, "*{}*\n", table.caption);
                        let row = |cells: &[String]| {
                            let cells: Vec<String> =
                                cells.iter().map(|c| c.replace('|', "\\|")).collect();
                            format!("| {} |\n", cells.join(" | "))
                        };
                        out.push_str(&row(&table.head));
                        out.push_str(&format!("|{}\n", " --- |".repeat(table.head.len())));
                        for cells in &table.rows {
                            out.push_str(&row(cells));
                        }
                        out.push('\n');
                    }
                }
            }
        }
        out
    }
}

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => {
            let _ = writeln!(out, "<h3>{}</h3>", escape(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        Block::List(items) => {
            let _ = writeln!(out, "<ul>");
            for item in items {
                let _ = writeln!(out, "<li>{}</li>", escape(item));
            }
            let _ = writeln!(out, "</ul>");
        }
        Block::Table(table) => {
            let _ = writeln!(
                out,
                "<div class=\"tabel\"><table>\n<caption>{}</caption>\n<thead><tr>",
                escape(&table.caption)
            );
            for cell in &table.head {
                let _ = write!(out, "<th scope=\"col\">{}</th>", escape(cell));
            }
            let _ = writeln!(out, "</tr></thead>\n<tbody>");
            for cells in &table.rows {
                let _ = write!(out, "<tr>");
                for (index, cell) in cells.iter().enumerate() {
                    if index == 0 {
                        let _ = write!(out, "<th scope=\"row\">{}</th>", escape(cell));
                    } else {
                        let _ = write!(out, "<td>{}</td>", escape(cell));
                    }
                }
                let _ = writeln!(out, "</tr>");
            }
            let _ = writeln!(out, "</tbody>\n</table></div>");
        }
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A4, page numbers at the foot, tables that do not break inside a row.
const PRINT_STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:48rem;\
margin:0 auto;padding:1rem;color:#1a1a1a}table{border-collapse:collapse;width:100%;margin:0 0 1rem}\
caption{text-align:left;font-weight:bold;padding:.25rem 0}th,td{border:1px solid #767676;\
padding:.25rem .5rem;text-align:left;vertical-align:top}tr{break-inside:avoid}\
h2,h3{break-after:avoid}h2{margin-top:2rem}@page{size:A4;margin:2cm 2cm 2.5cm;\
@bottom-center{content:\"Pagina \" counter(page) \" van \" counter(pages)}}\
@media print{nav{display:none}}";

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Document {
        Document {
            title: String::from("Protocol <test> & zo"),
            intro: vec![String::from("Versie 1.")],
            sections: vec![Section {
                id: String::from("melden"),
                heading: String::from("Melden"),
                blocks: vec![
                    Block::Paragraph(String::from("Meld het \"altijd\".")),
                    Block::List(vec![String::from("een"), String::from("twee")]),
                    Block::Table(Table {
                        caption: String::from("Wie meldt bij wie"),
                        head: vec![String::from("Als u"), String::from("meldt u bij")],
                        rows: vec![vec![String::from("raadslid"), String::from("a|b")]],
                    }),
                ],
            }],
        }
    }

    #[test]
    fn html_escapes_every_text_and_heads_rows_and_columns() {
        let html = sample().to_html_fragment();
        assert!(
            html.contains("<h1>Protocol &lt;test&gt; &amp; zo</h1>"),
            "{html}"
        );
        assert!(html.contains("Meld het &quot;altijd&quot;."));
        assert!(html.contains("<th scope=\"col\">Als u</th>"));
        assert!(html.contains("<th scope=\"row\">raadslid</th><td>a|b</td>"));
        assert!(html.contains("<a href=\"#melden\">Melden</a>"));
        let page = sample().to_html_page();
        assert!(page.starts_with("<!doctype html>\n<html lang=\"nl\">"));
        assert!(page.contains("size:A4") && page.contains("counter(page)"));
    }

    #[test]
    fn markdown_has_headings_lists_and_pipe_tables() {
        let md = sample().to_markdown();
        assert!(md.starts_with("# Protocol <test> & zo\n\nVersie 1.\n"));
        assert!(md.contains("## Melden\n"));
        assert!(md.contains("- een\n- twee\n"));
        assert!(md.contains("| Als u | meldt u bij |\n| --- | --- |\n| raadslid | a\\|b |"));
    }
}
