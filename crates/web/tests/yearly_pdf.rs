//! The text of the yearly discussion on /inzicht/jaarverslag and the report as a PDF
//! (/inzicht/jaarverslag.pdf): who handles cases writes a draft and makes it final;
//! informed roles and the privacy officer read but do not write; the administrator and a
//! raadslid get neither. The PDF's text is read back with `pdftotext` (poppler-utils) and
//! its fonts with `pdffonts`: without them the PDF checks are skipped loudly, except
//! under `CI=true`, where a missing tool fails the test.

mod support;

use std::process::Command;

use axum::http::{StatusCode, header};
use jiff::Timestamp;
use support::{Client, Someone, World};
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::duties::Duty;
use weerbaar_register::{NewReport, NewVictim, Relation};

/// This year in Amsterdam, where the report counts.
fn this_year() -> i16 {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .year()
}

struct Cast {
    griffier: Someone,
    burgemeester: Someone,
    privacy: Someone,
    admin: Someone,
    raadslid: Someone,
}

/// A Leiden register (the griffier handles, the burgemeester is informed) with one
/// insult of the raadslid this year: a "<5" in the figures.
async fn world() -> (World, Cast) {
    let world = World::new("leiden").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let burgemeester = world
        .person("Bas Burgemeester", &[Role::Burgemeester], &[], true)
        .await;
    let privacy = world
        .person("Pim Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
        .await;
    let admin = world
        .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let facts = Facts {
        occurred_at: Timestamp::now() - jiff::SignedDuration::from_mins(30),
        reported_at: None,
        victim: Victim {
            role: Role::Raadslid,
            former: false,
        },
        behaviours: vec![Behaviour::Schelden.into()],
        channel: Channel::Email,
        persistent: false,
        corrected_after_warning: false,
        injury: Injury::Geen,
        criminal_offence_suspected: false,
        perpetrator_known: false,
        prior_incidents: 0,
        damage: false,
        addressed: None,
        report_to: None,
        situation: None,
    };
    world
        .register()
        .register_report(NewReport {
            organisation: world.organisation.clone(),
            reporter: raadslid.id.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: raadslid.id.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts,
            narrative: String::from("Een scheldmail na de raadsvergadering."),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .expect("a report");
    (
        world,
        Cast {
            griffier,
            burgemeester,
            privacy,
            admin,
            raadslid,
        },
    )
}

/// The text of a PDF as `pdftotext -layout` reads it, `None` (said loudly) when the tool
/// is not installed and we are not in CI.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jaarverslag.pdf");
    std::fs::write(&path, bytes).unwrap();
    let output = match Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("pdftotext (poppler-utils) is needed under CI=true: {error}");
            }
            eprintln!(
                "PDF TEXT CHECK SKIPPED: pdftotext (poppler-utils) is not installed ({error})"
            );
            return None;
        }
    };
    assert!(
        output.status.success(),
        "pdftotext read the PDF: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let fonts = Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts comes with pdftotext");
    let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
    let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_lines.is_empty(), "the PDF has fonts: {fonts}");
    for line in font_lines {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name, type…, encoding, emb, sub, uni, object, generation
        let embedded = columns.get(columns.len().saturating_sub(5)).copied();
        assert_eq!(embedded, Some("yes"), "every font is embedded: {line}");
    }
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The words of a text on one line, so that a sentence the PDF wrapped is still found.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn get_pdf(client: &mut Client, year: i16) -> support::Page {
    client
        .get(&format!("/inzicht/jaarverslag.pdf?jaar={year}"))
        .await
}

#[tokio::test]
async fn the_griffier_writes_a_draft_makes_it_final_and_it_stays_final() {
    let (world, cast) = world().await;
    let year = this_year();
    let mut griffier = world.sign_in(&cast.griffier).await;
    let page = griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"bespreking\""));
    assert!(
        page.body
            .contains("action=\"/inzicht/jaarverslag/bespreking\"")
    );
    assert!(page.body.contains("Download het jaarverslag"));
    assert!(page.body.contains("(concept)"));

    // The concept PDF, before any text: the figures, marked as a concept.
    let pdf = get_pdf(&mut griffier, year).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        pdf.headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"jaarverslag-gemeente-test-{year}.pdf\"").as_str()
    );
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf.bytes) {
        let text = flat(&text);
        assert!(
            text.contains(&format!("Jaarverslag {year} Gemeente Test")),
            "{text}"
        );
        assert!(text.contains("Concept."), "{text}");
        assert!(
            text.contains(&format!("In {year} is 1 incident gemeld.")),
            "{text}"
        );
        assert!(
            text.contains("<5"),
            "a small count is written as <5: {text}"
        );
        assert!(text.contains("Pagina 1 van"), "{text}");
        assert!(!text.contains("De jaarbespreking"), "no text yet: {text}");
        assert!(!text.contains("scheldmail"), "no case content: {text}");
    }

    // A draft.
    let saved = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", "Wel of geen aangifte bij een anonieme mail?"),
                ("conclusies", ""),
                ("wijzigingen", "Nazorg binnen 2 dagen."),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/inzicht/jaarverslag?jaar={year}#bespreking").as_str())
    );
    let page = griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    assert!(
        page.body
            .contains("Het concept is het laatst opgeslagen op")
    );
    assert!(page.body.contains("Greet Griffier"));
    assert!(
        page.body
            .contains(">Wel of geen aangifte bij een anonieme mail?</textarea>")
    );
    let pdf = get_pdf(&mut griffier, year).await;
    if let Some(text) = pdf_text(&pdf.bytes) {
        let text = flat(&text);
        assert!(text.contains("Concept."), "{text}");
        assert!(text.contains("De jaarbespreking"), "{text}");
        assert!(
            text.contains("Wel of geen aangifte bij een anonieme mail?"),
            "{text}"
        );
        assert!(
            text.contains("Niet ingevuld."),
            "the empty conclusions: {text}"
        );
    }

    // Too long: the field named, the text kept in the form, nothing saved.
    let long = "a".repeat(10_001);
    let refused = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", "Een nieuwe versie die niet bewaard wordt."),
                ("conclusies", &long),
                ("wijzigingen", ""),
                ("actie", "definitief"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("href=\"#conclusies\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"conclusies-fout\""));
    assert!(
        refused
            .body
            .contains("Conclusies: hoogstens 10.000 tekens. Nu zijn het er 10.001.")
    );
    assert!(
        refused
            .body
            .contains(">Een nieuwe versie die niet bewaard wordt.</textarea>")
    );
    let stored = world
        .register()
        .yearly_discussion(&world.organisation, year)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.text.dilemmas,
        "Wel of geen aangifte bij een anonieme mail?"
    );
    assert_eq!(stored.final_version, None);

    // Final with no text at all: refused, naming the first field.
    let empty = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", " "),
                ("conclusies", ""),
                ("wijzigingen", ""),
                ("actie", "definitief"),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .body
            .contains("Vul minstens één van de drie teksten in")
    );

    // A year out of range: the year's field says so, nothing written.
    let bad = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[("jaar", "1899"), ("dilemmas", "x"), ("actie", "opslaan")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::SEE_OTHER);
    let shown = griffier.get(bad.location.as_deref().unwrap()).await;
    assert_eq!(shown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        shown
            .body
            .contains("Kies een jaar van 1900 tot en met 2999.")
    );
    assert_eq!(
        world
            .register()
            .yearly_discussion(&world.organisation, 1899)
            .await
            .ok()
            .flatten(),
        None
    );

    // Without the form's token: refused.
    let forged = griffier
        .post_exact(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", "vals"),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // Final.
    griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    let done = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", "Wel of geen aangifte bij een anonieme mail?"),
                ("conclusies", "Altijd aangifte doen bij bedreiging."),
                ("wijzigingen", "Nazorg binnen 2 dagen."),
                ("actie", "definitief"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    assert!(page.body.contains("Deze tekst is definitief gemaakt op"));
    assert!(!page.body.contains("<textarea"), "no form after final");
    assert!(page.body.contains("Altijd aangifte doen bij bedreiging."));
    assert!(page.body.contains("Download de definitieve versie als pdf"));
    let pdf = get_pdf(&mut griffier, year).await;
    assert_eq!(pdf.status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf.bytes) {
        let text = flat(&text);
        assert!(
            text.contains("Definitieve versie, vastgesteld op"),
            "{text}"
        );
        assert!(text.contains("door Greet Griffier"), "{text}");
        assert!(!text.contains("Concept."), "{text}");
        assert!(!text.contains("CONCEPT"), "{text}");
        assert!(
            text.contains("Altijd aangifte doen bij bedreiging."),
            "{text}"
        );
        assert!(text.contains("Dilemma's"), "{text}");
        assert!(
            text.contains("Voorgestelde wijzigingen van het protocol"),
            "{text}"
        );
        assert!(text.contains("<5"), "{text}");
    }

    // Finalising twice, or saving a draft after: refused, the final version unchanged.
    for action in ["definitief", "opslaan"] {
        let again = griffier
            .post(
                "/inzicht/jaarverslag/bespreking",
                &[
                    ("jaar", &year.to_string()),
                    ("dilemmas", "Iets anders"),
                    ("conclusies", ""),
                    ("wijzigingen", ""),
                    ("actie", action),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(
            again
                .body
                .contains(&format!("De tekst van {year} is al definitief gemaakt.")),
            "{}",
            again.body
        );
    }
    let stored = world
        .register()
        .yearly_discussion(&world.organisation, year)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.text.conclusions,
        "Altijd aangifte doen bij bedreiging."
    );
    assert!(stored.final_version.is_some());
}

#[tokio::test]
async fn informed_roles_and_the_privacy_officer_read_but_do_not_write() {
    let (world, cast) = world().await;
    let year = this_year();
    let mut griffier = world.sign_in(&cast.griffier).await;
    griffier
        .get(&format!("/inzicht/jaarverslag?jaar={year}"))
        .await;
    let saved = griffier
        .post(
            "/inzicht/jaarverslag/bespreking",
            &[
                ("jaar", &year.to_string()),
                ("dilemmas", "Een dilemma in concept."),
                ("actie", "opslaan"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    for someone in [&cast.burgemeester, &cast.privacy] {
        let mut client = world.sign_in(someone).await;
        let page = client
            .get(&format!("/inzicht/jaarverslag?jaar={year}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", someone.email);
        assert!(
            !page.body.contains("<textarea"),
            "{}: no form",
            someone.email
        );
        assert!(
            page.body.contains("Een dilemma in concept."),
            "{}",
            someone.email
        );
        let pdf = get_pdf(&mut client, year).await;
        assert_eq!(pdf.status, StatusCode::OK, "{}", someone.email);
        assert!(pdf.bytes.starts_with(b"%PDF-"));
        let tried = client
            .post(
                "/inzicht/jaarverslag/bespreking",
                &[
                    ("jaar", &year.to_string()),
                    ("dilemmas", "Overschreven"),
                    ("actie", "definitief"),
                ],
            )
            .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{}", someone.email);
    }
    for someone in [&cast.admin, &cast.raadslid] {
        let mut client = world.sign_in(someone).await;
        client.get("/").await;
        let page = client
            .get(&format!("/inzicht/jaarverslag?jaar={year}"))
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", someone.email);
        let pdf = get_pdf(&mut client, year).await;
        assert_eq!(pdf.status, StatusCode::FORBIDDEN, "{}", someone.email);
        assert!(!pdf.bytes.starts_with(b"%PDF-"));
        let tried = client
            .post(
                "/inzicht/jaarverslag/bespreking",
                &[
                    ("jaar", &year.to_string()),
                    ("dilemmas", "Overschreven"),
                    ("actie", "opslaan"),
                ],
            )
            .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{}", someone.email);
    }
    let stored = world
        .register()
        .yearly_discussion(&world.organisation, year)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.text.dilemmas, "Een dilemma in concept.");
    assert_eq!(stored.final_version, None);

    // Not signed in: to the sign-in page.
    let mut anonymous = Client::new(world.app.clone());
    let pdf = get_pdf(&mut anonymous, year).await;
    assert_eq!(pdf.status, StatusCode::SEE_OTHER);
}
