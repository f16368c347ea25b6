//! `weerbaar report yearly`, run as an operator runs it against a throwaway data folder
//! whose register is filled through the library (the command line makes no reports).

#[path = "support/cli.rs"]
mod cli;

use std::path::Path;

use cli::{initialised, weerbaar};
use serde_json::{Value, json};
use weerbaar_protocol::{Behaviour, Channel, Facts, Role, Victim};
use weerbaar_register::{
    MasterKey, NewPerson, NewReport, NewVictim, OrganisationId, Register, Relation,
};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The register of a data folder set up with the defaults.
async fn open_register(data: &Path) -> Register {
    let key = MasterKey::read_key_file(&data.join("weerbaar.key")).unwrap();
    let url = format!("sqlite://{}", data.join("weerbaar.db").display());
    Register::open(&url, key).await.unwrap()
}

/// Six insults of a raadslid in March 2025: five by e-mail, one by phone.
fn fill(data: &Path) -> OrganisationId {
    block_on(async {
        let register = open_register(data).await;
        let organisation = register.organisations().await.unwrap()[0].id.clone();
        let raadslid = register
            .add_person(
                &organisation,
                NewPerson {
                    name: "Fatima El Amrani".into(),
                    email: None,
                    roles: vec![(Role::Raadslid, true)],
                },
            )
            .await
            .unwrap();
        for day in 1..=6 {
            let occurred = format!("2025-03-{day:02}T20:15:00+01:00");
            let facts = Facts {
                occurred_at: occurred.parse().unwrap(),
                reported_at: None,
                victim: Victim {
                    role: Role::Raadslid,
                    former: false,
                },
                behaviours: vec![Behaviour::Schelden.into()],
                channel: if day == 6 {
                    Channel::Telefoon
                } else {
                    Channel::Email
                },
                persistent: false,
                corrected_after_warning: false,
                injury: weerbaar_protocol::Injury::Geen,
                criminal_offence_suspected: false,
                perpetrator_known: false,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            };
            register
                .register_report(NewReport {
                    organisation: organisation.clone(),
                    reporter: raadslid.clone(),
                    on_behalf: false,
                    victims: vec![NewVictim {
                        person: raadslid.clone(),
                        role: Role::Raadslid,
                        relation: Relation::Zelf,
                    }],
                    facts,
                    narrative: "Scheldmail na de raadsvergadering.".into(),
                    place: None,
                    during_meeting: false,
                    perpetrator: None,
                })
                .await
                .unwrap();
        }
        register.db().close().await;
        organisation
    })
}

const YEARLY_2025: &[&str] = &["report", "yearly", "--year", "2025"];

fn yearly(data: &Path, extra: &[&str]) -> cli::Run {
    let args: Vec<&str> = YEARLY_2025.iter().chain(extra).copied().collect();
    weerbaar(data, &args, "")
}

#[test]
fn the_yearly_report_is_printed_as_json() {
    let (_tmp, data) = initialised();
    let organisation = fill(&data);
    let run = yearly(&data, &["--format", "json"]);
    run.success();
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["organisation"], organisation.as_str());
    assert_eq!(report["year"], 2025);
    assert_eq!(report["incidents"], 6);
    assert_eq!(report["consults"], 0);
    assert_eq!(report["by_category"]["verbale_agressie"], 6);
    assert_eq!(report["by_category"]["fysiek_geweld"], 0);
    assert_eq!(report["by_abcd"], json!({ "A": 0, "B": 0, "C": 6, "D": 0 }));
    // One phone call would be the total minus the e-mails: the e-mails hide too.
    assert_eq!(report["by_channel"]["telefoon"], "<5");
    assert_eq!(report["by_channel"]["email"], "x");
    assert_eq!(report["by_channel"]["brief"], 0);
    assert_eq!(report["by_month"]["3"], 6);
    assert_eq!(report["by_month"].as_object().unwrap().len(), 12);
    assert_eq!(
        report["by_victim_group"],
        json!({ "raad": 6, "college": 0 })
    );
    assert_eq!(report["by_perpetrator_kind"]["onbekend"], 6);
    assert_eq!(report["recidive"], 0);
    assert_eq!(report["police"], json!({ "melding": 0, "aangifte": 0 }));
    assert_eq!(report["measures"].as_object().unwrap().len(), 12);
    // Three conversations of each insult, all past their deadline and not held.
    assert_eq!(
        report["aftercare"],
        json!({ "on_time": 0, "late": 0, "not_held": 18 })
    );
    assert_eq!(
        report["tasks"],
        json!({ "on_time": 0, "late": 0, "overdue_open": 18 })
    );
    assert_eq!(report["median_days_to_close"], Value::Null);

    // Another year: zeros.
    let run = weerbaar(
        &data,
        &["report", "yearly", "--year", "1990", "--format", "json"],
        "",
    );
    run.success();
    let empty: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(empty["incidents"], 0);
    assert_eq!(empty["by_channel"]["email"], 0);
}

#[test]
fn the_yearly_report_is_printed_as_csv_and_html() {
    let (_tmp, data) = initialised();
    let organisation = fill(&data);
    let run = yearly(&data, &["--format", "csv"]);
    run.success();
    let csv = run.stdout();
    assert!(csv.starts_with("\u{feff}breakdown;key;value\r\n"), "{csv}");
    for row in [
        format!("organisation;;{organisation}\r\n"),
        "year;;2025\r\n".into(),
        "incidents;;6\r\n".into(),
        "by_channel;telefoon;<5\r\n".into(),
        "by_channel;email;x\r\n".into(),
        "by_month;3;6\r\n".into(),
        "median_days_to_close;;\r\n".into(),
        "aftercare;not_held;18\r\n".into(),
    ] {
        assert!(csv.contains(&row), "{row:?} not in:\n{csv}");
    }

    let run = yearly(&data, &["--format", "html"]);
    run.success();
    let html = run.stdout();
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"nl\">"),
        "{html}"
    );
    for part in [
        "<h1>",
        "<caption>Naar kanaal</caption>",
        "<th scope=\"col\">Kanaal</th>",
        "<tr><th scope=\"row\">Telefoon</th><td>&lt;5</td></tr>",
        "<tr><th scope=\"row\">E-mail</th><td>x</td></tr>",
        "<tr><th scope=\"row\">maart</th><td>6</td></tr>",
        "<tr><th scope=\"row\">Incidenten</th><td>6</td></tr>",
    ] {
        assert!(html.contains(part), "{part:?} not in:\n{html}");
    }
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn bad_arguments_are_refused_and_nothing_is_written() {
    let (_tmp, data) = initialised();
    let organisation = fill(&data);
    for year in ["1899", "3000", "twintig", "-2025"] {
        let run = weerbaar(
            &data,
            &["report", "yearly", "--year", year, "--format", "json"],
            "",
        );
        run.fails_with("--year");
        assert_eq!(run.stdout(), "", "year {year}");
    }
    for format in ["docx", "xml", "JSONX"] {
        let run = yearly(&data, &["--format", format]);
        run.fails_with("--format");
        assert_eq!(run.stdout(), "", "format {format}");
    }
    let run = yearly(&data, &["--format", "json", "--organisation", "no-such-id"]);
    run.fails_with("--organisation");
    assert_eq!(run.stdout(), "");

    // With a second organisation, the report must be told which one.
    block_on(async {
        let register = open_register(&data).await;
        register
            .create_organisation(
                "Gemeente Westerveld",
                weerbaar_protocol::preset_text("westerveld").unwrap(),
            )
            .await
            .unwrap();
        register.db().close().await;
    });
    let run = yearly(&data, &["--format", "json"]);
    run.fails_with("--organisation");
    assert_eq!(run.stdout(), "");
    let run = yearly(
        &data,
        &["--format", "json", "--organisation", organisation.as_str()],
    );
    run.success();
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["incidents"], 6);
}

/// The text of a PDF as `pdftotext` reads it; `None` (said loudly) without poppler-utils,
/// except under `CI=true`, where a missing tool fails the test.
fn pdf_text(path: &Path) -> Option<String> {
    match std::process::Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
    {
        Ok(output) => {
            assert!(output.status.success(), "pdftotext read {}", path.display());
            Some(
                String::from_utf8_lossy(&output.stdout)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        }
        Err(error) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("pdftotext (poppler-utils) is needed under CI=true: {error}")
        }
        Err(error) => {
            eprintln!(
                "PDF TEXT CHECK SKIPPED: pdftotext (poppler-utils) is not installed ({error})"
            );
            None
        }
    }
}

#[test]
fn the_yearly_report_is_written_as_pdf_to_a_file_or_a_pipe() {
    let (tmp, data) = initialised();
    fill(&data);
    // Standard output is a pipe here: the PDF goes there.
    let run = yearly(&data, &["--format", "pdf"]);
    run.success();
    assert!(run.0.stdout.starts_with(b"%PDF-"), "{}", run.stderr());

    let file = tmp.path().join("jaarverslag.pdf");
    let run = yearly(
        &data,
        &["--format", "pdf", "--output", file.to_str().unwrap()],
    );
    run.success();
    assert!(
        run.0.stdout.is_empty(),
        "with --output nothing goes to standard output"
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&file) {
        assert!(text.contains("Jaarverslag 2025"), "{text}");
        assert!(text.contains("Concept."), "no final version yet: {text}");
        assert!(text.contains("In 2025 zijn 6 incidenten gemeld."), "{text}");
        assert!(text.contains("<5"), "{text}");
        assert!(!text.contains("Fatima"), "no names: {text}");
    }

    // The other formats go to --output too.
    let json = tmp.path().join("jaarverslag.json");
    yearly(
        &data,
        &["--format", "json", "--output", json.to_str().unwrap()],
    )
    .success();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["incidents"], 6);

    // A folder that does not exist: a plain error naming --output.
    let run = yearly(
        &data,
        &["--format", "pdf", "--output", "/nonexistent/folder/x.pdf"],
    );
    run.fails_with("--output");
}

#[test]
fn a_pdf_is_not_written_on_a_terminal() {
    let (_tmp, data) = initialised();
    // `script` (util-linux) gives the command a terminal as standard output.
    let command = format!(
        "{} --data-dir {} report yearly --year 2025 --format pdf",
        env!("CARGO_BIN_EXE_weerbaar"),
        data.display()
    );
    let Ok(output) = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
    else {
        eprintln!("TERMINAL CHECK SKIPPED: `script` (util-linux) is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains("--format pdf: standard output is a terminal"),
        "{text}"
    );
    assert!(!text.contains("%PDF"), "{text}");
}

#[test]
fn the_incidents_of_a_year_are_exported_as_anonymised_rows_and_logged() {
    let (_tmp, data) = initialised();
    let organisation = fill(&data);
    let run = weerbaar(&data, &["report", "cases", "--year", "2025"], "");
    run.success();
    let csv = run.stdout();
    assert!(
        csv.starts_with(
            "\u{feff}Jaar;Maand;Soort gedrag;Kanaal;Groep ambtsdragers;Soort pleger;Herhaling;\
             Status;Taken op tijd;Taken te laat;Taken open, termijn verstreken\r\n"
        ),
        "{csv}"
    );
    let rows: Vec<&str> = csv
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 6, "{csv}");
    // Sorted by value, not by day: the phone call is not the last row for being the
    // last incident.
    assert_eq!(
        rows.iter()
            .filter(|row| row.starts_with(
                "2025;3;(Non-)verbale agressie;E-mail;Gemeenteraad;Onbekend;nee;Gemeld;0;0;"
            ))
            .count(),
        5,
        "{csv}"
    );
    assert!(rows[0].contains(";E-mail;"), "{csv}");
    assert!(rows[5].contains(";Telefoon;"), "{csv}");
    assert!(!csv.contains("Fatima"));

    // The export is in the administration log, as from the server's command line.
    let logged = block_on(async {
        let register = open_register(&data).await;
        let events = register.admin_events(&organisation, 10).await.unwrap();
        register.db().close().await;
        events
    });
    let export = logged
        .iter()
        .find(|event| event.kind == weerbaar_register::AdminEventKind::CasesExported)
        .expect("the export is logged");
    assert_eq!(export.actor, None);
    assert_eq!(export.detail["rows"], 6);

    for year in ["1899", "3000", "twintig"] {
        let run = weerbaar(&data, &["report", "cases", "--year", year], "");
        run.fails_with("--year");
        assert_eq!(run.stdout(), "", "year {year}");
    }
    let run = weerbaar(
        &data,
        &[
            "report",
            "cases",
            "--year",
            "2025",
            "--organisation",
            "nergens",
        ],
        "",
    );
    run.fails_with("--organisation");
    assert_eq!(run.stdout(), "");
}
