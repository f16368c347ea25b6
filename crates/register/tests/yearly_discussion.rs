//! The text of the yearly discussion, on SQLite and on a throwaway PostgreSQL: a draft
//! is saved and saved again, bad input is refused naming its field with nothing
//! written, and the final version keeps its text and the figures of its moment and is
//! never changed again.

mod support;

use jiff::Timestamp;
use weerbaar_protocol::{Behaviour, Channel, Role};
use weerbaar_register::yearly_discussion::{DiscussionText, MAX_TEXT_CHARS};
use weerbaar_register::*;

use support::world::{facts, leiden_and_westerveld, leiden_office_holders, person};

struct World {
    register: Register,
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    stranger: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, _burgemeester] = leiden_office_holders(&register, &leiden).await;
    let [stranger] = support::world::add_people(
        &register,
        &westerveld,
        [person(
            "Wim Westerveld",
            "w@westerveld.example",
            vec![(Role::Griffier, true)],
        )],
    )
    .await;
    World {
        register,
        leiden,
        raadslid,
        griffier,
        stranger,
    }
}

fn text(dilemmas: &str, conclusions: &str, changes: &str) -> DiscussionText {
    DiscussionText {
        dilemmas: dilemmas.into(),
        conclusions: conclusions.into(),
        changes: changes.into(),
    }
}

fn field_of(error: RegisterError) -> String {
    match error {
        RegisterError::Invalid { field, .. } => field,
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

/// An insult of the raadslid in March 2025.
async fn report_in_2025(world: &World) {
    let mut facts = facts(&[Behaviour::Schelden]);
    facts.occurred_at = "2025-03-02T20:15:00+01:00".parse().unwrap();
    facts.reported_at = Some("2025-03-03T09:00:00+01:00".parse().unwrap());
    facts.channel = Channel::Email;
    facts.criminal_offence_suspected = false;
    facts.perpetrator_known = false;
    world
        .register
        .register_report(NewReport {
            organisation: world.leiden.clone(),
            reporter: world.raadslid.clone(),
            on_behalf: false,
            victims: vec![NewVictim {
                person: world.raadslid.clone(),
                role: Role::Raadslid,
                relation: Relation::Zelf,
            }],
            facts,
            narrative: "Een scheldmail.".into(),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .unwrap();
}

async fn draft_final_and_never_again(world: World) {
    let register = &world.register;
    let leiden = &world.leiden;
    let now: Timestamp = "2026-01-20T10:00:00Z".parse().unwrap();
    assert_eq!(
        register.yearly_discussion(leiden, 2025).await.unwrap(),
        None
    );

    // A draft, saved and saved again; a browser's line ends become "\n".
    let first = text("Wel of geen aangifte?", "", "");
    register
        .save_yearly_discussion(leiden, &world.griffier, 2025, &first, now)
        .await
        .unwrap();
    let second = text(
        "Wel of geen aangifte?\r\nEn wie doet het?",
        "Vaker aangifte doen.",
        "Termijn nazorg naar 2 dagen.",
    );
    register
        .save_yearly_discussion(leiden, &world.griffier, 2025, &second, now)
        .await
        .unwrap();
    let draft = register
        .yearly_discussion(leiden, 2025)
        .await
        .unwrap()
        .expect("a draft");
    assert_eq!(
        draft.text.dilemmas,
        "Wel of geen aangifte?\nEn wie doet het?"
    );
    assert_eq!(draft.text.changes, "Termijn nazorg naar 2 dagen.");
    assert_eq!(draft.updated_by, world.griffier);
    assert_eq!(draft.final_version, None);

    // Bad input names its field and writes nothing.
    let long = "a".repeat(MAX_TEXT_CHARS + 1);
    let error = register
        .save_yearly_discussion(leiden, &world.griffier, 2025, &text("", "", &long), now)
        .await
        .unwrap_err();
    assert_eq!(field_of(error), "changes");
    let error = register
        .finalise_yearly_discussion(leiden, &world.griffier, 2025, &text(&long, "", ""), now)
        .await
        .unwrap_err();
    assert_eq!(field_of(error), "dilemmas");
    for year in [1899, 3000] {
        let error = register
            .save_yearly_discussion(leiden, &world.griffier, year, &first, now)
            .await
            .unwrap_err();
        assert_eq!(field_of(error), "year", "{year}");
    }
    let error = register
        .finalise_yearly_discussion(leiden, &world.griffier, 2025, &text(" ", "", "\n"), now)
        .await
        .unwrap_err();
    assert_eq!(field_of(error), "dilemmas", "an empty final version");
    // Someone of another organisation does not write here.
    let error = register
        .save_yearly_discussion(leiden, &world.stranger, 2025, &first, now)
        .await
        .unwrap_err();
    assert!(matches!(error, RegisterError::NotFound { .. }), "{error:?}");
    assert_eq!(
        register.yearly_discussion(leiden, 2025).await.unwrap(),
        Some(draft.clone()),
        "nothing of the refused writes was kept"
    );

    // Final: the text and the figures of this moment, by the griffier.
    register
        .finalise_yearly_discussion(leiden, &world.griffier, 2025, &second, now)
        .await
        .unwrap();
    let done = register
        .yearly_discussion(leiden, 2025)
        .await
        .unwrap()
        .expect("the final version");
    let version = done.final_version.clone().expect("final");
    assert_eq!(version.by, world.griffier);
    assert_eq!(version.at, now);
    assert_eq!(
        version.report,
        register.yearly_report(leiden, 2025, now).await.unwrap()
    );
    assert_eq!(version.report.incidents, 0);
    assert_eq!(version.before.as_ref().map(|b| b.year), Some(2024));
    assert_eq!(done.text, draft.text);

    // An incident of 2025 registered later changes the report, not the final version.
    report_in_2025(&world).await;
    let later = register.yearly_report(leiden, 2025, now).await.unwrap();
    assert_eq!(later.incidents, 1);
    let kept = register.yearly_discussion(leiden, 2025).await.unwrap();
    assert_eq!(
        kept.as_ref()
            .and_then(|d| d.final_version.as_ref())
            .map(|v| v.report.incidents),
        Some(0)
    );

    // Never again: neither a draft nor a second final version.
    let error = register
        .save_yearly_discussion(leiden, &world.griffier, 2025, &first, now)
        .await
        .unwrap_err();
    assert_eq!(field_of(error), "final");
    let error = register
        .finalise_yearly_discussion(leiden, &world.griffier, 2025, &first, now)
        .await
        .unwrap_err();
    assert_eq!(field_of(error), "final");
    assert_eq!(
        register.yearly_discussion(leiden, 2025).await.unwrap(),
        kept
    );

    // Another year is its own row.
    register
        .finalise_yearly_discussion(leiden, &world.griffier, 1900, &first, now)
        .await
        .unwrap();
    let oldest = register
        .yearly_discussion(leiden, 1900)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        oldest.final_version.map(|v| v.before),
        Some(None),
        "no year before 1900"
    );

    // The administration log has each write, with the year and never the text.
    let log = register.admin_events(leiden, 100).await.unwrap();
    let kinds: Vec<(AdminEventKind, i64)> = log
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                AdminEventKind::YearlyDiscussionSaved | AdminEventKind::YearlyDiscussionFinalised
            )
        })
        .map(|e| (e.kind, e.detail["year"].as_i64().unwrap_or(0)))
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(kinds.contains(&(AdminEventKind::YearlyDiscussionFinalised, 2025)));
    assert!(kinds.contains(&(AdminEventKind::YearlyDiscussionSaved, 2025)));
    for event in &log {
        assert!(
            !event.detail.to_string().contains("aangifte"),
            "{:?}",
            event.detail
        );
    }
}

support::scenarios!(yearly_discussion_on_postgres: draft_final_and_never_again);
