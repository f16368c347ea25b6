//! Who may see what of a case, people and their duties, and sessions: scenarios that try
//! to break the register's own access checks, run against SQLite and PostgreSQL alike
//! (as `conformance.rs` does).

mod support;

use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Role, Task};
use weerbaar_register::db::Db;
use weerbaar_register::*;

use support::world::{add_people, facts, leiden_and_westerveld, leiden_office_holders, person};

/// Leiden (a raadslid is routed to the griffier; the burgemeester and the adviseur VPT
/// are informed) with people in every position toward a case, and one person of another
/// organisation.
struct World {
    register: Register,
    leiden: OrganisationId,
    other: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
    adviseur: PersonId,
    wethouder: PersonId,
    /// Was griffier once.
    former_griffier: PersonId,
    /// An administrator: a duty, and the role of a civil servant.
    beheerder: PersonId,
    /// A griffier, of the other organisation.
    stranger: PersonId,
    _dir: tempfile::TempDir,
}

async fn world(url: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let register = Register::open(url, MasterKey::generate())
        .await
        .unwrap()
        .with_evidence_dir(dir.path().join("evidence"));
    let (leiden, other) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, burgemeester] = leiden_office_holders(&register, &leiden).await;
    let [adviseur, wethouder, former_griffier, beheerder] = add_people(
        &register,
        &leiden,
        [
            person(
                "Ada Veilig",
                "vpt@leiden.example",
                vec![(Role::AdviseurVpt, true)],
            ),
            person(
                "Wim Wethouder",
                "wethouder@leiden.example",
                vec![(Role::Wethouder, true)],
            ),
            person(
                "Oud Griffier",
                "oud@leiden.example",
                vec![(Role::Griffier, false), (Role::Ambtenaar, true)],
            ),
            person(
                "Bea Beheer",
                "beheer@leiden.example",
                vec![(Role::Ambtenaar, true)],
            ),
        ],
    )
    .await;
    register
        .set_duties(&leiden, &beheerder, &[Duty::Beheerder, Duty::Privacy])
        .await
        .unwrap();
    let [stranger] = add_people(
        &register,
        &other,
        [person(
            "Iemand Anders",
            "x@westerveld.example",
            vec![(Role::Griffier, true), (Role::Burgemeester, true)],
        )],
    )
    .await;
    World {
        register,
        leiden,
        other,
        raadslid,
        griffier,
        burgemeester,
        adviseur,
        wethouder,
        former_griffier,
        beheerder,
        stranger,
        _dir: dir,
    }
}

const NARRATIVE: &str = "Na de raadsvergadering schreef @boze_burger dat hij weet waar ik woon.";

async fn report(world: &World) -> Registered {
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
            facts: facts(&[Behaviour::Beledigen, Behaviour::DreigenMetGeweld]),
            narrative: NARRATIVE.into(),
            place: Some("Stadhuis".into()),
            during_meeting: false,
            perpetrator: Some(NewPerpetrator {
                kind: PerpetratorKind::Persoon,
                details: PerpetratorDetails {
                    accounts: vec!["@boze_burger".into()],
                    ..PerpetratorDetails::default()
                },
            }),
        })
        .await
        .unwrap()
}

/// How many events the register holds, all cases together.
async fn events(world: &World) -> i64 {
    match world.register.db() {
        Db::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T, RegisterError>, what: &str) {
    assert!(
        matches!(&result, Err(RegisterError::NotFound { what: w, .. }) if *w == what),
        "expected {what} not found: {result:?}"
    );
}

fn forbidden<T: std::fmt::Debug>(result: Result<T, RegisterError>) {
    assert!(
        matches!(&result, Err(RegisterError::Forbidden { what: "case", .. })),
        "expected forbidden: {result:?}"
    );
}

fn online() -> OnlineEvidence {
    OnlineEvidence {
        platform: "Instagram".into(),
        account: Some("@anoniem123".into()),
        url: None,
        moment: None,
        description: None,
    }
}

async fn access_follows_the_roles_of_the_case(world: World) {
    let case = report(&world).await.case;
    for (person, expected) in [
        (&world.griffier, CaseAccess::Handler),
        (&world.raadslid, CaseAccess::Own),
        (&world.burgemeester, CaseAccess::Informed),
        (&world.adviseur, CaseAccess::Informed),
        (&world.wethouder, CaseAccess::None),
        (&world.former_griffier, CaseAccess::None),
        // Administrator and privacy officer: duties open no case.
        (&world.beheerder, CaseAccess::None),
        // A griffier and burgemeester, but of another organisation.
        (&world.stranger, CaseAccess::None),
    ] {
        let access = world.register.case_access(person, &case).await.unwrap();
        assert_eq!(access, expected, "{person}");
    }
    assert_eq!(
        world
            .register
            .case_access(&world.griffier, &CaseId::generate())
            .await
            .unwrap(),
        CaseAccess::None
    );
    assert_eq!(
        world
            .register
            .case_access(&PersonId::generate(), &case)
            .await
            .unwrap(),
        CaseAccess::None
    );
}

async fn no_access_is_told_the_case_does_not_exist(world: World) {
    let case = report(&world).await.case;
    let before = events(&world).await;
    for person in [&world.stranger, &world.wethouder, &world.beheerder] {
        let register = &world.register;
        not_found(register.open_case(person, &case).await, "case");
        not_found(register.own_case(person, &case).await, "case");
        not_found(register.case_summary(person, &case).await, "case");
        not_found(register.access_log(person, &case).await, "case");
        not_found(register.evidence_list(person, &case).await, "case");
        not_found(
            register.add_online_evidence(person, &case, online()).await,
            "case",
        );
        not_found(
            register
                .act(
                    person,
                    &case,
                    Action::ChangeStatus {
                        to: CaseStatus::InBehandeling,
                    },
                )
                .await,
            "case",
        );
    }
    // Tasks: the stranger is not of the organisation; the wethouder is, but no handler.
    not_found(
        world
            .register
            .complete_task(&world.stranger, &case, Task::NazorgGesprek1, None)
            .await,
        "person",
    );
    not_found(
        world
            .register
            .complete_task(&world.wethouder, &case, Task::NazorgGesprek1, None)
            .await,
        "case",
    );
    // A guessed id is as unknown to the handler as a real one is to the stranger.
    let guessed = CaseId::generate();
    not_found(
        world.register.open_case(&world.griffier, &guessed).await,
        "case",
    );
    not_found(
        world.register.case_summary(&world.griffier, &guessed).await,
        "case",
    );
    assert_eq!(events(&world).await, before, "refusals leave no event");
    assert!(
        world
            .register
            .my_cases(&world.stranger)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        world
            .register
            .informed_cases(&world.stranger, 50)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        world
            .register
            .informed_cases(&world.beheerder, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_informed_role_sees_a_summary_and_nothing_more(world: World) {
    let registered = report(&world).await;
    let case = &registered.case;
    world
        .register
        .act(
            &world.griffier,
            case,
            Action::PoliceContact {
                kind: PoliceContactKind::Melding,
                at: "2026-03-04T14:00:00+01:00".parse().unwrap(),
                reference: None,
                victim_consent: true,
            },
        )
        .await
        .unwrap();
    let summary = world
        .register
        .case_summary(&world.burgemeester, case)
        .await
        .unwrap();
    assert_eq!(summary.number, registered.number);
    assert_eq!(summary.handler_role, Some(Role::Griffier));
    assert_eq!(summary.occurred_on, jiff::civil::date(2026, 3, 2));
    assert!(summary.police_involved);
    assert_eq!(summary.done_tasks, 1, "afspraak_politie is done");
    assert!(summary.open_tasks > 0);
    assert!(!format!("{summary:?}").contains("boze_burger"));

    let before = events(&world).await;
    let register = &world.register;
    let bm = &world.burgemeester;
    forbidden(register.open_case(bm, case).await);
    forbidden(register.own_case(bm, case).await);
    forbidden(register.access_log(bm, case).await);
    forbidden(register.evidence_list(bm, case).await);
    forbidden(register.add_online_evidence(bm, case, online()).await);
    forbidden(
        register
            .act(
                bm,
                case,
                Action::ChangeStatus {
                    to: CaseStatus::Afgerond,
                },
            )
            .await,
    );
    forbidden(
        register
            .complete_task(bm, case, Task::NazorgGesprek1, None)
            .await,
    );
    let perpetrator = registered.perpetrator.clone().unwrap();
    forbidden(register.perpetrator_dossier(bm, case, &perpetrator).await);
    assert_eq!(events(&world).await, before, "refusals leave no event");

    let listed = register.informed_cases(bm, 50).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [case],
        "{listed:?}"
    );
    assert!(register.my_cases(bm).await.unwrap().is_empty());
    // The read is on the timeline, as a summary and without content.
    let log = register.access_log(&world.griffier, case).await.unwrap();
    assert_eq!(log[0].by, *bm);
    assert_eq!(log[0].scope, "summary");
    assert_eq!(log[0].by_roles, [Role::Burgemeester]);
    assert_eq!(log[0].by_name, "Henri Lenferink");
}

async fn the_victim_sees_their_own_case_and_who_read_it(world: World) {
    let registered = report(&world).await;
    let case = &registered.case;
    let register = &world.register;
    let planned: Timestamp = "2026-03-05T10:00:00+01:00".parse().unwrap();
    register
        .act(
            &world.griffier,
            case,
            Action::PlanAftercare {
                conversation: AftercareConversation::Eerste,
                at: planned,
                by: world.griffier.clone(),
            },
        )
        .await
        .unwrap();
    register.open_case(&world.griffier, case).await.unwrap();

    let mine = register.my_cases(&world.raadslid).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, *case);
    assert_eq!(mine[0].number, registered.number);

    let own = register.own_case(&world.raadslid, case).await.unwrap();
    assert_eq!(own.narrative.as_deref(), Some(NARRATIVE));
    assert_eq!(own.place.as_deref(), Some("Stadhuis"));
    assert_eq!(own.report, Some(registered.plan.report));
    assert_eq!(own.category, Some(registered.plan.category));
    assert_eq!(own.aftercare.len(), 1);
    assert_eq!(own.aftercare[0].planned_at, Some(planned));
    assert_eq!(own.aftercare[0].held_at, None);
    assert_eq!(own.aftercare[0].by_name.as_deref(), Some("Jan de Griffier"));
    assert!(!own.tasks.is_empty());
    assert!(
        own.tasks
            .iter()
            .all(|task| task.code.to_string().starts_with("nazorg_")),
        "{:?}",
        own.tasks
    );
    let shown = format!("{own:?}");
    assert!(
        !shown.contains("boze_burger") && !shown.contains("Stadhuis"),
        "{shown}"
    );

    // The victim adds evidence to their own case and lists it, but works no case.
    register
        .add_online_evidence(&world.raadslid, case, online())
        .await
        .unwrap();
    assert_eq!(
        register
            .evidence_list(&world.raadslid, case)
            .await
            .unwrap()
            .len(),
        1
    );
    forbidden(register.open_case(&world.raadslid, case).await);
    forbidden(
        register
            .act(
                &world.raadslid,
                case,
                Action::ChangeStatus {
                    to: CaseStatus::Afgerond,
                },
            )
            .await,
    );
    forbidden(
        register
            .complete_task(&world.raadslid, case, Task::NazorgGesprek1, None)
            .await,
    );
    let perpetrator = registered.perpetrator.clone().unwrap();
    forbidden(
        register
            .perpetrator_dossier(&world.raadslid, case, &perpetrator)
            .await,
    );

    let before = events(&world).await;
    let log = register.access_log(&world.raadslid, case).await.unwrap();
    assert_eq!(events(&world).await, before, "reading the log is no read");
    let seen: Vec<(&PersonId, &str)> = log.iter().map(|e| (&e.by, e.scope.as_str())).collect();
    assert_eq!(
        seen,
        [
            (&world.raadslid, "evidence_list"),
            (&world.raadslid, "own"),
            (&world.griffier, "case"),
        ]
    );
    assert!(log.windows(2).all(|pair| pair[0].at >= pair[1].at));
    assert_eq!(log[2].by_name, "Jan de Griffier");
    assert_eq!(log[2].by_roles, [Role::Griffier]);
    assert!(!format!("{log:?}").contains("Jan de"), "{log:?}");
}

/// Issue 14: the access log names the roles someone read with, not the ones they hold
/// when the log is read. An administrator given the griffier's role reads the case as its
/// handler and gives the role back; the burgemeester reads as informed and leaves office.
/// The victim's log still says "griffier" and "burgemeester".
async fn the_access_log_names_the_roles_held_at_the_moment_of_reading(world: World) {
    let registered = report(&world).await;
    let case = &registered.case;
    let register = &world.register;
    register
        .set_roles(
            &world.leiden,
            &world.beheerder,
            vec![(Role::Ambtenaar, true), (Role::Griffier, true)],
        )
        .await
        .unwrap();
    register.open_case(&world.beheerder, case).await.unwrap();
    register
        .case_summary(&world.burgemeester, case)
        .await
        .unwrap();
    register
        .set_roles(
            &world.leiden,
            &world.beheerder,
            vec![(Role::Ambtenaar, true)],
        )
        .await
        .unwrap();
    register
        .set_roles(
            &world.leiden,
            &world.burgemeester,
            vec![(Role::Burgemeester, false)],
        )
        .await
        .unwrap();
    not_found(register.open_case(&world.beheerder, case).await, "case");

    let log = register.access_log(&world.raadslid, case).await.unwrap();
    let mut held = vec![Role::Griffier, Role::Ambtenaar];
    held.sort_unstable();
    let read: Vec<(&PersonId, &[Role], bool)> = log
        .iter()
        .map(|e| (&e.by, e.by_roles.as_slice(), e.roles_at_read))
        .collect();
    assert_eq!(
        read,
        [
            (&world.burgemeester, &[Role::Burgemeester][..], true),
            (&world.beheerder, held.as_slice(), true),
        ],
        "{log:?}"
    );

    // The privacy officer's overview says the same, by case number, filtered or not;
    // nobody without the privacy duty reads it, nor anyone of another organisation.
    let overview = register
        .privacy_overview(&world.leiden, &world.beheerder, None)
        .await
        .unwrap();
    let reads: Vec<(i64, &PersonId, &[Role], &str)> = overview
        .reads
        .iter()
        .map(|r| {
            (
                r.case_number,
                &r.by,
                r.by_roles.as_slice(),
                r.scope.as_str(),
            )
        })
        .collect();
    assert_eq!(
        reads,
        [
            (
                registered.number,
                &world.burgemeester,
                &[Role::Burgemeester][..],
                "summary"
            ),
            (registered.number, &world.beheerder, held.as_slice(), "case"),
        ]
    );
    assert!(!overview.more_reads);
    let other = report(&world).await;
    let only_other = register
        .privacy_overview(&world.leiden, &world.beheerder, Some(other.number))
        .await
        .unwrap();
    assert!(only_other.reads.is_empty(), "{only_other:?}");
    for outsider in [&world.griffier, &world.raadslid] {
        assert!(matches!(
            register
                .privacy_overview(&world.leiden, outsider, None)
                .await,
            Err(RegisterError::Forbidden { .. })
        ));
    }
    not_found(
        register
            .privacy_overview(&world.leiden, &world.stranger, None)
            .await,
        "person",
    );
}

async fn a_granted_reader_reads_but_never_acts_and_a_revoked_grant_ends(world: World) {
    let registered = report(&world).await;
    let case = &registered.case;
    let register = &world.register;
    for person in [&world.burgemeester, &world.wethouder] {
        register
            .act(
                &world.griffier,
                case,
                Action::GrantAccess {
                    person: person.clone(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            register.case_access(person, case).await.unwrap(),
            CaseAccess::Granted
        );
        let view = register.open_case(person, case).await.unwrap();
        assert_eq!(view.narrative.as_deref(), Some(NARRATIVE));
        register.evidence_list(person, case).await.unwrap();
        register.own_case(person, case).await.unwrap();
        register.access_log(person, case).await.unwrap();
        forbidden(
            register
                .act(
                    person,
                    case,
                    Action::ChangeStatus {
                        to: CaseStatus::InBehandeling,
                    },
                )
                .await,
        );
        // A granted reader does not let others in either.
        forbidden(
            register
                .act(
                    person,
                    case,
                    Action::GrantAccess {
                        person: world.adviseur.clone(),
                    },
                )
                .await,
        );
        forbidden(
            register
                .complete_task(person, case, Task::NazorgGesprek1, None)
                .await,
        );
        forbidden(register.add_online_evidence(person, case, online()).await);
        let perpetrator = registered.perpetrator.clone().unwrap();
        forbidden(
            register
                .perpetrator_dossier(person, case, &perpetrator)
                .await,
        );
        assert_eq!(
            register
                .informed_cases(person, 10)
                .await
                .unwrap()
                .iter()
                .map(|c| &c.id)
                .collect::<Vec<_>>(),
            [case]
        );

        register
            .act(
                &world.griffier,
                case,
                Action::RevokeAccess {
                    person: person.clone(),
                },
            )
            .await
            .unwrap();
    }
    // Revoked: the burgemeester is informed again, the wethouder nothing at all.
    assert_eq!(
        register
            .case_access(&world.burgemeester, case)
            .await
            .unwrap(),
        CaseAccess::Informed
    );
    forbidden(register.open_case(&world.burgemeester, case).await);
    assert_eq!(
        register.case_access(&world.wethouder, case).await.unwrap(),
        CaseAccess::None
    );
    not_found(register.open_case(&world.wethouder, case).await, "case");
    assert!(
        register
            .informed_cases(&world.wethouder, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The handler cannot let in someone of another organisation.
    let refused = register
        .act(
            &world.griffier,
            case,
            Action::GrantAccess {
                person: world.stranger.clone(),
            },
        )
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "person"),
        "{refused:?}"
    );
}

async fn the_handler_is_whoever_holds_the_role_now(world: World) {
    let case = report(&world).await.case;
    let register = &world.register;
    not_found(
        register.open_case(&world.former_griffier, &case).await,
        "case",
    );
    // The griffier leaves office; the former one returns.
    register
        .set_roles(
            &world.leiden,
            &world.griffier,
            vec![(Role::Griffier, false)],
        )
        .await
        .unwrap();
    register
        .set_roles(
            &world.leiden,
            &world.former_griffier,
            vec![(Role::Griffier, true), (Role::Ambtenaar, true)],
        )
        .await
        .unwrap();
    not_found(register.open_case(&world.griffier, &case).await, "case");
    not_found(
        register
            .act(
                &world.griffier,
                &case,
                Action::ChangeStatus {
                    to: CaseStatus::InBehandeling,
                },
            )
            .await,
        "case",
    );
    register
        .act(
            &world.former_griffier,
            &case,
            Action::ChangeStatus {
                to: CaseStatus::InBehandeling,
            },
        )
        .await
        .unwrap();
    register
        .complete_task(&world.former_griffier, &case, Task::NazorgGesprek1, None)
        .await
        .unwrap();
    // A batch of tasks is refused whole when one case is not the actor's.
    let second = report(&world).await.case;
    let refused = register
        .complete_tasks(
            &world.griffier,
            &world.leiden,
            &[(second.clone(), Task::NazorgGesprek1.into(), None)],
        )
        .await;
    not_found(refused, "case");

    // The inbox of the role lists the cases, newest report first.
    let inbox = register
        .handler_cases(&world.leiden, Role::Griffier, None, 10)
        .await
        .unwrap();
    assert_eq!(
        inbox.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [&second, &case]
    );
    assert_eq!(inbox[0].victim_role, Role::Raadslid);
    assert_eq!(inbox[1].open_tasks + 1, inbox[0].open_tasks);
    assert!(inbox[0].next_due.is_some());
    let working = register
        .handler_cases(
            &world.leiden,
            Role::Griffier,
            Some(CaseStatus::InBehandeling),
            10,
        )
        .await
        .unwrap();
    assert_eq!(working.iter().map(|c| &c.id).collect::<Vec<_>>(), [&case]);
    assert_eq!(
        register
            .handler_cases(&world.leiden, Role::Griffier, None, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        register
            .handler_cases(&world.other, Role::Griffier, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        register
            .handler_cases(&world.leiden, Role::Gemeentesecretaris, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn people_are_listed_with_roles_duties_and_sign_in(world: World) {
    let register = &world.register;
    let people = register.people(&world.leiden).await.unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|name| name.to_lowercase());
    assert_eq!(names, sorted);
    assert_eq!(people.len(), 7);
    assert!(people.iter().all(|p| p.id != world.stranger));

    register
        .set_password(
            &world.leiden,
            &world.griffier,
            "een lange zin als wachtwoord",
        )
        .await
        .unwrap();
    let griffier = register
        .person(&world.leiden, &world.griffier)
        .await
        .unwrap();
    assert_eq!(griffier.name, "Jan de Griffier");
    assert_eq!(griffier.email.as_deref(), Some("griffie@leiden.example"));
    assert_eq!(griffier.roles, [(Role::Griffier, true)]);
    assert!(griffier.has_password && !griffier.second_factor && !griffier.disabled);
    let shown = format!("{griffier:?}");
    assert!(
        !shown.contains("Jan de Griffier") && !shown.contains("griffie@"),
        "{shown}"
    );
    not_found(
        register.person(&world.leiden, &world.stranger).await,
        "person",
    );

    let beheerder = register
        .person(&world.leiden, &world.beheerder)
        .await
        .unwrap();
    assert_eq!(beheerder.duties, [Duty::Beheerder, Duty::Privacy]);
    assert!(!beheerder.has_password);
    assert_eq!(
        register.duties(&world.beheerder).await.unwrap(),
        [Duty::Beheerder, Duty::Privacy]
    );
    // A person with a duty may hold no role; without one, a person keeps a role.
    register
        .set_roles(&world.leiden, &world.beheerder, Vec::new())
        .await
        .unwrap();
    let refused = register
        .set_duties(&world.leiden, &world.beheerder, &[])
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "duties"),
        "{refused:?}"
    );
    let refused = register
        .set_roles(&world.leiden, &world.wethouder, Vec::new())
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "roles"),
        "{refused:?}"
    );
    let refused = register
        .set_roles(
            &world.leiden,
            &world.wethouder,
            vec![(Role::Wethouder, true), (Role::Wethouder, false)],
        )
        .await;
    assert!(matches!(refused, Err(RegisterError::Invalid { .. })));
    register
        .set_duties(
            &world.leiden,
            &world.wethouder,
            &[Duty::Privacy, Duty::Privacy],
        )
        .await
        .unwrap();
    assert_eq!(
        register.duties(&world.wethouder).await.unwrap(),
        [Duty::Privacy]
    );
    register
        .set_duties(&world.leiden, &world.wethouder, &[])
        .await
        .unwrap();
    assert!(register.duties(&world.wethouder).await.unwrap().is_empty());
    // Another organisation's administrator changes nothing here.
    not_found(
        register
            .set_duties(&world.other, &world.wethouder, &[Duty::Beheerder])
            .await,
        "person",
    );
    not_found(
        register
            .set_roles(&world.other, &world.wethouder, vec![(Role::Griffier, true)])
            .await,
        "person",
    );
    assert!(register.duties(&world.wethouder).await.unwrap().is_empty());

    assert_eq!(
        register
            .find_person_by_email(&world.leiden, " Griffie@Leiden.example ")
            .await
            .unwrap(),
        Some(world.griffier.clone())
    );
    assert_eq!(
        register
            .find_person_by_email(&world.other, "griffie@leiden.example")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        register
            .find_person_by_email(&world.leiden, "")
            .await
            .unwrap(),
        None
    );
}

async fn sessions_expire_rotate_and_end_with_the_account(world: World) {
    let register = &world.register;
    let limits = SessionLimits::default();
    let t0: Timestamp = "2026-03-03T09:00:00Z".parse().unwrap();
    let at = |seconds: i64| t0 + SignedDuration::from_secs(seconds);
    let refused = register
        .start_session(&world.leiden, &world.griffier, false, t0)
        .await;
    not_found(refused, "account");
    register
        .set_password(
            &world.leiden,
            &world.griffier,
            "een lange zin als wachtwoord",
        )
        .await
        .unwrap();
    not_found(
        register
            .start_session(&world.other, &world.griffier, false, t0)
            .await,
        "account",
    );

    let token = register
        .start_session(&world.leiden, &world.griffier, false, t0)
        .await
        .unwrap();
    assert_eq!(token.len(), 43);
    let session = register
        .session(&token, at(1), limits)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.person, world.griffier);
    assert_eq!(session.organisation, world.leiden);
    assert!(!session.verified);
    assert_eq!(session.started_at, t0);
    let shown = format!("{session:?}");
    assert!(
        !shown.contains(&session.csrf) && !shown.contains(&token),
        "{shown}"
    );
    assert!(
        register
            .session("not a token", at(1), limits)
            .await
            .unwrap()
            .is_none()
    );

    // Passing the second factor: a new token, a new form token, the same start.
    let verified = register
        .verify_session(&token, at(30))
        .await
        .unwrap()
        .unwrap();
    assert_ne!(verified, token);
    assert!(
        register
            .session(&token, at(31), limits)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        register
            .verify_session(&token, at(31))
            .await
            .unwrap()
            .is_none()
    );
    let after = register
        .session(&verified, at(31), limits)
        .await
        .unwrap()
        .unwrap();
    assert!(after.verified);
    assert_ne!(after.csrf, session.csrf);
    assert_eq!(after.started_at, t0);

    // Idle: a request within a minute of the last does not count as activity for the
    // idle limit, one after it does.
    let quiet = register
        .start_session(&world.leiden, &world.griffier, true, t0)
        .await
        .unwrap();
    let busy = register
        .start_session(&world.leiden, &world.griffier, true, t0)
        .await
        .unwrap();
    assert!(
        register
            .session(&quiet, at(50), limits)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        register
            .session(&busy, at(70), limits)
            .await
            .unwrap()
            .is_some()
    );
    let past_idle = 30 * 60 + 60;
    assert!(
        register
            .session(&quiet, at(past_idle), limits)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        register
            .session(&busy, at(past_idle), limits)
            .await
            .unwrap()
            .is_some()
    );
    // Gone for good: the row was removed.
    assert!(
        register
            .session(&quiet, at(past_idle + 1), limits)
            .await
            .unwrap()
            .is_none()
    );

    // Absolute: kept busy, the session still ends twelve hours after sign-in.
    let mut second = past_idle;
    while second < 12 * 3600 {
        assert!(
            register
                .session(&busy, at(second), limits)
                .await
                .unwrap()
                .is_some(),
            "{second}"
        );
        second += 20 * 60;
    }
    assert!(
        register
            .session(&busy, at(12 * 3600 + 1), limits)
            .await
            .unwrap()
            .is_none()
    );

    // Purging removes what has ended, and only that.
    let stale = register
        .start_session(&world.leiden, &world.griffier, true, t0)
        .await
        .unwrap();
    let fresh = register
        .start_session(&world.leiden, &world.griffier, true, at(3600))
        .await
        .unwrap();
    // `verified` (touched at 31 s) and `stale` are idle by now.
    assert_eq!(
        register
            .purge_sessions(at(3600 + 60), limits)
            .await
            .unwrap(),
        2
    );
    assert!(
        register
            .session(&stale, at(3600 + 61), limits)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        register
            .session(&fresh, at(3600 + 61), limits)
            .await
            .unwrap()
            .is_some()
    );

    // Signing out, here and everywhere.
    register.end_session(&fresh).await.unwrap();
    assert!(
        register
            .session(&fresh, at(3600 + 62), limits)
            .await
            .unwrap()
            .is_none()
    );
    register.end_session("unknown").await.unwrap();
    let one = register
        .start_session(&world.leiden, &world.griffier, true, at(4000))
        .await
        .unwrap();
    let two = register
        .start_session(&world.leiden, &world.griffier, true, at(4000))
        .await
        .unwrap();
    assert_eq!(register.end_sessions_of(&world.griffier).await.unwrap(), 2);
    assert!(
        register
            .session(&one, at(4001), limits)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        register
            .session(&two, at(4001), limits)
            .await
            .unwrap()
            .is_none()
    );

    // A disabled account: its sessions end with it, and no new one starts.
    let live = register
        .start_session(&world.leiden, &world.griffier, true, at(5000))
        .await
        .unwrap();
    register
        .set_account_disabled(&world.leiden, &world.griffier, true)
        .await
        .unwrap();
    assert!(
        register
            .session(&live, at(5001), limits)
            .await
            .unwrap()
            .is_none()
    );
    let refused = register
        .start_session(&world.leiden, &world.griffier, true, at(5002))
        .await;
    assert!(
        matches!(
            &refused,
            Err(RegisterError::Forbidden {
                what: "account",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(
        register
            .person(&world.leiden, &world.griffier)
            .await
            .unwrap()
            .disabled
    );
    // Even a session the disabling missed (it raced in) is refused, and not rotated.
    register
        .set_account_disabled(&world.leiden, &world.griffier, false)
        .await
        .unwrap();
    let raced = register
        .start_session(&world.leiden, &world.griffier, false, at(6000))
        .await
        .unwrap();
    let disable = "UPDATE accounts SET disabled = TRUE";
    match register.db() {
        Db::Sqlite(pool) => sqlx::query(disable).execute(pool).await.map(drop).unwrap(),
        Db::Postgres(pool) => sqlx::query(disable).execute(pool).await.map(drop).unwrap(),
    }
    assert!(
        register
            .verify_session(&raced, at(6001))
            .await
            .unwrap()
            .is_none()
    );
    let raced = {
        register
            .set_account_disabled(&world.leiden, &world.griffier, false)
            .await
            .unwrap();
        let token = register
            .start_session(&world.leiden, &world.griffier, false, at(6002))
            .await
            .unwrap();
        match register.db() {
            Db::Sqlite(pool) => sqlx::query(disable).execute(pool).await.map(drop).unwrap(),
            Db::Postgres(pool) => sqlx::query(disable).execute(pool).await.map(drop).unwrap(),
        }
        token
    };
    assert!(
        register
            .session(&raced, at(6003), limits)
            .await
            .unwrap()
            .is_none()
    );
}

async fn informed_roles_of_existing_cases_are_filled_in_by_the_migration(world: World) {
    // Migration 0002 fills `case_informed` from the plans of the cases already there:
    // run its statement again on a case whose rows are gone.
    let case = report(&world).await.case;
    let (sqlite, postgres) = (
        include_str!("../migrations/sqlite/0002_access.sql"),
        include_str!("../migrations/postgres/0002_access.sql"),
    );
    let statement = |migration: &'static str| -> &'static str {
        let start = migration.find("INSERT INTO case_informed").unwrap();
        let end = start + migration[start..].find(';').unwrap();
        &migration[start..end]
    };
    let delete = "DELETE FROM case_informed";
    match world.register.db() {
        Db::Sqlite(pool) => {
            sqlx::query(delete).execute(pool).await.unwrap();
            sqlx::query(statement(sqlite)).execute(pool).await.unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query(delete).execute(pool).await.unwrap();
            sqlx::query(statement(postgres))
                .execute(pool)
                .await
                .unwrap();
        }
    }
    assert_eq!(
        world
            .register
            .case_access(&world.adviseur, &case)
            .await
            .unwrap(),
        CaseAccess::Informed
    );
    assert_eq!(
        world
            .register
            .informed_cases(&world.burgemeester, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

support::scenarios!(
    postgres_access:
    access_follows_the_roles_of_the_case,
    no_access_is_told_the_case_does_not_exist,
    an_informed_role_sees_a_summary_and_nothing_more,
    the_victim_sees_their_own_case_and_who_read_it,
    a_granted_reader_reads_but_never_acts_and_a_revoked_grant_ends,
    the_access_log_names_the_roles_held_at_the_moment_of_reading,
    the_handler_is_whoever_holds_the_role_now,
    people_are_listed_with_roles_duties_and_sign_in,
    sessions_expire_rotate_and_end_with_the_account,
    informed_roles_of_existing_cases_are_filled_in_by_the_migration,
);

mod property {
    use proptest::prelude::*;

    use super::*;

    fn roles() -> impl Strategy<Value = Vec<(Role, bool)>> {
        let role = prop::sample::select(vec![
            Role::Griffier,
            Role::Burgemeester,
            Role::AdviseurVpt,
            Role::Raadslid,
            Role::Wethouder,
            Role::Gemeentesecretaris,
            Role::Ambtenaar,
        ]);
        prop::collection::btree_map(role, any::<bool>(), 1..4)
            .prop_map(|roles| roles.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Whatever roles two people hold, the one in the case's organisation is its
        /// handler exactly when they hold the handler role now, and the one of another
        /// organisation never gets any access.
        #[test]
        fn roles_decide_handling_and_organisations_never_mix(
            inside in roles(),
            outside in roles(),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let (_dir, url) = support::sqlite_database();
                let world = world(&url).await;
                let case = report(&world).await.case;
                world.register.set_roles(&world.leiden, &world.wethouder, inside.clone()).await.unwrap();
                world.register.set_roles(&world.other, &world.stranger, outside.clone()).await.unwrap();
                let access = world.register.case_access(&world.wethouder, &case).await.unwrap();
                let handler = inside.contains(&(Role::Griffier, true));
                prop_assert_eq!(access == CaseAccess::Handler, handler, "{:?}: {:?}", inside, access);
                if !handler {
                    let informed = inside.iter().any(|(role, current)| {
                        *current && matches!(role, Role::Burgemeester | Role::AdviseurVpt)
                    });
                    let expected = if informed { CaseAccess::Informed } else { CaseAccess::None };
                    prop_assert_eq!(access, expected, "{:?}", inside);
                }
                let stranger = world.register.case_access(&world.stranger, &case).await.unwrap();
                prop_assert_eq!(stranger, CaseAccess::None, "{:?}", outside);
                Ok(())
            })?;
        }
    }
}
