//! The dashboard `/inzicht` (issue 12): exact figures, handler names, case numbers of
//! repeat perpetrators and open improvement actions for who handles cases; §17's small
//! cells and nothing that points at a case or a person for the informed roles and the
//! privacy officer; nothing for a raadslid or an administrator. And an improvement action
//! agreed on the case page is on the dashboard until its task is done.

mod support;

use axum::http::StatusCode;
use support::{Someone, World};
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::duties::Duty;
use weerbaar_register::{
    CaseId, NewPerpetrator, NewReport, NewVictim, PerpetratorDetails, PerpetratorKind, Relation,
};

struct Cast {
    raadslid: Someone,
    griffier: Someone,
    privacy: Someone,
    admin: Someone,
    adviseur: Someone,
}

async fn cast(world: &World) -> Cast {
    Cast {
        raadslid: world
            .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
            .await,
        griffier: world
            .person("Greet Griffier", &[Role::Griffier], &[], true)
            .await,
        privacy: world
            .person("Pim Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
            .await,
        admin: world
            .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
            .await,
        adviseur: world
            .person("Vera Adviseur", &[Role::AdviseurVpt], &[], true)
            .await,
    }
}

/// A report by the raadslid, half an hour ago (so in this month, quarter and year).
async fn report(
    world: &World,
    raadslid: &Someone,
    behaviour: Behaviour,
    perpetrator: Option<&str>,
) -> CaseId {
    let occurred_at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(30);
    let facts = Facts {
        occurred_at,
        reported_at: Some(occurred_at),
        victim: Victim {
            role: Role::Raadslid,
            former: false,
        },
        behaviours: vec![behaviour.into()],
        channel: Channel::InPersoon,
        persistent: false,
        corrected_after_warning: false,
        injury: Injury::Geen,
        criminal_offence_suspected: false,
        perpetrator_known: perpetrator.is_some(),
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
            narrative: "Wat er gebeurde.".into(),
            place: None,
            during_meeting: false,
            perpetrator: perpetrator.map(|email| NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    email: Some(email.into()),
                    ..PerpetratorDetails::default()
                },
            }),
        })
        .await
        .expect("a report")
        .case
}

#[tokio::test]
async fn exact_for_who_handles_small_cells_for_who_follows_nothing_for_anyone_else() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    // Five threats, two of them by one perpetrator, and one insult.
    report(
        &world,
        &cast.raadslid,
        Behaviour::DreigenMetGeweld,
        Some("p@voorbeeld.nl"),
    )
    .await;
    report(
        &world,
        &cast.raadslid,
        Behaviour::DreigenMetGeweld,
        Some("p@voorbeeld.nl"),
    )
    .await;
    for _ in 0..3 {
        report(&world, &cast.raadslid, Behaviour::DreigenMetGeweld, None).await;
    }
    report(&world, &cast.raadslid, Behaviour::Schelden, None).await;

    let mut griffier = world.sign_in(&cast.griffier).await;
    let start = griffier.get("/").await;
    assert!(
        start.body.contains("href=\"/inzicht\""),
        "the menu leads to it"
    );
    let page = griffier.get("/inzicht").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Inzicht: "), "{body}");
    assert!(
        body.contains("Dit kwartaal zijn 6 incidenten gemeld."),
        "{body}"
    );
    // Exact: the threats are 5 and the insult 1, nothing hidden.
    assert!(body.contains(">5</td>"), "{body}");
    assert!(body.contains(">1</td>"), "{body}");
    assert!(
        !body.contains("&lt;5") && !body.contains("&#60;5"),
        "{body}"
    );
    // The handler's name beside the role, the repeat perpetrator by case numbers.
    assert!(body.contains("Griffier (Greet Griffier)"), "{body}");
    assert!(body.contains("Meldingen 1 en 2"), "{body}");
    assert!(body.contains("href=\"/inzicht/jaarverslag\""));
    assert!(body.contains("<svg class=\"wb-chart\""));
    assert!(
        !body.contains(" style="),
        "the CSP forbids style attributes"
    );
    for code in ["bedreiging_intimidatie", "in_persoon", "verbeteractie"] {
        assert!(
            !body.contains(&format!(">{code}")),
            "no codes on the page: {code}"
        );
    }
    // The chooser starts on the current quarter, selected.
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date();
    let quarter = format!("{}-K{}", today.year(), (today.month() - 1) / 3 + 1);
    assert!(
        body.contains(&format!("<option value=\"{quarter}\" selected>")),
        "{body}"
    );
    // A month and a year can be chosen too.
    let month = griffier
        .get(&format!(
            "/inzicht?periode={}-{:02}",
            today.year(),
            today.month()
        ))
        .await;
    assert_eq!(month.status, StatusCode::OK);
    assert!(month.body.contains("Deze maand zijn 6 incidenten gemeld."));

    for someone in [&cast.adviseur, &cast.privacy] {
        let mut client = world.sign_in(someone).await;
        let page = client.get("/inzicht").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let body = &page.body;
        // The lone insult is "<5" and the threats beside it "x".
        assert!(body.contains("&lt;5") || body.contains("&#60;5"), "{body}");
        assert!(body.contains(">x</td>"), "{body}");
        assert!(!body.contains(">5</td>"), "{body}");
        assert!(!body.contains("Greet Griffier"), "no handler names: {body}");
        assert!(!body.contains("Meldingen 1"), "no case numbers: {body}");
        assert!(!body.contains("Plegers met meer dan"), "{body}");
        assert!(body.contains(">Griffier</th>"), "the role without a name");
    }
    for someone in [&cast.raadslid, &cast.admin] {
        let mut client = world.sign_in(someone).await;
        let start = client.get("/").await;
        assert!(!start.body.contains("href=\"/inzicht\""), "no link");
        let page = client.get("/inzicht").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(!page.body.contains("incidenten gemeld"));
    }

    // A period that is not one: the form again, the mistake at the field.
    for bad in ["2026-K9", "twee", "1899", "2026-13"] {
        let page = griffier.get(&format!("/inzicht?periode={bad}")).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(page.body.contains("href=\"#periode\""), "{}", page.body);
        assert!(page.body.contains("id=\"periode-fout\""));
        assert!(!page.body.contains("<figure"));
    }
    let mut anonymous = support::Client::new(world.app.clone());
    let page = anonymous.get("/inzicht").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_improvement_action_agreed_on_the_case_page_is_on_the_dashboard_until_done() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let case = report(&world, &cast.raadslid, Behaviour::DreigenMetGeweld, None).await;
    let mut griffier = world.sign_in(&cast.griffier).await;
    let page = griffier.get(&format!("/zaken/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Verbeteractie 1"));
    assert!(
        page.body
            .contains("<option value=\"\">Kies iemand</option>")
    );

    let next_month = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30))
        .to_zoned(jiff::tz::TimeZone::get("Europe/Amsterdam").unwrap())
        .date()
        .to_string();
    let who = cast.griffier.id.to_string();
    // A row begun must be whole: each missing part named at its field.
    let refused = griffier
        .post(
            &format!("/zaken/{case}/evaluatie"),
            &[
                ("evaluatie_risico", "midden"),
                ("evaluatie_oorzaak", "Besluit over de woonwijk"),
                ("actie_2_wat", "Camera bij de balie"),
                ("actie_3_datum", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    for message in [
        "Kies bij verbeteractie 2 wie het doet.",
        "Vul bij verbeteractie 2 in wanneer het klaar moet zijn.",
        "Vul bij verbeteractie 3 in wat er moet gebeuren.",
        "De datum bij verbeteractie 3 ligt in het verleden. Kies vandaag of later.",
    ] {
        assert!(
            refused.body.contains(message),
            "{message}: {}",
            refused.body
        );
    }
    assert!(refused.body.contains("href=\"#actie_2_wie\""));
    assert!(
        refused.body.contains("value=\"Camera bij de balie\""),
        "what was typed stays"
    );

    let done = griffier
        .post(
            &format!("/zaken/{case}/evaluatie"),
            &[
                ("evaluatie_risico", "midden"),
                ("evaluatie_oorzaak", "Besluit over de woonwijk"),
                ("actie_1_wat", "Camera bij de balie"),
                ("actie_1_wie", who.as_str()),
                ("actie_1_datum", next_month.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = griffier.get(&format!("/zaken/{case}")).await;
    assert!(
        page.body.contains("Verbeteractie: Camera bij de balie"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "<option value=\"verbeteractie_1\">Verbeteractie: Camera bij de balie</option>"
        ),
        "it can be marked done like any task"
    );

    let dashboard = griffier.get("/inzicht").await;
    assert!(
        dashboard.body.contains("Melding 1</th>"),
        "{}",
        dashboard.body
    );
    assert!(
        dashboard
            .body
            .contains("<td class=\"utrecht-table__cell\">Greet Griffier</td>")
    );
    // The words of the action are the case's: not on the dashboard.
    assert!(!dashboard.body.contains("Camera bij de balie"));
    let mut adviseur = world.sign_in(&cast.adviseur).await;
    let followed = adviseur.get("/inzicht").await;
    assert!(
        followed
            .body
            .contains("Open verbeteracties uit evaluaties: &lt;5.")
            || followed
                .body
                .contains("Open verbeteracties uit evaluaties: &#60;5."),
        "{}",
        followed.body
    );
    assert!(!followed.body.contains("Melding 1</th>"));

    griffier.get(&format!("/zaken/{case}")).await;
    let finished = griffier
        .post(
            &format!("/zaken/{case}/taak"),
            &[("taak_code", "verbeteractie_1")],
        )
        .await;
    assert_eq!(finished.status, StatusCode::SEE_OTHER, "{}", finished.body);
    let dashboard = griffier.get("/inzicht").await;
    assert!(
        dashboard
            .body
            .contains("Er staan geen verbeteracties open.")
    );
}
