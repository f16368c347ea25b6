//! The figures behind `/metrics`, on SQLite and PostgreSQL: overdue tasks and the outbox's
//! depth per organisation, every organisation listed, counts only.

mod support;

use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Role};
use weerbaar_register::*;

use support::world::{facts, leiden_and_westerveld, leiden_office_holders};

struct World {
    register: Register,
    leiden: OrganisationId,
    westerveld: OrganisationId,
    raadslid: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let [raadslid, _griffier, _burgemeester] = leiden_office_holders(&register, &leiden).await;
    World {
        register,
        leiden,
        westerveld,
        raadslid,
    }
}

async fn report(world: &World) {
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
            facts: facts(&[Behaviour::DreigenMetGeweld]),
            narrative: String::from("Een bedreiging na de vergadering."),
            place: None,
            during_meeting: false,
            perpetrator: None,
        })
        .await
        .unwrap();
}

fn count<T: Copy>(rows: &[(OrganisationId, T)], organisation: &OrganisationId) -> T {
    rows.iter()
        .find(|(id, _)| id == organisation)
        .map(|(_, n)| *n)
        .expect("every organisation is listed")
}

async fn overdue_tasks_and_outbox_depth(world: World) {
    let now = Timestamp::now();
    let before = world
        .register
        .overdue_tasks_per_organisation(now)
        .await
        .unwrap();
    assert_eq!(before.len(), 2);
    assert_eq!(count(&before, &world.leiden), 0);

    report(&world).await;
    // Long before, nothing was due; a year on, every open task is late.
    let long_before = world
        .register
        .overdue_tasks_per_organisation(now - SignedDuration::from_hours(24 * 3650))
        .await
        .unwrap();
    assert_eq!(count(&long_before, &world.leiden), 0);
    let now_counts = world
        .register
        .overdue_tasks_per_organisation(now)
        .await
        .unwrap();
    let later = world
        .register
        .overdue_tasks_per_organisation(now + SignedDuration::from_hours(24 * 400))
        .await
        .unwrap();
    assert!(count(&later, &world.leiden) > 0, "{later:?}");
    assert!(count(&later, &world.leiden) >= count(&now_counts, &world.leiden));
    assert_eq!(count(&later, &world.westerveld), 0);

    let depth: Vec<(OrganisationId, (u64, u64))> = world
        .register
        .outbox_depth_per_organisation()
        .await
        .unwrap()
        .into_iter()
        .map(|(id, queued, failed)| (id, (queued, failed)))
        .collect();
    assert_eq!(depth.len(), 2);
    let (queued, failed) = count(&depth, &world.leiden);
    assert!(
        queued > 0,
        "the report queued a mail to the griffier: {depth:?}"
    );
    assert_eq!(failed, 0);
    assert_eq!(count(&depth, &world.westerveld), (0, 0));
}

support::scenarios!(postgres_operations: overdue_tasks_and_outbox_depth);
