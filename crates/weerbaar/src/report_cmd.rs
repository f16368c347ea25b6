//! `weerbaar report yearly`: the yearly figures of one organisation (PROTOCOL.md §17), as
//! JSON (the contract), CSV (for a spreadsheet), a small HTML document (to print or to
//! send to the council) or the PDF the council page offers (`weerbaar_web::yearly_pdf`:
//! the final version once the yearly discussion is final, else a concept). The figures are the register's ([`Register::yearly_report`]),
//! small cells already hidden; this file only writes them out. docs/insight.md says what
//! each figure means.
//!
//! Everything is checked and computed before a byte is written, so a bad argument or a
//! failure writes nothing on standard output.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use weerbaar_register::YearlyReport;
use weerbaar_register::yearly::{FIRST_YEAR, LAST_YEAR};
// The captions and labels are shared with the API and the page /inzicht/jaarverslag.
use weerbaar_web::yearly::{breakdowns, caption, cell_text, decimal_comma, label};

use crate::register_cmd::Flat;
use crate::user_cmd::{open, organisation};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The yearly figures of an organisation (PROTOCOL.md §17), on standard output:
    ///
    ///   weerbaar report yearly --year 2026 --format json
    ///
    /// An incident counts in the year it happened, in Europe/Amsterdam. Counts from 1 to
    /// 4 are shown as "<5", and where that would let a count be worked out from the
    /// total, one more count is shown as "x". See docs/insight.md.
    Yearly(YearlyArgs),
    /// The incidents of a year as anonymised rows, for a spreadsheet (CSV on standard
    /// output, as Dutch Excel and LibreOffice open it):
    ///
    ///   weerbaar report cases --year 2026 > incidenten-2026.csv
    ///
    /// One row per incident: month, category, channel, group of office holders, kind of
    /// perpetrator, recidive, status and deadlines kept. Never a name, narrative, place,
    /// day or case number. Every export is written to the administration log.
    Cases(crate::export_cmd::CasesArgs),
}

#[derive(Debug, Args)]
pub struct YearlyArgs {
    /// The year, 1900 to 2999.
    #[arg(long, value_name = "YYYY", value_parser = clap::value_parser!(i16).range(i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)))]
    year: i16,
    /// The organisation's id (see `weerbaar organisation list`); may be left out when
    /// the register holds one organisation.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
    /// json: the figures as the API gives them; csv: rows breakdown;key;value for a
    /// spreadsheet (UTF-8 with a byte order mark, `;` between fields, a decimal comma);
    /// html: a document in Dutch with a table per breakdown; pdf: the yearly report as
    /// the council page offers it (binary: give --output, or send standard output to a
    /// file or a pipe).
    #[arg(long, value_enum)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
    Html,
    Pdf,
}

pub async fn run(data_dir: &Path, command: ReportCommand) -> Result<ExitCode> {
    let args = match command {
        ReportCommand::Yearly(args) => args,
        ReportCommand::Cases(args) => return crate::export_cmd::run(data_dir, args).await,
    };
    // A PDF on a terminal is noise that can upset it: refused before anything is done.
    if args.format == Format::Pdf && args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(anyhow!(
            "--format pdf: standard output is a terminal; give --output FILE or redirect standard output to a file"
        ));
    }
    let register = open(data_dir).await?;
    let result = async {
        let id = organisation(&register, args.organisation.as_deref()).await?;
        let name = register
            .organisations()
            .await
            .flat()?
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| o.name)
            .ok_or_else(|| anyhow!("--organisation: no organisation `{id}`"))?;
        let now = weerbaar_register::time::now();
        let report = register
            .yearly_report(&id, args.year, now)
            .await
            .flat()
            .with_context(|| format!("cannot make the yearly report of {}", args.year))?;
        let pdf = match args.format {
            Format::Pdf => Some(
                weerbaar_web::yearly_pdf::for_year(&register, &id, &name, args.year, now)
                    .await
                    .with_context(|| format!("cannot make the PDF of {}", args.year))?,
            ),
            _ => None,
        };
        Ok::<_, anyhow::Error>((name, report, pdf))
    }
    .await;
    register.db().close().await;
    let (name, report, pdf) = result?;
    let out: Vec<u8> = match (args.format, pdf) {
        (Format::Json, _) => {
            let mut json =
                serde_json::to_string_pretty(&report).context("cannot write the report as JSON")?;
            json.push('\n');
            json.into_bytes()
        }
        (Format::Csv, _) => csv(&report).into_bytes(),
        (Format::Html, _) => html(&name, &report).into_bytes(),
        (Format::Pdf, Some(pdf)) => pdf,
        (Format::Pdf, None) => return Err(anyhow!("--format pdf: no PDF was made")),
    };
    match &args.output {
        Some(path) => std::fs::write(path, &out)
            .with_context(|| format!("--output: cannot write {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&out)
                .and_then(|()| stdout.flush())
                .context("cannot write the report to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------
// CSV

/// Rows `breakdown;key;value`: a figure on its own has an empty key. Written as a
/// spreadsheet with Dutch settings opens it (`weerbaar_web::spreadsheet`).
fn csv(report: &YearlyReport) -> String {
    let mut rows: Vec<[String; 3]> = vec![
        ["breakdown".into(), "key".into(), "value".into()],
        [
            "organisation".into(),
            String::new(),
            report.organisation.to_string(),
        ],
        ["year".into(), String::new(), report.year.to_string()],
        [
            "incidents".into(),
            String::new(),
            report.incidents.to_string(),
        ],
        ["consults".into(), String::new(), cell_text(report.consults)],
        ["recidive".into(), String::new(), cell_text(report.recidive)],
        [
            "median_days_to_close".into(),
            String::new(),
            report
                .median_days_to_close
                .map(decimal_comma)
                .unwrap_or_default(),
        ],
    ];
    for (name, shown) in breakdowns(report) {
        for (key, cell) in &shown.0 {
            rows.push([name.into(), (*key).into(), cell_text(*cell)]);
        }
    }
    weerbaar_web::spreadsheet::document(rows)
}

// ---------------------------------------------------------------------------------------
// HTML

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(name: &str, report: &YearlyReport) -> String {
    let title = format!("Jaarrapportage {} – {}", report.year, escape(name));
    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}\n\
         table {{ border-collapse: collapse; margin: 1.5rem 0; min-width: 24rem; }}\n\
         caption {{ text-align: left; font-weight: bold; padding-bottom: .4rem; }}\n\
         th, td {{ border-bottom: 1px solid #ccc; padding: .3rem .8rem .3rem 0; text-align: left; }}\n\
         td {{ text-align: right; }}\n\
         </style>\n</head>\n<body>\n\
         <h1>Agressie en intimidatie tegen ambtsdragers: jaarrapportage {year}</h1>\n\
         <p>{org}. Een incident telt mee in het jaar waarin het gebeurde. Consulten (twijfel \
         of iets gemeld moet worden) en incidenten tegen ambtenaren tellen niet mee als \
         incident.</p>\n\
         <p>Aantallen van 1 tot en met 4 staan er als &lt;5. Waar een verborgen aantal uit \
         het totaal terug te rekenen zou zijn, is nog een aantal verborgen, als x. Zo is \
         niemand in deze cijfers te herkennen.</p>\n",
        year = report.year,
        org = escape(name),
    );
    let median = report
        .median_days_to_close
        .map(|days| format!("{} dagen", decimal_comma(days)))
        .unwrap_or_else(|| String::from("geen afgeronde zaken"));
    let _ = write!(
        out,
        "<table>\n<caption>Totalen</caption>\n<tbody>\n\
         <tr><th scope=\"row\">Incidenten</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">Consulten</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">Incidenten met een pleger die al eerder bekend was</th><td>{}</td></tr>\n\
         <tr><th scope=\"row\">Mediane doorlooptijd van melding tot afronding</th><td>{}</td></tr>\n\
         </tbody>\n</table>\n",
        report.incidents,
        escape(&cell_text(report.consults)),
        escape(&cell_text(report.recidive)),
        escape(&median),
    );
    for (breakdown, shown) in breakdowns(report) {
        let (caption, column) = caption(breakdown);
        let _ = write!(
            out,
            "<table>\n<caption>{caption}</caption>\n<thead><tr><th scope=\"col\">{column}</th>\
             <th scope=\"col\">Aantal</th></tr></thead>\n<tbody>\n"
        );
        for (key, cell) in &shown.0 {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(&label(breakdown, key)),
                escape(&cell_text(*cell)),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_get_dutch_labels() {
        assert_eq!(label("by_month", "3"), "maart");
        assert_eq!(label("by_abcd", "D"), "D-gedrag");
        assert_eq!(label("by_channel", "email"), "E-mail");
        assert_eq!(label("aftercare", "not_held"), "Niet gehouden");
        assert_eq!(
            escape("<Gemeente & \"Co\">"),
            "&lt;Gemeente &amp; &quot;Co&quot;&gt;"
        );
    }
}
