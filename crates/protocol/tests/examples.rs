//! The example protocol files of `examples/protocols/`: each loads, and each rule it
//! reconstructs from a quote of PROTOCOL.md §16 gives the plan that quote prescribes.
//! The rest of each file is the model preset's; it is exercised by the preset's tests.

use serde_json::{Value, json};
use weerbaar_protocol::{Facts, Protocol, evaluate, preset};

const VOORNE_AAN_ZEE: &str = include_str!("../../../examples/protocols/voorne-aan-zee.toml");
const HOLLANDS_KROON: &str = include_str!("../../../examples/protocols/hollands-kroon.toml");
const GENNEP: &str = include_str!("../../../examples/protocols/gennep.toml");

fn load(text: &str) -> Protocol {
    Protocol::from_toml(text).unwrap_or_else(|error| panic!("{error}"))
}

/// Facts as JSON: a raadslid insulted in person on Monday 2 March 2026 at 20:15,
/// reported the next morning, with `changes` applied.
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
    let facts = Facts::from_json_for(&facts_json(changes), protocol)
        .unwrap_or_else(|error| panic!("{error}"));
    let plan = evaluate(protocol, &facts).unwrap_or_else(|error| panic!("{error}"));
    serde_json::to_value(plan).unwrap()
}

/// The field and message of facts the protocol refuses.
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

#[test]
fn every_example_loads_under_its_own_id() {
    for (text, id, name) in [
        (VOORNE_AAN_ZEE, "voorne-aan-zee", "Gemeente Voorne aan Zee"),
        (HOLLANDS_KROON, "hollands-kroon", "Gemeente Hollands Kroon"),
        (GENNEP, "gennep", "Gemeente Gennep"),
    ] {
        let protocol = load(text);
        assert_eq!(protocol.id, id);
        assert_eq!(protocol.name, name);
        assert_eq!(plan_for(&protocol, json!({}))["preset"], id);
    }
}

#[test]
fn what_the_examples_do_not_reconstruct_is_the_model_presets() {
    let model = preset("model").unwrap();
    for text in [VOORNE_AAN_ZEE, HOLLANDS_KROON, GENNEP] {
        let protocol = load(text);
        assert_eq!(protocol.report, model.report);
        assert_eq!(protocol.classification, model.classification);
        assert_eq!(protocol.aangifte_by, model.aangifte_by);
        assert_eq!(protocol.aftercare, model.aftercare);
        assert_eq!(protocol.tasks, model.tasks);
        assert_eq!(protocol.guidance, model.guidance);
        assert_eq!(
            protocol.routes[&weerbaar_protocol::Role::Burgemeester],
            model.routes[&weerbaar_protocol::Role::Burgemeester]
        );
    }
    // Hollands Kroon and Gennep route every victim as the model does.
    for text in [HOLLANDS_KROON, GENNEP] {
        assert_eq!(load(text).routes, model.routes);
    }
}

// ---- Voorne aan Zee 2025 -----------------------------------------------------------

#[test]
fn voorne_aan_zee_a_wethouder_chooses_between_burgemeester_and_gemeentesecretaris() {
    // "Dit kan bij de burgemeester en/of griffier/secretaris"
    let protocol = load(VOORNE_AAN_ZEE);
    let chosen = plan_for(
        &protocol,
        json!({ "victim": { "role": "wethouder" }, "report_to": "gemeentesecretaris" }),
    );
    assert_eq!(chosen["handler"], "gemeentesecretaris");
    assert_eq!(
        chosen["handler_choices"],
        json!(["burgemeester", "gemeentesecretaris"])
    );
    assert_eq!(chosen["informed"], json!([]));

    // Without a choice, the first listed: the burgemeester.
    let default = plan_for(&protocol, json!({ "victim": { "role": "wethouder" } }));
    assert_eq!(default["handler"], "burgemeester");
    assert_eq!(default["handler_choices"], chosen["handler_choices"]);

    // Another recipient is refused, naming the allowed ones.
    let (field, message) = refusal(
        &protocol,
        json!({ "victim": { "role": "wethouder" }, "report_to": "griffier" }),
    );
    assert_eq!(field, "report_to");
    assert!(
        message.contains("burgemeester, gemeentesecretaris"),
        "{message}"
    );
}

#[test]
fn voorne_aan_zee_a_raadslid_and_those_routed_like_one_choose_the_griffier_or_the_burgemeester() {
    let protocol = load(VOORNE_AAN_ZEE);
    for role in [
        "raadslid",
        "duolid",
        "fractiemedewerker",
        "adviesorgaan_lid",
    ] {
        let plan = plan_for(&protocol, json!({ "victim": { "role": role } }));
        assert_eq!(plan["handler"], "burgemeester", "{role}");
        assert_eq!(
            plan["handler_choices"],
            json!(["burgemeester", "griffier"]),
            "{role}"
        );
        let griffier = plan_for(
            &protocol,
            json!({ "victim": { "role": role }, "report_to": "griffier" }),
        );
        assert_eq!(griffier["handler"], "griffier", "{role}");
    }
    // The burgemeester's own report has no choice: it goes to the gemeentesecretaris.
    let burgemeester = plan_for(&protocol, json!({ "victim": { "role": "burgemeester" } }));
    assert_eq!(burgemeester["handler"], "gemeentesecretaris");
    assert!(
        burgemeester.get("handler_choices").is_none(),
        "{burgemeester}"
    );
    let (field, message) = refusal(
        &protocol,
        json!({ "victim": { "role": "burgemeester" }, "report_to": "griffier" }),
    );
    assert_eq!(field, "report_to");
    assert!(message.contains("no choice"), "{message}");
}

#[test]
fn voorne_aan_zee_an_incident_in_person_brings_the_112_task() {
    // "Onthoud de kenmerken van de dader … signalement direct doorgeven aan 112"
    let protocol = load(VOORNE_AAN_ZEE);
    for behaviour in ["dreigen_met_geweld", "slaan"] {
        let plan = plan_for(&protocol, json!({ "behaviours": [behaviour] }));
        assert_eq!(
            task(&plan, "signalement_112"),
            &json!({ "code": "signalement_112", "due": null }),
            "{behaviour}"
        );
    }
    // Not for a threat online, nor for an insult in person.
    let online = plan_for(
        &protocol,
        json!({ "behaviours": ["dreigen_met_geweld"], "channel": "sociale_media" }),
    );
    assert!(
        !task_codes(&online).contains(&"signalement_112"),
        "{online}"
    );
    let insult = plan_for(&protocol, json!({}));
    assert!(
        !task_codes(&insult).contains(&"signalement_112"),
        "{insult}"
    );
}

#[test]
fn voorne_aan_zee_reporting_has_a_same_day_target() {
    // "bij voorkeur op dezelfde dag"
    let protocol = load(VOORNE_AAN_ZEE);
    let plan = plan_for(&protocol, json!({}));
    assert_eq!(
        task(&plan, "melden"),
        &json!({ "code": "melden", "due_date": "2026-03-02", "target": true })
    );
    // The day is the incident's on the Amsterdam clock, not the report's, nor UTC's:
    // 23:30 UTC on 2 March is 00:30 on 3 March in Amsterdam.
    let late = plan_for(
        &protocol,
        json!({ "occurred_at": "2026-03-02T23:30:00Z", "reported_at": "2026-03-05T09:00:00+01:00" }),
    );
    assert_eq!(task(&late, "melden")["due_date"], "2026-03-03");
    // The model preset's tasks keep firm deadlines: no other task is a target.
    let injured = plan_for(
        &protocol,
        json!({ "behaviours": ["slaan"], "injury": "lichamelijk_letsel" }),
    );
    for planned in injured["tasks"].as_array().unwrap() {
        let is_target = planned.get("target").is_some();
        assert_eq!(is_target, planned["code"] == "melden", "{planned}");
    }
    assert_eq!(
        task(&injured, "melding_inspectie")["due"],
        "2026-03-03T20:15:00+01:00"
    );
}

// ---- Hollands Kroon 2024 -----------------------------------------------------------

#[test]
fn hollands_kroon_knows_zeuren_and_begrip_vragen_as_emotional_behaviour() {
    // "zeuren", "begrip vragen"
    let protocol = load(HOLLANDS_KROON);
    for behaviour in ["zeuren", "begrip_vragen"] {
        let plan = plan_for(&protocol, json!({ "behaviours": [behaviour] }));
        assert_eq!(plan["category"], "emotioneel_ik", "{behaviour}");
        assert_eq!(plan["abcd"], "A");
        assert_eq!(plan["report"], "optional");
        assert_eq!(plan["measures"], json!([]));
        assert!(!task_codes(&plan).contains(&"nazorg_aanbieden"), "{plan}");
    }
    let labels: Vec<&str> = protocol
        .own_behaviours
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels, ["Zeuren", "Begrip vragen"]);
    // Another organisation's file does not know them.
    let (field, _) = refusal(
        &load(GENNEP),
        json!({ "behaviours": ["beledigen", "zeuren"] }),
    );
    assert_eq!(field, "behaviours[1]");
}

#[test]
fn hollands_kroon_persistent_or_unchanged_emotion_rises_to_verbal_aggression() {
    // "Grensoverschrijdend gedrag is aanhoudend emotioneel gedrag … gedrag dat – nadat
    // de burger erop is aangesproken – niet verandert"
    let protocol = load(HOLLANDS_KROON);
    for changes in [
        json!({ "behaviours": ["zeuren"], "persistent": true }),
        json!({ "behaviours": ["zeuren"], "addressed": "unchanged" }),
        json!({ "behaviours": ["begrip_vragen"], "persistent": true }),
        json!({ "behaviours": ["kritiek_op_beleid"], "addressed": "unchanged" }),
    ] {
        let plan = plan_for(&protocol, changes.clone());
        assert_eq!(plan["category"], "verbale_agressie", "{changes}");
        assert_eq!(plan["abcd"], "C");
        assert_eq!(plan["report"], "required");
        assert_eq!(plan["measures"], json!(["schriftelijke_waarschuwing"]));
        let codes = task_codes(&plan);
        assert!(codes.contains(&"nazorg_aanbieden"), "{plan}");
        assert!(codes.contains(&"maatregel_besluit"), "{plan}");
    }
    // Changed after being addressed, or not addressed and not persistent: emotion stays.
    for changes in [
        json!({ "behaviours": ["zeuren"], "addressed": "changed" }),
        json!({ "behaviours": ["zeuren"], "corrected_after_warning": true }),
        json!({ "behaviours": ["zeuren"] }),
    ] {
        let plan = plan_for(&protocol, changes.clone());
        assert_eq!(plan["category"], "emotioneel_ik", "{changes}");
        assert_eq!(plan["report"], "optional");
    }
    // The model preset, without the rise, keeps persistent emotion emotional.
    let model = preset("model").unwrap();
    let plan = plan_for(
        model,
        json!({ "behaviours": ["klagen"], "persistent": true }),
    );
    assert_eq!(plan["category"], "emotioneel_ik");
    // A heavier category does not fall to verbale_agressie.
    let threat = plan_for(
        &protocol,
        json!({ "behaviours": ["zeuren", "dreigen_met_geweld"], "persistent": true }),
    );
    assert_eq!(threat["category"], "bedreiging_intimidatie");
}

// ---- Gennep 2024 -------------------------------------------------------------------

#[test]
fn gennep_gijzeling_is_physical_violence_with_aangifte() {
    // "in extreme gevallen bijvoorbeeld gijzeling"
    let protocol = load(GENNEP);
    let plan = plan_for(
        &protocol,
        json!({ "behaviours": ["gijzeling"], "criminal_offence_suspected": true }),
    );
    assert_eq!(plan["category"], "fysiek_geweld");
    assert_eq!(plan["abcd"], "D");
    assert_eq!(plan["report"], "required");
    assert_eq!(
        plan["measures"],
        json!([
            "schriftelijke_waarschuwing",
            "incidentgesprek",
            "toegangsverbod",
            "aangifte"
        ])
    );
    assert_eq!(plan["escalations"], json!(["openbaar_ministerie"]));
    let codes = task_codes(&plan);
    for code in [
        "nazorg_aanbieden",
        "maatregel_besluit",
        "incidentgesprek",
        "afspraak_politie",
    ] {
        assert!(codes.contains(&code), "{code}: {plan}");
    }
    let own = &protocol.own_behaviours[0];
    assert_eq!(own.label, "Gijzeling");
    assert_eq!(own.group, weerbaar_protocol::Category::FysiekGeweld);

    // The model preset does not know it.
    let (field, message) = refusal(
        preset("model").unwrap(),
        json!({ "behaviours": ["gijzeling"] }),
    );
    assert_eq!(field, "behaviours[0]");
    assert!(
        message.contains("unknown behaviour `gijzeling`"),
        "{message}"
    );
}
