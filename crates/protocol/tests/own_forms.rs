//! PROTOCOL.md §16: the forms an organisation's own protocol can add, each with the plan it
//! gives and the mistakes the loader names. The file under test is Westerveld's preset
//! with one §16 form added at a time, so that every difference in a plan comes from that
//! form alone.

use serde_json::{Value, json};
use weerbaar_protocol::{
    Category, Facts, Mistake, Protocol, Situation, evaluate, preset, preset_text,
};

/// Westerveld's preset with `extra` appended (new tables) and `replace` applied.
fn westerveld_plus(replace: &[(&str, &str)], extra: &str) -> String {
    let mut text = preset_text("westerveld").unwrap().to_owned();
    for (from, to) in replace {
        assert!(text.contains(from), "the preset no longer holds {from:?}");
        text = text.replacen(from, to, 1);
    }
    text.push('\n');
    text.push_str(extra);
    text
}

fn load(text: &str) -> Protocol {
    Protocol::from_toml(text).unwrap_or_else(|error| panic!("{error}"))
}

fn mistakes(text: &str) -> Vec<Mistake> {
    Protocol::from_toml(text)
        .expect_err("the file should be refused")
        .mistakes
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

/// Facts as JSON, from §15's example with some fields replaced.
fn facts_json(changes: Value) -> String {
    let mut facts = json!({
        "occurred_at": "2026-03-02T20:15:00+01:00",
        "reported_at": "2026-03-03T09:00:00+01:00",
        "victim": { "role": "raadslid" },
        "behaviours": ["beledigen"],
        "channel": "in_persoon",
    });
    for (key, value) in changes.as_object().unwrap() {
        facts[key] = value.clone();
    }
    facts.to_string()
}

/// The plan as JSON, as the command line and the API print it.
fn plan_for(protocol: &Protocol, changes: Value) -> Value {
    let facts = Facts::from_json_for(&facts_json(changes), protocol).unwrap();
    serde_json::to_value(evaluate(protocol, &facts).unwrap()).unwrap()
}

fn refusal(protocol: &Protocol, changes: Value) -> (String, String) {
    let text = facts_json(changes);
    let error = match Facts::from_json_for(&text, protocol) {
        Err(error) => error,
        Ok(facts) => evaluate(protocol, &facts).expect_err("the facts should be refused"),
    };
    (error.field().to_owned(), error.to_string())
}

fn task_codes(plan: &Value) -> Vec<&str> {
    plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect()
}

fn task<'a>(plan: &'a Value, code: &str) -> &'a Value {
    plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == code)
        .unwrap_or_else(|| panic!("no task {code} in {plan}"))
}

// ---- 1. own behaviours -------------------------------------------------------------

const GIJZELING: &str = r#"
[behaviours.gijzeling]   # Gennep 2024: "in extreme gevallen bijvoorbeeld gijzeling"
label = "Gijzeling"
explanation = "Iemand wordt tegen zijn wil vastgehouden."
category = "fysiek_geweld"

[behaviours.zeuren]      # Hollands Kroon 2024: "zeuren"
label = "Zeuren"
explanation = "Steeds opnieuw om hetzelfde vragen."
category = "emotioneel_ik"
"#;

#[test]
fn s16_1_an_own_behaviour_takes_its_category_and_all_that_follows() {
    let protocol = load(&westerveld_plus(&[], GIJZELING));
    let plan = plan_for(&protocol, json!({ "behaviours": ["gijzeling"] }));
    assert_eq!(plan["category"], "fysiek_geweld");
    assert_eq!(plan["abcd"], "D");
    assert_eq!(plan["report"], "required");
    assert!(task_codes(&plan).contains(&"nazorg_gesprek_1"));
    let measures = plan["measures"].as_array().unwrap();
    assert!(measures.contains(&json!("aangifte")), "{plan}");

    // Beside a spec behaviour the heaviest still counts.
    let plan = plan_of(&protocol, &["zeuren", "beledigen"]);
    assert_eq!(plan["category"], "verbale_agressie");

    // In its group, with its label and explanation, in the file's order.
    let own = &protocol.own_behaviours;
    assert_eq!(own[0].code.as_str(), "gijzeling");
    assert_eq!(own[0].group, Category::FysiekGeweld);
    assert_eq!(own[1].label, "Zeuren");
}

fn plan_of(protocol: &Protocol, behaviours: &[&str]) -> Value {
    plan_for(protocol, json!({ "behaviours": behaviours }))
}

#[test]
fn s16_1_a_code_neither_the_spec_nor_the_file_knows_stays_an_error() {
    let protocol = load(&westerveld_plus(&[], GIJZELING));
    let (field, message) = refusal(&protocol, json!({ "behaviours": ["beledigen", "sarren"] }));
    assert_eq!(field, "behaviours[1]");
    assert!(
        message.contains("gijzeling") && message.contains("schelden"),
        "{message}"
    );

    // Another organisation's own behaviour is unknown to the preset.
    let westerveld = preset("westerveld").unwrap();
    let (field, message) = refusal(westerveld, json!({ "behaviours": ["gijzeling"] }));
    assert_eq!(field, "behaviours[0]");
    assert!(!message.contains("gijzeling;"), "{message}");
    // Facts read without a protocol know only the spec's codes.
    assert!(Facts::from_json(&facts_json(json!({ "behaviours": ["gijzeling"] }))).is_err());
}

#[test]
fn s16_1_an_own_behaviour_may_not_shadow_a_spec_code_or_be_malformed() {
    let text = westerveld_plus(
        &[],
        "[behaviours.beledigen]\nlabel = \"Beledigen\"\nexplanation = \"x\"\ncategory = \"fysiek_geweld\"\n\
         [behaviours.\"Gijzeling!\"]\nlabel = \"G\"\nexplanation = \"x\"\ncategory = \"fysiek_geweld\"\n",
    );
    let found = mistakes(&text);
    let shadow = found
        .iter()
        .find(|m| m.key == "behaviours.beledigen")
        .expect("the shadowing behaviour is named");
    assert_eq!(shadow.line, Some(line_of(&text, "[behaviours.beledigen]")));
    assert!(shadow.reason.contains("[classification]"), "{shadow}");
    assert!(
        found.iter().any(|m| m.key == "behaviours.Gijzeling!"),
        "{found:?}"
    );
}

// ---- 2. a category that rises ------------------------------------------------------

const RISE: &str = r#"
[[rise]]   # Hollands Kroon 2024: "aanhoudend emotioneel gedrag … gedrag dat – nadat de burger erop is aangesproken – niet verandert"
from = ["emotioneel_ik", "emotioneel_jullie"]
to = "verbale_agressie"
when = ["persistent", "unchanged"]
"#;

#[test]
fn s16_2_persistent_or_unchanged_emotion_rises_and_the_plan_follows() {
    let protocol = load(&westerveld_plus(&[], RISE));
    for changes in [
        json!({ "behaviours": ["klagen"], "persistent": true }),
        json!({ "behaviours": ["kritiek_op_beleid"], "addressed": "unchanged" }),
    ] {
        let plan = plan_for(&protocol, changes);
        assert_eq!(plan["category"], "verbale_agressie", "{plan}");
        assert_eq!(plan["abcd"], "C");
        assert_eq!(plan["report"], "required");
        assert!(task_codes(&plan).contains(&"maatregel_besluit"), "{plan}");
        assert_eq!(plan["measures"], json!(["schriftelijke_waarschuwing"]));
    }
    // Changed after being addressed, or not addressed at all: it stays emotion.
    for changes in [
        json!({ "behaviours": ["klagen"], "addressed": "changed" }),
        json!({ "behaviours": ["klagen"] }),
    ] {
        let plan = plan_for(&protocol, changes);
        assert_eq!(plan["category"], "emotioneel_ik", "{plan}");
        assert_eq!(plan["report"], "optional");
    }
    // Without the rule, the same facts give today's plan (§15 unchanged).
    let westerveld = preset("westerveld").unwrap();
    let plan = plan_for(
        westerveld,
        json!({ "behaviours": ["klagen"], "persistent": true }),
    );
    assert_eq!(plan["category"], "emotioneel_ik");
    assert_eq!(plan["report"], "recommended");
}

#[test]
fn s16_2_addressed_and_corrected_after_warning_agree_or_are_refused() {
    let westerveld = preset("westerveld").unwrap();
    // corrected_after_warning: true means addressed: changed (a corrected insult).
    let old = plan_for(westerveld, json!({ "corrected_after_warning": true }));
    let new = plan_for(westerveld, json!({ "addressed": "changed" }));
    assert_eq!(old, new);
    assert_eq!(new["report"], "not_required");
    // Unchanged after being addressed is no correction.
    assert_eq!(
        plan_for(westerveld, json!({ "addressed": "unchanged" }))["report"],
        "required"
    );

    for changes in [
        json!({ "corrected_after_warning": true, "addressed": "unchanged" }),
        json!({ "corrected_after_warning": true, "addressed": "not_addressed" }),
        json!({ "corrected_after_warning": false, "addressed": "changed" }),
    ] {
        let (field, message) = refusal(westerveld, changes);
        assert_eq!(field, "addressed");
        assert!(message.contains("corrected_after_warning"), "{message}");
    }
    let (field, message) = refusal(westerveld, json!({ "addressed": "soms" }));
    assert_eq!(field, "addressed");
    assert!(
        message.contains("not_addressed, changed, unchanged"),
        "{message}"
    );
}

#[test]
fn s16_2_a_rise_to_a_lighter_or_equal_category_is_refused() {
    let text = westerveld_plus(
        &[],
        "[[rise]]\nfrom = [\"verbale_agressie\"]\nto = \"emotioneel_jullie\"\nwhen = [\"persistent\"]\n",
    );
    let found = mistakes(&text);
    let mistake = found.iter().find(|m| m.key == "rise[0].to").expect("named");
    assert_eq!(mistake.line, Some(line_of(&text, "[[rise]]")));
    assert!(mistake.reason.contains("heavier"), "{mistake}");

    let text = westerveld_plus(
        &[],
        "[[rise]]\nfrom = []\nto = \"fysiek_geweld\"\nwhen = []\n",
    );
    let keys: Vec<String> = mistakes(&text).into_iter().map(|m| m.key).collect();
    assert!(keys.contains(&"rise[0].from".to_owned()), "{keys:?}");
    assert!(keys.contains(&"rise[0].when".to_owned()), "{keys:?}");
    let text = westerveld_plus(
        &[],
        "[[rise]]\nfrom = [\"emotioneel_ik\"]\nto = \"fysiek_geweld\"\nwhen = [\"soms\"]\n",
    );
    assert!(Protocol::from_toml(&text).is_err());
}

// ---- 3. a choice of recipient ------------------------------------------------------

/// Voorne aan Zee 2025: "Dit kan bij de burgemeester en/of griffier/secretaris".
fn voorne_choice() -> String {
    westerveld_plus(
        &[(
            "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
            "report_to = [\"burgemeester\", \"gemeentesecretaris\"]",
        )],
        "",
    )
}

#[test]
fn s16_3_the_reporter_chooses_among_the_allowed_recipients() {
    let protocol = load(&voorne_choice());
    let wethouder = json!({ "victim": { "role": "wethouder" } });
    let plan = plan_for(&protocol, wethouder.clone());
    assert_eq!(
        plan["handler"], "burgemeester",
        "the first listed when none is chosen"
    );
    assert_eq!(
        plan["handler_choices"],
        json!(["burgemeester", "gemeentesecretaris"])
    );

    let chosen = plan_with(&protocol, "wethouder", Some("gemeentesecretaris"));
    assert_eq!(chosen["handler"], "gemeentesecretaris");
    let informed = chosen["informed"].as_array().unwrap();
    assert!(!informed.contains(&json!("gemeentesecretaris")), "{chosen}");

    // Where there is no choice, the plan has no handler_choices (§15 unchanged).
    let raadslid = plan_with(&protocol, "raadslid", None);
    assert!(raadslid.get("handler_choices").is_none(), "{raadslid}");
}

fn plan_with(protocol: &Protocol, role: &str, report_to: Option<&str>) -> Value {
    plan_for(
        protocol,
        json!({ "victim": { "role": role }, "report_to": report_to }),
    )
}

#[test]
fn s16_3_a_recipient_not_allowed_or_a_choice_where_there_is_none_is_refused() {
    let protocol = load(&voorne_choice());
    let (field, message) = refusal(
        &protocol,
        json!({ "victim": { "role": "wethouder" }, "report_to": "griffier" }),
    );
    assert_eq!(field, "report_to");
    assert!(
        message.contains("burgemeester, gemeentesecretaris"),
        "{message}"
    );

    let (field, message) = refusal(&protocol, json!({ "report_to": "griffier" }));
    assert_eq!(field, "report_to");
    assert!(message.contains("no choice"), "{message}");
}

#[test]
fn s16_3_and_8_a_choice_names_roles_of_the_files_bodies_only() {
    let text = westerveld_plus(
        &[(
            "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
            "report_to = [\"burgemeester\", \"secretaris\"]",
        )],
        "",
    );
    let found = mistakes(&text);
    let mistake = found
        .iter()
        .find(|m| m.key == "routing.victims.wethouder.report_to")
        .expect("named");
    assert_eq!(mistake.line, Some(line_of(&text, "report_to = [")));
    assert!(mistake.reason.contains("waterschap"), "{mistake}");
    assert!(
        mistake.reason.contains("did you mean `gemeentesecretaris`"),
        "{mistake}"
    );

    let one = westerveld_plus(
        &[(
            "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
            "report_to = [\"burgemeester\"]",
        )],
        "",
    );
    assert!(
        mistakes(&one)
            .iter()
            .any(|m| m.reason.contains("at least two"))
    );
}

// ---- 4. same-day and target deadlines ----------------------------------------------

#[test]
fn s16_4_a_same_day_target_deadline_is_the_incidents_local_date() {
    let text = westerveld_plus(
        &[(
            "nazorg_gesprek_1 = { hours = 24 }",
            "nazorg_gesprek_1 = { same_day = true, target = true }",
        )],
        "",
    );
    let protocol = load(&text);
    // 23:30 UTC on 2 March is 00:30 on 3 March in Amsterdam.
    let plan = plan_for(
        &protocol,
        json!({
            "occurred_at": "2026-03-02T23:30:00Z",
            "reported_at": "2026-03-03T09:00:00+01:00",
        }),
    );
    assert_eq!(
        task(&plan, "nazorg_gesprek_1"),
        &json!({ "code": "nazorg_gesprek_1", "due_date": "2026-03-03", "target": true })
    );
    // A firm deadline has no `target` key at all.
    assert_eq!(
        task(&plan, "nazorg_gesprek_2"),
        &json!({ "code": "nazorg_gesprek_2", "due": "2026-03-06T00:30:00+01:00" })
    );

    let hours_target = load(&westerveld_plus(
        &[(
            "nazorg_gesprek_2 = { days = 3 }",
            "nazorg_gesprek_2 = { days = 3, target = true }",
        )],
        "",
    ));
    let plan = plan_for(&hours_target, json!({}));
    assert_eq!(task(&plan, "nazorg_gesprek_2")["target"], true);
}

#[test]
fn s16_4_a_target_without_a_deadline_or_two_deadlines_is_refused() {
    let text = westerveld_plus(
        &[(
            "incidentgesprek = {}",
            "incidentgesprek = { target = true }",
        )],
        "",
    );
    let found = mistakes(&text);
    let mistake = found
        .iter()
        .find(|m| m.key == "tasks.incidentgesprek")
        .expect("named");
    assert!(mistake.reason.contains("no deadline"), "{mistake}");
    assert_eq!(
        mistake.line,
        Some(line_of(&text, "incidentgesprek = { target"))
    );

    let text = westerveld_plus(
        &[(
            "nazorg_gesprek_1 = { hours = 24 }",
            "nazorg_gesprek_1 = { hours = 24, same_day = true }",
        )],
        "",
    );
    assert!(
        mistakes(&text)
            .iter()
            .any(|m| m.key == "tasks.nazorg_gesprek_1")
    );
}

// ---- 5. own tasks ------------------------------------------------------------------

const SIGNALEMENT: &str = r#"
[staff.bode]
label = "Bode"

[own_tasks.signalement_doorgeven]   # Voorne aan Zee 2025: "Onthoud de kenmerken van de dader … signalement direct doorgeven aan 112"
label = "Signalement van de dader doorgeven aan 112"
by = "bode"
deadline = { hours = 1 }
when = { channels = ["in_persoon"], categories = ["bedreiging_intimidatie", "fysiek_geweld"] }

[own_tasks.terugbellen]
label = "De ambtsdrager dezelfde dag terugbellen"
deadline = { same_day = true, target = true }
"#;

#[test]
fn s16_5_an_own_task_arises_when_its_condition_holds() {
    let protocol = load(&westerveld_plus(&[], SIGNALEMENT));
    let threat = plan_for(&protocol, json!({ "behaviours": ["dreigen_met_geweld"] }));
    assert_eq!(
        task(&threat, "signalement_doorgeven"),
        &json!({ "code": "signalement_doorgeven", "due": "2026-03-02T21:15:00+01:00" })
    );
    // The empty condition always holds.
    assert_eq!(
        task(&threat, "terugbellen"),
        &json!({ "code": "terugbellen", "due_date": "2026-03-02", "target": true })
    );

    let online = plan_for(
        &protocol,
        json!({ "behaviours": ["dreigen_met_geweld"], "channel": "sociale_media" }),
    );
    assert!(
        !task_codes(&online).contains(&"signalement_doorgeven"),
        "{online}"
    );
    let insult = plan_for(&protocol, json!({}));
    assert!(
        !task_codes(&insult).contains(&"signalement_doorgeven"),
        "{insult}"
    );

    let own = protocol.own_tasks.first().unwrap();
    assert_eq!(own.label, "Signalement van de dader doorgeven aan 112");
    assert!(matches!(own.by, Some(weerbaar_protocol::Actor::Staff(_))));
}

#[test]
fn s16_5_an_own_task_may_not_take_the_code_of_an_improvement_action() {
    let text = westerveld_plus(
        &[],
        "[own_tasks.verbeteractie_1]\nlabel = \"Iets verbeteren\"\n",
    );
    assert!(
        mistakes(&text)
            .iter()
            .any(|m| m.key == "own_tasks.verbeteractie_1"),
        "{:?}",
        mistakes(&text)
    );
}

#[test]
fn s16_5_every_condition_is_checked() {
    let protocol = load(&westerveld_plus(
        &[],
        &format!(
            "{GIJZELING}\n[own_tasks.huisbezoek]\nlabel = \"Huisbezoek\"\nwhen = {{ behaviours = [\"gijzeling\", \"stalking\"], victims = [\"wethouder\"], situations = [\"buiten\"], injury = true, criminal_offence_suspected = true, perpetrator_known = true, damage = false, recidive = true, report_required = true }}\n"
        ),
    ));
    let all = json!({
        "behaviours": ["stalking"],
        "victim": { "role": "wethouder" },
        "situation": "buiten",
        "injury": "geestelijk_letsel",
        "criminal_offence_suspected": true,
        "perpetrator_known": true,
        "prior_incidents": 1,
    });
    assert!(task_codes(&plan_for(&protocol, all.clone())).contains(&"huisbezoek"));
    for (key, value) in [
        ("behaviours", json!(["beledigen"])),
        ("victim", json!({ "role": "raadslid" })),
        ("situation", json!("online")),
        ("injury", json!("geen")),
        ("criminal_offence_suspected", json!(false)),
        ("perpetrator_known", json!(false)),
        ("damage", json!(true)),
        ("prior_incidents", json!(0)),
    ] {
        let mut facts = all.clone();
        facts[key] = value;
        let plan = plan_for(&protocol, facts);
        assert!(!task_codes(&plan).contains(&"huisbezoek"), "{key}: {plan}");
    }
    let mut no_situation = all;
    no_situation.as_object_mut().unwrap().remove("situation");
    assert!(!task_codes(&plan_for(&protocol, no_situation)).contains(&"huisbezoek"));
}

#[test]
fn s16_5_an_own_task_naming_an_unknown_code_or_a_spec_task_is_refused() {
    let text = westerveld_plus(
        &[],
        "[own_tasks.nabellen]\nlabel = \"Nabellen\"\nwhen = { behaviours = [\"gijzeling\"], channels = [\"fax\"], situations = [\"kantine\"] }\n\
         [own_tasks.incidentgesprek]\nlabel = \"Gesprek\"\n\
         [own_tasks.ophalen]\nlabel = \"Ophalen\"\nby = \"conciërge\"\n",
    );
    let found = mistakes(&text);
    let keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
    for key in [
        "own_tasks.nabellen.when.behaviours",
        "own_tasks.nabellen.when.channels",
        "own_tasks.nabellen.when.situations",
        "own_tasks.incidentgesprek",
        "own_tasks.ophalen.by",
    ] {
        assert!(keys.contains(&key), "{key} not in {keys:?}");
    }
    let behaviour = found
        .iter()
        .find(|m| m.key == "own_tasks.nabellen.when.behaviours")
        .unwrap();
    assert_eq!(behaviour.line, Some(line_of(&text, "[own_tasks.nabellen]")));
    assert!(
        behaviour.reason.contains("unknown behaviour `gijzeling`"),
        "{behaviour}"
    );
}

// ---- 6. guidance per situation -----------------------------------------------------

#[test]
fn s16_6_guidance_per_situation_stands_beside_the_categorys() {
    let protocol = load(
        &westerveld_plus(&[], "[guidance.extra]\n")
            .replace("[guidance.extra]\n", "")
            .replace(
                "[guidance]\n",
                "[guidance]\nvergadering = \"De voorzitter schorst de vergadering.\"\n",
            ),
    );
    let during = protocol.guidance_for(Category::VerbaleAgressie, Some(Situation::Vergadering));
    assert_eq!(during.len(), 2);
    assert!(during[0].starts_with("Inwoners mogen niet persoonlijk worden"));
    assert_eq!(during[1], "De voorzitter schorst de vergadering.");
    assert_eq!(
        protocol.guidance_for(Category::VerbaleAgressie, None).len(),
        1
    );
    assert_eq!(
        protocol
            .guidance_for(Category::VerbaleAgressie, Some(Situation::Online))
            .len(),
        1
    );
    // Guidance is not in the plan.
    let plan = plan_for(&protocol, json!({ "situation": "vergadering" }));
    assert_eq!(plan, plan_for(preset("westerveld").unwrap(), json!({})));

    let text = westerveld_plus(&[], "").replace("[guidance]\n", "[guidance]\nkantine = \"x\"\n");
    let found = mistakes(&text);
    assert_eq!(found[0].key, "guidance.kantine");
    assert!(found[0].reason.contains("vergadering"), "{}", found[0]);
}

// ---- 7. silence said out loud ------------------------------------------------------

#[test]
fn s16_7_niet_geregeld_gives_no_answer_instead_of_an_invented_one() {
    let text = westerveld_plus(
        &[
            ("by = \"organisatie\"", "by = \"niet_geregeld\""),
            ("[aftercare.by]\n", ""),
            (
                "wethouder = [\"burgemeester\", \"gemeentesecretaris\"]\n",
                "",
            ),
            ("raadslid = [\"burgemeester\", \"griffier\"]\n", ""),
            ("duolid = [\"burgemeester\", \"griffier\"]\n", ""),
            (
                "burgemeester = [\"gemeentesecretaris\"] # default, not in the seed\n",
                "",
            ),
            ("tailored = false", "by = \"niet_geregeld\""),
            ("nazorg_gesprek_1 = { hours = 24 }", ""),
            ("nazorg_gesprek_2 = { days = 3 }", ""),
            (
                "nazorg_gesprek_3 = { from = { weeks = 4 }, due = { weeks = 6 } }",
                "",
            ),
        ],
        "",
    );
    let protocol = load(&text);
    assert!(!protocol.aftercare.regulated);
    assert_eq!(protocol.aangifte_by, None);
    let plan = plan_for(
        &protocol,
        json!({ "behaviours": ["slaan"], "injury": "lichamelijk_letsel" }),
    );
    assert_eq!(plan["aangifte_by"], Value::Null);
    let codes = task_codes(&plan);
    assert!(codes.iter().all(|c| !c.starts_with("nazorg")), "{codes:?}");
    // The legal duty stays.
    assert!(codes.contains(&"melding_inspectie"));

    // Aftercare tasks beside "niet geregeld" contradict it.
    let listed = text.replace("[tasks]\n", "[tasks]\nnazorg_aanbieden = {}\n");
    assert!(
        mistakes(&listed)
            .iter()
            .any(|m| m.reason.contains("niet_geregeld"))
    );
    // The legal duties cannot be left out.
    let no_inspectie = text.replace("melding_inspectie = { hours = 24 }", "");
    assert!(
        mistakes(&no_inspectie)
            .iter()
            .any(|m| m.key == "tasks.melding_inspectie")
    );
    let wrong = westerveld_plus(&[("by = \"organisatie\"", "by = \"weet_niet\"")], "");
    let found = mistakes(&wrong);
    assert_eq!(found[0].key, "aangifte.by");
    assert!(found[0].reason.contains("niet_geregeld"), "{}", found[0]);
}

// ---- 8. roles belong to bodies -----------------------------------------------------

#[test]
fn s16_8_a_role_of_another_kind_of_body_is_named_with_the_code_meant() {
    let text = westerveld_plus(
        &[(
            "handler = \"gemeentesecretaris\"      #  De gemeentesecretaris informeert de griffier\"",
            "handler = \"secretaris\"",
        )],
        "",
    );
    let found = mistakes(&text);
    let mistake = found
        .iter()
        .find(|m| m.key == "routing.victims.burgemeester.handler")
        .expect("named");
    assert_eq!(
        mistake.line,
        Some(line_of(&text, "[routing.victims.burgemeester]"))
    );
    assert!(
        mistake.reason.contains("did you mean `gemeentesecretaris`"),
        "{mistake}"
    );

    let informed = westerveld_plus(
        &[(
            "informed = [\"burgemeester\"]",
            "informed = [\"statengriffier\"]",
        )],
        "",
    );
    let found = mistakes(&informed);
    assert!(
        found
            .iter()
            .any(|m| m.key == "routing.victims.raadslid.informed"
                && m.reason.contains("did you mean `griffier`")),
        "{found:?}"
    );
    // The commissaris van de Koning may be told in any kind of body (PROTOCOL.md §6).
    let cdk = westerveld_plus(
        &[(
            "informed = [\"griffier\"]",
            "informed = [\"griffier\", \"commissaris_van_de_koning\"]",
        )],
        "",
    );
    load(&cdk);
}

// ---- 9. the building's own staff ---------------------------------------------------

#[test]
fn s16_9_own_staff_do_tasks_and_are_contacts_but_are_never_victims() {
    let text = westerveld_plus(
        &[],
        "[staff.beveiliging]\nlabel = \"Beveiliging\"\n\n[[contacts]]\nname = \"Beveiliging stadhuis\"\nphone = \"0521 000 000\"\nrole = \"beveiliging\"\n",
    );
    let protocol = load(&text);
    assert_eq!(protocol.staff[0].label, "Beveiliging");
    let contact = protocol.contacts.last().unwrap();
    assert!(
        matches!(contact.role, Some(weerbaar_protocol::Actor::Staff(code)) if code.as_str() == "beveiliging")
    );

    let victim = text.replace(
        "[routing.victims.duolid]",
        "[routing.victims.beveiliging]\nhandler = \"griffier\"\n\n[routing.victims.duolid]",
    );
    let found = mistakes(&victim);
    assert!(
        found
            .iter()
            .any(|m| m.key == "routing.victims.beveiliging" && m.reason.contains("never routed")),
        "{found:?}"
    );
    let shadow = westerveld_plus(&[], "[staff.griffier]\nlabel = \"Griffie\"\n");
    assert!(mistakes(&shadow).iter().any(|m| m.key == "staff.griffier"));
}

// ---- files that use none of §16 ----------------------------------------------------

#[test]
fn a_plan_without_any_of_section_16_has_none_of_its_keys() {
    for name in weerbaar_protocol::preset_names() {
        let protocol = preset(name).unwrap();
        let plan = plan_for(protocol, json!({ "behaviours": ["slaan"] }));
        assert!(plan.get("handler_choices").is_none());
        assert!(plan["aangifte_by"].is_string());
        for task in plan["tasks"].as_array().unwrap() {
            assert!(task.get("target").is_none(), "{name}: {task}");
        }
    }
}
