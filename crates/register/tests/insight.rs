//! The dashboard (`Register::dashboard`, issue 12) of a register filled through its real
//! API, on SQLite and on a throwaway PostgreSQL: periods across the year boundary in
//! Europe/Amsterdam, exact counts and §17's small cells, a rise against the same period
//! a year earlier, repeat perpetrators within twelve months, and improvement actions of
//! an evaluation that become tasks and leave the dashboard when done.

mod support;

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Category, Channel, Role};
use weerbaar_register::insight::{Period, Rise, shown};
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

fn period(key: &str) -> Period {
    Period::parse(key).unwrap()
}

/// A report by the raadslid, reported an hour after it happened.
fn incident(
    world: &World,
    behaviour: Behaviour,
    occurred: &str,
    perpetrator_email: Option<&str>,
) -> NewReport {
    let mut facts = facts(&[behaviour]);
    facts.occurred_at = at(occurred);
    facts.reported_at = Some(
        at(occurred)
            .checked_add(SignedDuration::from_hours(1))
            .unwrap(),
    );
    facts.channel = Channel::Email;
    facts.criminal_offence_suspected = false;
    facts.perpetrator_known = perpetrator_email.is_some();
    NewReport {
        organisation: world.leiden.clone(),
        reporter: world.raadslid.clone(),
        on_behalf: false,
        victims: vec![NewVictim {
            person: world.raadslid.clone(),
            role: Role::Raadslid,
            relation: Relation::Zelf,
        }],
        facts,
        narrative: "Wat er gebeurde.".into(),
        place: None,
        during_meeting: false,
        perpetrator: perpetrator_email.map(|email| NewPerpetrator {
            kind: PerpetratorKind::Persoon,
            details: PerpetratorDetails {
                email: Some(email.into()),
                ..PerpetratorDetails::default()
            },
        }),
    }
}

async fn report(
    world: &World,
    behaviour: Behaviour,
    occurred: &str,
    email: Option<&str>,
) -> Registered {
    world
        .register
        .register_report(incident(world, behaviour, occurred, email))
        .await
        .unwrap()
}

const THREAT: Behaviour = Behaviour::DreigenMetGeweld;
const INSULT: Behaviour = Behaviour::Schelden;

/// The first quarter of 2026 against that of 2025, with an incident on each side of
/// new year in Amsterdam: 23:30 UTC on 31 December is 00:30 on 1 January there.
async fn a_quarter_across_the_year_boundary_exact_and_suppressed(world: World) {
    // 2025-12-31T22:30Z is 23:30 in Amsterdam: the fourth quarter of 2025.
    report(&world, INSULT, "2025-12-31T22:30:00Z", None).await;
    // 2025-12-31T23:30Z is 00:30 on 1 January 2026: the first quarter of 2026.
    report(&world, INSULT, "2025-12-31T23:30:00Z", None).await;
    for day in 2..=8 {
        report(&world, THREAT, &format!("2026-02-0{day}T10:00:00Z"), None).await;
    }
    for day in 2..=4 {
        report(&world, THREAT, &format!("2025-03-0{day}T10:00:00Z"), None).await;
    }
    let now = at("2026-04-15T10:00:00Z");

    let q1 = world
        .register
        .dashboard(&world.leiden, period("2026-K1"), now)
        .await
        .unwrap();
    assert_eq!(q1.counts.incidents, 8);
    assert_eq!(q1.counts.by_category.get("bedreiging_intimidatie"), Some(7));
    assert_eq!(q1.counts.by_category.get("verbale_agressie"), Some(1));
    let earlier = q1.a_year_earlier.as_ref().unwrap();
    assert_eq!(earlier.incidents, 3);
    assert_eq!(earlier.by_category.get("bedreiging_intimidatie"), Some(3));

    // Exact for who handles cases; §17's cells for everyone else: the lone 1 is "<5",
    // and the 7 beside it is hidden so that the 1 cannot be worked out from the total.
    let exact = shown(&q1.counts.by_category, true);
    assert_eq!(exact.get("bedreiging_intimidatie"), Some(Cell::Count(7)));
    assert_eq!(exact.get("verbale_agressie"), Some(Cell::Count(1)));
    let suppressed = shown(&q1.counts.by_category, false);
    assert_eq!(suppressed.get("bedreiging_intimidatie"), Some(Cell::Hidden));
    assert_eq!(suppressed.get("verbale_agressie"), Some(Cell::Small));

    // 7 against 3 is a rise; under suppression neither number may be told.
    assert_eq!(
        q1.rises(true),
        vec![Rise {
            category: Category::BedreigingIntimidatie,
            now: 7,
            before: 3
        }]
    );
    assert_eq!(q1.rises(false), Vec::new());

    let q4 = world
        .register
        .dashboard(&world.leiden, period("2025-K4"), now)
        .await
        .unwrap();
    assert_eq!(q4.counts.incidents, 1);
    let january = world
        .register
        .dashboard(&world.leiden, period("2026-01"), now)
        .await
        .unwrap();
    assert_eq!(january.counts.incidents, 1);
    assert_eq!(january.counts.by_month.get("1"), Some(1));
    let year = world
        .register
        .dashboard(&world.leiden, period("2026"), now)
        .await
        .unwrap();
    assert_eq!(year.counts.incidents, 8);
    // The yearly report counts the same year the same way.
    let yearly = world
        .register
        .yearly_counts(&world.leiden, 2026, now)
        .await
        .unwrap();
    assert_eq!(yearly.by_category, year.counts.by_category);

    // Every incident is open, routed to the griffier; another organisation sees none.
    assert_eq!(q1.open_by_handler.len(), 1);
    assert_eq!(q1.open_by_handler[0].role, Some(Role::Griffier));
    assert_eq!(q1.open_by_handler[0].cases, 12);
    assert_eq!(q1.open_by_category.get("bedreiging_intimidatie"), Some(10));
    let elsewhere = world
        .register
        .dashboard(&world.westerveld, period("2026-K1"), now)
        .await
        .unwrap();
    assert_eq!(elsewhere.counts.incidents, 0);
    assert!(elsewhere.open_by_handler.is_empty());
}

/// A rise told in words needs both numbers shown: 10 against 5 is a rise that a
/// council member may read too.
async fn a_rise_with_numbers_that_may_be_shown(world: World) {
    for day in 10..=19 {
        report(&world, THREAT, &format!("2026-05-{day}T10:00:00Z"), None).await;
    }
    for day in 10..=14 {
        report(&world, THREAT, &format!("2025-05-{day}T10:00:00Z"), None).await;
    }
    let now = at("2026-06-01T10:00:00Z");
    let may = world
        .register
        .dashboard(&world.leiden, period("2026-05"), now)
        .await
        .unwrap();
    let rise = Rise {
        category: Category::BedreigingIntimidatie,
        now: 10,
        before: 5,
    };
    assert_eq!(may.rises(true), vec![rise]);
    assert_eq!(may.rises(false), vec![rise]);
}

/// The perpetrators with more than one case in the twelve months before now, by case
/// number; an older case of the same perpetrator is not counted.
async fn repeat_perpetrators_within_twelve_months(world: World) {
    let old = report(
        &world,
        INSULT,
        "2025-01-10T10:00:00Z",
        Some("p@voorbeeld.nl"),
    )
    .await;
    let first = report(
        &world,
        INSULT,
        "2025-09-10T10:00:00Z",
        Some("p@voorbeeld.nl"),
    )
    .await;
    let second = report(
        &world,
        THREAT,
        "2026-03-10T10:00:00Z",
        Some("p@voorbeeld.nl"),
    )
    .await;
    // Another perpetrator with one case in the twelve months, one before.
    report(
        &world,
        INSULT,
        "2024-03-10T10:00:00Z",
        Some("q@voorbeeld.nl"),
    )
    .await;
    report(
        &world,
        INSULT,
        "2026-02-10T10:00:00Z",
        Some("q@voorbeeld.nl"),
    )
    .await;
    let now = at("2026-04-01T10:00:00Z");
    let dashboard = world
        .register
        .dashboard(&world.leiden, period("2026-K1"), now)
        .await
        .unwrap();
    assert!(old.number < first.number);
    assert_eq!(
        dashboard.repeat_perpetrators,
        vec![vec![first.number, second.number]]
    );
}

/// An evaluation's improvement actions become tasks of the case with their deadline, are
/// on the dashboard until done, and leave it when their task is marked done.
async fn improvement_actions_become_tasks_until_done(world: World) {
    let case = report(&world, THREAT, "2026-03-02T19:15:00Z", None)
        .await
        .case;
    let evaluation = |actions: Vec<ImprovementAction>| Action::Evaluation {
        risk: Risk::Midden,
        likely_to_recur: true,
        cause: "besluit over de woonwijk".into(),
        trend: String::new(),
        improvement: String::new(),
        actions,
    };
    // A person of another organisation cannot take on an action; an action says what.
    let [stranger] = support::world::add_people(
        &world.register,
        &world.westerveld,
        [support::world::person(
            "Ander",
            "a@westerveld.example",
            vec![(Role::Raadslid, true)],
        )],
    )
    .await;
    let refused = world
        .register
        .act(
            &world.griffier,
            &case,
            evaluation(vec![ImprovementAction {
                what: "camera bij de balie".into(),
                who: stranger,
                by: date(2026, 6, 1),
            }]),
        )
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Invalid { field, .. }) if field == "actions[0].who"),
        "{refused:?}"
    );
    let empty = world
        .register
        .act(
            &world.griffier,
            &case,
            evaluation(vec![ImprovementAction {
                what: "  ".into(),
                who: world.griffier.clone(),
                by: date(2026, 6, 1),
            }]),
        )
        .await;
    assert!(
        matches!(&empty, Err(RegisterError::Invalid { field, .. }) if field == "actions[0].what"),
        "{empty:?}"
    );

    world
        .register
        .act(
            &world.griffier,
            &case,
            evaluation(vec![
                ImprovementAction {
                    what: "camera bij de balie".into(),
                    who: world.burgemeester.clone(),
                    by: date(2026, 6, 1),
                },
                ImprovementAction {
                    what: "training voor de bodes".into(),
                    who: world.griffier.clone(),
                    by: date(2026, 5, 1),
                },
            ]),
        )
        .await
        .unwrap();

    let view = world
        .register
        .open_case(&world.griffier, &case)
        .await
        .unwrap();
    let tasks: Vec<(&str, Option<jiff::civil::Date>)> = view
        .tasks
        .iter()
        .filter(|t| is_improvement_task(t.code.as_str()))
        .map(|t| (t.code.as_str(), t.due_date))
        .collect();
    assert_eq!(
        tasks,
        vec![
            ("verbeteractie_1", Some(date(2026, 6, 1))),
            ("verbeteractie_2", Some(date(2026, 5, 1))),
        ]
    );
    // The text is sealed with the case's content and opens for the handler.
    let whats: Vec<String> = view
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Improvement)
        .map(|i| i.content["what"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(whats, ["camera bij de balie", "training voor de bodes"]);

    let now = at("2026-04-01T10:00:00Z");
    let dashboard = world
        .register
        .dashboard(&world.leiden, period("2026-K1"), now)
        .await
        .unwrap();
    let open: Vec<(&str, &PersonId, jiff::civil::Date)> = dashboard
        .open_improvements
        .iter()
        .map(|o| (o.task.as_str(), &o.who, o.by))
        .collect();
    // Soonest first.
    assert_eq!(
        open,
        vec![
            ("verbeteractie_2", &world.griffier, date(2026, 5, 1)),
            ("verbeteractie_1", &world.burgemeester, date(2026, 6, 1)),
        ]
    );
    assert!(dashboard.open_improvements.iter().all(|o| o.case == case));

    world
        .register
        .complete_task(
            &world.griffier,
            &case,
            weerbaar_protocol::TaskCode::parse("verbeteractie_2").unwrap(),
            None,
        )
        .await
        .unwrap();
    let dashboard = world
        .register
        .dashboard(&world.leiden, period("2026-K1"), now)
        .await
        .unwrap();
    let left: Vec<&str> = dashboard
        .open_improvements
        .iter()
        .map(|o| o.task.as_str())
        .collect();
    assert_eq!(left, ["verbeteractie_1"]);

    // A second evaluation numbers on; the yearly report counts the tasks like any other.
    world
        .register
        .act(
            &world.griffier,
            &case,
            evaluation(vec![ImprovementAction {
                what: "protocol bespreken in het presidium".into(),
                who: world.griffier.clone(),
                by: date(2026, 3, 20),
            }]),
        )
        .await
        .unwrap();
    let yearly = world
        .register
        .yearly_counts(&world.leiden, 2026, now)
        .await
        .unwrap();
    // verbeteractie_3's date, 20 March 2026, has passed at `now` and it is open.
    assert!(yearly.tasks.get("overdue_open").unwrap() >= 1);
    let dashboard = world
        .register
        .dashboard(&world.leiden, period("2026-K1"), now)
        .await
        .unwrap();
    let left: Vec<&str> = dashboard
        .open_improvements
        .iter()
        .map(|o| o.task.as_str())
        .collect();
    assert_eq!(left, ["verbeteractie_3", "verbeteractie_1"]);
}

support::scenarios!(postgres:
    a_quarter_across_the_year_boundary_exact_and_suppressed,
    a_rise_with_numbers_that_may_be_shown,
    repeat_perpetrators_within_twelve_months,
    improvement_actions_become_tasks_until_done,
);
