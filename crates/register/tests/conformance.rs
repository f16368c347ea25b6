//! One conformance suite, run against SQLite (a real file) and PostgreSQL (a throwaway
//! cluster the tests start themselves). Every scenario must behave the same on both.

#[path = "support/postgres.rs"]
mod postgres;

use weerbaar_protocol::{Behaviour, Channel, Facts, Role, Task, Victim, preset_text};
use weerbaar_register::audit::verify_chains;
use weerbaar_register::*;

/// An organisation under the Leiden protocol with a raadslid, a griffier and a
/// burgemeester, and a second organisation with one person.
struct World {
    register: Register,
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
    stranger: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let leiden = register
        .create_organisation("Gemeente Leiden", preset_text("leiden").unwrap())
        .await
        .unwrap();
    let other = register
        .create_organisation("Gemeente Westerveld", preset_text("westerveld").unwrap())
        .await
        .unwrap();
    let person = |name: &str, email: &str, role| NewPerson {
        name: name.into(),
        email: Some(email.into()),
        roles: vec![(role, true)],
    };
    let raadslid = register
        .add_person(
            &leiden,
            person(
                "Fatima El Amrani",
                "f.elamrani@leiden.example",
                Role::Raadslid,
            ),
        )
        .await
        .unwrap();
    let griffier = register
        .add_person(
            &leiden,
            person("Jan de Griffier", "griffie@leiden.example", Role::Griffier),
        )
        .await
        .unwrap();
    let burgemeester = register
        .add_person(
            &leiden,
            person("Henri Lenferink", "bm@leiden.example", Role::Burgemeester),
        )
        .await
        .unwrap();
    let stranger = register
        .add_person(
            &other,
            person("Iemand Anders", "x@westerveld.example", Role::Griffier),
        )
        .await
        .unwrap();
    World {
        register,
        leiden,
        raadslid,
        griffier,
        burgemeester,
        stranger,
    }
}

fn facts(behaviours: &[Behaviour]) -> Facts {
    Facts {
        occurred_at: "2026-03-02T20:15:00+01:00".parse().unwrap(),
        reported_at: Some("2026-03-03T09:00:00+01:00".parse().unwrap()),
        victim: Victim {
            role: Role::Raadslid,
            former: false,
        },
        behaviours: behaviours.to_vec(),
        channel: Channel::SocialeMedia,
        persistent: false,
        corrected_after_warning: false,
        injury: weerbaar_protocol::Injury::Geen,
        criminal_offence_suspected: true,
        perpetrator_known: true,
        prior_incidents: 0,
        damage: false,
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
    let codes: Vec<Task> = view.tasks.iter().map(|t| t.code).collect();
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
        .open_case(&world.burgemeester, &registered.case)
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
    second.facts.behaviours = vec![Behaviour::Schelden];
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
    assert_eq!(tasks.first().map(|t| t.code), Some(Task::NazorgGesprek1));
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

macro_rules! conformance {
    ($($scenario:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
                    super::$scenario(super::world(&url).await).await;
                }
            )+
        }

        /// All scenarios on one throwaway PostgreSQL cluster, each on a fresh database.
        #[tokio::test]
        async fn postgres_conformance() {
            let Some(cluster) = postgres::TestCluster::start() else { return };
            $(
                $scenario(world(&cluster.fresh_database()).await).await;
            )+
        }
    };
}

conformance!(
    a_report_is_stored_whole_and_opens_with_its_timeline,
    the_same_perpetrator_is_recognised_and_counts_as_recidive,
    open_tasks_come_soonest_first_and_leave_when_done,
    a_person_of_another_organisation_learns_nothing,
    bad_input_names_the_field_and_writes_nothing,
    a_former_office_holder_is_routed_as_the_former_role,
);
