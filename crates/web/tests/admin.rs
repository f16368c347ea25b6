//! The administration pages (/beheer), driven as a browser drives them after a real
//! sign-in: only administrators get in, every change needs the form token, an
//! administrator cannot lock themselves out, mistakes are shown in Dutch beside their
//! field, and no page of the administration ever shows anything of a case.

mod support;

use axum::http::StatusCode;
use jiff::Timestamp;
use support::{Client, Page, Someone, World};
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim, preset_text};
use weerbaar_register::duties::Duty;
use weerbaar_register::{CaseStatus, NewReport, NewVictim, PersonId, Relation, RetentionSource};

const NARRATIVE: &str = "Hij stond met een honkbalknuppel bij mijn voordeur te wachten.";

struct Cast {
    world: World,
    admin: Someone,
    raadslid: Someone,
    griffier: Someone,
    privacy: Someone,
}

async fn cast() -> Cast {
    let world = World::new("leiden").await;
    let admin = world
        .person("Bea Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let raadslid = world
        .person("Fatima Amrani", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Jan Griffier", &[Role::Griffier], &[], true)
        .await;
    let privacy = world
        .person("Piet Privacy", &[Role::Ambtenaar], &[Duty::Privacy], true)
        .await;
    Cast {
        world,
        admin,
        raadslid,
        griffier,
        privacy,
    }
}

/// Every page of the administration, for a person with this id.
fn get_routes(person: &PersonId) -> Vec<String> {
    vec![
        "/beheer".into(),
        "/beheer/personen".into(),
        "/beheer/personen/nieuw".into(),
        format!("/beheer/personen/{person}"),
        "/beheer/protocol".into(),
        "/beheer/contacten".into(),
        "/beheer/contacten/nieuw".into(),
        "/beheer/contacten/0".into(),
        "/beheer/bewaartermijnen".into(),
        "/beheer/logboek".into(),
    ]
}

/// Every change of the administration, with fields that would be accepted.
fn post_routes(person: &PersonId) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "/beheer/personen/nieuw".into(),
            vec![
                ("name", "Indringer"),
                ("email", "x@gemeente.test"),
                ("role_raadslid", "huidig"),
                ("duty", "beheerder"),
            ],
        ),
        (
            format!("/beheer/personen/{person}"),
            vec![("role_ambtenaar", "huidig")],
        ),
        (
            format!("/beheer/personen/{person}/wachtwoord"),
            vec![
                ("password", "een ander lang wachtwoord"),
                ("password_again", "een ander lang wachtwoord"),
            ],
        ),
        (
            format!("/beheer/personen/{person}/account"),
            vec![("action", "uitschakelen")],
        ),
        (format!("/beheer/personen/{person}/tweede-factor"), vec![]),
        ("/beheer/protocol".into(), vec![("protocol", "westerveld")]),
        (
            "/beheer/contacten/nieuw".into(),
            vec![("name", "Nep"), ("phone", "112")],
        ),
        (
            "/beheer/contacten/0".into(),
            vec![("name", "Nep"), ("phone", "112")],
        ),
        ("/beheer/contacten/0/verwijderen".into(), vec![]),
        ("/beheer/bewaartermijnen".into(), vec![("afgerond", "0")]),
    ]
}

/// Replaces the protocol as the page does it: look at what the draft changes first, then
/// activate exactly the draft that was looked at. Gives the answer to the activation.
async fn activate(admin: &mut Client, fields: &[(&str, &str)]) -> Page {
    let mut look = fields.to_vec();
    look.push(("stap", "bekijken"));
    let preview = admin.post("/beheer/protocol", &look).await;
    status(&preview, StatusCode::OK, "the draft is looked at first");
    assert!(
        preview.body.contains("Activeer dit protocol"),
        "{}",
        preview.body
    );
    let digest = seen_digest(&preview.body);
    let mut activate = fields.to_vec();
    activate.push(("stap", "activeren"));
    activate.push(("bekeken", &digest));
    admin.post("/beheer/protocol", &activate).await
}

/// The digest of the draft a preview page shows, as its activation form sends it back.
fn seen_digest(body: &str) -> String {
    let marker = "name=\"bekeken\" value=\"";
    let start = body
        .find(marker)
        .expect("the preview holds the draft's digest")
        + marker.len();
    body[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[track_caller]
fn status(page: &Page, expected: StatusCode, what: &str) {
    assert_eq!(page.status, expected, "{what}: {}", page.body);
}

/// The fields a form page offers for roles and duties, as a browser would send them
/// unchanged, with `changes` applied.
fn with(
    base: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<_> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    all.extend_from_slice(changes);
    all
}

#[tokio::test]
async fn only_administrators_get_in_and_every_change_needs_the_token() {
    let cast = cast().await;
    let target = cast.admin.id.clone();
    let people_before = cast
        .world
        .register()
        .people(&cast.world.organisation)
        .await
        .unwrap()
        .len();
    for someone in [&cast.raadslid, &cast.griffier, &cast.privacy] {
        let mut client = cast.world.sign_in(someone).await;
        for path in get_routes(&target) {
            status(
                &client.get(&path).await,
                StatusCode::FORBIDDEN,
                &format!("{} GET {path}", someone.email),
            );
        }
        for (path, fields) in post_routes(&target) {
            let page = client.post(&path, &fields).await;
            status(
                &page,
                StatusCode::FORBIDDEN,
                &format!("{} POST {path}", someone.email),
            );
            assert!(page.body.contains("Geen toegang"), "{path}: {}", page.body);
        }
    }
    // Not signed in: to the sign-in page, and nothing changes.
    let mut anonymous = Client::new(cast.world.app.clone());
    let page = anonymous.get("/beheer/personen").await;
    assert!(page.status.is_redirection());
    assert!(page.location.unwrap_or_default().starts_with("/aanmelden"));

    // An administrator without the form token, or with a wrong one, changes nothing.
    let mut admin = cast.world.sign_in(&cast.admin).await;
    for (path, fields) in post_routes(&cast.raadslid.id) {
        status(
            &admin.post_exact(&path, &fields).await,
            StatusCode::FORBIDDEN,
            &format!("no token: {path}"),
        );
        let mut wrong = vec![("csrf", "niet-het-goede-token-maar-wel-lang-genoeg-0123")];
        wrong.extend(fields.iter().copied());
        status(
            &admin.post_exact(&path, &wrong).await,
            StatusCode::FORBIDDEN,
            &format!("wrong token: {path}"),
        );
    }
    let register = cast.world.register();
    assert_eq!(
        register
            .people(&cast.world.organisation)
            .await
            .unwrap()
            .len(),
        people_before
    );
    assert!(
        register
            .admin_events(&cast.world.organisation, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        register
            .protocol(&cast.world.organisation)
            .await
            .unwrap()
            .id,
        "leiden"
    );
    // The administrator's own pages answer.
    for path in get_routes(&cast.raadslid.id) {
        status(&admin.get(&path).await, StatusCode::OK, &path);
    }
}

#[tokio::test]
async fn an_administrator_adds_a_person_changes_roles_and_switches_an_account_off() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let mut admin = cast.world.sign_in(&cast.admin).await;

    let page = admin.get("/beheer").await;
    status(&page, StatusCode::OK, "overview");
    for link in [
        "/beheer/personen",
        "/beheer/protocol",
        "/beheer/contacten",
        "/beheer/bewaartermijnen",
        "/beheer/logboek",
    ] {
        assert!(page.body.contains(&format!("href=\"{link}\"")), "{link}");
    }

    // Mistakes: named in the summary and beside their field, in Dutch.
    let page = admin
        .post(
            "/beheer/personen/nieuw",
            &[("name", ""), ("email", "geen-adres"), ("password", "kort")],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "an empty form");
    for message in [
        "Vul de naam in.",
        "Vul een geldig e-mailadres in",
        "Kies ten minste één functie of taak.",
        "minstens 12 tekens",
    ] {
        assert!(
            page.body.matches(message).count() >= 2,
            "`{message}` in summary and beside the field:\n{}",
            page.body
        );
    }
    assert!(page.body.contains("href=\"#name\""));

    let form = [
        ("name", "Wim Wethouder"),
        ("email", "wim@gemeente.test"),
        ("role_wethouder", "huidig"),
        ("role_raadslid", "voormalig"),
        ("password", "een lange zin voor wim"),
        ("password_again", "een lange zin voor wim"),
    ];
    let page = admin.post("/beheer/personen/nieuw", &form).await;
    status(&page, StatusCode::SEE_OTHER, "a person added");
    let location = page.location.unwrap();
    let id = location
        .trim_start_matches("/beheer/personen/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let wim = register
        .person(organisation, &PersonId(id.clone()))
        .await
        .unwrap();
    assert_eq!(
        wim.roles,
        vec![(Role::Wethouder, true), (Role::Raadslid, false)]
    );
    assert!(wim.has_password && wim.duties.is_empty());
    let page = admin.get(&location).await;
    assert!(page.body.contains("De persoon is toegevoegd."));
    // The same address twice.
    let page = admin
        .post(
            "/beheer/personen/nieuw",
            &with(&form, &[("name", "Nog een Wim")]),
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "a taken address");
    assert!(
        page.body
            .matches("Er is al iemand met dit e-mailadres")
            .count()
            >= 2
    );

    let page = admin
        .post(
            &format!("/beheer/personen/{id}"),
            &[("role_wethouder", "huidig"), ("duty", "privacy")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "roles changed");
    let wim = register.person(organisation, &wim.id).await.unwrap();
    assert_eq!(wim.roles, vec![(Role::Wethouder, true)]);
    assert_eq!(wim.duties, vec![Duty::Privacy]);

    let page = admin
        .post(
            &format!("/beheer/personen/{id}/account"),
            &[("action", "uitschakelen")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "account off");
    assert!(
        register
            .person(organisation, &wim.id)
            .await
            .unwrap()
            .disabled
    );
    let page = admin.get("/beheer/personen").await;
    assert!(
        page.body.contains("Wim Wethouder") && page.body.contains("uitgeschakeld"),
        "{}",
        page.body
    );
    assert!(page.body.contains("wethouder") && page.body.contains("Privacyfunctionaris"));

    // A new password ends the person's sessions; a reset second factor is gone.
    let mut raadslid = cast.world.sign_in(&cast.raadslid).await;
    let page = admin
        .post(
            &format!("/beheer/personen/{}/wachtwoord", cast.raadslid.id),
            &[
                ("password", "een nieuwe lange zin"),
                ("password_again", "een nieuwe lange zin"),
            ],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "password set");
    let page = raadslid.get("/mijn-meldingen").await;
    assert!(
        page.location.unwrap_or_default().starts_with("/aanmelden"),
        "still signed in"
    );
    let page = admin
        .post(
            &format!("/beheer/personen/{}/tweede-factor", cast.griffier.id),
            &[],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "second factor reset");
    assert!(
        !register
            .person(organisation, &cast.griffier.id)
            .await
            .unwrap()
            .second_factor
    );

    let page = admin.get("/beheer/logboek").await;
    status(&page, StatusCode::OK, "log");
    for text in [
        "Wim Wethouder toegevoegd",
        "Functies van Wim Wethouder gewijzigd",
        "Taken van Wim Wethouder gewijzigd",
        "Account van Wim Wethouder uitgeschakeld",
        "Nieuw wachtwoord ingesteld voor Fatima Amrani",
        "Tweede factor van Jan Griffier gewist",
        "Bea Beheer",
    ] {
        assert!(
            page.body.contains(text),
            "`{text}` not in the log:\n{}",
            page.body
        );
    }
    // Newest first.
    assert!(
        page.body.find("Tweede factor van").unwrap()
            < page.body.find("Wim Wethouder toegevoegd").unwrap()
    );
}

#[tokio::test]
async fn the_last_administrator_cannot_remove_or_switch_off_themselves() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let mut admin = cast.world.sign_in(&cast.admin).await;
    let own = format!("/beheer/personen/{}", cast.admin.id);

    let page = admin
        .post(&own, &[("role_ambtenaar", "huidig"), ("duty", "privacy")])
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "own duty removed");
    assert!(
        page.body
            .matches("U kunt uw eigen beheerderstaak niet intrekken")
            .count()
            >= 2,
        "{}",
        page.body
    );
    let page = admin
        .post(&format!("{own}/account"), &[("action", "uitschakelen")])
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "own account off");
    assert!(
        page.body
            .contains("U kunt uw eigen account niet uitschakelen")
    );
    let me = register.person(organisation, &cast.admin.id).await.unwrap();
    assert_eq!(me.duties, vec![Duty::Beheerder]);
    assert!(!me.disabled);

    // With the register's own rule too: the last administrator who can sign in keeps
    // the duty, even when asked by another administrator who cannot sign in. The
    // world's first administrator is switched off first, so that Bea is the last.
    let first = register
        .find_person_by_email(organisation, "eerste.beheerder@gemeente.test")
        .await
        .unwrap()
        .expect("the world's first administrator");
    let page = admin
        .post(
            &format!("/beheer/personen/{first}/account"),
            &[("action", "uitschakelen")],
        )
        .await;
    status(
        &page,
        StatusCode::SEE_OTHER,
        "the other administrator switched off",
    );
    let other = register
        .add_person_with_account(
            organisation,
            Some(&cast.admin.id),
            weerbaar_register::NewAccount {
                person: weerbaar_register::NewPerson {
                    name: "Zonder Account".into(),
                    email: Some("zonder@gemeente.test".into()),
                    roles: vec![(Role::Ambtenaar, true)],
                },
                duties: vec![Duty::Beheerder],
                password: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        register
            .change_roles_and_duties(
                organisation,
                Some(&other),
                &cast.admin.id,
                &[(Role::Ambtenaar, true)],
                &[],
            )
            .await,
        Err(weerbaar_register::RegisterError::Invalid { ref reason, .. })
            if reason == weerbaar_register::admin::LAST_ADMINISTRATOR
    ));
    // Another administrator who can sign in may take the duty away.
    let page = admin
        .post(
            &format!("/beheer/personen/{other}"),
            &[("role_ambtenaar", "huidig"), ("duty", "beheerder")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "unchanged");
    let page = admin
        .post(
            &format!("/beheer/personen/{}", cast.privacy.id),
            &[("role_ambtenaar", "huidig"), ("duty", "beheerder")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "a second administrator");
    register
        .change_roles_and_duties(
            organisation,
            Some(&cast.privacy.id),
            &cast.admin.id,
            &[(Role::Ambtenaar, true)],
            &[],
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_protocol_with_mistakes_is_shown_with_them_and_a_sound_one_replaces_the_old() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let mut admin = cast.world.sign_in(&cast.admin).await;

    let page = admin.get("/beheer/protocol").await;
    status(&page, StatusCode::OK, "protocol page");
    assert!(page.body.contains("leiden") && page.body.contains("Versie"));
    assert!(page.body.contains("[[contacts]]"), "the file is shown");

    let broken = preset_text("leiden")
        .unwrap()
        .replace("handler = \"griffier\"", "handler = \"koning\"");
    let page = admin
        .post(
            "/beheer/protocol",
            &[("protocol", "eigen"), ("protocol_toml", &broken)],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "a broken file");
    assert!(page.body.contains("Het protocolbestand bevat fouten"));
    assert!(
        page.body
            .contains("Regel 32, routing.victims.raadslid.handler"),
        "{}",
        page.body
    );
    assert!(page.body.contains("koning"), "the text is kept");
    assert_eq!(register.protocol(organisation).await.unwrap().id, "leiden");

    let page = admin
        .post("/beheer/protocol", &[("protocol", "geen-idee")])
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "an unknown preset");
    assert!(page.body.contains("Kies een van de protocollen"));

    // Looked at, not yet activated: the differences in Dutch, and nothing changed.
    let preview = admin
        .post(
            "/beheer/protocol",
            &[("protocol", "westerveld"), ("stap", "bekijken")],
        )
        .await;
    status(&preview, StatusCode::OK, "a preset looked at");
    assert!(
        preview.body.contains("Wat Gemeente Westerveld (versie"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Verschil 1 (bij"), "{}", preview.body);
    assert_eq!(register.protocol(organisation).await.unwrap().id, "leiden");
    // Activating a draft other than the one looked at is refused.
    let stale = admin
        .post(
            "/beheer/protocol",
            &[
                ("protocol", "westerveld"),
                ("stap", "activeren"),
                ("bekeken", "0000"),
            ],
        )
        .await;
    status(
        &stale,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a draft not looked at",
    );
    assert!(
        stale.body.contains("Bekijk eerst opnieuw"),
        "{}",
        stale.body
    );
    assert_eq!(register.protocol(organisation).await.unwrap().id, "leiden");
    // A trial incident the administrator describes.
    let trial = admin
        .post(
            "/beheer/protocol",
            &[
                ("protocol", "westerveld"),
                ("stap", "bekijken"),
                ("proef_rol", "wethouder"),
                ("proef_gedrag", "beledigen"),
                ("proef_kanaal", "in_persoon"),
                ("proef_moment", "2026-03-02T20:15"),
            ],
        )
        .await;
    status(&trial, StatusCode::OK, "a trial incident");
    assert!(
        trial
            .body
            .contains("Behandelaar: de gemeentesecretaris wordt de burgemeester"),
        "{}",
        trial.body
    );
    let half = admin
        .post(
            "/beheer/protocol",
            &[
                ("protocol", "westerveld"),
                ("stap", "bekijken"),
                ("proef_rol", "wethouder"),
            ],
        )
        .await;
    status(
        &half,
        StatusCode::UNPROCESSABLE_ENTITY,
        "half a trial incident",
    );
    assert!(half.body.contains("Kies wat er gebeurde."), "{}", half.body);

    let page = activate(&mut admin, &[("protocol", "westerveld")]).await;
    status(&page, StatusCode::SEE_OTHER, "a preset");
    assert_eq!(
        register.protocol(organisation).await.unwrap().id,
        "westerveld"
    );
    let page = admin.get(&page.location.unwrap()).await;
    assert!(page.body.contains("Het protocol is vervangen."));

    let own = preset_text("model").unwrap().replace("# ", "# eigen: ");
    let page = activate(
        &mut admin,
        &[("protocol", "eigen"), ("protocol_toml", &own)],
    )
    .await;
    status(&page, StatusCode::SEE_OTHER, "an own file");
    assert_eq!(register.protocol_file(organisation).await.unwrap(), own);
    let page = admin.get("/beheer/logboek").await;
    assert!(
        page.body.contains("Protocol vervangen: was leiden"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn contacts_are_added_changed_and_removed_in_the_protocol_file() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let mut admin = cast.world.sign_in(&cast.admin).await;
    let before = register
        .protocol(organisation)
        .await
        .unwrap()
        .contacts
        .clone();

    let page = admin.get("/beheer/contacten").await;
    status(&page, StatusCode::OK, "contacts");
    assert!(page.body.contains(&before[0].name));

    let page = admin
        .post(
            "/beheer/contacten/nieuw",
            &[("name", ""), ("url", "http://onveilig.example")],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "a bad contact");
    for message in ["Vul de naam van de instantie", "begint met https://"] {
        assert!(
            page.body.matches(message).count() >= 2,
            "{message}: {}",
            page.body
        );
    }
    let page = admin
        .post("/beheer/contacten/nieuw", &[("name", "Alleen een naam")])
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "unreachable");
    assert!(page.body.contains("Vul ten minste een telefoonnummer"));
    let page = admin
        .post(
            "/beheer/contacten/nieuw",
            &[("name", before[0].name.as_str()), ("phone", "1")],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "a name twice");

    let page = admin
        .post(
            "/beheer/contacten/nieuw",
            &[
                ("name", "Vertrouwenspersoon"),
                ("phone", "071 123 4567"),
                ("url", "https://leiden.example/vp"),
                ("hours", "werkdagen"),
            ],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "a contact added");
    let contacts = register
        .protocol(organisation)
        .await
        .unwrap()
        .contacts
        .clone();
    assert_eq!(contacts.len(), before.len() + 1);
    assert_eq!(
        contacts.last().unwrap().url.as_deref(),
        Some("https://leiden.example/vp")
    );
    // The rest of the file, comments included, is as it was.
    let file = register.protocol_file(organisation).await.unwrap();
    let original = preset_text("leiden").unwrap();
    let head = &original[..original.find("[[contacts]]").unwrap()];
    assert!(file.starts_with(head));

    let last = contacts.len() - 1;
    let page = admin
        .post(
            &format!("/beheer/contacten/{last}"),
            &[
                ("original", "Vertrouwenspersoon"),
                ("name", "Vertrouwenspersoon"),
                ("phone", "071 765 4321"),
            ],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "a contact changed");
    let changed = register
        .protocol(organisation)
        .await
        .unwrap()
        .contacts
        .clone();
    assert_eq!(changed[last].phone.as_deref(), Some("071 765 4321"));
    assert_eq!(changed[last].url, None);
    // A stale form (the list changed meanwhile) changes nothing.
    let page = admin
        .post(
            "/beheer/contacten/0",
            &[("original", "Iets anders"), ("name", "X"), ("phone", "1")],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "stale");
    let page = admin
        .post(
            &format!("/beheer/contacten/{last}/verwijderen"),
            &[("original", "Vertrouwenspersoon")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "removed");
    assert_eq!(
        register.protocol(organisation).await.unwrap().contacts,
        before
    );
    status(
        &admin.get("/beheer/contacten/99").await,
        StatusCode::NOT_FOUND,
        "no such contact",
    );
}

#[tokio::test]
async fn retention_periods_are_set_per_organisation_and_say_where_they_come_from() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let mut admin = cast.world.sign_in(&cast.admin).await;

    let page = admin.get("/beheer/bewaartermijnen").await;
    status(&page, StatusCode::OK, "retention");
    assert!(
        page.body
            .contains("Niet ingesteld, ook niet in weerbaar.toml"),
        "{}",
        page.body
    );

    let page = admin
        .post(
            "/beheer/bewaartermijnen",
            &[("afgerond", "zeven jaar"), ("gearchiveerd", "99999999")],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "not days");
    assert!(
        page.body
            .matches("Vul bij ‘Afgerond’ een heel aantal dagen in")
            .count()
            >= 2,
        "{}",
        page.body
    );
    assert!(page.body.contains("zeven jaar"), "the value is kept");

    let page = admin
        .post(
            "/beheer/bewaartermijnen",
            &[("afgerond", "2555"), ("gearchiveerd", "")],
        )
        .await;
    status(&page, StatusCode::SEE_OTHER, "saved");
    let in_force = register.retention_in_force(organisation).await.unwrap();
    assert_eq!(
        (in_force[0].status, in_force[0].days, in_force[0].source),
        (
            CaseStatus::Afgerond,
            Some(2555),
            RetentionSource::Organisation
        )
    );
    assert_eq!(in_force[1].source, RetentionSource::None);
    let page = admin.get(&page.location.unwrap()).await;
    assert!(page.body.contains("Eigen instelling van uw organisatie"));
    assert!(page.body.contains("value=\"2555\""));
    let page = admin.get("/beheer/logboek").await;
    assert!(
        page.body.contains("Bewaartermijnen gewijzigd"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn no_administration_page_shows_anything_of_a_case() {
    let cast = cast().await;
    let register = cast.world.register();
    let organisation = &cast.world.organisation;
    let registered = register
        .register_report(NewReport {
            organisation: organisation.clone(),
            reporter: cast.raadslid.id.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: cast.raadslid.id.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts: Facts {
                occurred_at: Timestamp::now() - jiff::SignedDuration::from_hours(2),
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
                perpetrator_known: false,
                prior_incidents: 0,
                damage: false,
                addressed: None,
                report_to: None,
                situation: None,
            },
            narrative: NARRATIVE.into(),
            place: Some("Voordeur thuis".into()),
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .unwrap();
    let mut admin = cast.world.sign_in(&cast.admin).await;
    // Make the log and pages as full as they get.
    status(
        &admin
            .post("/beheer/bewaartermijnen", &[("afgerond", "30")])
            .await,
        StatusCode::SEE_OTHER,
        "retention",
    );
    status(
        &activate(&mut admin, &[("protocol", "leiden")]).await,
        StatusCode::SEE_OTHER,
        "protocol",
    );
    let mut paths = get_routes(&cast.raadslid.id);
    for someone in [&cast.admin, &cast.griffier, &cast.privacy] {
        paths.push(format!("/beheer/personen/{}", someone.id));
    }
    for path in paths {
        let page = admin.get(&path).await;
        status(&page, StatusCode::OK, &path);
        for secret in [NARRATIVE, "honkbalknuppel", "Voordeur thuis"] {
            assert!(
                !page.body.contains(secret),
                "{path} shows case content `{secret}`"
            );
        }
    }

    // Nor can the administrator make themselves the handler to read it (issue 14): the
    // griffier's role is refused for their own person, with the reason at the form, and
    // the case stays unknown to them.
    let own = format!("/beheer/personen/{}", cast.admin.id);
    let page = admin
        .post(
            &own,
            &[
                ("role_ambtenaar", "huidig"),
                ("role_griffier", "huidig"),
                ("duty", "beheerder"),
            ],
        )
        .await;
    status(&page, StatusCode::UNPROCESSABLE_ENTITY, "own griffier role");
    assert!(
        page.body.contains(
            "U kunt uzelf geen functie of taak geven. Vraag dit aan een andere beheerder."
        ),
        "{}",
        page.body
    );
    let me = register.person(organisation, &cast.admin.id).await.unwrap();
    assert_eq!(me.roles, vec![(Role::Ambtenaar, true)]);
    let case = admin.get(&format!("/zaken/{}", registered.case)).await;
    status(
        &case,
        StatusCode::NOT_FOUND,
        "the case, for the administrator",
    );
    assert!(!case.body.contains(NARRATIVE));
}
