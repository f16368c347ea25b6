//! Properties of PROTOCOL.md §16's forms: files built from random pieces of them never
//! panic the loader, and whatever it accepts evaluates random facts (own codes, choices,
//! situations, `addressed`) without a panic; a rise never makes a category lighter, and
//! an own task never changes what the spec's rules decide.

use jiff::Timestamp;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use weerbaar_protocol::{
    Addressed, Behaviour, BehaviourCode, Channel, Code, Facts, Injury, Protocol, Role, Situation,
    Victim, evaluate, preset, preset_text,
};

/// Pieces a §16 file may hold, right or wrong, appended to a preset.
fn pieces() -> Vec<String> {
    let mut pieces = vec![
        "[behaviours.gijzeling]\nlabel = \"Gijzeling\"\nexplanation = \"x\"\ncategory = \"fysiek_geweld\"\n".to_owned(),
        "[behaviours.zeuren]\nlabel = \"Zeuren\"\nexplanation = \"x\"\ncategory = \"emotioneel_ik\"\ngroup = \"emotioneel_jullie\"\n".to_owned(),
        "[behaviours.beledigen]\nlabel = \"B\"\nexplanation = \"x\"\ncategory = \"fysiek_geweld\"\n".to_owned(),
        "[[rise]]\nfrom = [\"emotioneel_ik\", \"emotioneel_jullie\"]\nto = \"verbale_agressie\"\nwhen = [\"persistent\", \"unchanged\"]\n".to_owned(),
        "[[rise]]\nfrom = [\"verbale_agressie\"]\nto = \"bedreiging_intimidatie\"\nwhen = [\"unchanged\"]\n".to_owned(),
        "[[rise]]\nfrom = [\"fysiek_geweld\"]\nto = \"emotioneel_ik\"\nwhen = [\"persistent\"]\n".to_owned(),
        "[staff.bode]\nlabel = \"Bode\"\n".to_owned(),
        "[staff.griffier]\nlabel = \"\"\n".to_owned(),
        "[own_tasks.bellen]\nlabel = \"Bellen\"\ndeadline = { same_day = true, target = true }\n".to_owned(),
        "[own_tasks.signalement]\nlabel = \"112\"\nby = \"bode\"\ndeadline = { hours = 1 }\nwhen = { channels = [\"in_persoon\"], categories = [\"fysiek_geweld\"] }\n".to_owned(),
        "[own_tasks.gijzeling_melden]\nlabel = \"G\"\nwhen = { behaviours = [\"gijzeling\"], situations = [\"gebouw\"], recidive = true }\n".to_owned(),
        "[own_tasks.fout]\nlabel = \"F\"\ndeadline = { target = true }\nwhen = { channels = [\"fax\"] }\n".to_owned(),
        "[own_tasks.incidentgesprek]\nlabel = \"I\"\n".to_owned(),
        "[[contacts]]\nname = \"Bode\"\nphone = \"1\"\nrole = \"bode\"\n".to_owned(),
        "]]][[[ = = \"\n".to_owned(),
    ];
    for situation in Situation::ALL {
        pieces.push(format!("[guidance.x_{situation}]\n"));
    }
    pieces
}

/// Replacements of lines of Westerveld's preset by §16 forms, right or wrong.
const REPLACEMENTS: &[(&str, &str)] = &[
    (
        "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
        "report_to = [\"burgemeester\", \"gemeentesecretaris\"]",
    ),
    (
        "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
        "report_to = [\"burgemeester\", \"secretaris\", \"burgemeester\"]",
    ),
    ("by = \"organisatie\"", "by = \"niet_geregeld\""),
    ("tailored = false", "by = \"niet_geregeld\""),
    (
        "nazorg_gesprek_1 = { hours = 24 }",
        "nazorg_gesprek_1 = { same_day = true, target = true }",
    ),
    (
        "nazorg_gesprek_2 = { days = 3 }",
        "nazorg_gesprek_2 = { days = 3, target = true }",
    ),
    ("handler = \"griffier\"", "handler = \"statengriffier\""),
    (
        "[guidance]\n",
        "[guidance]\nvergadering = \"Schors de vergadering.\"\n",
    ),
];

fn file() -> impl Strategy<Value = String> {
    (
        subsequence(pieces(), 0..8),
        subsequence(REPLACEMENTS.to_vec(), 0..5),
    )
        .prop_map(|(pieces, replacements)| {
            let mut text = preset_text("westerveld").unwrap().to_owned();
            for (from, to) in replacements {
                text = text.replacen(from, to, 1);
            }
            for piece in pieces {
                text.push('\n');
                text.push_str(&piece);
            }
            text
        })
}

fn code<C: Code>() -> impl Strategy<Value = C> {
    select(C::ALL.to_vec())
}

fn facts() -> impl Strategy<Value = Facts> {
    let behaviour = prop_oneof![
        3 => code::<Behaviour>().prop_map(BehaviourCode::Spec),
        1 => select(vec!["gijzeling", "zeuren", "sarren"])
            .prop_map(|word| BehaviourCode::parse(word).unwrap()),
    ];
    (
        1_600_000_000i64..1_900_000_000,
        0i64..400_000,
        select(vec![
            Role::Raadslid,
            Role::Wethouder,
            Role::Burgemeester,
            Role::Duolid,
        ]),
        proptest::collection::vec(behaviour, 1..4),
        code::<Channel>(),
        code::<Injury>(),
        any::<[bool; 6]>(),
        proptest::option::of(code::<Addressed>()),
        proptest::option::of(select(vec![
            Role::Burgemeester,
            Role::Gemeentesecretaris,
            Role::Griffier,
        ])),
        proptest::option::of(code::<Situation>()),
    )
        .prop_map(
            |(
                occurred,
                delay,
                role,
                behaviours,
                channel,
                injury,
                flags,
                addressed,
                report_to,
                situation,
            )| Facts {
                occurred_at: Timestamp::from_second(occurred).unwrap(),
                reported_at: Some(Timestamp::from_second(occurred + delay).unwrap()),
                victim: Victim {
                    role,
                    former: false,
                },
                behaviours,
                channel,
                persistent: flags[0],
                corrected_after_warning: flags[1],
                injury,
                criminal_offence_suspected: flags[2],
                perpetrator_known: flags[3],
                prior_incidents: u32::from(flags[4]),
                damage: flags[5],
                addressed,
                report_to,
                situation,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_file_of_section_16_pieces_never_panics_and_what_loads_evaluates(
        text in file(), facts in facts(),
    ) {
        match Protocol::from_toml(&text) {
            Ok(protocol) => {
                // Ok or an error naming a field: never a panic.
                if let Err(error) = evaluate(&protocol, &facts) {
                    prop_assert!(!error.field().is_empty());
                }
                let _ = weerbaar_protocol::readable::document(&protocol).to_markdown();
            }
            Err(error) => prop_assert!(!error.mistakes.is_empty()),
        }
    }

    #[test]
    fn a_rise_never_makes_a_category_lighter_and_own_tasks_change_no_spec_rule(facts in facts()) {
        let base = preset("westerveld").unwrap();
        let text = format!(
            "{}\n{}\n{}\n{}",
            preset_text("westerveld").unwrap(),
            pieces()[0],
            pieces()[3],
            pieces()[8],
        );
        let own = Protocol::from_toml(&text).unwrap();
        let mut spec_only = facts.clone();
        spec_only.behaviours.retain(|b| b.spec().is_some());
        spec_only.report_to = None;
        prop_assume!(!spec_only.behaviours.is_empty());
        if let (Ok(before), Ok(after)) = (evaluate(base, &spec_only), evaluate(&own, &spec_only)) {
            prop_assert!(after.category >= before.category);
            prop_assert!(after.report >= before.report);
            if after.category == before.category {
                // Only the own task (and no spec task) may differ.
                let spec_tasks = |plan: &weerbaar_protocol::Plan| -> Vec<_> {
                    plan.tasks.iter().filter(|t| t.code.spec().is_some()).cloned().collect()
                };
                prop_assert_eq!(spec_tasks(&before), spec_tasks(&after));
                prop_assert_eq!(&before.measures, &after.measures);
                prop_assert_eq!(before.handler, after.handler);
            }
            prop_assert!(after.tasks.iter().any(|t| t.code.as_str() == "bellen" && t.target));
        }
    }
}
