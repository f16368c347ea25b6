//! Invariants of classification and deadlines that must hold for any facts under any
//! preset (issue #2, "Done when").

use jiff::Timestamp;
use jiff::civil::Weekday;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use weerbaar_protocol::calendar::{holiday_on, in_amsterdam};
use weerbaar_protocol::{
    Behaviour, Channel, Code, Due, Facts, Injury, PRESETS, Protocol, Victim, evaluate, preset,
};

fn presets() -> impl Strategy<Value = &'static Protocol> {
    select(
        PRESETS
            .iter()
            .map(|p| preset(p.name).unwrap())
            .collect::<Vec<_>>(),
    )
}

/// Facts whose victim the protocol can route, spread over the supported years 1900–2999
/// and every code.
fn facts_for(protocol: &'static Protocol) -> impl Strategy<Value = Facts> {
    let roles = protocol.routable_roles();
    (
        // 1900-01-01 up to 60 days before 3000-01-01, so that reported_at stays in 2999.
        -2_208_988_800i64..32_503_680_000 - 61 * 86_400,
        0i64..60 * 86_400,
        select(roles),
        any::<bool>(),
        subsequence(Behaviour::ALL.to_vec(), 1..6).prop_shuffle(),
        select(Channel::ALL.to_vec()),
        select(Injury::ALL.to_vec()),
        any::<[bool; 5]>(),
        0u32..4,
    )
        .prop_map(
            |(occurred, delay, role, former, behaviours, channel, injury, flags, prior)| Facts {
                occurred_at: Timestamp::from_second(occurred).unwrap(),
                reported_at: Some(Timestamp::from_second(occurred + delay).unwrap()),
                victim: Victim { role, former },
                behaviours: behaviours.into_iter().map(Into::into).collect(),
                channel,
                persistent: flags[0],
                corrected_after_warning: flags[1],
                injury,
                criminal_offence_suspected: flags[2],
                perpetrator_known: flags[3],
                prior_incidents: prior,
                damage: flags[4],
                addressed: None,
                report_to: None,
                situation: None,
            },
        )
}

fn preset_and_facts() -> impl Strategy<Value = (&'static Protocol, Facts)> {
    presets().prop_flat_map(|protocol| (Just(protocol), facts_for(protocol)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_order_of_behaviours_never_changes_the_plan(
        (protocol, facts) in preset_and_facts(), seed in any::<u64>(),
    ) {
        let mut shuffled = facts.clone();
        let len = shuffled.behaviours.len();
        shuffled.behaviours.rotate_left((seed as usize) % len);
        shuffled.behaviours.reverse();
        prop_assert_eq!(evaluate(protocol, &facts).unwrap(), evaluate(protocol, &shuffled).unwrap());
    }

    #[test]
    fn adding_a_behaviour_never_lowers_category_or_report(
        (protocol, facts) in preset_and_facts(), extra in select(Behaviour::ALL.to_vec()),
    ) {
        let before = evaluate(protocol, &facts).unwrap();
        let mut more = facts.clone();
        more.behaviours.push(extra.into());
        let after = evaluate(protocol, &more).unwrap();
        prop_assert!(after.category >= before.category);
        prop_assert!(after.report >= before.report, "{:?} -> {:?}", before.report, after.report);
    }

    #[test]
    fn no_deadline_lies_before_the_incident((protocol, facts) in preset_and_facts()) {
        let plan = evaluate(protocol, &facts).unwrap();
        let occurred = in_amsterdam(facts.occurred_at);
        for task in &plan.tasks {
            match &task.due {
                Due::None => {}
                Due::At(due) => prop_assert!(due.timestamp() > occurred.timestamp()),
                Due::Window { from, due } => {
                    prop_assert!(from.timestamp() > occurred.timestamp());
                    prop_assert!(due.timestamp() > from.timestamp());
                }
                Due::Date(date) => prop_assert!(*date > occurred.date()),
            }
        }
    }

    #[test]
    fn a_working_day_deadline_never_lands_on_a_weekend_or_holiday(
        (protocol, facts) in preset_and_facts(),
    ) {
        let plan = evaluate(protocol, &facts).unwrap();
        for task in &plan.tasks {
            if let Due::Date(date) = task.due {
                prop_assert!(!matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday));
                prop_assert!(holiday_on(date).is_none(), "{date} is {:?}", holiday_on(date));
            }
        }
    }

    #[test]
    fn the_plan_survives_its_own_json((protocol, facts) in preset_and_facts()) {
        let plan = evaluate(protocol, &facts).unwrap();
        let json = serde_json::to_value(&plan).unwrap();
        prop_assert_eq!(json["preset"].as_str(), Some(protocol.id.as_str()));
        prop_assert_eq!(json["tasks"].as_array().unwrap().len(), plan.tasks.len());
        // The facts round-trip through their own JSON into the same plan.
        let text = serde_json::to_string(&facts).unwrap();
        let again = Facts::from_json(&text).unwrap();
        prop_assert_eq!(evaluate(protocol, &again).unwrap(), plan);
    }

    #[test]
    fn arbitrary_text_never_panics_the_facts_parser(text in ".{0,400}") {
        let _ = Facts::from_json(&text);
    }

    #[test]
    fn arbitrary_json_values_never_panic_the_facts_parser(value in json_value()) {
        let _ = Facts::from_json(&value.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics_the_protocol_loader(text in ".{0,400}") {
        let _ = Protocol::from_toml(&text);
    }

    #[test]
    fn a_damaged_preset_is_refused_or_loaded_but_never_panics(
        index in 0usize..PRESETS.len(), cut in 0usize..8000, insert in ".{0,12}",
    ) {
        let text = PRESETS[index].text;
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let damaged = format!("{}{}{}", &text[..at], insert, &text[at..]);
        if let Err(error) = Protocol::from_toml(&damaged) {
            prop_assert!(!error.mistakes.is_empty());
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let field = select(vec![
        "occurred_at",
        "reported_at",
        "victim",
        "behaviours",
        "channel",
        "persistent",
        "injury",
        "prior_incidents",
        "damage",
        "role",
        "former",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,30}".prop_map(Value::String),
        Just(json!("2026-03-02T20:15:00+01:00")),
        Just(json!("raadslid")),
    ];
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
