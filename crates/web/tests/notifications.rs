//! The notification pages: a person chooses which mails they get (`/instellingen/e-mail`,
//! with the form's token), and administrators see the outbox (`/beheer/e-mail`) without
//! any mail's content or address.

mod support;

use axum::http::StatusCode;
use weerbaar_protocol::Role;
use weerbaar_register::{Duty, MailKind};

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
        assert!(
            page.body
                .contains(&format!("name=\"{}\" value=\"ja\" checked", kind.as_str()))
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
        assert_eq!(on, kind == MailKind::NazorgAfspraak, "{kind:?}");
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
