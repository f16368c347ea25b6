//! The notification pages: a person chooses which mails they get (`/instellingen/e-mail`,
//! with the form's token), and administrators see the outbox (`/beheer/e-mail`) without
//! any mail's content or address.

mod support;

use axum::http::StatusCode;
use jiff::Timestamp;
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::{
    Duty, MailKind, NewPerpetrator, NewReport, NewVictim, PerpetratorDetails, PerpetratorKind,
    Relation,
};

use support::World;

#[tokio::test]
async fn a_person_chooses_their_mails() {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let mut browser = world.sign_in(&raadslid).await;
    let page = browser.get("/instellingen/e-mail").await;
    assert_eq!(page.status, StatusCode::OK);
    for kind in MailKind::ALL {
        // Every mail one may turn off is offered, switched on; the announcement of a new
        // handler is not offered at all.
        assert_eq!(
            page.body
                .contains(&format!("name=\"{}\" value=\"ja\" checked", kind.as_str())),
            kind.optional(),
            "{kind:?}"
        );
    }
    // Without the form's token nothing changes.
    let refused = browser
        .post_exact("/instellingen/e-mail", &[("nazorg_afspraak", "ja")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        world
            .register()
            .mail_preferences(&raadslid.id)
            .await
            .unwrap()
            .iter()
            .all(|(_, on)| *on)
    );
    // Only the aftercare mail stays on.
    let saved = browser
        .post("/instellingen/e-mail", &[("nazorg_afspraak", "ja")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        saved.location.as_deref(),
        Some("/instellingen/e-mail?opgeslagen")
    );
    let choices = world
        .register()
        .mail_preferences(&raadslid.id)
        .await
        .unwrap();
    for (kind, on) in choices {
        assert_eq!(
            on,
            kind == MailKind::NazorgAfspraak || !kind.optional(),
            "{kind:?}"
        );
    }
    let page = browser.get("/instellingen/e-mail?opgeslagen").await;
    assert!(page.body.contains("Uw keuze is opgeslagen."));
    assert!(
        page.body
            .contains("name=\"nazorg_afspraak\" value=\"ja\" checked")
    );
    assert!(
        !page
            .body
            .contains("name=\"taak_bijna\" value=\"ja\" checked")
    );
}

#[tokio::test]
async fn administrators_see_the_outbox_and_no_one_else() {
    let world = World::new("westerveld").await;
    let beheerder = world
        .person("Bea Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let griffier = world
        .person("Gijs Griffier", &[Role::Griffier], &[], true)
        .await;
    let mut admin = world.sign_in(&beheerder).await;
    let page = admin.get("/beheer/e-mail").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Er zijn nog geen e-mails."));
    let mut other = world.sign_in(&griffier).await;
    let page = other.get("/beheer/e-mail").await;
    assert!(
        page.status == StatusCode::FORBIDDEN || page.status == StatusCode::NOT_FOUND,
        "{}",
        page.status
    );
}

/// The calendar link: made (shown once), serving an iCalendar of the griffier's deadlines
/// without content, replaced by a new one, revoked.
#[tokio::test]
async fn a_calendar_link_serves_deadlines_without_content() {
    let world = World::new("leiden").await;
    let griffier = world
        .person("Gijs Griffier", &[Role::Griffier], &[], true)
        .await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let registered = world
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
            facts: Facts {
                occurred_at: Timestamp::now() - jiff::SignedDuration::from_hours(3),
                reported_at: None,
                victim: Victim {
                    role: Role::Raadslid,
                    former: false,
                },
                behaviours: vec![Behaviour::DreigenMetGeweld.into()],
                channel: Channel::InPersoon,
                persistent: false,
                corrected_after_warning: false,
                injury: Injury::Geen,
                criminal_offence_suspected: true,
                perpetrator_known: true,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            },
            narrative: String::from("Hij stond bij de Bushalte Dorpsstraat te schreeuwen."),
            place: Some(String::from("Bushalte Dorpsstraat")),
            during_meeting: false,
            perpetrator: Some(NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    licence_plate: Some(String::from("GZ-123-K")),
                    ..Default::default()
                },
            }),
        })
        .await
        .unwrap();
    let mut browser = world.sign_in(&griffier).await;
    let page = browser.get("/instellingen/agenda").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("U hebt geen agendalink."));
    let made = browser.post("/instellingen/agenda", &[]).await;
    assert_eq!(made.status, StatusCode::OK);
    let at = made.body.find("id=\"agendalink\">").unwrap() + "id=\"agendalink\">".len();
    let link = made.body[at..at + made.body[at..].find('<').unwrap()].to_owned();
    assert!(
        link.starts_with("/agenda/") && link.ends_with(".ics"),
        "{link}"
    );

    let mut anyone = support::Client::new(world.app.clone());
    let feed = anyone.get(&link).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(feed.body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(feed.body.contains("BEGIN:VEVENT"));
    let unfolded = feed.body.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("(melding {})", registered.number)));
    for secret in ["Bushalte", "Dorpsstraat", "GZ-123", "Rosa", "schreeuwen"] {
        assert!(!unfolded.contains(secret), "{secret}");
    }
    // The raadslid's own calendar has no task of the griffier.
    assert!(feed.body.lines().all(|l| l.len() <= 75));

    // A new link replaces the old; revoking ends it.
    let again = browser.post("/instellingen/agenda", &[]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(anyone.get(&link).await.status, StatusCode::NOT_FOUND);
    let revoked = browser.post("/instellingen/agenda/intrekken", &[]).await;
    assert!(revoked.body.contains("De agendalink is ingetrokken."));
    assert!(revoked.body.contains("U hebt geen agendalink."));
    assert_eq!(
        anyone.get("/agenda/onzin.ics").await.status,
        StatusCode::NOT_FOUND
    );
    // Without the form's token no link is made.
    let refused = browser.post_exact("/instellingen/agenda", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
