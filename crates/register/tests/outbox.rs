//! The outbox on SQLite and PostgreSQL: the mails a report, planned aftercare and
//! deadlines queue, to whom, once each; preferences; claiming by lease, retries with
//! back-off until failed; concurrent senders never claim one mail twice.

mod support;

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use weerbaar_protocol::{Behaviour, Role};
use weerbaar_register::*;

use support::world::{add_people, facts, leiden_and_westerveld, leiden_office_holders, person};

struct World {
    register: Register,
    leiden: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
    adviseur: PersonId,
    former_griffier: PersonId,
    stranger: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, other) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, burgemeester] = leiden_office_holders(&register, &leiden).await;
    let [adviseur, former_griffier] = add_people(
        &register,
        &leiden,
        [
            person(
                "Ada Veilig",
                "vpt@leiden.example",
                vec![(Role::AdviseurVpt, true)],
            ),
            person(
                "Oud Griffier",
                "oud@leiden.example",
                vec![(Role::Griffier, false), (Role::Ambtenaar, true)],
            ),
        ],
    )
    .await;
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
        raadslid,
        griffier,
        burgemeester,
        adviseur,
        former_griffier,
        stranger,
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

/// The queued mails of Leiden as (person, kind), sorted.
async fn queued(world: &World) -> Vec<(PersonId, MailKind)> {
    let mut mails: Vec<_> = world
        .register
        .outbox(&world.leiden, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| (entry.person, entry.kind))
        .collect();
    mails.sort_by(|a, b| (a.0.as_str(), a.1.as_str()).cmp(&(b.0.as_str(), b.1.as_str())));
    mails
}

fn sorted(mut mails: Vec<(PersonId, MailKind)>) -> Vec<(PersonId, MailKind)> {
    mails.sort_by(|a, b| (a.0.as_str(), a.1.as_str()).cmp(&(b.0.as_str(), b.1.as_str())));
    mails
}

/// A report queues "nieuwe melding" to the current griffier only, and "er is een incident
/// gemeld" to the informed roles; nothing to the reporter, a former griffier or another
/// organisation. What a sender gets holds the address, the case and no content.
async fn a_report_queues_the_handler_and_the_informed(world: World) {
    let registered = report(&world).await;
    assert_eq!(
        queued(&world).await,
        sorted(vec![
            (world.griffier.clone(), MailKind::NieuweMelding),
            (world.burgemeester.clone(), MailKind::IncidentGemeld),
            (world.adviseur.clone(), MailKind::IncidentGemeld),
        ])
    );
    let others = world.register.outbox(&world.leiden, 1000).await.unwrap();
    assert!(others.iter().all(|e| e.person != world.former_griffier
        && e.person != world.stranger
        && e.person != world.raadslid));

    let mails = world
        .register
        .claim_mails("a", Timestamp::now(), SignedDuration::from_mins(5), 10)
        .await
        .unwrap();
    assert_eq!(mails.len(), 3);
    let to_griffier = mails
        .iter()
        .find(|m| m.kind == MailKind::NieuweMelding)
        .unwrap();
    assert_eq!(to_griffier.to, "griffie@leiden.example");
    assert_eq!(to_griffier.case.as_ref(), Some(&registered.case));
    assert_eq!(to_griffier.case_number, Some(registered.number));
    let shown = format!("{mails:?}");
    assert!(!shown.contains("boze_burger") && !shown.contains("Stadhuis"));
}

/// A kind turned off is not queued; turned on again, it is.
async fn preferences_choose_the_kinds(world: World) {
    let all = world
        .register
        .mail_preferences(&world.burgemeester)
        .await
        .unwrap();
    assert!(all.iter().all(|(_, on)| *on));
    assert_eq!(all.len(), MailKind::ALL.len());
    world
        .register
        .set_mail_preference(
            &world.leiden,
            &world.burgemeester,
            MailKind::IncidentGemeld,
            false,
        )
        .await
        .unwrap();
    assert!(
        world
            .register
            .mail_preferences(&world.burgemeester)
            .await
            .unwrap()
            .contains(&(MailKind::IncidentGemeld, false))
    );
    // Not for a person of another organisation.
    assert!(
        world
            .register
            .set_mail_preference(&world.leiden, &world.stranger, MailKind::TaakBijna, false)
            .await
            .is_err()
    );
    report(&world).await;
    let mails = queued(&world).await;
    assert!(!mails.contains(&(world.burgemeester.clone(), MailKind::IncidentGemeld)));
    assert!(mails.contains(&(world.adviseur.clone(), MailKind::IncidentGemeld)));
    world
        .register
        .set_mail_preference(
            &world.leiden,
            &world.burgemeester,
            MailKind::IncidentGemeld,
            true,
        )
        .await
        .unwrap();
    report(&world).await;
    assert!(
        queued(&world)
            .await
            .contains(&(world.burgemeester.clone(), MailKind::IncidentGemeld))
    );
}

/// Planned aftercare queues a mail to the victim with the planned moment.
async fn planned_aftercare_tells_the_victim(world: World) {
    let registered = report(&world).await;
    let before = queued(&world).await.len();
    let item = world
        .register
        .act(
            &world.griffier,
            &registered.case,
            Action::PlanAftercare {
                conversation: AftercareConversation::Eerste,
                at: "2026-03-10T10:00:00+01:00".parse().unwrap(),
                by: world.griffier.clone(),
            },
        )
        .await
        .unwrap()
        .unwrap();
    let mails = queued(&world).await;
    assert_eq!(mails.len(), before + 1);
    assert!(mails.contains(&(world.raadslid.clone(), MailKind::NazorgAfspraak)));
    let claimed = world
        .register
        .claim_mails("a", Timestamp::now(), SignedDuration::from_mins(5), 10)
        .await
        .unwrap();
    let to_victim = claimed
        .iter()
        .find(|m| m.kind == MailKind::NazorgAfspraak)
        .unwrap();
    assert_eq!(to_victim.to, "f.elamrani@leiden.example");
    assert_eq!(to_victim.subject.as_deref(), Some(item.as_str()));
    assert_eq!(
        to_victim.planned_at,
        Some("2026-03-10T09:00:00Z".parse().unwrap())
    );
}

/// A deadline within a day queues "bijna", a passed one "verlopen", each once per task
/// and holder however often the reminders run.
async fn reminders_are_queued_once(world: World) {
    let registered = report(&world).await;
    let tasks = world
        .register
        .open_tasks(&world.leiden, Role::Griffier)
        .await
        .unwrap();
    let due: Vec<Timestamp> = tasks.iter().filter_map(|t| t.due_at).collect();
    assert!(!due.is_empty(), "the plan has deadlines");
    let first = *due.iter().min().unwrap();
    let base = queued(&world).await.len();

    // An hour before the first deadline: "bijna" for the tasks due within a day.
    let at = first - SignedDuration::from_hours(1);
    world.register.queue_reminders(at).await.unwrap();
    world.register.queue_reminders(at).await.unwrap();
    let soon = due
        .iter()
        .filter(|d| **d <= at + SignedDuration::from_hours(24))
        .count();
    let mails = world.register.outbox(&world.leiden, 1000).await.unwrap();
    let bijna = mails
        .iter()
        .filter(|m| m.kind == MailKind::TaakBijna)
        .count();
    assert!(
        bijna >= soon && bijna > 0,
        "{bijna} reminders for {soon} tasks"
    );
    assert!(
        mails
            .iter()
            .filter(|m| m.kind == MailKind::TaakBijna)
            .all(|m| m.person == world.griffier)
    );

    // A year on, every open task with a deadline is overdue: "verlopen" once each.
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 365);
    world.register.queue_reminders(later).await.unwrap();
    let once = world
        .register
        .outbox(&world.leiden, 1000)
        .await
        .unwrap()
        .len();
    world.register.queue_reminders(later).await.unwrap();
    let mails = world.register.outbox(&world.leiden, 1000).await.unwrap();
    assert_eq!(mails.len(), once, "a second run queues nothing");
    let verlopen = mails
        .iter()
        .filter(|m| m.kind == MailKind::TaakVerlopen)
        .count();
    assert!(
        verlopen >= due.len(),
        "{verlopen} overdue reminders for {} deadlines",
        due.len()
    );
    assert!(mails.len() > base);

    // A claimed reminder says which task and when it was due, and nothing of the case.
    let claimed = world
        .register
        .claim_mails("a", later, SignedDuration::from_mins(5), 1000)
        .await
        .unwrap();
    let reminder = claimed
        .iter()
        .find(|m| m.kind == MailKind::TaakVerlopen)
        .unwrap();
    assert_eq!(reminder.case.as_ref(), Some(&registered.case));
    assert!(reminder.subject.is_some() && reminder.due_at.is_some());
}

/// Leases: a claimed mail is not claimed again until its lease runs out; a failure is
/// retried after 1, 5, 30 and 120 minutes and then failed; only the lease holder closes.
async fn leases_and_retries(world: World) {
    report(&world).await;
    let now = Timestamp::now();
    let lease = SignedDuration::from_mins(5);
    let a = world
        .register
        .claim_mails("a", now, lease, 10)
        .await
        .unwrap();
    assert_eq!(a.len(), 3);
    assert!(
        world
            .register
            .claim_mails("b", now, lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // b may not close a's mail.
    assert!(!world.register.mail_sent(&a[0].id, "b", now).await.unwrap());
    assert!(world.register.mail_sent(&a[0].id, "a", now).await.unwrap());
    assert!(
        !world.register.mail_sent(&a[0].id, "a", now).await.unwrap(),
        "sent once"
    );

    // a's lease on the second runs out: b takes it over, and a can no longer close it.
    let later = now + SignedDuration::from_mins(6);
    let b = world
        .register
        .claim_mails("b", later, lease, 10)
        .await
        .unwrap();
    assert_eq!(b.len(), 2);
    assert!(
        !world
            .register
            .mail_sent(&b[0].id, "a", later)
            .await
            .unwrap()
    );
    assert!(
        world
            .register
            .mail_sent(&b[0].id, "b", later)
            .await
            .unwrap()
    );

    // The third fails, over and over.
    let id = b[1].id.clone();
    let mut at = later;
    for (attempt, wait) in RETRY_AFTER.iter().enumerate() {
        assert_eq!(
            world
                .register
                .mail_failed(&id, "b", at, "smtp 451")
                .await
                .unwrap(),
            MailState::Queued,
            "attempt {attempt}"
        );
        let just_before = at + *wait - SignedDuration::from_secs(1);
        assert!(
            world
                .register
                .claim_mails("b", just_before, lease, 10)
                .await
                .unwrap()
                .is_empty()
        );
        at += *wait;
        let again = world
            .register
            .claim_mails("b", at, lease, 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts as usize, attempt + 1);
    }
    assert_eq!(
        world
            .register
            .mail_failed(&id, "b", at, "smtp 451")
            .await
            .unwrap(),
        MailState::Failed
    );
    assert!(
        world
            .register
            .claim_mails("b", at + SignedDuration::from_hours(24), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let entries = world.register.outbox(&world.leiden, 10).await.unwrap();
    let failed = entries.iter().find(|e| e.id == id).unwrap();
    assert_eq!(failed.state, MailState::Failed);
    assert_eq!(failed.attempts, 5);
    assert_eq!(failed.last_error.as_deref(), Some("smtp 451"));
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.state == MailState::Sent)
            .count(),
        2
    );
}

/// Four senders claiming at once, one mail at a time, never get the same mail.
async fn concurrent_senders_claim_each_mail_once(world: World) {
    for _ in 0..5 {
        report(&world).await;
    }
    let total = world
        .register
        .outbox(&world.leiden, 1000)
        .await
        .unwrap()
        .len();
    let register = std::sync::Arc::new(world.register);
    let mut handles = Vec::new();
    for sender in 0..4 {
        let register = register.clone();
        handles.push(tokio::spawn(async move {
            let owner = format!("sender-{sender}");
            let mut mine = Vec::new();
            loop {
                let now = Timestamp::now();
                let claimed = register
                    .claim_mails(&owner, now, SignedDuration::from_mins(5), 2)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    break;
                }
                for mail in claimed {
                    assert!(register.mail_sent(&mail.id, &owner, now).await.unwrap());
                    mine.push(mail.id);
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }
    let unique: BTreeSet<_> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "a mail claimed twice");
    assert_eq!(all.len(), total);
}

/// A calendar link: made (replacing the earlier), found by its token, revoked.
async fn calendar_links(world: World) {
    let first = world
        .register
        .create_calendar_feed(&world.leiden, &world.griffier)
        .await
        .unwrap();
    let second = world
        .register
        .create_calendar_feed(&world.leiden, &world.griffier)
        .await
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(
        world.register.calendar_feed_owner(&first).await.unwrap(),
        None
    );
    assert_eq!(
        world.register.calendar_feed_owner(&second).await.unwrap(),
        Some((world.leiden.clone(), world.griffier.clone()))
    );
    assert!(
        world
            .register
            .calendar_feed_since(&world.griffier)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        world
            .register
            .revoke_calendar_feed(&world.griffier)
            .await
            .unwrap()
    );
    assert_eq!(
        world.register.calendar_feed_owner(&second).await.unwrap(),
        None
    );
    assert!(
        world
            .register
            .create_calendar_feed(&world.leiden, &world.stranger)
            .await
            .is_err()
    );
    calendar_entries(&world).await;
}

support::scenarios!(postgres_outbox:
    a_report_queues_the_handler_and_the_informed,
    preferences_choose_the_kinds,
    planned_aftercare_tells_the_victim,
    reminders_are_queued_once,
    leases_and_retries,
    concurrent_senders_claim_each_mail_once,
    calendar_links,
);

/// The calendar: the griffier's open deadlines; the victim's and the holder's aftercare.
async fn calendar_entries(world: &World) {
    let registered = report(world).await;
    let griffier = world
        .register
        .calendar_entries(&world.leiden, &world.griffier)
        .await
        .unwrap();
    assert!(!griffier.is_empty());
    assert!(
        griffier
            .iter()
            .all(|e| e.task.is_some() && e.case == registered.case)
    );
    assert!(
        world
            .register
            .calendar_entries(&world.leiden, &world.raadslid)
            .await
            .unwrap()
            .is_empty()
    );
    world
        .register
        .act(
            &world.griffier,
            &registered.case,
            Action::PlanAftercare {
                conversation: AftercareConversation::Eerste,
                at: "2026-03-10T09:00:00Z".parse().unwrap(),
                by: world.griffier.clone(),
            },
        )
        .await
        .unwrap();
    let victim = world
        .register
        .calendar_entries(&world.leiden, &world.raadslid)
        .await
        .unwrap();
    assert_eq!(victim.len(), 1);
    assert_eq!(victim[0].conversation.as_deref(), Some("eerste"));
    assert_eq!(
        victim[0].when,
        CalendarWhen::At("2026-03-10T09:00:00Z".parse().unwrap())
    );
    let holder = world
        .register
        .calendar_entries(&world.leiden, &world.griffier)
        .await
        .unwrap();
    assert_eq!(holder.iter().filter(|e| e.task.is_none()).count(), 1);
    assert!(
        world
            .register
            .calendar_entries(&world.leiden, &world.former_griffier)
            .await
            .unwrap()
            .is_empty()
    );
}
