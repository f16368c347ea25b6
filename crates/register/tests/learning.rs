//! What the organisation does with its year besides the figures (issue 12): the yearly
//! evaluation of the protocol, linked to the version that followed and reminded of when
//! a year passes without one, and the export of anonymised case rows, logged each time;
//! on SQLite and on a throwaway PostgreSQL.

mod support;

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Category, Channel, Role, preset_text};
use weerbaar_register::*;

use support::world::{facts, leiden_and_westerveld, leiden_office_holders};

struct World {
    register: Register,
    leiden: OrganisationId,
    westerveld: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, burgemeester] = leiden_office_holders(&register, &leiden).await;
    World {
        register,
        leiden,
        westerveld,
        raadslid,
        griffier,
        burgemeester,
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn evaluation(held_on: jiff::civil::Date) -> NewProtocolEvaluation {
    NewProtocolEvaluation {
        held_on,
        participants: "Presidium, burgemeester, griffier".into(),
        discussed: "De bedreigingen via sociale media.\nWat ging goed.".into(),
        changes: "Nazorg ook na een consult aanbieden.".into(),
    }
}

fn invalid_field(error: RegisterError) -> String {
    match error {
        RegisterError::Invalid { field, .. } => field,
        other => panic!("expected a refused field, got {other:?}"),
    }
}

async fn an_evaluation_is_kept_and_linked_to_the_version_that_followed(world: World) {
    let register = &world.register;
    let now = Timestamp::now();
    let today = weerbaar_register::protocol_evaluations::today(now);
    let id = register
        .record_protocol_evaluation(&world.leiden, &world.griffier, &evaluation(today), now)
        .await
        .unwrap();

    let listed = register.protocol_evaluations(&world.leiden).await.unwrap();
    assert_eq!(listed.len(), 1);
    let kept = &listed[0];
    assert_eq!(kept.id, id);
    assert_eq!(kept.held_on, today);
    assert_eq!(kept.protocol_version, "leiden-2025");
    assert_eq!(kept.participants, "Presidium, burgemeester, griffier");
    assert_eq!(
        kept.discussed,
        "De bedreigingen via sociale media.\nWat ging goed."
    );
    assert_eq!(kept.recorded_by, world.griffier);
    assert_eq!(kept.recorded_by_name.as_deref(), Some("Jan de Griffier"));
    assert_eq!(kept.followed_by, None);
    // Another organisation sees none of it.
    assert!(
        register
            .protocol_evaluations(&world.westerveld)
            .await
            .unwrap()
            .is_empty()
    );

    // The file stored again under the same version does not "follow" the evaluation.
    let leiden = preset_text("leiden").unwrap();
    register
        .set_protocol(&world.leiden, None, leiden)
        .await
        .unwrap();
    let listed = register.protocol_evaluations(&world.leiden).await.unwrap();
    assert_eq!(listed[0].followed_by, None);

    // A new version does, once; a later one leaves the link as it was.
    let next = leiden.replace("version = \"leiden-2025\"", "version = \"leiden-2027\"");
    assert_ne!(next, leiden);
    register
        .set_protocol(&world.leiden, None, &next)
        .await
        .unwrap();
    let later = leiden.replace("version = \"leiden-2025\"", "version = \"leiden-2028\"");
    register
        .set_protocol(&world.leiden, None, &later)
        .await
        .unwrap();
    let listed = register.protocol_evaluations(&world.leiden).await.unwrap();
    let (version, _) = listed[0].followed_by.clone().unwrap();
    assert_eq!(version, "leiden-2027");

    // The administration log has the evaluation, by ids and codes only.
    let events = register.admin_events(&world.leiden, 50).await.unwrap();
    let logged = events
        .iter()
        .find(|event| event.kind == AdminEventKind::ProtocolEvaluated)
        .unwrap();
    assert_eq!(logged.actor.as_ref(), Some(&world.griffier));
    assert_eq!(logged.detail["version"], "leiden-2025");
    assert!(!logged.detail.to_string().contains("Presidium"));
}

async fn only_who_handles_cases_records_an_evaluation_and_bad_input_is_named(world: World) {
    let register = &world.register;
    let now = Timestamp::now();
    let today = weerbaar_register::protocol_evaluations::today(now);
    // The burgemeester is informed under Leiden's protocol, the raadslid reports: neither
    // handles cases.
    for person in [&world.burgemeester, &world.raadslid] {
        let refused = register
            .record_protocol_evaluation(&world.leiden, person, &evaluation(today), now)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, RegisterError::Forbidden { .. }),
            "{refused:?}"
        );
    }
    // The griffier of Leiden is nobody in Westerveld.
    assert!(
        register
            .record_protocol_evaluation(&world.westerveld, &world.griffier, &evaluation(today), now)
            .await
            .is_err()
    );

    let tomorrow = today.tomorrow().unwrap();
    let refused = register
        .record_protocol_evaluation(&world.leiden, &world.griffier, &evaluation(tomorrow), now)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(refused), "held_on");
    let mut blank = evaluation(today);
    blank.discussed = " \n ".into();
    let refused = register
        .record_protocol_evaluation(&world.leiden, &world.griffier, &blank, now)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(refused), "discussed");
    // Nothing was written by any of the refusals.
    assert!(
        register
            .protocol_evaluations(&world.leiden)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !register
            .admin_events(&world.leiden, 50)
            .await
            .unwrap()
            .iter()
            .any(|event| event.kind == AdminEventKind::ProtocolEvaluated)
    );
}

async fn a_year_without_an_evaluation_is_said(world: World) {
    let register = &world.register;
    let now = Timestamp::now();
    let created = weerbaar_register::protocol_evaluations::today(now);
    let due = |now| register.protocol_evaluation_due(&world.leiden, now);
    // A new organisation has a year for its first evaluation.
    assert_eq!(due(now).await.unwrap(), EvaluationDue::No);
    let after_a_year = now + SignedDuration::from_hours(24 * 368);
    assert_eq!(
        due(after_a_year).await.unwrap(),
        EvaluationDue::Never(created)
    );

    let held_on = date(2030, 5, 20);
    let recorded = at("2030-05-21T09:00:00Z");
    register
        .record_protocol_evaluation(
            &world.leiden,
            &world.griffier,
            &evaluation(held_on),
            recorded,
        )
        .await
        .unwrap();
    assert_eq!(
        due(at("2031-05-20T12:00:00Z")).await.unwrap(),
        EvaluationDue::No
    );
    assert_eq!(
        due(at("2031-05-21T12:00:00Z")).await.unwrap(),
        EvaluationDue::SinceLast(held_on)
    );
    // Westerveld's clock is its own.
    assert_eq!(
        register
            .protocol_evaluation_due(&world.westerveld, at("2031-05-21T12:00:00Z"))
            .await
            .unwrap(),
        EvaluationDue::Never(created)
    );
    assert!(matches!(
        register
            .protocol_evaluation_due(&OrganisationId("nergens".into()), now)
            .await,
        Err(RegisterError::NotFound { .. })
    ));
}

fn report(
    world: &World,
    victim: &PersonId,
    role: Role,
    behaviour: Behaviour,
    occurred: &str,
) -> NewReport {
    let mut facts = facts(&[behaviour]);
    facts.occurred_at = at(occurred);
    facts.reported_at = Some(at(occurred) + SignedDuration::from_hours(2));
    facts.victim.role = role;
    facts.channel = Channel::Email;
    NewReport {
        organisation: world.leiden.clone(),
        reporter: victim.clone(),
        on_behalf: false,
        victims: vec![NewVictim {
            person: victim.clone(),
            role,
            relation: Relation::Zelf,
        }],
        facts,
        narrative: "Hij schreef dat hij weet waar ik woon, Dorpsstraat 1.".into(),
        place: Some("Stadhuis Leiden".into()),
        during_meeting: false,
        perpetrator: Some(NewPerpetrator {
            kind: PerpetratorKind::Persoon,
            details: PerpetratorDetails {
                name: Some("Karel Boos".into()),
                email: Some("boos@example.nl".into()),
                ..PerpetratorDetails::default()
            },
        }),
    }
}

async fn the_export_has_anonymised_rows_of_the_year_and_is_logged(world: World) {
    let register = &world.register;
    // New Year's night: 2025 in UTC, 1 January 2026 in Amsterdam.
    for (victim, role, behaviour, occurred) in [
        (
            &world.burgemeester,
            Role::Burgemeester,
            Behaviour::DreigenMetGeweld,
            "2025-12-31T23:30:00Z",
        ),
        (
            &world.raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            "2026-03-02T10:00:00Z",
        ),
        (
            &world.raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            "2025-06-02T10:00:00Z",
        ),
    ] {
        register
            .register_report(report(&world, victim, role, behaviour, occurred))
            .await
            .unwrap();
    }
    let now = at("2026-12-08T12:00:00Z");
    let rows = register
        .export_anonymised_cases(&world.leiden, Some(&world.griffier), 2026, now)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let january = &rows[0];
    assert_eq!(january.month, 1);
    assert_eq!(january.category, Some(Category::BedreigingIntimidatie));
    assert_eq!(january.channel, Channel::Email);
    assert_eq!(january.victim_group, Some("college"));
    assert_eq!(january.perpetrator_kind, PerpetratorKind::Persoon);
    assert_eq!(january.status, CaseStatus::Gemeld);
    // Nothing of the report was done, and by December every firm deadline has passed.
    assert_eq!((january.tasks_on_time, january.tasks_late), (0, 0));
    assert!(january.tasks_overdue_open > 0);
    let march = &rows[1];
    assert_eq!(march.month, 3);
    assert_eq!(march.victim_group, Some("raad"));
    // The same man again: the second report is a repeat.
    assert!(march.recidive);
    // Nothing identifying can be in a row: its debug form names no narrative, place or
    // perpetrator.
    let text = format!("{rows:?}");
    for secret in ["Dorpsstraat", "Stadhuis", "Karel", "boos@"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    // Each export is in the administration log, with the year and the number of rows.
    register
        .export_anonymised_cases(&world.leiden, None, 2025, now)
        .await
        .unwrap();
    let exports: Vec<AdminEvent> = register
        .admin_events(&world.leiden, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == AdminEventKind::CasesExported)
        .collect();
    assert_eq!(exports.len(), 2);
    assert_eq!(exports[0].actor, None);
    assert_eq!(exports[0].detail["year"], 2025);
    assert_eq!(exports[0].detail["rows"], 1);
    assert_eq!(exports[1].actor.as_ref(), Some(&world.griffier));
    assert_eq!(exports[1].detail["rows"], 2);

    // A year out of range and an unknown organisation are refused, and not logged.
    let refused = register
        .export_anonymised_cases(&world.leiden, None, 1899, now)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(refused), "year");
    assert!(matches!(
        register
            .export_anonymised_cases(&OrganisationId("nergens".into()), None, 2026, now)
            .await,
        Err(RegisterError::NotFound { .. })
    ));
    let logged = register.admin_events(&world.leiden, 50).await.unwrap();
    assert_eq!(
        logged
            .iter()
            .filter(|event| event.kind == AdminEventKind::CasesExported)
            .count(),
        2
    );
    // An empty year is an empty export, not an error.
    assert!(
        register
            .export_anonymised_cases(&world.westerveld, None, 2026, now)
            .await
            .unwrap()
            .is_empty()
    );
}

/// §16.5: an organisation's own task is a task of the year like the spec's: the figures
/// and the export count it, and neither refuses its code.
async fn an_own_task_counts_in_the_figures_and_the_export(world: World) {
    let register = &world.register;
    let own = format!(
        "{}\n[own_tasks.fractie_informeren]\nlabel = \"De fractievoorzitter informeren\"\n\
         deadline = {{ hours = 4 }}\nwhen = {{ channels = [\"email\"] }}\n",
        preset_text("leiden").unwrap()
    );
    register
        .set_protocol(&world.leiden, None, &own)
        .await
        .unwrap();
    let registered = register
        .register_report(report(
            &world,
            &world.raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            "2026-03-02T10:00:00Z",
        ))
        .await
        .unwrap();
    assert!(
        registered
            .plan
            .tasks
            .iter()
            .any(|task| task.code.as_str() == "fractie_informeren"),
        "the own task is planned"
    );
    let now = at("2026-12-08T12:00:00Z");
    let without = {
        let counts = register
            .yearly_counts(&world.leiden, 2026, now)
            .await
            .unwrap();
        counts.tasks.get("overdue_open").unwrap()
    };
    let rows = register
        .export_anonymised_cases(&world.leiden, None, 2026, now)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(u64::from(rows[0].tasks_overdue_open), without);
    // The own task is among them: one more than the spec's firm tasks of the plan.
    let firm_spec_tasks = registered
        .plan
        .tasks
        .iter()
        .filter(|task| task.code.as_str() != "fractie_informeren" && !task.target)
        .filter(|task| !matches!(task.due, weerbaar_protocol::Due::None))
        .count();
    assert_eq!(without, firm_spec_tasks as u64 + 1);
}

support::scenarios!(learning_on_postgres:
    an_own_task_counts_in_the_figures_and_the_export,
    an_evaluation_is_kept_and_linked_to_the_version_that_followed,
    only_who_handles_cases_records_an_evaluation_and_bad_input_is_named,
    a_year_without_an_evaluation_is_said,
    the_export_has_anonymised_rows_of_the_year_and_is_logged,
);
