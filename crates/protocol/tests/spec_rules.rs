//! Every rule of PROTOCOL.md §2 to §7 and §15, asserted on the output of `evaluate` for
//! each preset the rule differs in. Expected values are written from the spec and the
//! seeds, never read back from the implementation.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::date;
use serde_json::{Value, json};
use weerbaar_protocol::calendar::{Holiday, holiday_on, is_working_day};
use weerbaar_protocol::{Error, Facts, Plan, evaluate, preset};

/// The five presets, in the order of PROTOCOL.md's seed table.
const ALL: [&str; 5] = ["westerveld", "utrecht", "leiden", "nijmegen", "model"];
/// The municipal presets (bodies = gemeente only).
const MUNICIPAL: [&str; 4] = ["westerveld", "leiden", "nijmegen", "model"];
/// A Monday evening in winter time, as in the §15 example.
const OCCURRED: &str = "2026-03-02T20:15:00+01:00";

const MUNICIPAL_OFFICES: [&str; 6] = [
    "burgemeester",
    "wethouder",
    "raadslid",
    "duolid",
    "fractiemedewerker",
    "adviesorgaan_lid",
];
const PROVINCIAL_OFFICES: [&str; 3] = ["commissaris_van_de_koning", "gedeputeerde", "statenlid"];
const WATER_BOARD_OFFICES: [&str; 3] =
    ["dijkgraaf", "dagelijks_bestuurslid", "algemeen_bestuurslid"];
const STAFF: [&str; 12] = [
    "griffier",
    "plaatsvervangend_griffier",
    "gemeentesecretaris",
    "statengriffier",
    "provinciesecretaris",
    "secretaris_directeur",
    "secretaris",
    "adviseur_vpt",
    "coordinator_vpt",
    "locoburgemeester",
    "minister_bzk",
    "ambtenaar",
];

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn try_plan(name: &str, facts: &Value) -> Result<Plan, Error> {
    let protocol = preset(name).unwrap_or_else(|| panic!("no preset `{name}`"));
    let facts = Facts::from_json(&facts.to_string())?;
    evaluate(protocol, &facts)
}

/// The §15 JSON output of `facts` under preset `name`.
fn plan(name: &str, facts: &Value) -> Value {
    let plan = try_plan(name, facts)
        .unwrap_or_else(|error| panic!("{name}: {facts} was refused: {error}"));
    serde_json::to_value(&plan).expect("a plan serialises")
}

fn try_error(name: &str, facts: &Value) -> Error {
    match try_plan(name, facts) {
        Ok(plan) => panic!("{name}: {facts} should be refused, got {plan:?}"),
        Err(error) => error,
    }
}

/// The smallest facts the contract accepts.
fn incident(role: &str, behaviours: &[&str]) -> Value {
    json!({
        "occurred_at": OCCURRED,
        "victim": { "role": role },
        "behaviours": behaviours,
    })
}

/// `facts` with the fields of `extra` set.
fn with(mut facts: Value, extra: Value) -> Value {
    let target = facts.as_object_mut().expect("facts are an object");
    for (key, value) in extra.as_object().expect("extra is an object") {
        target.insert(key.clone(), value.clone());
    }
    facts
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn sorted(items: &[&str]) -> Vec<String> {
    let mut items = strings(items);
    items.sort();
    items
}

/// A set-valued output field (`informed`, `escalations`, `measures`), sorted.
fn set(plan: &Value, key: &str) -> Vec<String> {
    let mut items: Vec<String> = plan[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is not an array in {plan}"))
        .iter()
        .map(|v| v.as_str().expect("codes are strings").to_owned())
        .collect();
    let count = items.len();
    items.sort();
    items.dedup();
    assert_eq!(items.len(), count, "`{key}` holds duplicates: {plan}");
    items
}

/// A task array keyed by code; a code that appears twice is a defect.
fn by_code(tasks: &Value) -> BTreeMap<String, Value> {
    let mut map = BTreeMap::new();
    for task in tasks.as_array().expect("tasks is an array") {
        let code = task["code"].as_str().expect("a task has a code").to_owned();
        assert!(
            map.insert(code.clone(), task.clone()).is_none(),
            "task `{code}` twice in {tasks}"
        );
    }
    map
}

fn tasks(plan: &Value) -> BTreeMap<String, Value> {
    by_code(&plan["tasks"])
}

fn task_codes(plan: &Value) -> BTreeSet<String> {
    tasks(plan).into_keys().collect()
}

fn task(plan: &Value, code: &str) -> Option<Value> {
    tasks(plan).remove(code)
}

/// A plan in a form where sets compare as sets.
fn normalised(plan: &Value) -> Value {
    let mut plan = plan.clone();
    for key in ["informed", "escalations", "measures"] {
        plan[key] = json!(set(&plan, key));
    }
    let tasks: Vec<Value> = by_code(&plan["tasks"]).into_values().collect();
    plan["tasks"] = json!(tasks);
    plan
}

/// The values an error message lists after "allowed: ".
fn allowed_values(error: &Error) -> BTreeSet<String> {
    let text = error.to_string();
    let (_, list) = text
        .rsplit_once("allowed: ")
        .unwrap_or_else(|| panic!("`{text}` lists no allowed values"));
    list.split(',').map(|s| s.trim().to_owned()).collect()
}

fn set_of(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The three columns of §3's table, spread over the five presets.
fn columns(
    westerveld_nijmegen: &'static str,
    leiden: &'static str,
    utrecht_model: &'static str,
) -> [(&'static str, &'static str); 5] {
    [
        ("westerveld", westerveld_nijmegen),
        ("nijmegen", westerveld_nijmegen),
        ("leiden", leiden),
        ("utrecht", utrecht_model),
        ("model", utrecht_model),
    ]
}

// ---------------------------------------------------------------------------------------
// §2 Classifying behaviour
// ---------------------------------------------------------------------------------------

fn assert_each_alone(presets: &[&str], behaviours: &[&str], category: &str, abcd: &str) {
    for name in presets {
        for behaviour in behaviours {
            let plan = plan(name, &incident("raadslid", &[behaviour]));
            assert_eq!(
                (&plan["category"], &plan["abcd"]),
                (&json!(category), &json!(abcd)),
                "{name}: `{behaviour}`"
            );
        }
    }
}

#[test]
fn s2_emotioneel_ik_is_a() {
    assert_each_alone(
        &ALL,
        &[
            "uitzondering_vragen",
            "klagen",
            "boosheid",
            "claimen",
            "smeken",
        ],
        "emotioneel_ik",
        "A",
    );
}

#[test]
fn s2_emotioneel_jullie_is_b() {
    assert_each_alone(
        &ALL,
        &[
            "kritiek_op_beleid",
            "ter_verantwoording_roepen",
            "beschuldigen_organisatie",
            "schande_spreken",
            "obstructie",
        ],
        "emotioneel_jullie",
        "B",
    );
}

#[test]
fn s2_verbale_agressie_is_c_including_desinformatie_and_ordeverstoring() {
    assert_each_alone(
        &ALL,
        &[
            "schelden",
            "beledigen",
            "treiteren",
            "belachelijk_maken",
            "uitlokken",
            "smaad",
            "laster",
            "discriminatie",
            "emotionele_chantage",
            "pesten",
            "desinformatie",
            "ordeverstoring",
        ],
        "verbale_agressie",
        "C",
    );
}

#[test]
fn s2_bedreiging_intimidatie_is_d_including_doxing() {
    assert_each_alone(
        &ALL,
        &[
            "dreigen_met_geweld",
            "intimidatie",
            "seksuele_intimidatie",
            "stalking",
            "dreiging_gebouw",
            "doxing",
        ],
        "bedreiging_intimidatie",
        "D",
    );
}

#[test]
fn s2_fysiek_geweld_is_d() {
    assert_each_alone(
        &ALL,
        &[
            "schoppen",
            "slaan",
            "spugen",
            "beetpakken",
            "trekken",
            "vernieling",
            "voorwerpen_gooien",
        ],
        "fysiek_geweld",
        "D",
    );
}

#[test]
fn s2_dreigen_zelfbeschadiging_is_emotioneel_ik_in_utrecht_only() {
    assert_each_alone(
        &["utrecht"],
        &["dreigen_zelfbeschadiging"],
        "emotioneel_ik",
        "A",
    );
    assert_each_alone(
        &MUNICIPAL,
        &["dreigen_zelfbeschadiging"],
        "bedreiging_intimidatie",
        "D",
    );

    // And the consequences follow the category: emotional in Utrecht (optional, no
    // tasks, no measures), a threat elsewhere (required, with measures).
    let utrecht = plan(
        "utrecht",
        &incident("raadslid", &["dreigen_zelfbeschadiging"]),
    );
    assert_eq!(utrecht["report"], json!("optional"));
    assert_eq!(utrecht["tasks"], json!([]));
    assert_eq!(utrecht["measures"], json!([]));
    for name in MUNICIPAL {
        let plan = plan(name, &incident("raadslid", &["dreigen_zelfbeschadiging"]));
        assert_eq!(plan["report"], json!("required"), "{name}");
        assert_eq!(
            set(&plan, "measures"),
            sorted(&[
                "schriftelijke_waarschuwing",
                "incidentgesprek",
                "melding_politie"
            ]),
            "{name}"
        );
    }
}

#[test]
fn s2_the_heaviest_category_counts_whatever_the_order() {
    let cases: [(&[&str], &str, &str); 8] = [
        (&["klagen", "kritiek_op_beleid"], "emotioneel_jullie", "B"),
        (&["kritiek_op_beleid", "klagen"], "emotioneel_jullie", "B"),
        (&["boosheid", "schelden"], "verbale_agressie", "C"),
        (
            &["schelden", "boosheid", "obstructie"],
            "verbale_agressie",
            "C",
        ),
        (
            &["schelden", "intimidatie", "obstructie"],
            "bedreiging_intimidatie",
            "D",
        ),
        (
            &["ordeverstoring", "stalking"],
            "bedreiging_intimidatie",
            "D",
        ),
        (&["slaan", "dreigen_met_geweld"], "fysiek_geweld", "D"),
        (
            &["dreigen_met_geweld", "klagen", "schelden", "spugen"],
            "fysiek_geweld",
            "D",
        ),
    ];
    for name in ALL {
        for (behaviours, category, abcd) in cases {
            let plan = plan(name, &incident("raadslid", behaviours));
            assert_eq!(
                (&plan["category"], &plan["abcd"]),
                (&json!(category), &json!(abcd)),
                "{name}: {behaviours:?}"
            );
        }
    }
}

#[test]
fn s2_heaviest_with_self_harm_differs_between_utrecht_and_the_others() {
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["dreigen_zelfbeschadiging", "kritiek_op_beleid"],
            "emotioneel_jullie",
            "B",
        ),
        (
            &["klagen", "dreigen_zelfbeschadiging"],
            "emotioneel_ik",
            "A",
        ),
        (
            &["dreigen_zelfbeschadiging", "schelden"],
            "verbale_agressie",
            "C",
        ),
    ];
    for (behaviours, category, abcd) in cases {
        let utrecht = plan("utrecht", &incident("raadslid", behaviours));
        assert_eq!(
            (&utrecht["category"], &utrecht["abcd"]),
            (&json!(category), &json!(abcd)),
            "utrecht: {behaviours:?}"
        );
        for name in MUNICIPAL {
            let plan = plan(name, &incident("raadslid", behaviours));
            assert_eq!(
                (&plan["category"], &plan["abcd"]),
                (&json!("bedreiging_intimidatie"), &json!("D")),
                "{name}: {behaviours:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// §3 Must it be reported?
// ---------------------------------------------------------------------------------------

fn assert_report(
    behaviours: &[&str],
    persistent: bool,
    corrected: bool,
    expected: [(&str, &str); 5],
) {
    let facts = with(
        incident("raadslid", behaviours),
        json!({ "persistent": persistent, "corrected_after_warning": corrected }),
    );
    for (name, report) in expected {
        assert_eq!(
            plan(name, &facts)["report"],
            json!(report),
            "{name}: {behaviours:?}, persistent {persistent}, corrected {corrected}"
        );
    }
}

#[test]
fn s3_a_and_b_not_persistent() {
    for behaviours in [
        &["klagen"][..],
        &["obstructie"],
        &["smeken", "schande_spreken"],
    ] {
        for corrected in [false, true] {
            assert_report(
                behaviours,
                false,
                corrected,
                columns("optional", "not_required", "optional"),
            );
        }
    }
}

#[test]
fn s3_a_and_b_persistent() {
    for behaviours in [
        &["boosheid"][..],
        &["kritiek_op_beleid"],
        &["claimen", "obstructie"],
    ] {
        for corrected in [false, true] {
            assert_report(
                behaviours,
                true,
                corrected,
                columns("recommended", "recommended", "optional"),
            );
        }
    }
}

#[test]
fn s3_c_corrected_and_not_persistent() {
    for behaviours in [
        &["beledigen"][..],
        &["schelden", "pesten"],
        &["desinformatie"],
    ] {
        assert_report(
            behaviours,
            false,
            true,
            columns("not_required", "not_required", "required"),
        );
    }
}

#[test]
fn s3_c_not_corrected() {
    for persistent in [false, true] {
        assert_report(
            &["beledigen"],
            persistent,
            false,
            columns("required", "required", "required"),
        );
    }
}

#[test]
fn s3_c_corrected_but_persistent() {
    assert_report(
        &["treiteren"],
        true,
        true,
        columns("required", "required", "required"),
    );
}

#[test]
fn s3_d_threat_and_physical_are_always_required() {
    for behaviours in [
        &["dreigen_met_geweld"][..],
        &["doxing"],
        &["slaan"],
        &["vernieling"],
    ] {
        for persistent in [false, true] {
            for corrected in [false, true] {
                assert_report(
                    behaviours,
                    persistent,
                    corrected,
                    columns("required", "required", "required"),
                );
            }
        }
    }
}

#[test]
fn s3_ordeverstoring_is_always_required() {
    for behaviours in [
        &["ordeverstoring"][..],
        &["klagen", "ordeverstoring"],
        &["ordeverstoring", "kritiek_op_beleid"],
    ] {
        for persistent in [false, true] {
            for corrected in [false, true] {
                assert_report(
                    behaviours,
                    persistent,
                    corrected,
                    columns("required", "required", "required"),
                );
            }
        }
    }
    // Contrast: the same correction of an ordinary insult is not reported there.
    assert_report(
        &["schelden"],
        false,
        true,
        columns("not_required", "not_required", "required"),
    );
}

/// §2 "When several behaviours apply, the heaviest category counts" (Leiden §4: "wordt
/// altijd de zwaarste als uitgangspunt genomen") decides the *category*. The report
/// obligation is the strongest of the obligations of every category present: a corrected
/// insult next to a complaint is category C, but the complaint still may be reported
/// ("Melden is facultatief"), so westerveld and nijmegen say `optional`, not the
/// `not_required` of the row "C, corrected" alone. Issue #2 asks that adding a behaviour
/// never lowers the report obligation; the literal row reading would lower `optional`
/// (complaint alone) to `not_required` (complaint plus corrected insult).
#[test]
fn s3_mixed_behaviours_report_the_strongest_obligation_of_any_category_present() {
    assert_report(
        &["klagen", "beledigen"],
        false,
        true,
        columns("optional", "not_required", "required"),
    );
    // Persistent complaints with a corrected insult: persistence makes C "otherwise",
    // so required everywhere.
    assert_report(
        &["klagen", "beledigen"],
        true,
        true,
        columns("required", "required", "required"),
    );
}

// ---------------------------------------------------------------------------------------
// §4 Who receives the report, who is informed
// ---------------------------------------------------------------------------------------

fn assert_routes(name: &str, table: &[(&str, &str, &[&str])]) {
    for (role, handler, informed) in table {
        let plan = plan(name, &incident(role, &["beledigen"]));
        assert_eq!(
            (plan["handler"].clone(), set(&plan, "informed")),
            (json!(handler), sorted(informed)),
            "{name}: victim {role}"
        );
    }
}

#[test]
fn s4_routing_westerveld() {
    assert_routes(
        "westerveld",
        &[
            ("raadslid", "griffier", &["burgemeester", "adviseur_vpt"]),
            ("duolid", "griffier", &["burgemeester", "adviseur_vpt"]),
            (
                "wethouder",
                "burgemeester",
                &["gemeentesecretaris", "adviseur_vpt"],
            ),
            (
                "burgemeester",
                "gemeentesecretaris",
                &["griffier", "adviseur_vpt"],
            ),
            // Not listed: routed like raadslid (default, not in the seeds).
            (
                "fractiemedewerker",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
            (
                "adviesorgaan_lid",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
        ],
    );
}

#[test]
fn s4_routing_nijmegen() {
    assert_routes(
        "nijmegen",
        &[
            ("raadslid", "griffier", &["burgemeester", "adviseur_vpt"]),
            ("duolid", "griffier", &["burgemeester", "adviseur_vpt"]),
            (
                "fractiemedewerker",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
            ("wethouder", "burgemeester", &["adviseur_vpt"]),
            ("burgemeester", "gemeentesecretaris", &["adviseur_vpt"]),
            (
                "adviesorgaan_lid",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
        ],
    );
}

#[test]
fn s4_routing_leiden() {
    assert_routes(
        "leiden",
        &[
            ("raadslid", "griffier", &["burgemeester", "adviseur_vpt"]),
            ("duolid", "griffier", &["burgemeester", "adviseur_vpt"]),
            (
                "adviesorgaan_lid",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
            (
                "wethouder",
                "gemeentesecretaris",
                &["burgemeester", "adviseur_vpt"],
            ),
            (
                "burgemeester",
                "gemeentesecretaris",
                &["griffier", "adviseur_vpt"],
            ),
            (
                "fractiemedewerker",
                "griffier",
                &["burgemeester", "adviseur_vpt"],
            ),
        ],
    );
}

#[test]
fn s4_routing_utrecht() {
    assert_routes(
        "utrecht",
        &[
            (
                "commissaris_van_de_koning",
                "provinciesecretaris",
                &["minister_bzk", "statengriffier"],
            ),
            (
                "gedeputeerde",
                "provinciesecretaris",
                &["commissaris_van_de_koning"],
            ),
            (
                "burgemeester",
                "gemeentesecretaris",
                &["commissaris_van_de_koning", "griffier"],
            ),
            ("wethouder", "gemeentesecretaris", &["burgemeester"]),
            (
                "dijkgraaf",
                "secretaris_directeur",
                &["secretaris", "commissaris_van_de_koning"],
            ),
            (
                "dagelijks_bestuurslid",
                "secretaris_directeur",
                &["dijkgraaf"],
            ),
            ("raadslid", "griffier", &["burgemeester"]),
            (
                "statenlid",
                "statengriffier",
                &["commissaris_van_de_koning"],
            ),
            ("algemeen_bestuurslid", "secretaris", &["dijkgraaf"]),
            // Not in the table: routed like raadslid (default, not in the seeds).
            ("duolid", "griffier", &["burgemeester"]),
            ("fractiemedewerker", "griffier", &["burgemeester"]),
            ("adviesorgaan_lid", "griffier", &["burgemeester"]),
        ],
    );
}

#[test]
fn s4_routing_model() {
    assert_routes(
        "model",
        &[
            ("raadslid", "griffier", &["burgemeester"]),
            ("duolid", "griffier", &["burgemeester"]),
            ("fractiemedewerker", "griffier", &["burgemeester"]),
            ("wethouder", "gemeentesecretaris", &["burgemeester"]),
            ("burgemeester", "gemeentesecretaris", &["griffier"]),
            ("adviesorgaan_lid", "griffier", &["burgemeester"]),
        ],
    );
}

#[test]
fn s4_routing_does_not_depend_on_the_category() {
    for name in ALL {
        let light = plan(name, &incident("raadslid", &["klagen"]));
        let heavy = plan(name, &incident("raadslid", &["slaan"]));
        assert_eq!(light["handler"], heavy["handler"], "{name}");
        assert_eq!(set(&light, "informed"), set(&heavy, "informed"), "{name}");
    }
}

#[test]
fn s1_a_former_office_holder_is_routed_as_the_former_role() {
    for name in ALL {
        for role in ["raadslid", "wethouder", "burgemeester"] {
            let current = plan(name, &incident(role, &["schelden"]));
            let mut facts = incident(role, &["schelden"]);
            facts["victim"]["former"] = json!(true);
            let former = plan(name, &facts);
            assert_eq!(current["handler"], former["handler"], "{name}: {role}");
            assert_eq!(
                set(&current, "informed"),
                set(&former, "informed"),
                "{name}: {role}"
            );
        }
    }
}

#[test]
fn s4_an_office_of_another_body_is_an_error_naming_victim_role() {
    let municipal = set_of(&MUNICIPAL_OFFICES);
    for name in MUNICIPAL {
        for role in PROVINCIAL_OFFICES.iter().chain(&WATER_BOARD_OFFICES) {
            let error = try_error(name, &incident(role, &["beledigen"]));
            assert_eq!(error.field(), "victim.role", "{name}: {role}: {error}");
            let text = error.to_string();
            assert!(text.contains(role), "{name}: `{text}` does not name {role}");
            assert_eq!(
                allowed_values(&error),
                municipal,
                "{name}: `{text}` should list the municipal offices"
            );
        }
    }
}

#[test]
fn s4_a_staff_role_as_victim_is_an_error_naming_victim_role() {
    let every_office: BTreeSet<String> = MUNICIPAL_OFFICES
        .iter()
        .chain(&PROVINCIAL_OFFICES)
        .chain(&WATER_BOARD_OFFICES)
        .map(|s| (*s).to_owned())
        .collect();
    for name in ALL {
        let routable = if name == "utrecht" {
            every_office.clone()
        } else {
            set_of(&MUNICIPAL_OFFICES)
        };
        for role in STAFF {
            let error = try_error(name, &incident(role, &["schelden"]));
            assert_eq!(error.field(), "victim.role", "{name}: {role}: {error}");
            let text = error.to_string();
            assert!(text.contains(role), "{name}: `{text}` does not name {role}");
            assert_eq!(allowed_values(&error), routable, "{name}: `{text}`");
        }
    }
}

#[test]
fn s4_an_unknown_role_is_an_error_naming_victim_role() {
    for name in ALL {
        let error = try_error(name, &incident("keizer", &["schelden"]));
        assert_eq!(error.field(), "victim.role", "{name}: {error}");
        let text = error.to_string();
        assert!(text.contains("keizer"), "`{text}`");
        let allowed = allowed_values(&error);
        for role in [
            "raadslid",
            "wethouder",
            "burgemeester",
            "statenlid",
            "dijkgraaf",
        ] {
            assert!(allowed.contains(role), "`{text}` does not list {role}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// §5 Tasks and deadlines
// ---------------------------------------------------------------------------------------

/// The three conversations for an incident at OCCURRED.
fn conversations() -> Value {
    json!([
        { "code": "nazorg_gesprek_1", "due": "2026-03-03T20:15:00+01:00" },
        { "code": "nazorg_gesprek_2", "due": "2026-03-05T20:15:00+01:00" },
        { "code": "nazorg_gesprek_3",
          "from": "2026-03-30T20:15:00+02:00", "due": "2026-04-13T20:15:00+02:00" },
    ])
}

#[test]
fn s5_plain_verbal_aggression_gives_exactly_these_tasks_per_preset() {
    let facts = incident("raadslid", &["beledigen"]);
    let mut three = by_code(&conversations());
    three.extend(by_code(
        &json!([{ "code": "maatregel_besluit", "due": null }]),
    ));
    for name in ["westerveld", "nijmegen", "leiden"] {
        assert_eq!(tasks(&plan(name, &facts)), three, "{name}");
    }
    assert_eq!(
        tasks(&plan("utrecht", &facts)),
        by_code(&json!([
            { "code": "nazorg_aanbieden", "due": null },
            { "code": "maatregel_besluit", "due": "2026-03-05T20:15:00+01:00" },
        ])),
    );
    assert_eq!(
        tasks(&plan("model", &facts)),
        by_code(&json!([
            { "code": "nazorg_aanbieden", "due": null },
            { "code": "maatregel_besluit", "due": null },
        ])),
    );
}

#[test]
fn s5_aftercare_conversations_for_c_and_d_in_westerveld_nijmegen_leiden() {
    let expected = by_code(&conversations());
    for name in ["westerveld", "nijmegen", "leiden"] {
        for behaviours in [
            &["schelden"][..],
            &["intimidatie"],
            &["schoppen"],
            &["ordeverstoring"],
        ] {
            let plan = plan(name, &incident("raadslid", behaviours));
            let got: BTreeMap<String, Value> = tasks(&plan)
                .into_iter()
                .filter(|(code, _)| code.starts_with("nazorg"))
                .collect();
            assert_eq!(got, expected, "{name}: {behaviours:?}");
        }
        // Also when the corrected insult is not reported: aftercare follows the category.
        let corrected = with(
            incident("raadslid", &["schelden"]),
            json!({ "corrected_after_warning": true }),
        );
        let plan = plan(name, &corrected);
        assert_eq!(plan["report"], json!("not_required"), "{name}");
        assert_eq!(tasks(&plan), expected, "{name}: corrected insult");
    }
}

#[test]
fn s5_aftercare_offered_without_deadline_in_utrecht_and_model() {
    for name in ["utrecht", "model"] {
        for behaviours in [&["schelden"][..], &["stalking"], &["spugen"]] {
            let plan = plan(name, &incident("raadslid", behaviours));
            let got: BTreeMap<String, Value> = tasks(&plan)
                .into_iter()
                .filter(|(code, _)| code.starts_with("nazorg"))
                .collect();
            assert_eq!(
                got,
                by_code(&json!([{ "code": "nazorg_aanbieden", "due": null }])),
                "{name}: {behaviours:?}"
            );
        }
    }
}

#[test]
fn s5_emotional_behaviour_brings_no_tasks() {
    for name in ALL {
        for behaviours in [&["klagen"][..], &["obstructie", "smeken"]] {
            for persistent in [false, true] {
                let facts = with(
                    incident("raadslid", behaviours),
                    json!({ "persistent": persistent, "prior_incidents": 3 }),
                );
                assert_eq!(
                    plan(name, &facts)["tasks"],
                    json!([]),
                    "{name}: {behaviours:?}"
                );
            }
        }
    }
}

#[test]
fn s5_maatregel_besluit_needs_a_required_report_and_is_72_hours_in_utrecht_only() {
    for name in ALL {
        let due = if name == "utrecht" {
            json!("2026-03-05T20:15:00+01:00")
        } else {
            Value::Null
        };
        let expected = json!({ "code": "maatregel_besluit", "due": due });
        for behaviours in [&["schelden"][..], &["dreigen_met_geweld"], &["slaan"]] {
            let plan = plan(name, &incident("raadslid", behaviours));
            assert_eq!(
                task(&plan, "maatregel_besluit"),
                Some(expected.clone()),
                "{name}: {behaviours:?}"
            );
        }
        // Persistent emotional behaviour: recommended or optional, never required.
        let persistent = with(
            incident("raadslid", &["klagen"]),
            json!({ "persistent": true }),
        );
        assert_eq!(
            task(&plan(name, &persistent), "maatregel_besluit"),
            None,
            "{name}"
        );
    }
    // A corrected insult: not reported in westerveld, nijmegen, leiden; required in
    // utrecht and model.
    let corrected = with(
        incident("raadslid", &["beledigen"]),
        json!({ "corrected_after_warning": true }),
    );
    for name in ["westerveld", "nijmegen", "leiden"] {
        assert_eq!(
            task(&plan(name, &corrected), "maatregel_besluit"),
            None,
            "{name}"
        );
    }
    assert_eq!(
        task(&plan("utrecht", &corrected), "maatregel_besluit"),
        Some(json!({ "code": "maatregel_besluit", "due": "2026-03-05T20:15:00+01:00" }))
    );
    assert_eq!(
        task(&plan("model", &corrected), "maatregel_besluit"),
        Some(json!({ "code": "maatregel_besluit", "due": null }))
    );
}

#[test]
fn s5_incidentgesprek_for_d_or_c_with_a_repeat_offender() {
    for name in ALL {
        let due = if name == "utrecht" {
            json!("2026-03-05T20:15:00+01:00")
        } else {
            Value::Null
        };
        let expected = Some(json!({ "code": "incidentgesprek", "due": due }));
        let recidive = json!({ "prior_incidents": 1 });
        assert_eq!(
            task(
                &plan(name, &incident("raadslid", &["intimidatie"])),
                "incidentgesprek"
            ),
            expected,
            "{name}: D threat"
        );
        assert_eq!(
            task(
                &plan(name, &incident("raadslid", &["trekken"])),
                "incidentgesprek"
            ),
            expected,
            "{name}: D physical"
        );
        assert_eq!(
            task(
                &plan(
                    name,
                    &with(incident("raadslid", &["pesten"]), recidive.clone())
                ),
                "incidentgesprek"
            ),
            expected,
            "{name}: C with recidive"
        );
        assert_eq!(
            task(
                &plan(name, &incident("raadslid", &["pesten"])),
                "incidentgesprek"
            ),
            None,
            "{name}: C, first incident"
        );
        assert_eq!(
            task(
                &plan(name, &with(incident("raadslid", &["klagen"]), recidive)),
                "incidentgesprek"
            ),
            None,
            "{name}: A with recidive"
        );
    }
}

#[test]
fn s5_afspraak_politie_only_when_a_criminal_offence_is_suspected() {
    for name in ALL {
        for behaviours in [&["smaad"][..], &["dreigen_met_geweld"], &["slaan"]] {
            let plain = plan(name, &incident("raadslid", behaviours));
            assert_eq!(task(&plain, "afspraak_politie"), None, "{name}");
        }
    }
    for name in ["westerveld", "leiden", "nijmegen", "model"] {
        for behaviours in [
            &["smaad"][..],
            &["dreigen_met_geweld"],
            &["slaan"],
            &["klagen"],
        ] {
            let facts = with(
                incident("raadslid", behaviours),
                json!({ "criminal_offence_suspected": true }),
            );
            assert_eq!(
                task(&plan(name, &facts), "afspraak_politie"),
                Some(json!({ "code": "afspraak_politie", "due": null })),
                "{name}: {behaviours:?}"
            );
        }
    }
}

/// The afspraak_politie task of a suspected offence reported at `reported`.
fn police_appointment(name: &str, occurred: &str, reported: &str) -> Option<Value> {
    let facts = json!({
        "occurred_at": occurred,
        "reported_at": reported,
        "victim": { "role": "raadslid" },
        "behaviours": ["dreigen_met_geweld"],
        "criminal_offence_suspected": true,
    });
    task(&plan(name, &facts), "afspraak_politie")
}

fn assert_working_days(cases: &[(&str, &str)]) {
    for (reported, due_date) in cases {
        assert_eq!(
            police_appointment("utrecht", reported, reported),
            Some(json!({ "code": "afspraak_politie", "due_date": due_date })),
            "reported {reported}"
        );
    }
}

#[test]
fn s5_utrecht_working_days_skip_weekends() {
    assert_working_days(&[
        ("2026-03-02T10:00:00+01:00", "2026-03-04"), // Mon -> Wed
        ("2026-03-03T09:00:00+01:00", "2026-03-05"), // Tue -> Thu (§15)
        ("2026-03-04T10:00:00+01:00", "2026-03-06"), // Wed -> Fri
        ("2026-03-05T10:00:00+01:00", "2026-03-09"), // Thu -> Mon
        ("2026-03-06T10:00:00+01:00", "2026-03-10"), // Fri -> Tue
        ("2026-03-07T10:00:00+01:00", "2026-03-10"), // Sat -> Tue
        ("2026-03-08T10:00:00+01:00", "2026-03-10"), // Sun -> Tue
        ("2026-03-06T23:59:00+01:00", "2026-03-10"), // late Friday: the day is Friday
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_tweede_paasdag_but_not_good_friday() {
    // Easter 2026: Good Friday 3 April (a working day), Tweede Paasdag Monday 6 April.
    assert_working_days(&[
        ("2026-04-02T10:00:00+02:00", "2026-04-07"),
        ("2026-04-03T10:00:00+02:00", "2026-04-08"),
        ("2026-04-06T10:00:00+02:00", "2026-04-08"), // reported on the holiday itself
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_koningsdag() {
    assert_working_days(&[
        // 2026: Monday 27 April.
        ("2026-04-23T10:00:00+02:00", "2026-04-28"),
        ("2026-04-24T10:00:00+02:00", "2026-04-29"),
        // 2027: Tuesday 27 April; Monday 26 April is an ordinary working day.
        ("2027-04-23T10:00:00+02:00", "2027-04-28"),
    ]);
}

#[test]
fn s5_koningsdag_is_26_april_when_27_april_is_a_sunday() {
    // 2025: the 27th is a Sunday, so Koningsdag is Saturday 26 April and Monday 28 April
    // is an ordinary working day.
    assert_working_days(&[
        ("2025-04-24T10:00:00+02:00", "2025-04-28"),
        ("2025-04-25T10:00:00+02:00", "2025-04-29"),
    ]);
    assert_eq!(holiday_on(date(2025, 4, 26)), Some(Holiday::Koningsdag));
    assert_eq!(holiday_on(date(2025, 4, 27)), None);
    assert_eq!(holiday_on(date(2025, 4, 28)), None);
    assert!(is_working_day(date(2025, 4, 28)));
    assert_eq!(holiday_on(date(2031, 4, 26)), Some(Holiday::Koningsdag));
    assert_eq!(holiday_on(date(2026, 4, 27)), Some(Holiday::Koningsdag));
    assert_eq!(holiday_on(date(2026, 4, 26)), None);
}

#[test]
fn s5_utrecht_working_days_skip_bevrijdingsdag() {
    // 5 May 2026 is a Tuesday.
    assert_working_days(&[
        ("2026-05-04T10:00:00+02:00", "2026-05-07"),
        ("2026-05-01T10:00:00+02:00", "2026-05-06"),
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_hemelvaartsdag() {
    // Ascension 2026: Thursday 14 May.
    assert_working_days(&[
        ("2026-05-12T10:00:00+02:00", "2026-05-15"),
        ("2026-05-13T10:00:00+02:00", "2026-05-18"),
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_tweede_pinksterdag() {
    // Whit Monday 2026: 25 May.
    assert_working_days(&[
        ("2026-05-21T10:00:00+02:00", "2026-05-26"),
        ("2026-05-22T10:00:00+02:00", "2026-05-27"),
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_christmas() {
    assert_working_days(&[
        // 2025: Thursday 25 and Friday 26 December.
        ("2025-12-23T10:00:00+01:00", "2025-12-29"),
        ("2025-12-24T10:00:00+01:00", "2025-12-30"),
        // 2026: Friday 25 and Saturday 26 December.
        ("2026-12-23T10:00:00+01:00", "2026-12-28"),
        ("2026-12-24T10:00:00+01:00", "2026-12-29"),
    ]);
}

#[test]
fn s5_utrecht_working_days_skip_new_year() {
    assert_working_days(&[
        ("2025-12-30T10:00:00+01:00", "2026-01-02"),
        ("2025-12-31T10:00:00+01:00", "2026-01-05"),
        ("2026-12-31T10:00:00+01:00", "2027-01-05"),
    ]);
}

#[test]
fn s5_utrecht_working_days_count_from_the_day_reported_not_occurred() {
    assert_eq!(
        police_appointment("utrecht", OCCURRED, "2026-03-05T09:00:00+01:00"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-03-09" }))
    );
}

#[test]
fn s5_utrecht_working_days_use_the_amsterdam_day_of_the_report() {
    // 22:59 UTC on Thursday is 23:59 Thursday in Amsterdam; 23:00 UTC is Friday 00:00.
    assert_eq!(
        police_appointment("utrecht", "2026-03-05T20:00:00Z", "2026-03-05T22:59:00Z"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-03-09" }))
    );
    assert_eq!(
        police_appointment("utrecht", "2026-03-05T20:00:00Z", "2026-03-05T23:00:00Z"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-03-10" }))
    );
    // In summer time the day changes at 22:00 UTC.
    assert_eq!(
        police_appointment("utrecht", "2026-07-02T20:00:00Z", "2026-07-02T22:30:00Z"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-07-07" }))
    );
}

#[test]
fn s5_afspraak_politie_has_no_deadline_outside_utrecht() {
    for name in MUNICIPAL {
        assert_eq!(
            police_appointment(name, OCCURRED, "2026-03-03T09:00:00+01:00"),
            Some(json!({ "code": "afspraak_politie", "due": null })),
            "{name}"
        );
    }
}

#[test]
fn s5_melding_inspectie_exactly_24_hours_after_any_injury() {
    let injuries = [
        "lichamelijk_letsel",
        "geestelijk_letsel",
        "ziekenhuisopname",
        "blijvende_schade",
        "overlijden",
    ];
    let moments = [
        (OCCURRED, "2026-03-03T20:15:00+01:00"),
        // Across the spring change (29 March 2026): the clock moves on an hour.
        ("2026-03-28T12:00:00+01:00", "2026-03-29T13:00:00+02:00"),
        // Across the autumn change (25 October 2026): the clock moves back an hour.
        ("2026-10-24T12:00:00+02:00", "2026-10-25T11:00:00+01:00"),
    ];
    for name in ALL {
        for injury in injuries {
            for (occurred, due) in moments {
                let facts = json!({
                    "occurred_at": occurred,
                    "victim": { "role": "raadslid" },
                    "behaviours": ["slaan"],
                    "injury": injury,
                });
                assert_eq!(
                    task(&plan(name, &facts), "melding_inspectie"),
                    Some(json!({ "code": "melding_inspectie", "due": due })),
                    "{name}: {injury} at {occurred}"
                );
            }
        }
        assert_eq!(
            task(
                &plan(
                    name,
                    &with(
                        incident("raadslid", &["slaan"]),
                        json!({ "injury": "geen" })
                    )
                ),
                "melding_inspectie"
            ),
            None,
            "{name}: no injury"
        );
    }
}

#[test]
fn s5_informeren_cdk_when_the_victim_is_the_burgemeester() {
    for name in ALL {
        for behaviours in [&["klagen"][..], &["schelden"], &["slaan"]] {
            let plan = plan(name, &incident("burgemeester", behaviours));
            assert_eq!(
                task(&plan, "informeren_cdk"),
                Some(json!({ "code": "informeren_cdk", "due": null })),
                "{name}: {behaviours:?}"
            );
        }
        for role in ["wethouder", "raadslid"] {
            let plan = plan(name, &incident(role, &["slaan"]));
            assert_eq!(task(&plan, "informeren_cdk"), None, "{name}: {role}");
        }
    }
    let cdk = plan(
        "utrecht",
        &incident("commissaris_van_de_koning", &["slaan"]),
    );
    assert_eq!(task(&cdk, "informeren_cdk"), None);
}

#[test]
fn s5_vastleggen_bewijs_for_email_social_media_and_messaging() {
    for name in ALL {
        for channel in ["email", "sociale_media", "berichtenapp"] {
            let facts = with(
                incident("raadslid", &["schelden"]),
                json!({ "channel": channel }),
            );
            assert_eq!(
                task(&plan(name, &facts), "vastleggen_bewijs"),
                Some(json!({ "code": "vastleggen_bewijs", "due": null })),
                "{name}: {channel}"
            );
        }
        for channel in ["in_persoon", "telefoon", "brief", "overig"] {
            let facts = with(
                incident("raadslid", &["schelden"]),
                json!({ "channel": channel }),
            );
            assert_eq!(
                task(&plan(name, &facts), "vastleggen_bewijs"),
                None,
                "{name}: {channel}"
            );
        }
    }
}

#[test]
fn s5_melden_platform_only_in_westerveld_and_nijmegen_for_social_media() {
    for name in ALL {
        for channel in [
            "in_persoon",
            "telefoon",
            "brief",
            "email",
            "sociale_media",
            "berichtenapp",
            "overig",
        ] {
            let facts = with(
                incident("raadslid", &["laster"]),
                json!({ "channel": channel }),
            );
            let expected = (channel == "sociale_media"
                && (name == "westerveld" || name == "nijmegen"))
                .then(|| json!({ "code": "melden_platform", "due": null }));
            assert_eq!(
                task(&plan(name, &facts), "melden_platform"),
                expected,
                "{name}: {channel}"
            );
        }
    }
}

#[test]
fn s5_schadeverhaal_needs_damage_and_a_known_perpetrator() {
    for name in ALL {
        for (damage, known) in [(false, false), (true, false), (false, true), (true, true)] {
            let facts = with(
                incident("raadslid", &["vernieling"]),
                json!({ "damage": damage, "perpetrator_known": known }),
            );
            let expected =
                (damage && known).then(|| json!({ "code": "schadeverhaal", "due": null }));
            assert_eq!(
                task(&plan(name, &facts), "schadeverhaal"),
                expected,
                "{name}: damage {damage}, known {known}"
            );
        }
    }
}

#[test]
fn s5_tasks_that_arise_later_never_come_from_the_report() {
    let facts = json!({
        "occurred_at": OCCURRED,
        "victim": { "role": "burgemeester" },
        "behaviours": ["slaan", "dreigen_met_geweld"],
        "channel": "sociale_media",
        "injury": "ziekenhuisopname",
        "criminal_offence_suspected": true,
        "perpetrator_known": true,
        "prior_incidents": 2,
        "damage": true,
    });
    for name in ALL {
        let codes = task_codes(&plan(name, &facts));
        for later in ["herstelgesprek", "terugkoppeling", "controle_aangifte"] {
            assert!(!codes.contains(later), "{name}: {later} in {codes:?}");
        }
    }
}

/// The conversation deadlines of an aggression incident at `occurred` (westerveld).
fn conversation_deadlines(name: &str, occurred: &str) -> BTreeMap<String, Value> {
    let facts = json!({
        "occurred_at": occurred,
        "victim": { "role": "raadslid" },
        "behaviours": ["beledigen"],
    });
    tasks(&plan(name, &facts))
        .into_iter()
        .filter(|(code, _)| code.starts_with("nazorg_gesprek"))
        .collect()
}

fn assert_conversations(occurred: &str, first: &str, second: &str, from: &str, due: &str) {
    let expected = by_code(&json!([
        { "code": "nazorg_gesprek_1", "due": first },
        { "code": "nazorg_gesprek_2", "due": second },
        { "code": "nazorg_gesprek_3", "from": from, "due": due },
    ]));
    for name in ["westerveld", "nijmegen", "leiden"] {
        assert_eq!(
            conversation_deadlines(name, occurred),
            expected,
            "{name}: occurred {occurred}"
        );
    }
}

#[test]
fn s5_across_the_spring_change_hours_are_exact_and_days_keep_clock_time() {
    // Saturday evening before the change of 29 March 2026, 02:00 -> 03:00.
    assert_conversations(
        "2026-03-28T20:15:00+01:00",
        "2026-03-29T21:15:00+02:00",
        "2026-03-31T20:15:00+02:00",
        "2026-04-25T20:15:00+02:00",
        "2026-05-09T20:15:00+02:00",
    );
    // Just before the gap: 24 hours later is 02:30 summer time; three days keep 01:30.
    assert_conversations(
        "2026-03-29T01:30:00+01:00",
        "2026-03-30T02:30:00+02:00",
        "2026-04-01T01:30:00+02:00",
        "2026-04-26T01:30:00+02:00",
        "2026-05-10T01:30:00+02:00",
    );
    // The window opens on the very day of the change, after it.
    assert_conversations(
        "2026-03-01T10:00:00+01:00",
        "2026-03-02T10:00:00+01:00",
        "2026-03-04T10:00:00+01:00",
        "2026-03-29T10:00:00+02:00",
        "2026-04-12T10:00:00+02:00",
    );
}

#[test]
fn s5_across_the_autumn_change_hours_are_exact_and_days_keep_clock_time() {
    // Saturday evening before the change of 25 October 2026, 03:00 -> 02:00.
    assert_conversations(
        "2026-10-24T20:15:00+02:00",
        "2026-10-25T19:15:00+01:00",
        "2026-10-27T20:15:00+01:00",
        "2026-11-21T20:15:00+01:00",
        "2026-12-05T20:15:00+01:00",
    );
    // A window that opens in summer time and closes in winter time.
    assert_conversations(
        "2026-09-27T10:00:00+02:00",
        "2026-09-28T10:00:00+02:00",
        "2026-09-30T10:00:00+02:00",
        "2026-10-25T10:00:00+01:00",
        "2026-11-08T10:00:00+01:00",
    );
    // 02:30 happens twice on 25 October: first in summer time, then in winter time.
    assert_conversations(
        "2026-10-25T02:30:00+02:00",
        "2026-10-26T01:30:00+01:00",
        "2026-10-28T02:30:00+01:00",
        "2026-11-22T02:30:00+01:00",
        "2026-12-06T02:30:00+01:00",
    );
    assert_conversations(
        "2026-10-25T02:30:00+01:00",
        "2026-10-26T02:30:00+01:00",
        "2026-10-28T02:30:00+01:00",
        "2026-11-22T02:30:00+01:00",
        "2026-12-06T02:30:00+01:00",
    );
}

#[test]
fn s5_utrecht_72_hours_are_exact_across_the_changes() {
    for (occurred, due) in [
        ("2026-03-27T20:15:00+01:00", "2026-03-30T21:15:00+02:00"),
        ("2026-10-23T20:15:00+02:00", "2026-10-26T19:15:00+01:00"),
    ] {
        let facts = json!({
            "occurred_at": occurred,
            "victim": { "role": "wethouder" },
            "behaviours": ["dreigen_met_geweld"],
        });
        let plan = plan("utrecht", &facts);
        for code in ["maatregel_besluit", "incidentgesprek"] {
            assert_eq!(
                task(&plan, code),
                Some(json!({ "code": code, "due": due })),
                "{code} after {occurred}"
            );
        }
    }
}

#[test]
fn s5_input_in_utc_or_another_offset_gives_amsterdam_offsets() {
    // 19:15Z is 20:15 in Amsterdam (winter), the §15 example moment.
    for occurred in [
        "2026-03-02T19:15:00Z",
        "2026-03-02T14:15:00-05:00",
        "2026-03-03T04:15:00+09:00",
    ] {
        assert_conversations(
            occurred,
            "2026-03-03T20:15:00+01:00",
            "2026-03-05T20:15:00+01:00",
            "2026-03-30T20:15:00+02:00",
            "2026-04-13T20:15:00+02:00",
        );
    }
    // In summer, 10:00Z is 12:00 in Amsterdam.
    assert_conversations(
        "2026-07-01T10:00:00Z",
        "2026-07-02T12:00:00+02:00",
        "2026-07-04T12:00:00+02:00",
        "2026-07-29T12:00:00+02:00",
        "2026-08-12T12:00:00+02:00",
    );
    // Days count on the Amsterdam clock, not the UTC one: 23:30Z on 27 March is
    // 00:30 on Saturday 28 March in Amsterdam; three days later is 00:30 summer time.
    assert_conversations(
        "2026-03-27T23:30:00Z",
        "2026-03-29T00:30:00+01:00",
        "2026-03-31T00:30:00+02:00",
        "2026-04-25T00:30:00+02:00",
        "2026-05-09T00:30:00+02:00",
    );
}

// ---------------------------------------------------------------------------------------
// §6 Escalations
// ---------------------------------------------------------------------------------------

fn escalations(name: &str, facts: &Value) -> Vec<String> {
    set(&plan(name, facts), "escalations")
}

#[test]
fn s6_inspectie_szw_for_every_injury_but_geen() {
    for name in ALL {
        for injury in [
            "lichamelijk_letsel",
            "geestelijk_letsel",
            "ziekenhuisopname",
            "blijvende_schade",
            "overlijden",
        ] {
            for behaviours in [&["klagen"][..], &["schelden"], &["slaan"]] {
                let facts = with(
                    incident("raadslid", behaviours),
                    json!({ "injury": injury }),
                );
                assert_eq!(
                    escalations(name, &facts),
                    sorted(&["inspectie_szw"]),
                    "{name}: {injury} {behaviours:?}"
                );
            }
        }
        let facts = with(
            incident("raadslid", &["slaan"]),
            json!({ "injury": "geen" }),
        );
        assert_eq!(escalations(name, &facts), sorted(&[]), "{name}: geen");
    }
}

#[test]
fn s6_burgemeester_as_victim_informs_the_cdk_and_on_a_threat_the_nctv() {
    for name in ALL {
        for behaviours in [&["klagen"][..], &["kritiek_op_beleid"], &["schelden"]] {
            assert_eq!(
                escalations(name, &incident("burgemeester", behaviours)),
                sorted(&["commissaris_van_de_koning"]),
                "{name}: {behaviours:?}"
            );
        }
        for behaviours in [&["dreigen_met_geweld"][..], &["stalking"], &["slaan"]] {
            assert_eq!(
                escalations(name, &incident("burgemeester", behaviours)),
                sorted(&["commissaris_van_de_koning", "nctv"]),
                "{name}: {behaviours:?}"
            );
        }
        // nctv is about the burgemeester only.
        assert_eq!(
            escalations(name, &incident("wethouder", &["dreigen_met_geweld"])),
            sorted(&[]),
            "{name}: wethouder"
        );
    }
}

#[test]
fn s6_openbaar_ministerie_for_d_with_a_suspected_offence() {
    for name in ALL {
        let suspected = json!({ "criminal_offence_suspected": true });
        for behaviours in [&["dreigen_met_geweld"][..], &["doxing"], &["schoppen"]] {
            assert_eq!(
                escalations(
                    name,
                    &with(incident("raadslid", behaviours), suspected.clone())
                ),
                sorted(&["openbaar_ministerie"]),
                "{name}: {behaviours:?}"
            );
            assert_eq!(
                escalations(name, &incident("raadslid", behaviours)),
                sorted(&[]),
                "{name}: {behaviours:?} without suspicion"
            );
        }
        // C with a suspected offence (smaad) is not escalated to the OM.
        assert_eq!(
            escalations(name, &with(incident("raadslid", &["smaad"]), suspected)),
            sorted(&[]),
            "{name}: smaad"
        );
    }
}

#[test]
fn s6_minister_bzk_when_the_commissaris_van_de_koning_is_the_victim() {
    assert_eq!(
        escalations(
            "utrecht",
            &incident("commissaris_van_de_koning", &["schelden"])
        ),
        sorted(&["minister_bzk"])
    );
    let facts = with(
        incident("commissaris_van_de_koning", &["dreigen_met_geweld"]),
        json!({ "criminal_offence_suspected": true }),
    );
    assert_eq!(
        escalations("utrecht", &facts),
        sorted(&["minister_bzk", "openbaar_ministerie"])
    );
    for role in ["gedeputeerde", "statenlid", "dijkgraaf"] {
        assert_eq!(
            escalations("utrecht", &incident(role, &["schelden"])),
            sorted(&[]),
            "{role}"
        );
    }
}

#[test]
fn s6_all_escalations_together() {
    let facts = json!({
        "occurred_at": OCCURRED,
        "victim": { "role": "burgemeester" },
        "behaviours": ["slaan"],
        "injury": "lichamelijk_letsel",
        "criminal_offence_suspected": true,
    });
    for name in ALL {
        assert_eq!(
            escalations(name, &facts),
            sorted(&[
                "inspectie_szw",
                "commissaris_van_de_koning",
                "nctv",
                "openbaar_ministerie",
            ]),
            "{name}"
        );
    }
    let cdk = with(
        facts,
        json!({ "victim": { "role": "commissaris_van_de_koning" } }),
    );
    assert_eq!(
        escalations("utrecht", &cdk),
        sorted(&["inspectie_szw", "openbaar_ministerie", "minister_bzk"])
    );
}

// ---------------------------------------------------------------------------------------
// §7 Measures
// ---------------------------------------------------------------------------------------

fn measures(name: &str, facts: &Value) -> Vec<String> {
    set(&plan(name, facts), "measures")
}

#[test]
fn s7_no_measures_unless_the_report_is_required() {
    let damage = json!({ "damage": true, "perpetrator_known": true, "prior_incidents": 4 });
    for name in ALL {
        for persistent in [false, true] {
            let facts = with(
                with(
                    incident("raadslid", &["klagen", "obstructie"]),
                    damage.clone(),
                ),
                json!({ "persistent": persistent }),
            );
            assert_eq!(measures(name, &facts), sorted(&[]), "{name}: emotional");
        }
    }
    let corrected = with(
        with(incident("raadslid", &["beledigen"]), damage),
        json!({ "corrected_after_warning": true }),
    );
    for name in ["westerveld", "nijmegen", "leiden"] {
        assert_eq!(
            measures(name, &corrected),
            sorted(&[]),
            "{name}: corrected insult"
        );
    }
    for name in ["utrecht", "model"] {
        assert_eq!(
            measures(name, &corrected),
            sorted(&[
                "schriftelijke_waarschuwing",
                "incidentgesprek",
                "schadeverhaal"
            ]),
            "{name}: corrected insult is still required"
        );
    }
}

#[test]
fn s7_c_gives_a_written_warning_and_with_recidive_an_incidentgesprek() {
    for name in ALL {
        let first = plan(name, &incident("raadslid", &["schelden"]));
        assert_eq!(
            set(&first, "measures"),
            sorted(&["schriftelijke_waarschuwing"]),
            "{name}"
        );
        assert_eq!(first["recidive"], json!(false), "{name}");
        let again = plan(
            name,
            &with(
                incident("raadslid", &["schelden"]),
                json!({ "prior_incidents": 2 }),
            ),
        );
        assert_eq!(
            set(&again, "measures"),
            sorted(&["schriftelijke_waarschuwing", "incidentgesprek"]),
            "{name}"
        );
        assert_eq!(again["recidive"], json!(true), "{name}");
    }
}

#[test]
fn s7_d_threat_gives_aangifte_or_melding_politie() {
    for name in ALL {
        for behaviours in [&["dreigen_met_geweld"][..], &["seksuele_intimidatie"]] {
            assert_eq!(
                measures(name, &incident("raadslid", behaviours)),
                sorted(&[
                    "schriftelijke_waarschuwing",
                    "incidentgesprek",
                    "melding_politie"
                ]),
                "{name}: {behaviours:?}"
            );
            let suspected = with(
                incident("raadslid", behaviours),
                json!({ "criminal_offence_suspected": true }),
            );
            assert_eq!(
                measures(name, &suspected),
                sorted(&["schriftelijke_waarschuwing", "incidentgesprek", "aangifte"]),
                "{name}: {behaviours:?} suspected"
            );
        }
    }
}

#[test]
fn s7_d_physical_gives_aangifte_warning_incidentgesprek_and_toegangsverbod() {
    let expected = sorted(&[
        "aangifte",
        "schriftelijke_waarschuwing",
        "incidentgesprek",
        "toegangsverbod",
    ]);
    for name in ALL {
        for suspected in [false, true] {
            let facts = with(
                incident("raadslid", &["spugen"]),
                json!({ "criminal_offence_suspected": suspected }),
            );
            assert_eq!(
                measures(name, &facts),
                expected,
                "{name}: suspected {suspected}"
            );
        }
    }
}

#[test]
fn s7_damage_with_a_known_perpetrator_adds_schadeverhaal() {
    for name in ALL {
        for (behaviours, base) in [
            (&["schelden"][..], &["schriftelijke_waarschuwing"][..]),
            (
                &["intimidatie"],
                &[
                    "schriftelijke_waarschuwing",
                    "incidentgesprek",
                    "melding_politie",
                ],
            ),
            (
                &["vernieling"],
                &[
                    "aangifte",
                    "schriftelijke_waarschuwing",
                    "incidentgesprek",
                    "toegangsverbod",
                ],
            ),
        ] {
            for (damage, known) in [(false, false), (true, false), (false, true), (true, true)] {
                let facts = with(
                    incident("raadslid", behaviours),
                    json!({ "damage": damage, "perpetrator_known": known }),
                );
                let mut expected = strings(base);
                if damage && known {
                    expected.push("schadeverhaal".to_owned());
                }
                expected.sort();
                assert_eq!(
                    measures(name, &facts),
                    expected,
                    "{name}: {behaviours:?}, damage {damage}, known {known}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// §15 The evaluation contract
// ---------------------------------------------------------------------------------------

/// The input of PROTOCOL.md §15, word for word.
fn example_facts() -> Value {
    serde_json::from_str(include_str!("../../../examples/facts.json")).unwrap()
}

/// The output of PROTOCOL.md §15 (`examples/plan-westerveld.json`, checked word for word
/// against the spec).
fn example_output() -> Value {
    serde_json::from_str(include_str!("../../../examples/plan-westerveld.json")).unwrap()
}

#[test]
fn s15_the_example_gives_exactly_the_example_output() {
    let got = plan("westerveld", &example_facts());
    assert_eq!(normalised(&got), normalised(&example_output()), "{got:#}");
}

#[test]
fn s15_the_example_input_in_utc_or_another_offset_gives_the_same_output() {
    for (occurred, reported) in [
        ("2026-03-02T19:15:00Z", "2026-03-03T08:00:00Z"),
        ("2026-03-02T14:15:00-05:00", "2026-03-03T03:00:00-05:00"),
        ("2026-03-02T20:15:00+01:00", "2026-03-03T10:00:00+02:00"),
    ] {
        let facts = with(
            example_facts(),
            json!({ "occurred_at": occurred, "reported_at": reported }),
        );
        assert_eq!(
            normalised(&plan("westerveld", &facts)),
            normalised(&example_output()),
            "{occurred} / {reported}"
        );
    }
}

#[test]
fn s15_the_utrecht_variant_gives_afspraak_politie_on_2026_03_05() {
    let got = plan("utrecht", &example_facts());
    assert_eq!(
        task(&got, "afspraak_politie"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-03-05" }))
    );
}

#[test]
fn s15_the_example_under_the_other_presets() {
    let mut nijmegen = example_output();
    nijmegen["preset"] = json!("nijmegen");

    let mut leiden = example_output();
    leiden["preset"] = json!("leiden");
    leiden["aangifte_by"] = json!("ambtsdrager");
    leiden["tasks"] = json!([
        { "code": "nazorg_gesprek_1", "due": "2026-03-03T20:15:00+01:00" },
        { "code": "nazorg_gesprek_2", "due": "2026-03-05T20:15:00+01:00" },
        { "code": "nazorg_gesprek_3", "from": "2026-03-30T20:15:00+02:00", "due": "2026-04-13T20:15:00+02:00" },
        { "code": "maatregel_besluit", "due": null },
        { "code": "incidentgesprek", "due": null },
        { "code": "afspraak_politie", "due": null },
        { "code": "vastleggen_bewijs", "due": null }
    ]);

    let mut utrecht = example_output();
    utrecht["preset"] = json!("utrecht");
    utrecht["informed"] = json!(["burgemeester"]);
    utrecht["tasks"] = json!([
        { "code": "nazorg_aanbieden", "due": null },
        { "code": "maatregel_besluit", "due": "2026-03-05T20:15:00+01:00" },
        { "code": "incidentgesprek", "due": "2026-03-05T20:15:00+01:00" },
        { "code": "afspraak_politie", "due_date": "2026-03-05" },
        { "code": "vastleggen_bewijs", "due": null }
    ]);

    let mut model = example_output();
    model["preset"] = json!("model");
    model["informed"] = json!(["burgemeester"]);
    model["tasks"] = json!([
        { "code": "nazorg_aanbieden", "due": null },
        { "code": "maatregel_besluit", "due": null },
        { "code": "incidentgesprek", "due": null },
        { "code": "afspraak_politie", "due": null },
        { "code": "vastleggen_bewijs", "due": null }
    ]);

    for (name, expected) in [
        ("nijmegen", nijmegen),
        ("leiden", leiden),
        ("utrecht", utrecht),
        ("model", model),
    ] {
        let got = plan(name, &example_facts());
        assert_eq!(normalised(&got), normalised(&expected), "{name}: {got:#}");
    }
}

#[test]
fn s15_the_plan_has_exactly_the_contract_fields() {
    let fields: BTreeSet<String> = [
        "preset",
        "category",
        "abcd",
        "report",
        "handler",
        "informed",
        "aangifte_by",
        "recidive",
        "tasks",
        "escalations",
        "measures",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for name in ALL {
        let got = plan(name, &incident("raadslid", &["klagen"]));
        let keys: BTreeSet<String> = got
            .as_object()
            .expect("a plan is an object")
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, fields, "{name}");
        assert_eq!(got["preset"], json!(name));
    }
}

#[test]
fn s15_aangifte_by_per_preset() {
    for (name, by) in [
        ("westerveld", "organisatie"),
        ("utrecht", "organisatie"),
        ("leiden", "ambtsdrager"),
        ("nijmegen", "organisatie"),
        ("model", "organisatie"),
    ] {
        assert_eq!(
            plan(name, &incident("raadslid", &["slaan"]))["aangifte_by"],
            json!(by),
            "{name}"
        );
    }
}

#[test]
fn s15_left_out_fields_take_the_defaults() {
    for name in ALL {
        for behaviours in [&["klagen"][..], &["beledigen"], &["dreigen_met_geweld"]] {
            let minimal = incident("wethouder", behaviours);
            let explicit = with(
                minimal.clone(),
                json!({
                    "reported_at": OCCURRED,
                    "victim": { "role": "wethouder", "former": false },
                    "channel": "overig",
                    "persistent": false,
                    "corrected_after_warning": false,
                    "injury": "geen",
                    "criminal_offence_suspected": false,
                    "perpetrator_known": false,
                    "prior_incidents": 0,
                    "damage": false,
                }),
            );
            let got = plan(name, &minimal);
            assert_eq!(got, plan(name, &explicit), "{name}: {behaviours:?}");
            assert_eq!(got["recidive"], json!(false), "{name}");
            // channel overig: no evidence or platform task; injury geen: no inspectie;
            // nothing suspected: no police appointment.
            let codes = task_codes(&got);
            for absent in [
                "vastleggen_bewijs",
                "melden_platform",
                "melding_inspectie",
                "afspraak_politie",
                "schadeverhaal",
            ] {
                assert!(!codes.contains(absent), "{name}: {absent} in {codes:?}");
            }
            assert!(
                !set(&got, "escalations").contains(&"inspectie_szw".to_owned()),
                "{name}"
            );
        }
    }
    // reported_at defaults to occurred_at: Monday 2 March + 2 working days.
    let facts = with(
        incident("raadslid", &["dreigen_met_geweld"]),
        json!({ "criminal_offence_suspected": true }),
    );
    assert_eq!(
        task(&plan("utrecht", &facts), "afspraak_politie"),
        Some(json!({ "code": "afspraak_politie", "due_date": "2026-03-04" }))
    );
}

#[test]
fn s15_a_time_without_offset_is_an_error_naming_the_field() {
    let occurred = with(
        example_facts(),
        json!({ "occurred_at": "2026-03-02T20:15:00" }),
    );
    let reported = with(
        example_facts(),
        json!({ "reported_at": "2026-03-03T09:00:00" }),
    );
    for name in ALL {
        for (facts, field) in [(&occurred, "occurred_at"), (&reported, "reported_at")] {
            let error = try_error(name, facts);
            assert_eq!(error.field(), field, "{name}: {error}");
            let text = error.to_string();
            assert!(text.starts_with(field), "{name}: `{text}`");
            assert!(text.contains("offset"), "{name}: `{text}`");
        }
    }
}

#[test]
fn s15_reported_before_occurred_is_an_error_naming_reported_at() {
    for name in ALL {
        for reported in [
            "2026-03-02T20:14:59+01:00",
            "2026-03-01T09:00:00+01:00",
            // 19:00Z is 20:00 in Amsterdam, a quarter hour before the incident.
            "2026-03-02T19:00:00Z",
        ] {
            let facts = with(example_facts(), json!({ "reported_at": reported }));
            let error = try_error(name, &facts);
            assert_eq!(error.field(), "reported_at", "{name}: {error}");
            assert!(
                error.to_string().starts_with("reported_at"),
                "{name}: {error}"
            );
        }
        // The same moment, or a later one written in another offset, is fine.
        for reported in [
            "2026-03-02T20:15:00+01:00",
            "2026-03-02T19:15:00Z",
            "2026-03-02T19:30:00Z",
        ] {
            let facts = with(example_facts(), json!({ "reported_at": reported }));
            assert!(try_plan(name, &facts).is_ok(), "{name}: {reported}");
        }
    }
}

#[test]
fn s15_no_behaviours_is_an_error_naming_behaviours_and_the_allowed_codes() {
    for name in ALL {
        let error = try_error(name, &incident("raadslid", &[]));
        assert_eq!(error.field(), "behaviours", "{name}: {error}");
        let allowed = allowed_values(&error);
        for code in ["klagen", "schelden", "ordeverstoring", "doxing", "slaan"] {
            assert!(allowed.contains(code), "{name}: {error}");
        }
    }
}

#[test]
fn s15_unknown_codes_are_errors_naming_the_field_and_allowed_values() {
    let cases = [
        (
            with(incident("raadslid", &["schelden", "sarren"]), json!({})),
            "behaviours[1]",
            "sarren",
            &["schelden", "klagen", "slaan"][..],
        ),
        (
            with(incident("raadslid", &["sarren"]), json!({})),
            "behaviours[0]",
            "sarren",
            &["schelden"],
        ),
        (
            with(
                incident("raadslid", &["schelden"]),
                json!({ "channel": "fax" }),
            ),
            "channel",
            "fax",
            &[
                "in_persoon",
                "telefoon",
                "brief",
                "email",
                "sociale_media",
                "berichtenapp",
                "overig",
            ],
        ),
        (
            with(
                incident("raadslid", &["schelden"]),
                json!({ "injury": "gebroken_been" }),
            ),
            "injury",
            "gebroken_been",
            &[
                "geen",
                "lichamelijk_letsel",
                "geestelijk_letsel",
                "ziekenhuisopname",
                "blijvende_schade",
                "overlijden",
            ],
        ),
        (
            incident("keizer", &["schelden"]),
            "victim.role",
            "keizer",
            &["raadslid", "burgemeester"],
        ),
    ];
    for name in ALL {
        for (facts, field, given, allowed) in &cases {
            let error = try_error(name, facts);
            assert_eq!(error.field(), *field, "{name}: {error}");
            let text = error.to_string();
            assert!(text.starts_with(field), "{name}: `{text}`");
            assert!(text.contains(given), "{name}: `{text}`");
            let listed = allowed_values(&error);
            for code in *allowed {
                assert!(listed.contains(*code), "{name}: `{text}` lacks {code}");
            }
        }
    }
    // The closed sets are listed completely.
    let channel = try_error("westerveld", &cases[2].0);
    assert_eq!(allowed_values(&channel), set_of(cases[2].3));
    let injury = try_error("westerveld", &cases[3].0);
    assert_eq!(allowed_values(&injury), set_of(cases[3].3));
}

#[test]
fn s15_left_out_required_fields_are_errors_that_name_them() {
    for field in ["occurred_at", "victim", "behaviours"] {
        let mut facts = incident("raadslid", &["schelden"]);
        facts.as_object_mut().unwrap().remove(field);
        let error = try_error("westerveld", &facts);
        assert!(
            error.to_string().contains(field),
            "missing {field}: `{error}`"
        );
    }
}
