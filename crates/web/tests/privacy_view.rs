//! The privacy officer's overview `/privacy` (issue 14): who read which case with which
//! roles at that moment, who a handler let in, role changes and exports, never a case's
//! content; for the privacy officer only, not for an administrator, a handler or a
//! raadslid; a case number that is not one is named at its field.

mod support;

use axum::http::StatusCode;
use support::{Someone, World};
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::duties::Duty;
use weerbaar_register::{Action, NewReport, NewVictim, Registered, Relation};

const NARRATIVE: &str = "Hij schreeuwde dat hij wist waar mijn kinderen op school zitten.";
const PLACE: &str = "Schoolplein De Regenboog";

async fn report(world: &World, raadslid: &Someone) -> Registered {
    let occurred_at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
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
            facts: Facts {
                occurred_at,
                reported_at: Some(occurred_at),
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
                perpetrator_known: false,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            },
            narrative: NARRATIVE.into(),
            place: Some(PLACE.into()),
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .expect("a report")
}

#[tokio::test]
async fn the_privacy_officer_sees_who_read_with_which_role_and_nothing_of_the_case() {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let ambtenaar = world
        .person("Otto Ondersteuning", &[Role::Ambtenaar], &[], true)
        .await;
    let privacy = world
        .person("Pim Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
        .await;
    let admin = world
        .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let first = report(&world, &raadslid).await;
    let second = report(&world, &raadslid).await;

    // The griffier opens the first case on the page and lets a colleague in.
    let mut handler = world.sign_in(&griffier).await;
    let page = handler.get(&format!("/zaken/{}", first.case)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    world
        .register()
        .act(
            &griffier.id,
            &first.case,
            Action::GrantAccess {
                person: ambtenaar.id.clone(),
            },
        )
        .await
        .unwrap();
    // Then the griffier leaves office: the overview still says she read as griffier.
    let mut administrator = world.sign_in(&admin).await;
    let changed = administrator
        .post(
            &format!("/beheer/personen/{}", griffier.id),
            &[("role_griffier", "voormalig"), ("role_ambtenaar", "huidig")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    let mut officer = world.sign_in(&privacy).await;
    let page = officer.get("/privacy").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("Privacy-overzicht"), "{body}");
    assert!(
        body.contains("href=\"/privacy\">Privacy</a>"),
        "the menu leads here"
    );
    let read_row = format!(
        "<td class=\"utrecht-table__cell\">{}</td><td class=\"utrecht-table__cell\">Greet Griffier</td><td class=\"utrecht-table__cell\">griffier</td><td class=\"utrecht-table__cell\">het hele dossier</td>",
        first.number
    );
    assert!(
        body.contains(&read_row),
        "the read, with the role of then: {body}"
    );
    assert!(
        body.contains("Greet Griffier gaf Otto Ondersteuning toegang"),
        "{body}"
    );
    assert!(
        body.contains("Functies van Greet Griffier gewijzigd"),
        "{body}"
    );
    for secret in [NARRATIVE, PLACE, "schreeuwde"] {
        assert!(!body.contains(secret), "the overview shows `{secret}`");
    }

    // One case: its reads only, and nothing of the administration.
    let page = officer
        .get(&format!("/privacy?melding={}", second.number))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("Greet Griffier"), "{}", page.body);
    assert!(page.body.contains("Niemand heeft deze melding geopend."));
    assert!(!page.body.contains("Functies, taken en accounts"));

    // A number that is not one is named at its field, and nothing is listed.
    let page = officer.get("/privacy?melding=twaalf").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Vul het nummer van een melding in"));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(!page.body.contains("Greet Griffier"));

    // Nobody else: not the administrator, not a handler, not the raadslid.
    let other_griffier = world
        .person("Gijs Griffier", &[Role::Griffier], &[], true)
        .await;
    let mut handler = world.sign_in(&other_griffier).await;
    let mut reporter = world.sign_in(&raadslid).await;
    for (who, client) in [
        ("administrator", &mut administrator),
        ("handler", &mut handler),
        ("raadslid", &mut reporter),
    ] {
        for path in ["/privacy", "/privacy?melding=1"] {
            let page = client.get(path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{who} {path}");
            assert!(!page.body.contains("Greet Griffier"), "{who} {path}");
        }
        let home = client.get("/").await;
        assert!(
            !home.body.contains("href=\"/privacy\""),
            "{who} has no link"
        );
    }
}

/// Issue 14: an administrator who makes someone griffier is seen at once: the griffier
/// and the privacy officer find it on their start page (the new griffier does not, nor
/// does a raadslid), and the announcement is not among the mails one can turn off.
#[tokio::test]
async fn a_new_handler_is_named_on_the_start_page_of_handlers_and_the_privacy_officer() {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let newcomer = world
        .person("Nico Nieuw", &[Role::Ambtenaar], &[], true)
        .await;
    let privacy = world
        .person("Pim Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
        .await;
    let admin = world
        .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let mut administrator = world.sign_in(&admin).await;
    let changed = administrator
        .post(
            &format!("/beheer/personen/{}", newcomer.id),
            &[("role_ambtenaar", "huidig"), ("role_griffier", "huidig")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);

    let sentence = "Anna Beheer gaf Nico Nieuw op ";
    // Each signs in once: a second sign-in within the same 30 seconds would reuse the
    // second factor's code, which the replay guard refuses.
    let mut handler = world.sign_in(&griffier).await;
    let mut officer = world.sign_in(&privacy).await;
    for (who, client) in [
        ("griffier", &mut handler),
        ("privacy officer", &mut officer),
    ] {
        let home = client.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(
            home.body.contains("Nieuw: wie meldingen behandelt"),
            "{who}: {}",
            home.body
        );
        assert!(home.body.contains(sentence), "{who}: {}", home.body);
        assert!(
            home.body.contains("de functie griffier."),
            "{who}: {}",
            home.body
        );
    }
    for (who, someone) in [("newcomer", &newcomer), ("raadslid", &raadslid)] {
        let mut client = world.sign_in(someone).await;
        let home = client.get("/").await;
        assert!(!home.body.contains(sentence), "{who}: {}", home.body);
    }
    let preferences = handler.get("/instellingen/e-mail").await;
    assert_eq!(preferences.status, StatusCode::OK);
    assert!(
        preferences
            .body
            .contains("Een nieuwe melding voor mij als behandelaar")
    );
    assert!(
        !preferences.body.contains("behandelrol_gegeven"),
        "{}",
        preferences.body
    );
}
