//! Access control as the pages enforce it, tried from every side: each person of a
//! municipality and one of another, signed in for real, asks every page and tries every
//! action on a case they report, handle, are informed of, were let into, or have nothing
//! to do with. A case's content must reach only its handler, the reporter and whom the
//! handler let in; everyone else learns at most that it happened (informed roles) or
//! nothing at all, not even that the id exists.

mod support;

use axum::http::StatusCode;
use jiff::Timestamp;
use support::{Client, Someone, World};
use weerbaar_protocol::{Behaviour, Channel, Facts, Injury, Role, Victim};
use weerbaar_register::duties::Duty;
use weerbaar_register::{
    Action, CaseId, NewPerpetrator, NewReport, NewVictim, PerpetratorDetails, PerpetratorKind,
    Relation,
};

const NARRATIVE: &str = "Hij zei dat hij mij zou opwachten bij de bushalte.";
const PLATE: &str = "XX-999-Z";

struct Cast {
    raadslid: Someone,
    other_raadslid: Someone,
    griffier: Someone,
    burgemeester: Someone,
    adviseur: Someone,
    wethouder: Someone,
    secretaris: Someone,
    admin: Someone,
    privacy: Someone,
    stranger: Someone,
}

async fn report(world: &World, reporter: &Someone, role: Role) -> (CaseId, String) {
    let facts = Facts {
        occurred_at: Timestamp::now() - jiff::SignedDuration::from_hours(3),
        reported_at: None,
        victim: Victim {
            role,
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
    };
    let registered = world
        .register()
        .register_report(NewReport {
            organisation: world.organisation.clone(),
            reporter: reporter.id.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: reporter.id.clone(),
                role,
                relation: Relation::Zelf,
            }],
            facts,
            narrative: NARRATIVE.to_owned(),
            place: Some(String::from("Bushalte Dorpsstraat")),
            during_meeting: false,
            perpetrator: Some(NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    licence_plate: Some(PLATE.to_owned()),
                    ..Default::default()
                },
            }),
        })
        .await
        .expect("a report");
    let evidence = world
        .register()
        .add_online_evidence(
            &reporter.id,
            &registered.case,
            weerbaar_register::OnlineEvidence {
                platform: String::from("X"),
                account: Some(String::from("@dreiger")),
                url: None,
                moment: None,
                description: None,
            },
        )
        .await
        .expect("evidence");
    // The ids a page takes besides the case: the perpetrator's and the evidence's.
    let others = format!(
        "{}/{evidence}",
        registered.perpetrator.expect("a perpetrator")
    );
    (registered.case, others)
}

async fn cast(world: &World) -> Cast {
    let other = world
        .register()
        .create_organisation(
            "Gemeente Elders",
            weerbaar_protocol::preset_text("westerveld").unwrap(),
        )
        .await
        .unwrap();
    Cast {
        raadslid: world
            .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
            .await,
        other_raadslid: world
            .person("Otto Raadslid", &[Role::Raadslid], &[], false)
            .await,
        griffier: world
            .person("Greet Griffier", &[Role::Griffier], &[], true)
            .await,
        burgemeester: world
            .person("Bram Burgemeester", &[Role::Burgemeester], &[], true)
            .await,
        adviseur: world
            .person("Ada Adviseur", &[Role::AdviseurVpt], &[], false)
            .await,
        wethouder: world
            .person("Wim Wethouder", &[Role::Wethouder], &[], false)
            .await,
        secretaris: world
            .person("Sara Secretaris", &[Role::Gemeentesecretaris], &[], true)
            .await,
        admin: world
            .person(
                "Bea Beheerder",
                &[Role::Ambtenaar],
                &[Duty::Beheerder],
                true,
            )
            .await,
        privacy: world
            .person("Fenna FG", &[Role::Ambtenaar], &[Duty::Privacy], true)
            .await,
        stranger: world
            .person_in(
                &other,
                "Xander Elders",
                "griffier@elders.test",
                &[Role::Griffier],
                &[],
                true,
            )
            .await,
    }
}

/// Every page about one case.
fn case_pages(case: &CaseId, ids: &str) -> Vec<String> {
    let (perpetrator, evidence) = ids.split_once('/').unwrap_or((ids, ""));
    [
        format!("/zaken/{case}/bewijs/{evidence}"),
        format!("/zaken/{case}"),
        format!("/zaken/{case}/bewijs"),
        format!("/zaken/{case}/dossier"),
        format!("/zaken/{case}/dader/{perpetrator}"),
        format!("/zaken/{case}/omzetten"),
        format!("/mijn-meldingen/{case}"),
        format!("/overzicht/{case}"),
        format!("/melden/{case}/ontvangen"),
    ]
    .into()
}

/// The lists a person can reach.
const LISTS: &[&str] = &[
    "/",
    "/werkbak",
    "/overzicht",
    "/mijn-meldingen",
    "/melden",
    "/twijfel",
    "/protocol",
    "/inzicht/jaarverslag",
    "/inzicht",
    "/inzicht/jaarverslag.pdf?jaar=2026",
    "/protocol/evaluaties",
    "/privacy",
    "/privacy?melding=1",
];

fn leaks(body: &str) -> bool {
    body.contains(NARRATIVE) || body.contains(PLATE) || body.contains("Bushalte Dorpsstraat")
}

/// Visits every page (following redirects) and says which showed the case's content.
async fn pages_with_content(client: &mut Client, case: &CaseId, perpetrator: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for path in case_pages(case, perpetrator)
        .iter()
        .map(String::as_str)
        .chain(LISTS.iter().copied())
    {
        let page = client.get_following(path).await;
        assert!(
            page.status != StatusCode::INTERNAL_SERVER_ERROR,
            "{path} broke: {}",
            page.body
        );
        if leaks(&page.body) {
            seen.push(path.to_owned());
        }
    }
    seen
}

#[tokio::test]
async fn case_content_reaches_only_the_handler_the_reporter_and_who_the_handler_let_in() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, perpetrator) = report(&world, &cast.raadslid, Role::Raadslid).await;
    world
        .register()
        .act(
            &cast.griffier.id,
            &case,
            Action::GrantAccess {
                person: cast.secretaris.id.clone(),
            },
        )
        .await
        .unwrap();

    let may_read = [&cast.griffier, &cast.raadslid, &cast.secretaris];
    let may_not = [
        &cast.other_raadslid,
        &cast.burgemeester,
        &cast.adviseur,
        &cast.wethouder,
        &cast.admin,
        &cast.privacy,
        &cast.stranger,
    ];
    for someone in may_read {
        let mut client = world.sign_in(someone).await;
        let seen = pages_with_content(&mut client, &case, &perpetrator).await;
        assert!(
            !seen.is_empty(),
            "{} should read the case somewhere",
            someone.email
        );
    }
    for someone in may_not {
        let mut client = world.sign_in(someone).await;
        let seen = pages_with_content(&mut client, &case, &perpetrator).await;
        assert!(
            seen.is_empty(),
            "{} saw the case's content on {seen:?}",
            someone.email
        );
    }
}

#[tokio::test]
async fn who_has_nothing_to_do_with_a_case_is_told_it_does_not_exist() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, perpetrator) = report(&world, &cast.raadslid, Role::Raadslid).await;
    let unknown = CaseId(uuid_like());
    for someone in [
        &cast.other_raadslid,
        &cast.wethouder,
        &cast.admin,
        &cast.privacy,
        &cast.stranger,
    ] {
        let mut client = world.sign_in(someone).await;
        for path in case_pages(&case, &perpetrator) {
            let page = client.get(&path).await;
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "{} on {path}",
                someone.email
            );
            // The same page as for an id that was never issued.
            let never = client
                .get(&path.replace(case.as_str(), unknown.as_str()))
                .await;
            assert_eq!(never.status, StatusCode::NOT_FOUND);
            assert_eq!(
                strip_nav(&page.body),
                strip_nav(&never.body),
                "{path} tells a real id from a made-up one"
            );
        }
    }
}

#[tokio::test]
async fn informed_roles_see_that_it_happened_and_how_it_goes_but_not_what_happened() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, _) = report(&world, &cast.raadslid, Role::Raadslid).await;
    for someone in [&cast.burgemeester, &cast.adviseur] {
        let mut client = world.sign_in(someone).await;
        let list = client.get("/overzicht").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains(&format!("/overzicht/{case}")),
            "{} is not told of the case",
            someone.email
        );
        let summary = client.get(&format!("/overzicht/{case}")).await;
        assert_eq!(summary.status, StatusCode::OK);
        assert!(summary.body.contains("Bedreiging"), "the category is shown");
        assert!(!leaks(&summary.body));
        let full = client.get(&format!("/zaken/{case}")).await;
        assert_eq!(full.status, StatusCode::SEE_OTHER);
        assert_eq!(
            full.location.as_deref(),
            Some(format!("/overzicht/{case}").as_str())
        );
    }
}

#[tokio::test]
async fn only_the_handler_acts_and_a_refused_action_changes_nothing() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, _) = report(&world, &cast.raadslid, Role::Raadslid).await;
    world
        .register()
        .act(
            &cast.griffier.id,
            &case,
            Action::GrantAccess {
                person: cast.secretaris.id.clone(),
            },
        )
        .await
        .unwrap();
    let actions: &[(&str, &[(&str, &str)])] = &[
        ("status", &[("status_naar", "in_behandeling")]),
        (
            "maatregel",
            &[
                ("maatregel_soort", "schriftelijke_waarschuwing"),
                ("maatregel_vanaf", "2026-01-05"),
            ],
        ),
        ("toegang", &[("toegang_persoon", "iemand")]),
        ("taak", &[("taak_code", "melding_inspectie")]),
    ];
    for someone in [
        &cast.raadslid,
        &cast.secretaris,
        &cast.burgemeester,
        &cast.adviseur,
        &cast.wethouder,
        &cast.admin,
        &cast.privacy,
        &cast.stranger,
        &cast.other_raadslid,
    ] {
        let mut client = world.sign_in(someone).await;
        for (action, fields) in actions {
            let page = client
                .post(&format!("/zaken/{case}/{action}"), fields)
                .await;
            assert!(
                page.status == StatusCode::FORBIDDEN || page.status == StatusCode::NOT_FOUND,
                "{} could {action}: {}",
                someone.email,
                page.status
            );
        }
    }
    let mut griffier = world.sign_in(&cast.griffier).await;
    let page = griffier.get(&format!("/zaken/{case}")).await;
    assert!(page.body.contains(">Gemeld<"), "the status did not change");
    assert!(page.body.contains("Nog geen maatregelen"));
    let page = griffier
        .post(
            &format!("/zaken/{case}/status"),
            &[("status_naar", "in_behandeling")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = griffier.get(&format!("/zaken/{case}")).await;
    assert!(page.body.contains(">In behandeling<"));
}

#[tokio::test]
async fn changes_need_the_form_token_of_the_session_and_this_site() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, _) = report(&world, &cast.raadslid, Role::Raadslid).await;
    let mut griffier = world.sign_in(&cast.griffier).await;
    let path = format!("/zaken/{case}/status");
    let page = griffier
        .post_exact(&path, &[("status_naar", "in_behandeling")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "no token");
    let page = griffier
        .post_exact(
            &path,
            &[("csrf", "verzonnen"), ("status_naar", "in_behandeling")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "a made-up token");
    // Another person's valid token is no good either.
    let raadslid = world.sign_in(&cast.raadslid).await;
    let theirs = raadslid.csrf.clone().unwrap();
    let page = griffier
        .post_exact(
            &path,
            &[("csrf", &theirs), ("status_naar", "in_behandeling")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "another session's token"
    );
    // The right token, sent from another site: refused before the token is read.
    let own = griffier.csrf.clone().unwrap();
    let fields = [("csrf", own.as_str()), ("status_naar", "in_behandeling")];
    for headers in [
        &[
            ("origin", "https://aanvaller.example"),
            ("sec-fetch-site", "cross-site"),
        ][..],
        &[("origin", "https://aanvaller.example")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "null")][..],
    ] {
        let page = griffier.post_with_headers(&path, &fields, headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    let page = griffier.get(&format!("/zaken/{case}")).await;
    assert!(page.body.contains(">Gemeld<"));
    // From this site (as browsers say it, also with an opaque origin), it goes through.
    let own = griffier.csrf.clone().unwrap();
    let fields = [("csrf", own.as_str()), ("status_naar", "in_behandeling")];
    let page = griffier
        .post_with_headers(
            &path,
            &fields,
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test]
async fn without_a_session_every_page_leads_to_sign_in() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let (case, perpetrator) = report(&world, &cast.raadslid, Role::Raadslid).await;
    // An administrator exists, so setup is closed.
    let mut anonymous = Client::new(world.app.clone());
    for path in case_pages(&case, &perpetrator)
        .iter()
        .map(String::as_str)
        .chain(LISTS.iter().copied())
    {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            page.location
                .as_deref()
                .unwrap_or_default()
                .starts_with("/aanmelden"),
            "{path}"
        );
    }
    let page = anonymous
        .post_exact(
            &format!("/zaken/{case}/status"),
            &[("status_naar", "afgerond")],
        )
        .await;
    assert!(
        page.location
            .as_deref()
            .unwrap_or_default()
            .starts_with("/aanmelden"),
        "a change without a session goes to sign-in"
    );
    let summary = world
        .register()
        .case_summary(&cast.raadslid.id, &case)
        .await
        .unwrap();
    assert_eq!(
        summary.status,
        weerbaar_register::CaseStatus::Gemeld,
        "and changes nothing"
    );
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let mut client = world.sign_in(&cast.raadslid).await;
    let page = client.get("/mijn-meldingen").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("default-src 'none'")
            && !csp.contains("unsafe-inline")
    );
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(page.headers["cache-control"], "no-store");
    let session = client
        .cookie("weerbaar_sessie")
        .expect("a session cookie")
        .to_owned();
    assert!(session.len() >= 40, "the cookie holds a random token");
}

/// A made-up case id of the same shape as a real one.
fn uuid_like() -> String {
    CaseId::generate().to_string()
}

/// A page without the parts that differ per request (the form token in the menu).
fn strip_nav(body: &str) -> String {
    body.lines()
        .filter(|line| !line.contains("name=\"csrf\""))
        .collect::<Vec<_>>()
        .join("\n")
}
