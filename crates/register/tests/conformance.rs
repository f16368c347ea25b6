//! One conformance suite, run against SQLite (a real file) and PostgreSQL (a throwaway
//! cluster the tests start themselves). Every scenario must behave the same on both.

mod support;

use weerbaar_protocol::{Behaviour, Role, Task};
use weerbaar_register::audit::verify_chains;
use weerbaar_register::*;

use support::world::{add_people, facts, leiden_and_westerveld, leiden_office_holders, person};

/// An organisation under the Leiden protocol with a raadslid, a griffier and a
/// burgemeester, and a second organisation with one person.
struct World {
    register: Register,
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
    stranger: PersonId,
    /// Holds the evidence directory (`evidence/` inside it) as long as the world lives.
    evidence: tempfile::TempDir,
}

impl World {
    fn evidence_dir(&self) -> std::path::PathBuf {
        self.evidence.path().join("evidence")
    }
}

async fn world(url: &str) -> World {
    let evidence = tempfile::tempdir().unwrap();
    let register = Register::open(url, MasterKey::generate())
        .await
        .unwrap()
        .with_evidence_dir(evidence.path().join("evidence"));
    let (leiden, other) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, burgemeester] = leiden_office_holders(&register, &leiden).await;
    let [stranger] = add_people(
        &register,
        &other,
        [person(
            "Iemand Anders",
            "x@westerveld.example",
            vec![(Role::Griffier, true)],
        )],
    )
    .await;
    World {
        register,
        leiden,
        raadslid,
        griffier,
        burgemeester,
        stranger,
        evidence,
    }
}

const NARRATIVE: &str = "Na de raadsvergadering schreef @boze_burger dat hij weet waar ik woon.";

fn report(world: &World, perpetrator_email: Option<&str>) -> NewReport {
    NewReport {
        organisation: world.leiden.clone(),
        reporter: world.raadslid.clone(),
        on_behalf: false,
        victims: vec![NewVictim {
            person: world.raadslid.clone(),
            role: Role::Raadslid,
            relation: Relation::Zelf,
        }],
        facts: facts(&[Behaviour::Beledigen, Behaviour::DreigenMetGeweld]),
        narrative: NARRATIVE.into(),
        place: Some("Stadhuis, Stadhuisplein 1".into()),
        during_meeting: false,
        perpetrator: Some(NewPerpetrator {
            kind: PerpetratorKind::Persoon,
            details: PerpetratorDetails {
                name: Some("Piet Boos".into()),
                email: perpetrator_email.map(Into::into),
                accounts: vec!["@boze_burger".into()],
                description: Some("man, jaren vijftig, rode jas".into()),
                ..PerpetratorDetails::default()
            },
        }),
    }
}

async fn a_report_is_stored_whole_and_opens_with_its_timeline(world: World) {
    let registered = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    assert_eq!(registered.number, 1);
    assert_eq!(registered.plan.handler, Role::Griffier);
    assert_eq!(registered.prior_incidents, 0);

    let view = world
        .register
        .open_case(&world.griffier, &registered.case)
        .await
        .unwrap();
    assert_eq!(view.narrative.as_deref(), Some(NARRATIVE));
    assert_eq!(view.place.as_deref(), Some("Stadhuis, Stadhuisplein 1"));
    assert_eq!(view.status, CaseStatus::Gemeld);
    assert_eq!(
        view.category,
        Some(weerbaar_protocol::Category::BedreigingIntimidatie)
    );
    assert_eq!(view.protocol_version.as_deref(), Some("leiden-2025"));
    assert_eq!(view.plan.as_ref().unwrap()["handler"], "griffier");
    let kinds: Vec<EventKind> = view.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Reported,
            EventKind::PerpetratorLinked,
            EventKind::Classified,
            EventKind::Viewed
        ]
    );
    assert_eq!(
        view.events.last().unwrap().actor.as_ref(),
        Some(&world.griffier)
    );
    let codes: Vec<Task> = view.tasks.iter().filter_map(|t| t.code.spec()).collect();
    assert!(
        codes.contains(&Task::NazorgGesprek1) && codes.contains(&Task::AfspraakPolitie),
        "{codes:?}"
    );
    assert!(view.tasks.iter().all(|t| t.assignee_role == Role::Griffier));
    assert_eq!(view.perpetrators.len(), 1);
    assert_eq!(view.perpetrators[0].2.accounts, ["@boze_burger"]);

    // Every read is an event: opening again adds one more.
    let again = world
        .register
        .open_case(&world.griffier, &registered.case)
        .await
        .unwrap();
    assert_eq!(again.events.len(), view.events.len() + 1);
    let report = verify_chains(world.register.db()).await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!((report.cases, report.events), (1, 5));
}

async fn the_same_perpetrator_is_recognised_and_counts_as_recidive(world: World) {
    let first = world
        .register
        .register_report(report(&world, Some("piet.boos@example.nl")))
        .await
        .unwrap();
    let mut second = report(&world, Some("  Piet.Boos@Example.NL "));
    second
        .perpetrator
        .as_mut()
        .unwrap()
        .details
        .accounts
        .clear();
    second.facts.behaviours = vec![Behaviour::Schelden.into()];
    let second = world.register.register_report(second).await.unwrap();
    assert_eq!(
        second.perpetrator, first.perpetrator,
        "matched on the e-mail address"
    );
    assert_eq!(second.prior_incidents, 1);
    assert!(second.plan.recidive);
    assert!(
        second
            .plan
            .measures
            .contains(&weerbaar_protocol::Measure::Incidentgesprek)
    );
    assert_eq!(second.number, 2);

    // The handler of the second case opens the perpetrator's dossier: both cases.
    let dossier = world
        .register
        .perpetrator_dossier(
            &world.griffier,
            &second.case,
            second.perpetrator.as_ref().unwrap(),
        )
        .await
        .unwrap();
    let numbers: Vec<i64> = dossier.cases.iter().map(|c| c.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(dossier.details.name.as_deref(), Some("Piet Boos"));
    let opened = world
        .register
        .open_case(&world.griffier, &second.case)
        .await
        .unwrap();
    assert!(
        opened
            .events
            .iter()
            .any(|e| e.kind == EventKind::Viewed && e.payload.get("perpetrator_dossier").is_some())
    );
    // Not from a case that does not name them, and not for someone of another organisation.
    let unrelated = world
        .register
        .register_report(NewReport {
            perpetrator: None,
            ..report(&world, None)
        })
        .await
        .unwrap();
    let refused = world
        .register
        .perpetrator_dossier(
            &world.griffier,
            &unrelated.case,
            second.perpetrator.as_ref().unwrap(),
        )
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { .. })),
        "{refused:?}"
    );
    let stranger = world
        .register
        .perpetrator_dossier(
            &world.stranger,
            &second.case,
            second.perpetrator.as_ref().unwrap(),
        )
        .await;
    assert!(
        matches!(stranger, Err(RegisterError::NotFound { .. })),
        "{stranger:?}"
    );

    // A shared name alone is no match; name and date of birth together are.
    let mut namesake = report(&world, None);
    namesake.perpetrator.as_mut().unwrap().details.accounts = vec!["@iemand_anders".into()];
    let namesake = world.register.register_report(namesake).await.unwrap();
    assert_ne!(namesake.perpetrator, first.perpetrator);
    assert_eq!(namesake.prior_incidents, 0);
}

async fn open_tasks_come_soonest_first_and_leave_when_done(world: World) {
    let registered = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    let tasks = world
        .register
        .open_tasks(&world.leiden, Role::Griffier)
        .await
        .unwrap();
    assert_eq!(
        tasks.first().map(|t| t.code),
        Some(Task::NazorgGesprek1.into())
    );
    let due: Vec<_> = tasks.iter().filter_map(|t| t.due_at).collect();
    assert!(due.windows(2).all(|w| w[0] <= w[1]), "sorted by deadline");
    assert!(
        world
            .register
            .open_tasks(&world.leiden, Role::Burgemeester)
            .await
            .unwrap()
            .is_empty()
    );

    world
        .register
        .complete_task(
            &world.griffier,
            &registered.case,
            Task::NazorgGesprek1,
            Some("gesproken, thuis"),
        )
        .await
        .unwrap();
    let after = world
        .register
        .open_tasks(&world.leiden, Role::Griffier)
        .await
        .unwrap();
    assert_eq!(after.len(), tasks.len() - 1);
    assert!(after.iter().all(|t| t.code != Task::NazorgGesprek1));
    let twice = world
        .register
        .complete_task(
            &world.griffier,
            &registered.case,
            Task::NazorgGesprek1,
            None,
        )
        .await;
    assert!(
        matches!(twice, Err(RegisterError::Invalid { .. })),
        "{twice:?}"
    );
    let view = world
        .register
        .open_case(&world.griffier, &registered.case)
        .await
        .unwrap();
    let done = view
        .events
        .iter()
        .find(|e| e.kind == EventKind::TaskDone)
        .unwrap();
    assert_eq!(done.payload["remark"], "gesproken, thuis");
}

async fn a_person_of_another_organisation_learns_nothing(world: World) {
    let registered = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    let refused = world
        .register
        .open_case(&world.stranger, &registered.case)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    let guessed = world
        .register
        .open_case(&world.griffier, &CaseId::generate())
        .await;
    assert!(
        matches!(guessed, Err(RegisterError::NotFound { what: "case", .. })),
        "{guessed:?}"
    );
    // The refused read left no trace in the case.
    let view = world
        .register
        .open_case(&world.griffier, &registered.case)
        .await
        .unwrap();
    assert!(
        view.events
            .iter()
            .all(|e| e.actor.as_ref() != Some(&world.stranger))
    );
}

async fn bad_input_names_the_field_and_writes_nothing(world: World) {
    let mut wrong_role = report(&world, None);
    wrong_role.victims[0].role = Role::Wethouder;
    wrong_role.facts.victim.role = Role::Wethouder;
    let error = world
        .register
        .register_report(wrong_role)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, RegisterError::Invalid { field, .. } if field == "victims[0]"),
        "{error}"
    );

    let mut mismatch = report(&world, None);
    mismatch.facts.victim.role = Role::Wethouder;
    let error = world.register.register_report(mismatch).await.unwrap_err();
    assert!(
        matches!(&error, RegisterError::Invalid { field, .. } if field == "facts.victim.role"),
        "{error}"
    );

    let mut unknown = report(&world, None);
    unknown.reporter = PersonId::generate();
    assert!(matches!(
        world.register.register_report(unknown).await,
        Err(RegisterError::NotFound {
            what: "reporter",
            ..
        })
    ));

    let mut empty = report(&world, None);
    empty.narrative = "   ".into();
    assert!(matches!(
        world.register.register_report(empty).await,
        Err(RegisterError::Invalid { .. })
    ));

    let mut no_behaviour = report(&world, None);
    no_behaviour.facts.behaviours.clear();
    let error = world
        .register
        .register_report(no_behaviour)
        .await
        .unwrap_err();
    assert!(matches!(error, RegisterError::Protocol(_)), "{error}");

    // Nothing of the refused reports was written; the next case is number 1.
    let report_ok = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    assert_eq!(report_ok.number, 1);
    assert_eq!(verify_chains(world.register.db()).await.unwrap().cases, 1);

    let twice = world
        .register
        .add_person(
            &world.leiden,
            NewPerson {
                name: "Dubbel".into(),
                email: Some("GRIFFIE@leiden.example".into()),
                roles: vec![(Role::Griffier, true)],
            },
        )
        .await;
    assert!(
        matches!(twice, Err(RegisterError::Invalid { ref field, .. }) if field == "email"),
        "{twice:?}"
    );

    // A role listed both as current and as former is refused, and no one is added.
    let both = world
        .register
        .add_person(
            &world.leiden,
            NewPerson {
                name: "Twee Keer".into(),
                email: Some("twee@leiden.example".into()),
                roles: vec![(Role::Griffier, true), (Role::Griffier, false)],
            },
        )
        .await;
    assert!(
        matches!(both, Err(RegisterError::Invalid { ref field, ref reason })
            if field == "roles" && reason.ends_with("is listed twice")),
        "{both:?}"
    );
    assert_eq!(
        world
            .register
            .find_person_by_email(&world.leiden, "twee@leiden.example")
            .await
            .unwrap(),
        None
    );
}

async fn a_former_office_holder_is_routed_as_the_former_role(world: World) {
    let former = world
        .register
        .add_person(
            &world.leiden,
            NewPerson {
                name: "Oud Raadslid".into(),
                email: None,
                roles: vec![(Role::Raadslid, false)],
            },
        )
        .await
        .unwrap();
    let mut report = report(&world, None);
    report.reporter = former.clone();
    report.victims[0].person = former;
    let registered = world.register.register_report(report).await.unwrap();
    assert_eq!(registered.plan.handler, Role::Griffier);
    let view = world
        .register
        .open_case(&world.griffier, &registered.case)
        .await
        .unwrap();
    assert_eq!(view.facts.unwrap()["victim"]["former"], true);
}

async fn a_case_is_worked_to_its_end(world: World) {
    let registered = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    let case = &registered.case;
    let act = |action| world.register.act(&world.griffier, case, action);

    act(Action::ChangeStatus {
        to: CaseStatus::InBehandeling,
    })
    .await
    .unwrap();
    let measure = act(Action::DecideMeasure {
        measure: weerbaar_protocol::Measure::Toegangsverbod,
        starts_on: jiff::civil::date(2026, 3, 5),
        ends_on: Some(jiff::civil::date(2026, 6, 5)),
        note: Some("besluit burgemeester, drie maanden".into()),
    })
    .await
    .unwrap()
    .unwrap();
    act(Action::RecordPerpetratorAccount {
        item: measure.clone(),
        account: "Hij zegt dat het een grap was.".into(),
    })
    .await
    .unwrap();
    let aftercare = act(Action::PlanAftercare {
        conversation: AftercareConversation::Eerste,
        at: "2026-03-03T10:00:00+01:00".parse().unwrap(),
        by: world.griffier.clone(),
    })
    .await
    .unwrap()
    .unwrap();
    act(Action::HoldAftercare {
        item: aftercare,
        held_at: "2026-03-03T10:30:00+01:00".parse().unwrap(),
        referral: None,
        notes: Some("slaapt slecht, partner ongerust".into()),
    })
    .await
    .unwrap();
    // Leiden: the office holder files the aangifte, so no consent of the organisation's.
    let police = act(Action::PoliceContact {
        kind: PoliceContactKind::Aangifte,
        at: "2026-03-04T14:00:00+01:00".parse().unwrap(),
        reference: Some("PL1700-2026012345".into()),
        victim_consent: false,
    })
    .await
    .unwrap()
    .unwrap();
    act(Action::PoliceOutcome {
        item: police,
        outcome: "OM vervolgt".into(),
        feedback_given: true,
    })
    .await
    .unwrap();
    act(Action::EndMeasure {
        item: measure,
        on: jiff::civil::date(2026, 6, 5),
    })
    .await
    .unwrap();
    act(Action::Damage {
        description: "bril kapot".into(),
        amount_cents: 34_900,
        paid_to_victim_cents: 34_900,
        recovered_cents: 0,
    })
    .await
    .unwrap();
    let refused = act(Action::Communication {
        audience: Audience::Pers,
        victim_consent: false,
        said: "x".into(),
    })
    .await;
    assert!(
        matches!(refused, Err(RegisterError::Invalid { ref field, .. }) if field == "victim_consent"),
        "{refused:?}"
    );
    act(Action::Evaluation {
        risk: Risk::Midden,
        likely_to_recur: true,
        cause: "besluit over de woonwijk".into(),
        trend: "tweede incident na dat besluit".into(),
        improvement: "risicoanalyse voor de informatieavond".into(),
        actions: Vec::new(),
    })
    .await
    .unwrap();
    act(Action::GrantAccess {
        person: world.burgemeester.clone(),
    })
    .await
    .unwrap();
    let wrong = act(Action::ChangeStatus {
        to: CaseStatus::Gearchiveerd,
    })
    .await;
    assert!(
        matches!(wrong, Err(RegisterError::Invalid { ref field, .. }) if field == "status"),
        "{wrong:?}"
    );
    act(Action::ChangeStatus {
        to: CaseStatus::Afgerond,
    })
    .await
    .unwrap();

    let view = world
        .register
        .open_case(&world.griffier, case)
        .await
        .unwrap();
    assert_eq!(view.status, CaseStatus::Afgerond);
    assert_eq!(view.access, std::slice::from_ref(&world.burgemeester));
    let done = |code| {
        view.tasks
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.done_at.is_some())
    };
    assert_eq!(done(Task::MaatregelBesluit), Some(true));
    assert_eq!(done(Task::NazorgGesprek1), Some(true));
    assert_eq!(done(Task::NazorgGesprek2), Some(false));
    assert_eq!(done(Task::AfspraakPolitie), Some(true));
    assert_eq!(
        done(Task::Terugkoppeling),
        Some(true),
        "raised by the aangifte, done by the feedback"
    );
    assert_eq!(
        done(Task::Herstelgesprek),
        Some(false),
        "raised when the ban ended"
    );
    assert_eq!(
        done(Task::ControleAangifte),
        None,
        "Leiden's protocol does not use it"
    );
    let measure_item = view
        .items
        .iter()
        .find(|i| i.kind == ItemKind::Measure)
        .unwrap();
    assert_eq!(measure_item.state["perpetrator_heard"], true);
    assert_eq!(
        measure_item.content["perpetrator_account"],
        "Hij zegt dat het een grap was."
    );
    assert_eq!(
        view.items
            .iter()
            .filter(|i| i.kind == ItemKind::Police)
            .count(),
        1
    );
    assert!(view.events.iter().any(|e| e.kind == EventKind::Evaluated));
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );

    // A person of another organisation cannot act on the case.
    let stranger = world
        .register
        .act(
            &world.stranger,
            case,
            Action::ChangeStatus {
                to: CaseStatus::Heropend,
            },
        )
        .await;
    assert!(
        matches!(stranger, Err(RegisterError::NotFound { .. })),
        "{stranger:?}"
    );
}

/// The follow-ups on an item (hoor en wederhoor, a measure's end, aftercare held, the
/// police's outcome) name the item by id. An item of another case is not found, as an
/// unknown one is, and nothing is written; the item itself is untouched.
async fn an_item_of_another_case_is_not_found(world: World) {
    let first = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let second = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let act = |case, action| world.register.act(&world.griffier, case, action);
    let measure = act(
        &first,
        Action::DecideMeasure {
            measure: weerbaar_protocol::Measure::Toegangsverbod,
            starts_on: jiff::civil::date(2026, 3, 5),
            ends_on: None,
            note: None,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let aftercare = act(
        &first,
        Action::PlanAftercare {
            conversation: AftercareConversation::Eerste,
            at: "2026-03-03T10:00:00+01:00".parse().unwrap(),
            by: world.griffier.clone(),
        },
    )
    .await
    .unwrap()
    .unwrap();
    let police = act(
        &first,
        Action::PoliceContact {
            kind: PoliceContactKind::Melding,
            at: "2026-03-04T14:00:00+01:00".parse().unwrap(),
            reference: None,
            victim_consent: false,
        },
    )
    .await
    .unwrap()
    .unwrap();
    let before = event_count(&world).await;
    let follow_ups = [
        Action::RecordPerpetratorAccount {
            item: measure.clone(),
            account: "Hij zegt dat het een grap was.".into(),
        },
        Action::EndMeasure {
            item: measure.clone(),
            on: jiff::civil::date(2026, 6, 5),
        },
        Action::HoldAftercare {
            item: aftercare.clone(),
            held_at: "2026-03-03T10:30:00+01:00".parse().unwrap(),
            referral: None,
            notes: None,
        },
        Action::PoliceOutcome {
            item: police.clone(),
            outcome: "OM vervolgt".into(),
            feedback_given: true,
        },
    ];
    for action in follow_ups.clone() {
        let name = format!("{action:?}");
        let refused = act(&second, action).await;
        assert!(
            matches!(refused, Err(RegisterError::NotFound { ref id, .. }) if id != second.as_str()),
            "{name} with an item of another case: {refused:?}"
        );
    }
    // An id that names no item at all is refused the same way.
    let unknown = act(
        &second,
        Action::EndMeasure {
            item: ItemId("geen-item".into()),
            on: jiff::civil::date(2026, 6, 5),
        },
    )
    .await;
    assert!(
        matches!(unknown, Err(RegisterError::NotFound { .. })),
        "{unknown:?}"
    );
    // An item of this case but of another kind is not found either.
    let wrong_kind = act(
        &first,
        Action::EndMeasure {
            item: aftercare.clone(),
            on: jiff::civil::date(2026, 6, 5),
        },
    )
    .await;
    assert!(
        matches!(wrong_kind, Err(RegisterError::NotFound { .. })),
        "{wrong_kind:?}"
    );
    assert_eq!(event_count(&world).await, before, "nothing was written");
    let untouched = world
        .register
        .open_case(&world.griffier, &first)
        .await
        .unwrap();
    let state = |id: &ItemId| {
        untouched
            .items
            .iter()
            .find(|i| &i.id == id)
            .unwrap()
            .state
            .clone()
    };
    assert_eq!(state(&measure)["perpetrator_heard"], false);
    assert!(state(&measure)["ended_on"].is_null());
    assert!(state(&aftercare)["held_at"].is_null());
    assert_eq!(state(&police)["outcome_known"], false);
    // In their own case the same follow-ups work.
    for action in follow_ups {
        act(&first, action).await.unwrap();
    }
}

async fn a_consult_becomes_a_report(world: World) {
    let consult = world
        .register
        .register_consult(
            &world.leiden,
            &world.raadslid,
            Role::Raadslid,
            "Is dit appje te ver gegaan?",
        )
        .await
        .unwrap();
    let mut later = report(&world, None);
    later.facts.behaviours = vec![Behaviour::Treiteren.into()];
    let registered = world
        .register
        .promote_consult(&world.griffier, &consult, later.clone())
        .await
        .unwrap();
    assert_eq!(registered.number, 2, "the consult took number 1");
    let view = world
        .register
        .open_case(&world.griffier, &consult)
        .await
        .unwrap();
    assert_eq!(view.kind, CaseKind::Consult);
    assert_eq!(view.status, CaseStatus::Afgerond);
    assert_eq!(view.handler_role, Some(Role::Griffier));
    let promoted = view
        .events
        .iter()
        .find(|e| e.kind == EventKind::ConsultPromoted)
        .unwrap();
    assert_eq!(promoted.payload["report"], registered.case.as_str());
    let again = world
        .register
        .promote_consult(&world.griffier, &consult, later)
        .await;
    assert!(
        matches!(again, Err(RegisterError::Invalid { .. })),
        "{again:?}"
    );
}

async fn an_incident_against_a_civil_servant_counts_for_recidive(world: World) {
    world
        .register
        .register_staff_incident(
            &world.leiden,
            &world.griffier,
            "2025-11-10T11:00:00+01:00".parse().unwrap(),
            NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    phone: Some("+31 6 1234 5678".into()),
                    ..PerpetratorDetails::default()
                },
            },
            "schold baliemedewerker uit",
        )
        .await
        .unwrap();
    let mut later = report(&world, None);
    later.perpetrator.as_mut().unwrap().details.phone = Some("06-12345678".into());
    let registered = world.register.register_report(later).await.unwrap();
    assert_eq!(registered.prior_incidents, 1);
    assert!(registered.plan.recidive);
}

async fn a_changed_or_removed_event_is_caught(world: World) {
    let first = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    let second = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );
    let (victim, other) = if first.case.as_str() < second.case.as_str() {
        (&first.case, &second.case)
    } else {
        (&second.case, &first.case)
    };
    let sql = "UPDATE events SET at = at + 1 WHERE case_id = $1 AND seq = 2";
    assert_eq!(tamper(world.register.db(), sql, victim).await, 1);
    let broken = verify_chains(world.register.db())
        .await
        .unwrap()
        .broken
        .unwrap();
    assert_eq!(
        (broken.case_id.as_str(), broken.seq),
        (victim.as_str(), Some(2))
    );
    assert!(broken.reason.contains("changed"), "{}", broken.reason);

    let sql = "DELETE FROM events WHERE case_id = $1 AND seq = 1";
    assert_eq!(tamper(world.register.db(), sql, other).await, 1);
    let sql = "UPDATE events SET at = at - 1 WHERE case_id = $1 AND seq = 2";
    assert_eq!(tamper(world.register.db(), sql, victim).await, 1);
    let broken = verify_chains(world.register.db())
        .await
        .unwrap()
        .broken
        .unwrap();
    assert_eq!(broken.case_id, other.as_str());
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
    // A sealed payload swapped for another is caught by its digest.
    let sql = "UPDATE events SET payload_enc = (SELECT payload_enc FROM events e WHERE e.case_id = events.case_id AND e.seq = 1) WHERE case_id = $1 AND seq = 2";
    assert_eq!(tamper(world.register.db(), sql, victim).await, 1);
    let broken = verify_chains(world.register.db())
        .await
        .unwrap()
        .broken
        .unwrap();
    assert!(broken.reason.contains("payload"), "{}", broken.reason);
}

/// A 1×1 PNG: what a screenshot starts with.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// A screenshot: the PNG followed by every byte value, so that nothing is lost on the way.
fn screenshot() -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Every file under `dir`, sorted (none when it does not exist).
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The number of events in the register.
async fn event_count(world: &World) -> u64 {
    verify_chains(world.register.db()).await.unwrap().events
}

async fn a_screenshot_round_trips_sealed(world: World) {
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let screenshot = screenshot();
    let id = world
        .register
        .add_evidence_file(
            &world.raadslid,
            &case,
            "Schermafbeelding 2026-03-02 om 20.17.png",
            "image/png",
            &screenshot,
            Some("reactie onder de livestream"),
        )
        .await
        .unwrap();

    let before = event_count(&world).await;
    let list = world
        .register
        .evidence_list(&world.griffier, &case)
        .await
        .unwrap();
    assert_eq!(
        event_count(&world).await,
        before + 1,
        "listing is a recorded read"
    );
    let view = world
        .register
        .open_case(&world.griffier, &case)
        .await
        .unwrap();
    let listed: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Viewed && e.payload["evidence_list"] == true)
        .collect();
    assert_eq!(listed.len(), 1, "the list is on the timeline");
    assert_eq!(listed[0].actor.as_ref(), Some(&world.griffier));
    // The read records the roles its reader held at that moment (issue 14).
    assert_eq!(
        listed[0].payload,
        serde_json::json!({ "evidence_list": true, "roles": ["griffier"] })
    );
    assert_eq!(list.len(), 1);
    let listed = &list[0];
    assert_eq!(listed.id, id);
    assert_eq!(listed.kind, EvidenceKind::File);
    assert_eq!(listed.media_type.as_deref(), Some("image/png"));
    assert_eq!(listed.size, Some(screenshot.len() as u64));
    assert_eq!(listed.sha256, Some(sha256_hex(&screenshot)));
    assert_eq!(
        listed.file_name(),
        Some("Schermafbeelding 2026-03-02 om 20.17.png")
    );
    assert_eq!(listed.description(), Some("reactie onder de livestream"));
    assert_eq!(listed.added_by, world.raadslid);

    // On disk: one sealed file under a random name in a two-character folder.
    let files = files_under(&world.evidence_dir());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert_eq!(name.len(), 32, "{name}");
    assert!(!name.contains("Scherm") && !name.contains("png"), "{name}");
    let folder = files[0].parent().unwrap();
    assert_eq!(folder.file_name().unwrap().to_str(), Some(&name[..2]));
    assert_eq!(folder.parent(), Some(world.evidence_dir().as_path()));
    let stored = std::fs::read(&files[0]).unwrap();
    assert_ne!(stored, screenshot);
    assert!(!stored.windows(PNG.len()).any(|w| w == PNG), "sealed");

    let (summary, bytes) = world
        .register
        .read_evidence_file(&world.griffier, &case, &id)
        .await
        .unwrap();
    assert!(bytes == screenshot, "byte for byte");
    assert_eq!(sha256_hex(&bytes), sha256_hex(&screenshot));
    assert_eq!(&summary, listed);

    // Online evidence sits beside it, as data.
    let seen = OnlineEvidence {
        platform: "X".into(),
        account: Some("@boze_burger".into()),
        url: Some("https://x.com/boze_burger/status/1764000000000000000".into()),
        moment: Some("2026-03-02T20:16:00+01:00".parse().unwrap()),
        description: Some("reageert met adres".into()),
    };
    let online = world
        .register
        .add_online_evidence(&world.raadslid, &case, seen.clone())
        .await
        .unwrap();
    let list = world
        .register
        .evidence_list(&world.raadslid, &case)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].id, online);
    assert_eq!(list[1].kind, EvidenceKind::Online);
    assert_eq!(list[1].details, EvidenceDetails::Online(seen.clone()));
    assert_eq!(
        (&list[1].media_type, list[1].size, &list[1].sha256),
        (&None, None, &None)
    );

    // A person of another organisation can neither add, list nor read, and leaves no
    // event.
    let before = event_count(&world).await;
    let refused = world
        .register
        .add_evidence_file(&world.stranger, &case, "x.png", "image/png", PNG, None)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    let refused = world
        .register
        .add_online_evidence(&world.stranger, &case, seen)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    let refused = world
        .register
        .read_evidence_file(&world.stranger, &case, &id)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    let refused = world.register.evidence_list(&world.stranger, &case).await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    assert_eq!(event_count(&world).await, before, "refusals leave no event");
    let view = world
        .register
        .open_case(&world.griffier, &case)
        .await
        .unwrap();
    assert!(
        view.events
            .iter()
            .all(|e| e.actor.as_ref() != Some(&world.stranger))
    );
    assert_eq!(files_under(&world.evidence_dir()).len(), 1);
    assert_eq!(
        world
            .register
            .evidence_list(&world.griffier, &case)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );
}

/// The field a refused evidence file names.
async fn refused_field(world: &World, case: &CaseId, media_type: &str, bytes: &[u8]) -> String {
    let result = world
        .register
        .add_evidence_file(&world.raadslid, case, "bestand", media_type, bytes, None)
        .await;
    match result {
        Err(RegisterError::Invalid { field, .. }) => field,
        other => panic!("{media_type}, {} bytes: {other:?}", bytes.len()),
    }
}

async fn disallowed_evidence_is_refused_and_leaves_nothing(world: World) {
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let before = event_count(&world).await;

    // A PDF said to be a PNG.
    assert_eq!(
        refused_field(&world, &case, "image/png", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").await,
        "media_type"
    );
    // A PNG said to be a voicemail.
    assert_eq!(
        refused_field(&world, &case, "audio/mpeg", PNG).await,
        "media_type"
    );
    // Text that is not UTF-8.
    assert_eq!(
        refused_field(&world, &case, "text/plain", b"\xff\xfeD\0a\0g\0").await,
        "media_type"
    );
    let mut too_large = PNG.to_vec();
    too_large.resize(MAX_EVIDENCE_BYTES + 1, 0);
    assert_eq!(
        refused_field(&world, &case, "image/png", &too_large).await,
        "file"
    );
    drop(too_large);
    assert_eq!(refused_field(&world, &case, "image/png", b"").await, "file");
    let unknown = world
        .register
        .add_evidence_file(
            &world.raadslid,
            &case,
            "factuur.exe",
            "application/x-msdownload",
            b"MZ\x90\0\x03\0",
            None,
        )
        .await;
    match unknown {
        Err(RegisterError::Invalid { field, reason }) => {
            assert_eq!(field, "media_type");
            assert!(
                reason.contains("image/png") && reason.contains("message/rfc822"),
                "names the allowed types: {reason}"
            );
        }
        other => panic!("an unknown type was accepted: {other:?}"),
    }

    // Online evidence needs an account or a URL, and a URL is http(s).
    let online = |account: Option<&str>, url: Option<&str>| OnlineEvidence {
        platform: "Facebook".into(),
        account: account.map(Into::into),
        url: url.map(Into::into),
        moment: None,
        description: Some("bericht in een groep".into()),
    };
    for (evidence, field) in [
        (online(None, None), "account"),
        (online(Some("  "), None), "account"),
        (online(None, Some("javascript:alert(1)")), "url"),
        (online(Some("@iemand"), Some("www.example.nl")), "url"),
    ] {
        let refused = world
            .register
            .add_online_evidence(&world.raadslid, &case, evidence)
            .await;
        assert!(
            matches!(&refused, Err(RegisterError::Invalid { field: f, .. }) if f == field),
            "{refused:?}"
        );
    }

    // Nothing was written: no event, no file, no row.
    assert_eq!(event_count(&world).await, before);
    assert_eq!(
        files_under(&world.evidence_dir()),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(
        world
            .register
            .evidence_list(&world.griffier, &case)
            .await
            .unwrap()
            .is_empty()
    );

    // A file of exactly the limit is kept.
    let mut largest = PNG.to_vec();
    largest.resize(MAX_EVIDENCE_BYTES, 0x5a);
    let id = world
        .register
        .add_evidence_file(
            &world.raadslid,
            &case,
            "groot.png",
            "image/png",
            &largest,
            None,
        )
        .await
        .unwrap();
    let (summary, bytes) = world
        .register
        .read_evidence_file(&world.griffier, &case, &id)
        .await
        .unwrap();
    assert_eq!(summary.size, Some(MAX_EVIDENCE_BYTES as u64));
    assert!(bytes == largest);
    assert_eq!(files_under(&world.evidence_dir()).len(), 1);
}

async fn reading_evidence_is_on_the_timeline(world: World) {
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let letter = "Geachte mevrouw, wij weten wie u bent.\n";
    let id = world
        .register
        .add_evidence_file(
            &world.raadslid,
            &case,
            "brief.txt",
            "text/plain; charset=utf-8",
            letter.as_bytes(),
            None,
        )
        .await
        .unwrap();
    let online = world
        .register
        .add_online_evidence(
            &world.raadslid,
            &case,
            OnlineEvidence {
                platform: "Instagram".into(),
                account: Some("@anoniem123".into()),
                url: None,
                moment: None,
                description: None,
            },
        )
        .await
        .unwrap();
    // The victim reads what they added; the handler reads it below.
    let (summary, bytes) = world
        .register
        .read_evidence_file(&world.raadslid, &case, &id)
        .await
        .unwrap();
    assert_eq!(bytes, letter.as_bytes());
    assert_eq!(summary.media_type.as_deref(), Some("text/plain"));

    let before = event_count(&world).await;
    // Online evidence has no file; an unknown id, or one of another case, is not found.
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &case, &online)
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "evidence"),
        "{refused:?}"
    );
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &case, &EvidenceId::generate())
        .await;
    assert!(
        matches!(
            refused,
            Err(RegisterError::NotFound {
                what: "evidence",
                ..
            })
        ),
        "{refused:?}"
    );
    let other = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &other, &id)
        .await;
    assert!(
        matches!(
            refused,
            Err(RegisterError::NotFound {
                what: "evidence",
                ..
            })
        ),
        "{refused:?}"
    );
    let other_events = 3;
    assert_eq!(
        event_count(&world).await,
        before + other_events,
        "refused reads leave no event"
    );

    let view = world
        .register
        .open_case(&world.griffier, &case)
        .await
        .unwrap();
    let added: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.kind == EventKind::EvidenceAdded)
        .collect();
    assert_eq!(added.len(), 2);
    assert_eq!(added[0].payload["evidence"], id.as_str());
    assert_eq!(added[0].payload["kind"], "file");
    assert_eq!(added[0].payload["media_type"], "text/plain");
    assert_eq!(added[0].payload["size"], letter.len());
    assert_eq!(added[0].payload["sha256"], sha256_hex(letter.as_bytes()));
    assert_eq!(added[0].payload["file_name"], "brief.txt");
    assert_eq!(added[0].actor.as_ref(), Some(&world.raadslid));
    assert_eq!(added[1].payload["evidence"], online.as_str());
    assert_eq!(added[1].payload["account"], "@anoniem123");
    let read: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Viewed && e.payload["evidence"] == id.as_str())
        .collect();
    assert_eq!(read.len(), 1, "the read is on the timeline");
    assert_eq!(read[0].actor.as_ref(), Some(&world.raadslid));
    assert!(read[0].seq > added[1].seq);
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );
}

async fn an_evidence_file_altered_on_disk_is_refused(world: World) {
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let add = |name: &'static str, text: &'static str| {
        world.register.add_evidence_file(
            &world.raadslid,
            &case,
            name,
            "text/plain",
            text.as_bytes(),
            None,
        )
    };
    let first = add("een.txt", "eerste bericht").await.unwrap();
    let first_file = files_under(&world.evidence_dir()).pop().unwrap();
    let second = add("twee.txt", "tweede bericht").await.unwrap();
    let second_file = files_under(&world.evidence_dir())
        .into_iter()
        .find(|path| *path != first_file)
        .unwrap();
    let third = add("drie.txt", "derde  bericht").await.unwrap();
    let third_file = files_under(&world.evidence_dir())
        .into_iter()
        .find(|path| *path != first_file && *path != second_file)
        .unwrap();

    // One bit flipped in the sealed content.
    let mut sealed = std::fs::read(&first_file).unwrap();
    let middle = sealed.len() / 2;
    sealed[middle] ^= 0x01;
    std::fs::write(&first_file, &sealed).unwrap();
    let before = event_count(&world).await;
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &case, &first)
        .await;
    match refused {
        Err(RegisterError::Corrupt(reason)) => {
            assert!(
                reason.contains(first.as_str()),
                "names the evidence: {reason}"
            )
        }
        other => panic!("an altered file was read: {other:?}"),
    }
    assert_eq!(
        event_count(&world).await,
        before + 1,
        "the attempt is on the timeline"
    );

    // A sealed file copied over another one is bound to its own evidence id.
    std::fs::copy(&second_file, &third_file).unwrap();
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &case, &third)
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Corrupt(reason)) if reason.contains(third.as_str())),
        "{refused:?}"
    );
    // A truncated file, and a missing one.
    std::fs::write(&third_file, b"").unwrap();
    assert!(matches!(
        world
            .register
            .read_evidence_file(&world.griffier, &case, &third)
            .await,
        Err(RegisterError::Corrupt(_))
    ));
    std::fs::remove_file(&third_file).unwrap();
    assert!(matches!(
        world
            .register
            .read_evidence_file(&world.griffier, &case, &third)
            .await,
        Err(RegisterError::Corrupt(_))
    ));

    // The untouched file still reads; then its row is moved, in the database, to another
    // case of the same organisation. Its sealed details and file are bound to their own
    // case, so there it does not open.
    let (_, bytes) = world
        .register
        .read_evidence_file(&world.griffier, &case, &second)
        .await
        .unwrap();
    assert_eq!(bytes, b"tweede bericht");
    let other = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let sql = "UPDATE evidence SET case_id = (SELECT MIN(id) FROM cases WHERE id <> $1) WHERE case_id = $1";
    assert_eq!(tamper(world.register.db(), sql, &case).await, 3);
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &other, &second)
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Corrupt(reason)) if reason.contains(second.as_str())),
        "{refused:?}"
    );
    let refused = world.register.evidence_list(&world.griffier, &other).await;
    assert!(
        matches!(&refused, Err(RegisterError::Corrupt(_))),
        "{refused:?}"
    );
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &case, &second)
        .await;
    assert!(
        matches!(
            refused,
            Err(RegisterError::NotFound {
                what: "evidence",
                ..
            })
        ),
        "{refused:?}"
    );
}

async fn an_anonymised_case_takes_no_evidence(world: World) {
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    world
        .register
        .add_evidence_file(&world.raadslid, &case, "a.png", "image/png", PNG, None)
        .await
        .unwrap();
    for to in [CaseStatus::InBehandeling, CaseStatus::Afgerond] {
        world
            .register
            .act(&world.griffier, &case, Action::ChangeStatus { to })
            .await
            .unwrap();
    }
    let policy = RetentionPolicy::default()
        .keep(CaseStatus::Afgerond, 0)
        .unwrap();
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let run = world
        .register
        .apply_retention(&policy, later)
        .await
        .unwrap();
    assert_eq!(run.anonymised, std::slice::from_ref(&case));

    let before = event_count(&world).await;
    let refused = world
        .register
        .add_evidence_file(&world.griffier, &case, "b.png", "image/png", PNG, None)
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, reason })
            if field == "case" && reason.contains("anonymised")),
        "{refused:?}"
    );
    let refused = world
        .register
        .add_online_evidence(
            &world.griffier,
            &case,
            OnlineEvidence {
                platform: "X".into(),
                account: Some("@iemand".into()),
                url: None,
                moment: None,
                description: None,
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "case"),
        "{refused:?}"
    );
    // A person of another organisation is not told the case was anonymised.
    let refused = world
        .register
        .add_evidence_file(&world.stranger, &case, "c.png", "image/png", PNG, None)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { what: "case", .. })),
        "{refused:?}"
    );
    assert_eq!(event_count(&world).await, before, "refusals leave no event");
    assert_eq!(
        files_under(&world.evidence_dir()),
        Vec::<std::path::PathBuf>::new(),
        "no file was written, and the erased one stays erased"
    );
    assert!(
        world
            .register
            .evidence_list(&world.griffier, &case)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );
}

#[tokio::test]
async fn without_an_evidence_dir_files_are_refused_as_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let world = world(&url).await;
    let case = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap()
        .case;
    let id = world
        .register
        .add_evidence_file(&world.raadslid, &case, "a.png", "image/png", PNG, None)
        .await
        .unwrap();
    let bare = Register::open(&url, MasterKey::generate()).await.unwrap();
    assert_eq!(bare.evidence_dir(), None);
    let refused = bare
        .add_evidence_file(&world.raadslid, &case, "b.png", "image/png", PNG, None)
        .await;
    assert!(
        matches!(refused, Err(RegisterError::Config(_))),
        "{refused:?}"
    );
    let refused = bare.read_evidence_file(&world.raadslid, &case, &id).await;
    assert!(
        matches!(refused, Err(RegisterError::Config(_))),
        "{refused:?}"
    );
    assert_eq!(files_under(&world.evidence_dir()).len(), 1);
}

#[tokio::test]
async fn a_wrong_master_key_is_named_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let world = world(&url).await;
    let other = Register::open(&url, MasterKey::generate()).await.unwrap();
    let refused = other.register_report(report(&world, None)).await;
    assert!(
        matches!(refused, Err(RegisterError::WrongMasterKey { .. })),
        "{refused:?}"
    );
    // Rotating with the right key moves every organisation to the new one.
    let new = MasterKey::generate();
    assert_eq!(world.register.rotate_master_key(&new).await.unwrap(), 2);
    let rotated = Register::open(&url, MasterKey::from_hex(&new.to_hex()).unwrap())
        .await
        .unwrap();
    rotated.register_report(report(&world, None)).await.unwrap();
}

/// Changes stored rows behind the register's back, as an attacker with database access
/// would.
async fn tamper(db: &Db, sql: &'static str, case: &CaseId) -> u64 {
    match db {
        Db::Sqlite(pool) => sqlx::query(sql)
            .bind(case.as_str())
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql)
            .bind(case.as_str())
            .execute(pool)
            .await
            .unwrap()
            .rows_affected(),
    }
}

/// The content that must never be readable in a dump of the database.
const SECRETS: &[&str] = &[
    "weet waar ik woon",
    "Stadhuisplein",
    "Fatima El Amrani",
    "f.elamrani@leiden.example",
    "Piet Boos",
    "boze_burger",
    "rode jas",
    "Hij zegt dat het een grap",
    "PL1700-2026012345",
    "slaapt slecht",
    "Je bent een verrader",
    "kinderen naar school",
    "dreigmail-jansen",
    "verrader_nl",
    "foto van de school",
];

/// A threatening mail, kept as evidence.
const THREAT: &str = "Je bent een verrader en ik weet waar je kinderen naar school gaan";

/// Fills a register with every kind of sensitive content.
async fn fill(world: &World) {
    let registered = world
        .register
        .register_report(report(world, Some("piet.boos@example.nl")))
        .await
        .unwrap();
    let case = &registered.case;
    let measure = world
        .register
        .act(
            &world.griffier,
            case,
            Action::DecideMeasure {
                measure: weerbaar_protocol::Measure::SchriftelijkeWaarschuwing,
                starts_on: jiff::civil::date(2026, 3, 5),
                ends_on: None,
                note: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    world
        .register
        .act(
            &world.griffier,
            case,
            Action::RecordPerpetratorAccount {
                item: measure,
                account: "Hij zegt dat het een grap was.".into(),
            },
        )
        .await
        .unwrap();
    world
        .register
        .act(
            &world.griffier,
            case,
            Action::PoliceContact {
                kind: PoliceContactKind::Melding,
                at: "2026-03-04T14:00:00+01:00".parse().unwrap(),
                reference: Some("PL1700-2026012345".into()),
                victim_consent: true,
            },
        )
        .await
        .unwrap();
    let aftercare = world
        .register
        .act(
            &world.griffier,
            case,
            Action::PlanAftercare {
                conversation: AftercareConversation::Eerste,
                at: "2026-03-03T10:00:00+01:00".parse().unwrap(),
                by: world.griffier.clone(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    world
        .register
        .act(
            &world.griffier,
            case,
            Action::HoldAftercare {
                item: aftercare,
                held_at: "2026-03-03T10:30:00+01:00".parse().unwrap(),
                referral: None,
                notes: Some("slaapt slecht".into()),
            },
        )
        .await
        .unwrap();
    let mail = world
        .register
        .add_evidence_file(
            &world.griffier,
            case,
            "dreigmail-jansen.txt",
            "text/plain",
            THREAT.as_bytes(),
            Some("doorgestuurd door de raadslid"),
        )
        .await
        .unwrap();
    world
        .register
        .add_online_evidence(
            &world.griffier,
            case,
            OnlineEvidence {
                platform: "X".into(),
                account: Some("@verrader_nl".into()),
                url: Some("https://x.com/verrader_nl/status/1764000000000000001".into()),
                moment: Some("2026-03-02T21:40:00+01:00".parse().unwrap()),
                description: Some("bericht met foto van de school".into()),
            },
        )
        .await
        .unwrap();
    let (_, bytes) = world
        .register
        .read_evidence_file(&world.griffier, case, &mail)
        .await
        .unwrap();
    assert_eq!(bytes, THREAT.as_bytes());
    world
        .register
        .open_case(&world.griffier, case)
        .await
        .unwrap();
}

/// Checks every file in the evidence directory (and that there is one to check).
fn assert_no_secret_in_evidence(world: &World) {
    let files = files_under(&world.evidence_dir());
    assert!(!files.is_empty(), "fill() keeps an evidence file");
    for path in files {
        assert_no_secret_in(&std::fs::read(&path).unwrap(), &path.display().to_string());
        let name = path.display().to_string();
        assert!(
            !name.contains("dreigmail"),
            "{name} keeps the original name"
        );
    }
}

fn assert_no_secret_in(bytes: &[u8], what: &str) {
    for secret in SECRETS {
        let found = bytes
            .windows(secret.len())
            .any(|window| window == secret.as_bytes());
        assert!(!found, "{what} holds `{secret}` in the clear");
    }
}

#[tokio::test]
async fn sqlite_files_hold_no_content_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let world = world(&url).await;
    fill(&world).await;
    // The WAL is read too: committed pages may live there before a checkpoint.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_no_secret_in(&std::fs::read(&path).unwrap(), &path.display().to_string());
    }
    world.register.db().close().await;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_no_secret_in(&std::fs::read(&path).unwrap(), &path.display().to_string());
    }
    assert_no_secret_in_evidence(&world);
}

#[tokio::test]
async fn a_postgres_dump_holds_no_content_in_the_clear() {
    let Some(cluster) = support::postgres::TestCluster::start() else {
        return;
    };
    let url = cluster.fresh_database();
    let world = world(&url).await;
    fill(&world).await;
    let dump = cluster.dump(&url);
    assert!(
        dump.windows(12).any(|w| w == b"CREATE TABLE"),
        "a real dump"
    );
    assert_no_secret_in(&dump, "pg_dump");
    assert_no_secret_in_evidence(&world);
}

async fn a_batch_of_reports_is_stored_whole_or_not_at_all(world: World) {
    let batch = vec![
        report(&world, Some("a@example.nl")),
        report(&world, Some("a@example.nl")),
        report(&world, None),
    ];
    let registered = world.register.register_reports(batch).await.unwrap();
    let numbers: Vec<i64> = registered.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(registered[1].prior_incidents, 1, "matched within the batch");

    let mut bad = report(&world, None);
    bad.reporter = PersonId::generate();
    let refused = world
        .register
        .register_reports(vec![report(&world, None), bad])
        .await;
    assert!(
        matches!(refused, Err(RegisterError::NotFound { .. })),
        "{refused:?}"
    );
    let next = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    assert_eq!(next.number, 4, "nothing of the refused batch was written");
    assert_eq!(verify_chains(world.register.db()).await.unwrap().cases, 4);
}

async fn retention_anonymises_closed_cases_and_keeps_the_chain(world: World) {
    let closed = world
        .register
        .register_report(report(&world, Some("piet.boos@example.nl")))
        .await
        .unwrap();
    let open = world
        .register
        .register_report(report(&world, None))
        .await
        .unwrap();
    let evidence = world
        .register
        .add_evidence_file(
            &world.griffier,
            &closed.case,
            "dreigmail.txt",
            "text/plain",
            b"ik weet waar je woont",
            None,
        )
        .await
        .unwrap();
    let kept = walk(&world.evidence_dir());
    assert_eq!(
        kept.len(),
        1,
        "the evidence file exists before the run: {kept:?}"
    );
    for to in [CaseStatus::InBehandeling, CaseStatus::Afgerond] {
        world
            .register
            .act(&world.griffier, &closed.case, Action::ChangeStatus { to })
            .await
            .unwrap();
    }
    let policy = RetentionPolicy::default()
        .keep(CaseStatus::Afgerond, 30)
        .unwrap();
    assert!(
        RetentionPolicy::default()
            .keep(CaseStatus::Gemeld, 1)
            .is_err(),
        "open cases never expire"
    );

    // Not yet expired.
    let early = world
        .register
        .apply_retention(&policy, jiff::Timestamp::now())
        .await
        .unwrap();
    assert!(early.anonymised.is_empty());
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(31 * 24))
        .unwrap();
    let run = world
        .register
        .apply_retention(&policy, later)
        .await
        .unwrap();
    assert_eq!(run.anonymised, std::slice::from_ref(&closed.case));
    assert!(
        world
            .register
            .apply_retention(&policy, later)
            .await
            .unwrap()
            .anonymised
            .is_empty(),
        "once"
    );

    let view = world
        .register
        .open_case(&world.griffier, &closed.case)
        .await
        .unwrap();
    assert_eq!(
        (view.narrative.as_deref(), view.place.as_deref()),
        (None, None)
    );
    assert!(view.victims.is_empty() && view.perpetrators.is_empty());
    assert_eq!(
        view.category,
        Some(weerbaar_protocol::Category::BedreigingIntimidatie),
        "statistics stay"
    );
    let reported = view
        .events
        .iter()
        .find(|e| e.kind == EventKind::Reported)
        .unwrap();
    assert_eq!(reported.payload, serde_json::json!({ "anonymised": true }));
    assert!(view.events.iter().any(|e| e.kind == EventKind::Anonymised));
    assert!(
        world
            .register
            .evidence_list(&world.griffier, &closed.case)
            .await
            .unwrap()
            .is_empty()
    );
    let files = walk(&world.evidence_dir());
    assert!(files.is_empty(), "the evidence file is erased: {files:?}");
    assert!(!kept[0].exists());
    let refused = world
        .register
        .read_evidence_file(&world.griffier, &closed.case, &evidence)
        .await;
    assert!(
        matches!(
            refused,
            Err(RegisterError::NotFound {
                what: "evidence",
                ..
            })
        ),
        "{refused:?}"
    );
    let refused = world
        .register
        .act(
            &world.griffier,
            &closed.case,
            Action::ChangeStatus {
                to: CaseStatus::Heropend,
            },
        )
        .await;
    assert!(
        matches!(refused, Err(RegisterError::Invalid { .. })),
        "{refused:?}"
    );
    // The open case is untouched, and every chain still verifies.
    let untouched = world
        .register
        .open_case(&world.griffier, &open.case)
        .await
        .unwrap();
    assert_eq!(untouched.narrative.as_deref(), Some(NARRATIVE));
    assert_eq!(
        verify_chains(world.register.db()).await.unwrap().broken,
        None
    );
    // The anonymised case no longer counts for recidive; the open case, whose perpetrator
    // was matched on the same account, still does.
    let again = world
        .register
        .register_report(report(&world, Some("piet.boos@example.nl")))
        .await
        .unwrap();
    assert_eq!(again.prior_incidents, 1);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

async fn an_account_signs_in_locks_and_keeps_its_second_factor_sealed(world: World) {
    use weerbaar_register::accounts::{LOCKOUT, MAX_FAILED_ATTEMPTS, SignIn};

    const RIGHT: &str = "een lange zin als wachtwoord";
    const WRONG: &str = "fout wachtwoord!!";

    /// The answer to a person of another organisation: not found, as a person.
    #[track_caller]
    fn not_this_organisation<T: std::fmt::Debug>(result: Result<T, RegisterError>) {
        assert!(
            matches!(result, Err(RegisterError::NotFound { what: "person", .. })),
            "{result:?}"
        );
    }

    /// The recovery-code digests kept for a person, as stored.
    async fn stored_recovery_codes(db: &Db, person: &PersonId) -> String {
        let sql = "SELECT recovery_codes FROM accounts WHERE person_id = $1";
        match db {
            Db::Sqlite(pool) => sqlx::query_scalar(sql)
                .bind(person.as_str())
                .fetch_one(pool)
                .await
                .unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql)
                .bind(person.as_str())
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    }

    let register = &world.register;
    let leiden = &world.leiden;
    let short = register.set_password(leiden, &world.griffier, "kort").await;
    assert!(
        matches!(short, Err(RegisterError::Invalid { ref field, .. }) if field == "password"),
        "{short:?}"
    );
    register
        .set_password(leiden, &world.griffier, RIGHT)
        .await
        .unwrap();
    // The register keeps moments to the microsecond.
    let now = jiff::Timestamp::from_microsecond(jiff::Timestamp::now().as_microsecond()).unwrap();
    let until = now.checked_add(LOCKOUT).unwrap();
    let check = |email: &'static str, password: &'static str, at| {
        register.check_password(leiden, email, password, at)
    };

    assert_eq!(
        check("Griffie@Leiden.example", RIGHT, now).await.unwrap(),
        SignIn::Accepted {
            person: world.griffier.clone(),
            second_factor: false
        }
    );
    assert_eq!(
        check("onbekend@leiden.example", RIGHT, now).await.unwrap(),
        SignIn::Refused
    );
    // The burgemeester has no account: refused the same way.
    assert_eq!(
        check("bm@leiden.example", RIGHT, now).await.unwrap(),
        SignIn::Refused
    );
    // A person of another organisation is unknown here.
    assert_eq!(
        check("x@westerveld.example", RIGHT, now).await.unwrap(),
        SignIn::Refused
    );
    // An empty login still answers (after the same argon2 run).
    assert_eq!(check("  ", RIGHT, now).await.unwrap(), SignIn::Refused);

    // A real login and an unknown one fail exactly alike: refused until the fifth
    // failure, which locks the login; while locked even the right password waits.
    let mut expected = vec![SignIn::Refused; usize::try_from(MAX_FAILED_ATTEMPTS - 1).unwrap()];
    expected.push(SignIn::Locked { until });
    expected.push(SignIn::Locked { until });
    for login in ["griffie@leiden.example", "niemand@leiden.example"] {
        let mut answers = Vec::new();
        for _ in 0..MAX_FAILED_ATTEMPTS {
            answers.push(check(login, WRONG, now).await.unwrap());
        }
        answers.push(check(login, RIGHT, now).await.unwrap());
        assert_eq!(answers, expected, "{login}");
    }
    // The lock is the login's, however it is written.
    assert_eq!(
        check(" NIEMAND@Leiden.example", RIGHT, now).await.unwrap(),
        SignIn::Locked { until }
    );
    let later = now
        .checked_add(jiff::SignedDuration::from_mins(16))
        .unwrap();
    assert_eq!(
        check("griffie@leiden.example", RIGHT, later).await.unwrap(),
        SignIn::Accepted {
            person: world.griffier.clone(),
            second_factor: false
        }
    );
    assert_eq!(
        check("niemand@leiden.example", RIGHT, later).await.unwrap(),
        SignIn::Refused
    );

    // Twelve wrong attempts at once each count: exactly four are refused, the rest find
    // the login locked, and so does the right password afterwards.
    register
        .set_password(leiden, &world.raadslid, RIGHT)
        .await
        .unwrap();
    let wrong = || check("f.elamrani@leiden.example", WRONG, now);
    let (a, b, c, d, e, f, g, h, i, j, k, l) = tokio::join!(
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong(),
        wrong()
    );
    let answers = [a, b, c, d, e, f, g, h, i, j, k, l].map(Result::unwrap);
    assert_eq!(
        answers.iter().filter(|a| **a == SignIn::Refused).count(),
        usize::try_from(MAX_FAILED_ATTEMPTS - 1).unwrap(),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|a| *a == SignIn::Refused || *a == SignIn::Locked { until }),
        "{answers:?}"
    );
    assert_eq!(
        check("f.elamrani@leiden.example", RIGHT, now)
            .await
            .unwrap(),
        SignIn::Locked { until }
    );

    register
        .store_second_factor(leiden, &world.griffier, b"12345678901234567890")
        .await
        .unwrap();
    assert_eq!(
        register
            .second_factor_secret(leiden, &world.griffier)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"12345678901234567890"[..])
    );
    register
        .confirm_second_factor(leiden, &world.griffier)
        .await
        .unwrap();
    assert_eq!(
        check("griffie@leiden.example", RIGHT, later).await.unwrap(),
        SignIn::Accepted {
            person: world.griffier.clone(),
            second_factor: true
        }
    );
    let codes = register
        .new_recovery_codes(leiden, &world.griffier)
        .await
        .unwrap();
    assert_eq!(codes.len(), 10);
    // Kept as keyed digests: neither the code nor its plain SHA-256 is stored.
    let stored = stored_recovery_codes(register.db(), &world.griffier).await;
    for code in &codes {
        use sha2::Digest;
        let plain: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
        assert!(!stored.contains(code.as_str()) && !stored.contains(&plain));
        assert!(!stored.contains(&hex::encode(sha2::Sha256::digest(plain.as_bytes()))));
    }
    assert!(
        register
            .use_recovery_code(leiden, &world.griffier, &codes[3].to_uppercase())
            .await
            .unwrap()
    );
    assert!(
        !register
            .use_recovery_code(leiden, &world.griffier, &codes[3])
            .await
            .unwrap(),
        "single use"
    );
    assert!(
        !register
            .use_recovery_code(leiden, &world.griffier, "aaaaa-bbbbb")
            .await
            .unwrap()
    );
    // One code used twice at once works once; two codes used at once both work.
    let (first, second) = tokio::join!(
        register.use_recovery_code(leiden, &world.griffier, &codes[5]),
        register.use_recovery_code(leiden, &world.griffier, &codes[5]),
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert!(first != second, "used once: {first} {second}");
    let (first, second) = tokio::join!(
        register.use_recovery_code(leiden, &world.griffier, &codes[6]),
        register.use_recovery_code(leiden, &world.griffier, &codes[7]),
    );
    assert!(first.unwrap() && second.unwrap());

    // Another organisation's administrator reaches none of this, nor does this one reach
    // the other organisation's people.
    let westerveld = register
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|organisation| organisation.name == "Gemeente Westerveld")
        .unwrap()
        .id;
    register
        .set_password(&westerveld, &world.stranger, RIGHT)
        .await
        .unwrap();
    for (organisation, person) in [(&westerveld, &world.griffier), (leiden, &world.stranger)] {
        not_this_organisation(register.set_password(organisation, person, RIGHT).await);
        not_this_organisation(
            register
                .store_second_factor(organisation, person, b"00000000000000000000")
                .await,
        );
        not_this_organisation(register.second_factor_secret(organisation, person).await);
        not_this_organisation(register.confirm_second_factor(organisation, person).await);
        not_this_organisation(register.new_recovery_codes(organisation, person).await);
        not_this_organisation(
            register
                .use_recovery_code(organisation, person, &codes[0])
                .await,
        );
        not_this_organisation(
            register
                .set_account_disabled(organisation, person, true)
                .await,
        );
    }
    // Nothing of the griffier's changed.
    assert_eq!(
        register
            .second_factor_secret(leiden, &world.griffier)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"12345678901234567890"[..])
    );
    assert!(
        register
            .use_recovery_code(leiden, &world.griffier, &codes[0])
            .await
            .unwrap()
    );
    assert_eq!(
        check("griffie@leiden.example", RIGHT, later).await.unwrap(),
        SignIn::Accepted {
            person: world.griffier.clone(),
            second_factor: true
        }
    );

    // A disabled account says so only to the right password.
    register
        .set_account_disabled(leiden, &world.griffier, true)
        .await
        .unwrap();
    assert_eq!(
        check("griffie@leiden.example", WRONG, later).await.unwrap(),
        SignIn::Refused
    );
    assert_eq!(
        check("griffie@leiden.example", RIGHT, later).await.unwrap(),
        SignIn::Disabled
    );
    let no_account = register
        .set_account_disabled(leiden, &world.burgemeester, true)
        .await;
    assert!(
        matches!(
            no_account,
            Err(RegisterError::NotFound {
                what: "account",
                ..
            })
        ),
        "{no_account:?}"
    );
}

support::scenarios!(
    postgres_conformance:
    a_report_is_stored_whole_and_opens_with_its_timeline,
    the_same_perpetrator_is_recognised_and_counts_as_recidive,
    open_tasks_come_soonest_first_and_leave_when_done,
    a_person_of_another_organisation_learns_nothing,
    bad_input_names_the_field_and_writes_nothing,
    a_former_office_holder_is_routed_as_the_former_role,
    a_case_is_worked_to_its_end,
    an_item_of_another_case_is_not_found,
    a_consult_becomes_a_report,
    an_incident_against_a_civil_servant_counts_for_recidive,
    a_changed_or_removed_event_is_caught,
    a_batch_of_reports_is_stored_whole_or_not_at_all,
    retention_anonymises_closed_cases_and_keeps_the_chain,
    an_account_signs_in_locks_and_keeps_its_second_factor_sealed,
    a_screenshot_round_trips_sealed,
    disallowed_evidence_is_refused_and_leaves_nothing,
    reading_evidence_is_on_the_timeline,
    an_evidence_file_altered_on_disk_is_refused,
    an_anonymised_case_takes_no_evidence,
);
