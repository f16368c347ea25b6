//! The yearly report (PROTOCOL.md §17) of a register filled through its real API —
//! reports, consults, a staff incident, measures, police contacts, aftercare, closing,
//! archiving and retention — on SQLite and on a throwaway PostgreSQL.
//!
//! Tasks are marked done at the moment the register records it (the wall clock), so a
//! task of an incident in the past is always done late; the scenario of an incident dated
//! 2099 has its tasks done before their deadline. Every other moment is fixed, and `now`
//! is given to the report, so every figure is asserted exactly.

mod support;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use weerbaar_protocol::{Behaviour, Channel, Measure, Role};
use weerbaar_register::*;

use support::world::{add_people, facts, leiden_and_westerveld, leiden_office_holders, person};

struct World {
    register: Register,
    leiden: OrganisationId,
    westerveld: OrganisationId,
    raadslid: PersonId,
    griffier: PersonId,
    burgemeester: PersonId,
    secretaris: PersonId,
    westerveld_raadslid: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let [raadslid, griffier, burgemeester] = leiden_office_holders(&register, &leiden).await;
    let [secretaris] = add_people(
        &register,
        &leiden,
        [person(
            "Gerda Secretaris",
            "gs@leiden.example",
            vec![(Role::Gemeentesecretaris, true)],
        )],
    )
    .await;
    let [westerveld_raadslid] = add_people(
        &register,
        &westerveld,
        [person(
            "Wim Westerveld",
            "w@westerveld.example",
            vec![(Role::Raadslid, true)],
        )],
    )
    .await;
    World {
        register,
        leiden,
        westerveld,
        raadslid,
        griffier,
        burgemeester,
        secretaris,
        westerveld_raadslid,
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn hours(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n)
}

/// A report by the victim themself, reported a day after it happened.
fn incident(
    organisation: &OrganisationId,
    victim: &PersonId,
    role: Role,
    behaviour: Behaviour,
    channel: Channel,
    occurred: &str,
    perpetrator: Option<NewPerpetrator>,
) -> NewReport {
    let mut facts = facts(&[behaviour]);
    facts.occurred_at = at(occurred);
    facts.reported_at = Some(at(occurred).checked_add(hours(24)).unwrap());
    facts.victim.role = role;
    facts.channel = channel;
    facts.criminal_offence_suspected = false;
    facts.perpetrator_known = perpetrator.is_some();
    NewReport {
        organisation: organisation.clone(),
        reporter: victim.clone(),
        on_behalf: false,
        victims: vec![NewVictim {
            person: victim.clone(),
            role,
            relation: Relation::Zelf,
        }],
        facts,
        narrative: "Wat er gebeurde.".into(),
        place: None,
        during_meeting: false,
        perpetrator,
    }
}

fn by_email(kind: PerpetratorKind, email: &str) -> Option<NewPerpetrator> {
    Some(NewPerpetrator {
        kind,
        details: PerpetratorDetails {
            email: Some(email.into()),
            ..PerpetratorDetails::default()
        },
    })
}

async fn act(world: &World, actor: &PersonId, case: &CaseId, action: Action) -> Option<ItemId> {
    world.register.act(actor, case, action).await.unwrap()
}

/// Plans and holds one aftercare conversation, held at `held_at`.
async fn hold(
    world: &World,
    actor: &PersonId,
    case: &CaseId,
    conversation: AftercareConversation,
    held_at: Timestamp,
) {
    let item = act(
        world,
        actor,
        case,
        Action::PlanAftercare {
            conversation,
            at: held_at,
            by: actor.clone(),
        },
    )
    .await
    .unwrap();
    act(
        world,
        actor,
        case,
        Action::HoldAftercare {
            item,
            held_at,
            referral: None,
            notes: None,
        },
    )
    .await;
}

async fn change_status(world: &World, actor: &PersonId, case: &CaseId, to: CaseStatus) {
    act(world, actor, case, Action::ChangeStatus { to }).await;
}

/// The moments of a case's status changes, read from its timeline.
async fn status_changes(world: &World, actor: &PersonId, case: &CaseId) -> Vec<Timestamp> {
    let view = world.register.open_case(actor, case).await.unwrap();
    view.events
        .iter()
        .filter(|event| event.kind == EventKind::StatusChanged)
        .map(|event| event.at)
        .collect()
}

/// Days from `reported` to `closed`, as the report counts them.
fn days(reported: Timestamp, closed: Timestamp) -> f64 {
    closed.duration_since(reported).as_secs_f64() / 86_400.0
}

fn rounded(days: f64) -> f64 {
    (days * 10.0).round() / 10.0
}

/// The current year in Europe/Amsterdam: the year consults are registered in.
fn this_year() -> i16 {
    Timestamp::now()
        .to_zoned(weerbaar_protocol::calendar::amsterdam())
        .year()
}

/// Every key of §17.
const KEYS: [&str; 16] = [
    "organisation",
    "year",
    "incidents",
    "consults",
    "by_category",
    "by_abcd",
    "by_channel",
    "by_month",
    "by_victim_group",
    "by_perpetrator_kind",
    "recidive",
    "police",
    "measures",
    "aftercare",
    "tasks",
    "median_days_to_close",
];

/// The report as JSON, after checking that it has exactly the keys of §17.
fn report_json(report: &YearlyReport) -> Value {
    let value = serde_json::to_value(report).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = KEYS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected, "the report's keys");
    value
}

/// A breakdown with every key at 0 but the ones given.
fn zeros_but(keys: &[&str], set: Value) -> Value {
    let mut map = serde_json::Map::new();
    for key in keys {
        map.insert((*key).to_owned(), json!(0));
    }
    for (key, value) in set.as_object().unwrap() {
        assert!(map.contains_key(key), "{key} is not a key of the breakdown");
        map.insert(key.clone(), value.clone());
    }
    Value::Object(map)
}

const CATEGORIES: [&str; 5] = [
    "emotioneel_ik",
    "emotioneel_jullie",
    "verbale_agressie",
    "bedreiging_intimidatie",
    "fysiek_geweld",
];
const CHANNELS: [&str; 7] = [
    "in_persoon",
    "telefoon",
    "brief",
    "email",
    "sociale_media",
    "berichtenapp",
    "overig",
];
const MONTHS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];
const PERPETRATOR_KINDS: [&str; 4] = ["persoon", "collectief", "namens_organisatie", "onbekend"];
const MEASURES: [&str; 12] = [
    "mondelinge_waarschuwing",
    "schriftelijke_waarschuwing",
    "incidentgesprek",
    "herstelgesprek",
    "beperking_dienstverlening",
    "toegangsverbod",
    "contactverbod",
    "melding_politie",
    "aangifte",
    "schadeverhaal",
    "herstelbemiddeling",
    "overig",
];

async fn an_empty_year_is_a_report_of_zeros(world: World) {
    let now = at("2026-06-01T12:00:00Z");
    let report = world
        .register
        .yearly_report(&world.leiden, 2000, now)
        .await
        .unwrap();
    let zeros = |keys: &[&str]| zeros_but(keys, json!({}));
    assert_eq!(
        report_json(&report),
        json!({
            "organisation": world.leiden.as_str(),
            "year": 2000,
            "incidents": 0,
            "consults": 0,
            "by_category": zeros(&CATEGORIES),
            "by_abcd": zeros(&["A", "B", "C", "D"]),
            "by_channel": zeros(&CHANNELS),
            "by_month": zeros(&MONTHS),
            // Leiden is a gemeente: its groups only.
            "by_victim_group": zeros(&["raad", "college"]),
            "by_perpetrator_kind": zeros(&PERPETRATOR_KINDS),
            "recidive": 0,
            "police": zeros(&["melding", "aangifte"]),
            "measures": zeros(&MEASURES),
            "aftercare": zeros(&["on_time", "late", "not_held"]),
            "tasks": zeros(&["on_time", "late", "overdue_open"]),
            "median_days_to_close": null,
        })
    );
}

async fn bad_years_and_unknown_organisations_are_refused(world: World) {
    let now = Timestamp::now();
    for year in [1899, 3000, -5] {
        let error = world
            .register
            .yearly_report(&world.leiden, year, now)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, RegisterError::Invalid { field, .. } if field == "year"),
            "{error}"
        );
    }
    let error = world
        .register
        .yearly_report(&OrganisationId("no-such-organisation".into()), 2025, now)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            RegisterError::NotFound {
                what: "organisation",
                ..
            }
        ),
        "{error}"
    );
}

async fn a_year_of_incidents_is_counted_and_small_cells_are_hidden(world: World) {
    let register = &world.register;
    let leiden = &world.leiden;
    // A civil servant threatened by the man who later threatens the burgemeester: not an
    // incident of the report, but it makes every one of his threats a repeat.
    register
        .register_staff_incident(
            leiden,
            &world.griffier,
            at("2025-02-20T09:00:00Z"),
            by_email(PerpetratorKind::Persoon, "boos@example.nl").unwrap(),
            "dreigde de baliemedewerker",
        )
        .await
        .unwrap();

    // Five threats against the burgemeester on social media in March, one man.
    let mut threats = Vec::new();
    for day in [3, 5, 7, 9, 11] {
        let registered = register
            .register_report(incident(
                leiden,
                &world.burgemeester,
                Role::Burgemeester,
                Behaviour::DreigenMetGeweld,
                Channel::SocialeMedia,
                &format!("2025-03-{day:02}T12:00:00Z"),
                by_email(PerpetratorKind::Persoon, "boos@example.nl"),
            ))
            .await
            .unwrap();
        assert!(registered.plan.recidive);
        threats.push(registered.case);
    }
    // Seven insults of the raadslid in June, by unknown senders: six by e-mail, one by
    // phone.
    let mut insults = Vec::new();
    for day in 1..=7 {
        let channel = if day == 7 {
            Channel::Telefoon
        } else {
            Channel::Email
        };
        let registered = register
            .register_report(incident(
                leiden,
                &world.raadslid,
                Role::Raadslid,
                Behaviour::Schelden,
                channel,
                &format!("2025-06-{day:02}T10:00:00Z"),
                None,
            ))
            .await
            .unwrap();
        insults.push((registered.case, registered.plan));
    }
    // Two complaints by letter on behalf of a company: one on New Year's night, which is
    // 2024 in UTC and 1 January 2025 in Amsterdam, and one in February.
    let mut complaints = Vec::new();
    for occurred in ["2024-12-31T23:30:00Z", "2025-02-10T10:00:00Z"] {
        let registered = register
            .register_report(incident(
                leiden,
                &world.raadslid,
                Role::Raadslid,
                Behaviour::Klagen,
                Channel::Brief,
                occurred,
                Some(NewPerpetrator {
                    kind: PerpetratorKind::NamensOrganisatie,
                    details: PerpetratorDetails {
                        description: Some("schrijft namens een bouwbedrijf".into()),
                        ..PerpetratorDetails::default()
                    },
                }),
            ))
            .await
            .unwrap();
        complaints.push(registered.case);
    }
    // Not in 2025: New Year's night the year after (2026 in Amsterdam), and another
    // organisation's incident.
    register
        .register_report(incident(
            leiden,
            &world.raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            Channel::Overig,
            "2025-12-31T23:30:00Z",
            None,
        ))
        .await
        .unwrap();
    register
        .register_report(incident(
            &world.westerveld,
            &world.westerveld_raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            Channel::Email,
            "2025-06-01T10:00:00Z",
            None,
        ))
        .await
        .unwrap();
    // Two consults, counted in the year they are asked (now).
    for question in ["Moet ik dit melden?", "Is dit nog normaal?"] {
        register
            .register_consult(leiden, &world.raadslid, Role::Raadslid, question)
            .await
            .unwrap();
    }

    // The police: a melding of one insult, an aangifte of two threats.
    let police = |kind| Action::PoliceContact {
        kind,
        at: at("2025-06-10T09:00:00Z"),
        reference: None,
        victim_consent: true,
    };
    act(
        &world,
        &world.griffier,
        &insults[0].0,
        police(PoliceContactKind::Melding),
    )
    .await;
    for threat in &threats[..2] {
        act(
            &world,
            &world.secretaris,
            threat,
            police(PoliceContactKind::Aangifte),
        )
        .await;
    }
    // Measures: a written warning for every threat, and one access ban.
    let measure = |measure| Action::DecideMeasure {
        measure,
        starts_on: jiff::civil::date(2025, 3, 15),
        ends_on: None,
        note: None,
    };
    for threat in &threats {
        act(
            &world,
            &world.secretaris,
            threat,
            measure(Measure::SchriftelijkeWaarschuwing),
        )
        .await;
    }
    act(
        &world,
        &world.secretaris,
        &threats[0],
        measure(Measure::Toegangsverbod),
    )
    .await;

    // Aftercare (Leiden: within 24 hours, 3 days, 4 to 6 weeks). The second insult: the
    // first conversation two hours after, on time; the second after five days, late.
    // The third threat: the first conversation after 30 hours, late.
    let occurred = |text: &str| at(text);
    let insult_2 = occurred("2025-06-02T10:00:00Z");
    hold(
        &world,
        &world.griffier,
        &insults[1].0,
        AftercareConversation::Eerste,
        insult_2.checked_add(hours(2)).unwrap(),
    )
    .await;
    hold(
        &world,
        &world.griffier,
        &insults[1].0,
        AftercareConversation::Tweede,
        insult_2.checked_add(hours(5 * 24)).unwrap(),
    )
    .await;
    hold(
        &world,
        &world.secretaris,
        &threats[2],
        AftercareConversation::Eerste,
        occurred("2025-03-07T12:00:00Z")
            .checked_add(hours(30))
            .unwrap(),
    )
    .await;

    // Closed: two insults and the first complaint, which is then archived; retention
    // anonymises the two closed insults (and the staff incident, closed from the start).
    for (case, _) in &insults[2..4] {
        change_status(&world, &world.griffier, case, CaseStatus::Afgerond).await;
    }
    change_status(
        &world,
        &world.griffier,
        &complaints[0],
        CaseStatus::Afgerond,
    )
    .await;
    change_status(
        &world,
        &world.griffier,
        &complaints[0],
        CaseStatus::Gearchiveerd,
    )
    .await;
    let reported = |occurred: &str| at(occurred).checked_add(hours(24)).unwrap();
    let mut closing_days = [
        days(
            reported("2025-06-03T10:00:00Z"),
            status_changes(&world, &world.griffier, &insults[2].0).await[0],
        ),
        days(
            reported("2025-06-04T10:00:00Z"),
            status_changes(&world, &world.griffier, &insults[3].0).await[0],
        ),
        // Archived: closed at its move to afgerond, not at the archiving.
        days(
            reported("2024-12-31T23:30:00Z"),
            status_changes(&world, &world.griffier, &complaints[0]).await[0],
        ),
    ];
    closing_days.sort_by(f64::total_cmp);
    let median = rounded(closing_days[1]);

    let policy = RetentionPolicy::default()
        .keep(CaseStatus::Afgerond, 0)
        .unwrap();
    let run = register
        .apply_retention(
            &policy,
            Timestamp::now()
                .checked_add(SignedDuration::from_secs(1))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(run.failed, []);
    assert_eq!(
        run.anonymised.len(),
        3,
        "two insults and the staff incident"
    );
    for (case, _) in &insults[2..4] {
        assert!(run.anonymised.contains(case));
    }

    let now = Timestamp::now();
    let counts = register.yearly_counts(leiden, 2025, now).await.unwrap();
    assert_eq!(counts.incidents, 14);
    assert_eq!(counts.by_category.get("emotioneel_ik"), Some(2));
    assert_eq!(counts.by_category.get("verbale_agressie"), Some(7));
    assert_eq!(counts.by_category.get("bedreiging_intimidatie"), Some(5));
    assert_eq!(counts.by_perpetrator_kind.get("persoon"), Some(5));
    assert_eq!(counts.recidive, 5);
    assert_eq!(counts.aftercare.get("not_held"), Some(33));
    assert_eq!(counts.median_days_to_close, Some(median));
    for breakdown in [
        &counts.by_category,
        &counts.by_abcd,
        &counts.by_channel,
        &counts.by_month,
        &counts.by_victim_group,
        &counts.by_perpetrator_kind,
    ] {
        assert_eq!(breakdown.total(), 14, "{breakdown:?} divides the incidents");
    }

    let report = register.yearly_report(leiden, 2025, now).await.unwrap();
    assert_eq!(
        report_json(&report),
        json!({
            "organisation": leiden.as_str(),
            "year": 2025,
            "incidents": 14,
            "consults": if this_year() == 2025 { json!("<5") } else { json!(0) },
            // 2 complaints hide, and with them the smallest other: the five threats.
            "by_category": zeros_but(&CATEGORIES, json!({
                "emotioneel_ik": "<5", "verbale_agressie": 7, "bedreiging_intimidatie": "x",
            })),
            "by_abcd": zeros_but(&["A", "B", "C", "D"], json!({ "A": "<5", "C": 7, "D": "x" })),
            // Two small cells (1 and 2) hide each other: nothing more is hidden.
            "by_channel": zeros_but(&CHANNELS, json!({
                "telefoon": "<5", "brief": "<5", "email": 6, "sociale_media": 5,
            })),
            "by_month": zeros_but(&MONTHS, json!({ "1": "<5", "2": "<5", "3": 5, "6": 7 })),
            "by_victim_group": { "raad": 9, "college": 5 },
            // Anonymised insults had no perpetrator: unknown, like the other insults.
            "by_perpetrator_kind": zeros_but(&PERPETRATOR_KINDS, json!({
                "persoon": "x", "namens_organisatie": "<5", "onbekend": 7,
            })),
            "recidive": 5,
            "police": { "melding": "<5", "aangifte": "<5" },
            "measures": zeros_but(&MEASURES, json!({
                "schriftelijke_waarschuwing": 5, "toegangsverbod": "<5",
            })),
            // 12 incidents of category C or D, three conversations each.
            "aftercare": { "on_time": "<5", "late": "<5", "not_held": 33 },
            // Only the conversations have a deadline in Leiden; the three held were
            // recorded done now, long after.
            "tasks": { "on_time": 0, "late": "<5", "overdue_open": 33 },
            "median_days_to_close": median,
        })
    );

    // 2026 holds New Year's night, and the consults if they were asked in 2026.
    let counts = register.yearly_counts(leiden, 2026, now).await.unwrap();
    assert_eq!(counts.incidents, 1);
    assert_eq!(counts.by_month.get("1"), Some(1));
    assert_eq!(counts.by_category.get("verbale_agressie"), Some(1));
    let report = register.yearly_report(leiden, 2026, now).await.unwrap();
    let report = report_json(&report);
    assert_eq!(report["incidents"], 1);
    assert_eq!(report["by_month"]["1"], "<5");
    // A lone small cell in a breakdown with nothing else: nothing else to hide.
    assert_eq!(report["by_category"]["verbale_agressie"], "<5");
    assert_eq!(
        report["by_victim_group"],
        json!({ "raad": "<5", "college": 0 })
    );
    assert_eq!(report["tasks"]["overdue_open"], "<5");
    assert_eq!(counts.tasks.get("overdue_open"), Some(3));
    assert_eq!(counts.aftercare.get("not_held"), Some(3));
    assert_eq!(
        counts.consults,
        if this_year() == 2026 { 2 } else { 0 },
        "consults of 2026"
    );

    // The consults, in the year they were asked.
    let counts = register
        .yearly_counts(leiden, this_year(), now)
        .await
        .unwrap();
    assert_eq!(counts.consults, 2);

    // The other organisation's year holds its own incident only.
    let westerveld = register
        .yearly_counts(&world.westerveld, 2025, now)
        .await
        .unwrap();
    assert_eq!(westerveld.incidents, 1);
    assert_eq!(westerveld.consults, 0);
}

async fn deadlines_are_judged_against_the_given_now(world: World) {
    let register = &world.register;
    // An insult dated ahead, so that what the register records as done now is done
    // before every deadline.
    let occurred = at("2099-03-02T19:15:00Z");
    let registered = register
        .register_report(incident(
            &world.leiden,
            &world.raadslid,
            Role::Raadslid,
            Behaviour::Schelden,
            Channel::Email,
            "2099-03-02T19:15:00Z",
            None,
        ))
        .await
        .unwrap();
    let case = registered.case;
    hold(
        &world,
        &world.griffier,
        &case,
        AftercareConversation::Eerste,
        occurred.checked_add(hours(2)).unwrap(),
    )
    .await;

    // The evening itself: the first conversation held and done on time; the other two
    // not yet due, so not counted.
    let evening = at("2099-03-02T22:00:00Z");
    let counts = register
        .yearly_counts(&world.leiden, 2099, evening)
        .await
        .unwrap();
    let pairs = |tally: &Tally| tally.entries().to_vec();
    assert_eq!(
        pairs(&counts.aftercare),
        [("on_time", 1), ("late", 0), ("not_held", 0)]
    );
    assert_eq!(
        pairs(&counts.tasks),
        [("on_time", 1), ("late", 0), ("overdue_open", 0)]
    );
    assert_eq!(counts.median_days_to_close, None);

    // In June the second (3 days) and third (6 weeks) are past due and not held.
    let june = at("2099-06-01T12:00:00Z");
    let counts = register
        .yearly_counts(&world.leiden, 2099, june)
        .await
        .unwrap();
    assert_eq!(
        pairs(&counts.aftercare),
        [("on_time", 1), ("late", 0), ("not_held", 2)]
    );
    assert_eq!(
        pairs(&counts.tasks),
        [("on_time", 1), ("late", 0), ("overdue_open", 2)]
    );

    // Closed: the conversations not held never will be, due or not; the open tasks are
    // overdue only once past their deadline.
    change_status(&world, &world.griffier, &case, CaseStatus::Afgerond).await;
    let closed_at = status_changes(&world, &world.griffier, &case).await[0];
    let counts = register
        .yearly_counts(&world.leiden, 2099, evening)
        .await
        .unwrap();
    assert_eq!(
        pairs(&counts.aftercare),
        [("on_time", 1), ("late", 0), ("not_held", 2)]
    );
    assert_eq!(
        pairs(&counts.tasks),
        [("on_time", 1), ("late", 0), ("overdue_open", 0)]
    );
    // Closed before it was reported (the incident is dated ahead): the days are what
    // the data says, negative.
    let reported = occurred.checked_add(hours(24)).unwrap();
    assert_eq!(
        counts.median_days_to_close,
        Some(rounded(days(reported, closed_at)))
    );
    let report = register
        .yearly_report(&world.leiden, 2099, evening)
        .await
        .unwrap();
    assert_eq!(
        report_json(&report)["aftercare"],
        json!({ "on_time": "<5", "late": 0, "not_held": "<5" })
    );
}

support::scenarios!(yearly_reports_on_postgres:
    an_empty_year_is_a_report_of_zeros,
    bad_years_and_unknown_organisations_are_refused,
    a_year_of_incidents_is_counted_and_small_cells_are_hidden,
    deadlines_are_judged_against_the_given_now,
);
