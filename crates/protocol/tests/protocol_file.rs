//! The loader names the line, key and reason of every mistake in a protocol file, and
//! refuses an inconsistent one.

use weerbaar_protocol::{
    Deadline, Facts, Length, Mistake, Protocol, Role, Task, evaluate, preset_text,
};

/// The Westerveld preset with one line replaced.
fn westerveld_with(from: &str, to: &str) -> String {
    let text = preset_text("westerveld").unwrap();
    assert!(text.contains(from), "the preset no longer holds {from:?}");
    text.replacen(from, to, 1)
}

fn mistakes(text: &str) -> Vec<Mistake> {
    Protocol::from_toml(text)
        .expect_err("the file should be refused")
        .mistakes
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|line| line.contains(needle)).unwrap() + 1
}

#[test]
fn an_unknown_code_names_line_key_and_allowed_values() {
    let text = westerveld_with("handler = \"griffier\"", "handler = \"griffie\"");
    let found = mistakes(&text);
    assert_eq!(found.len(), 1);
    let mistake = &found[0];
    assert_eq!(mistake.line, Some(line_of(&text, "handler = \"griffie\"")));
    assert_eq!(mistake.key, "routing.victims.raadslid.handler");
    assert!(
        mistake.reason.contains("unknown role `griffie`"),
        "{}",
        mistake.reason
    );
    assert!(
        mistake.reason.contains("plaatsvervangend_griffier"),
        "{}",
        mistake.reason
    );
}

#[test]
fn an_unknown_key_is_refused_not_ignored() {
    let text = westerveld_with(
        "informed = [\"burgemeester\"]",
        "informd = [\"burgemeester\"]",
    );
    let mistake = &mistakes(&text)[0];
    assert_eq!(mistake.line, Some(line_of(&text, "informd")));
    assert!(mistake.reason.contains("informd"), "{}", mistake.reason);
}

#[test]
fn broken_toml_names_the_line() {
    let text = westerveld_with("[report]", "[report");
    let mistake = &mistakes(&text)[0];
    assert_eq!(mistake.line, Some(line_of(&text, "[report")));
}

#[test]
fn a_role_routed_to_nobody_is_refused() {
    let text = westerveld_with(
        "[routing.victims.wethouder]         # \"Wethouders melden incidenten bij de burgemeester.\nhandler = \"burgemeester\"",
        "[routing.victims.wethouder]\n# handler removed",
    );
    let found = mistakes(&text);
    assert!(
        found
            .iter()
            .any(|m| m.key == "routing.victims.wethouder" && m.reason.contains("routed to nobody")),
        "{found:?}"
    );
}

#[test]
fn a_role_left_out_without_a_nearest_role_is_refused() {
    let text = westerveld_with(
        "[routing.victims.wethouder]         # \"Wethouders melden incidenten bij de burgemeester.\nhandler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"\ninformed = [\"gemeentesecretaris\"]",
        "",
    );
    let found = mistakes(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "routing.victims.wethouder");
    assert!(
        found[0].reason.contains("routed to nobody"),
        "{}",
        found[0].reason
    );
}

#[test]
fn an_office_of_another_body_is_refused() {
    let text = westerveld_with("[routing.victims.duolid]", "[routing.victims.statenlid]");
    let found = mistakes(&text);
    let mistake = found
        .iter()
        .find(|m| m.key == "routing.victims.statenlid")
        .unwrap();
    assert!(mistake.reason.contains("provincie"), "{}", mistake.reason);
    let header = line_of(&text, "[routing.victims.statenlid]");
    assert!(
        matches!(mistake.line, Some(line) if line == header || line == header + 1),
        "{mistake}"
    );
}

#[test]
fn a_window_that_closes_before_it_opens_is_refused() {
    let text = westerveld_with(
        "nazorg_gesprek_3 = { from = { weeks = 4 }, due = { weeks = 6 } }",
        "nazorg_gesprek_3 = { from = { weeks = 6 }, due = { weeks = 5 } }",
    );
    let found = mistakes(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "tasks.nazorg_gesprek_3");
    assert_eq!(found[0].line, Some(line_of(&text, "nazorg_gesprek_3 =")));
    assert!(found[0].reason.contains("closes"), "{}", found[0].reason);
}

#[test]
fn a_window_in_mixed_units_is_refused() {
    // 23 exact hours and one calendar day are equal across the spring clock change.
    let text = westerveld_with(
        "nazorg_gesprek_3 = { from = { weeks = 4 }, due = { weeks = 6 } }",
        "nazorg_gesprek_3 = { from = { hours = 23 }, due = { days = 1 } }",
    );
    let found = mistakes(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].reason.contains("same unit"), "{}", found[0].reason);
}

#[test]
fn a_task_that_arises_later_has_no_deadline_in_the_file() {
    let text = westerveld_with("herstelgesprek = {}", "herstelgesprek = { hours = 24 }");
    let found = mistakes(&text);
    assert_eq!(found[0].key, "tasks.herstelgesprek", "{found:?}");
}

#[test]
fn a_municipal_protocol_keeps_the_rules_every_seed_shares() {
    let text = westerveld_with("informeren_cdk = {}", "");
    assert_eq!(mistakes(&text)[0].key, "tasks.informeren_cdk");
    let text = westerveld_with(
        "always_required = [\"ordeverstoring\"]",
        "always_required = []",
    );
    assert_eq!(mistakes(&text)[0].key, "report.always_required");
    let text = westerveld_with("version = \"westerveld-1\"", "version = \" \"");
    assert_eq!(mistakes(&text)[0].key, "organisation.version");
}

#[test]
fn a_deadline_of_zero_or_of_two_kinds_is_refused() {
    let zero = westerveld_with(
        "nazorg_gesprek_1 = { hours = 24 }",
        "nazorg_gesprek_1 = { hours = 0 }",
    );
    assert_eq!(mistakes(&zero)[0].key, "tasks.nazorg_gesprek_1");
    let two = westerveld_with(
        "nazorg_gesprek_1 = { hours = 24 }",
        "nazorg_gesprek_1 = { hours = 24, working_days = 1 }",
    );
    assert!(mistakes(&two)[0].reason.contains("give one of"));
    let negative = westerveld_with(
        "nazorg_gesprek_1 = { hours = 24 }",
        "nazorg_gesprek_1 = { hours = -24 }",
    );
    assert_eq!(
        mistakes(&negative)[0].line,
        Some(line_of(&negative, "hours = -24"))
    );
}

#[test]
fn every_mistake_is_reported_at_once() {
    let text = westerveld_with(
        "informed = [\"gemeentesecretaris\"]",
        "informed = [\"burgemeester\"]",
    )
    .replacen(
        "nazorg_gesprek_2 = { days = 3 }",
        "nazorg_gesprek_2 = { days = 0 }",
        1,
    )
    .replacen(
        "emotional_persistent = \"recommended\"",
        "emotional_persistent = \"not_required\"",
        1,
    );
    let found = mistakes(&text);
    let keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
    assert!(
        keys.contains(&"routing.victims.wethouder.informed"),
        "{keys:?}"
    );
    assert!(keys.contains(&"tasks.nazorg_gesprek_2"), "{keys:?}");
    assert!(keys.contains(&"report.emotional_persistent"), "{keys:?}");
    let shown = Protocol::from_toml(&text).unwrap_err().to_string();
    assert!(
        shown.starts_with("the protocol file has 3 mistakes:"),
        "{shown}"
    );
}

#[test]
fn a_handler_cannot_handle_a_report_about_itself() {
    let text = westerveld_with(
        "handler = \"gemeentesecretaris\"",
        "handler = \"burgemeester\"",
    );
    assert!(
        mistakes(&text)
            .iter()
            .any(|m| m.key == "routing.victims.burgemeester.handler")
    );
}

#[test]
fn like_must_point_at_a_role_with_its_own_handler() {
    let text = westerveld_with(
        "[routing.victims.duolid]            # fractieleden\nlike = \"raadslid\"",
        "[routing.victims.duolid]\nlike = \"wethouder\"\n[routing.victims.fractiemedewerker]\nlike = \"duolid\"",
    );
    let found = mistakes(&text);
    assert!(
        found
            .iter()
            .any(|m| m.key == "routing.victims.fractiemedewerker.like"),
        "{found:?}"
    );
}

#[test]
fn the_three_conversations_and_tailored_aftercare_exclude_each_other() {
    let text = westerveld_with(
        "maatregel_besluit = {}",
        "maatregel_besluit = {}\nnazorg_aanbieden = {}",
    );
    let found = mistakes(&text);
    assert!(
        found
            .iter()
            .any(|m| m.key == "tasks" && m.reason.contains("not both")),
        "{found:?}"
    );
}

#[test]
fn aftercare_is_always_offered() {
    let text = westerveld_with(
        "nazorg_gesprek_3 = { from = { weeks = 4 }, due = { weeks = 6 } }",
        "",
    );
    let found = mistakes(&text);
    assert!(
        found
            .iter()
            .any(|m| m.key == "tasks" && m.reason.contains("all three")),
        "{found:?}"
    );
    let none = westerveld_with("nazorg_gesprek_1 = { hours = 24 }", "")
        .replacen("nazorg_gesprek_2 = { days = 3 }", "", 1)
        .replacen(
            "nazorg_gesprek_3 = { from = { weeks = 4 }, due = { weeks = 6 } }",
            "",
            1,
        );
    let found = mistakes(&none);
    assert!(
        found.iter().any(|m| m.reason.contains("always offered")),
        "{found:?}"
    );
}

#[test]
fn the_inspectie_szw_task_cannot_be_left_out() {
    let text = westerveld_with("melding_inspectie = { hours = 24 }", "");
    let found = mistakes(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, "tasks.melding_inspectie");
}

#[test]
fn like_stays_within_the_body() {
    let text = preset_text("utrecht").unwrap().replacen(
        "# duolid, fractiemedewerker",
        "[routing.victims.duolid]\nlike = \"statenlid\"\n# duolid, fractiemedewerker",
        1,
    );
    let found = mistakes(&text);
    assert!(
        found
            .iter()
            .any(|m| m.key == "routing.victims.duolid.like" && m.reason.contains("same body")),
        "{found:?}"
    );
}

#[test]
fn a_threat_cannot_need_less_reporting_than_an_insult() {
    let text = westerveld_with("threat = \"required\"", "threat = \"optional\"");
    assert_eq!(mistakes(&text)[0].key, "report.threat");
}

#[test]
fn ambtenaar_is_never_a_role_that_is_told() {
    let text = westerveld_with(
        "informed = [\"griffier\"]",
        "informed = [\"griffier\", \"ambtenaar\"]",
    );
    assert_eq!(
        mistakes(&text)[0].key,
        "routing.victims.burgemeester.informed"
    );
    let twice = westerveld_with(
        "always_informed = [\"adviseur_vpt\"]",
        "always_informed = [\"adviseur_vpt\", \"adviseur_vpt\"]",
    );
    assert_eq!(mistakes(&twice)[0].key, "routing.always_informed");
}

#[test]
fn a_deadline_beyond_a_year_is_refused_by_check_not_by_evaluate() {
    let text = westerveld_with(
        "nazorg_gesprek_2 = { days = 3 }",
        "nazorg_gesprek_2 = { weeks = 4000000000 }",
    );
    assert_eq!(mistakes(&text)[0].key, "tasks.nazorg_gesprek_2");
    let working = westerveld_with(
        "afspraak_politie = {}",
        "afspraak_politie = { working_days = 100000 }",
    );
    assert_eq!(mistakes(&working)[0].key, "tasks.afspraak_politie");
}

#[test]
fn a_missing_table_or_key_is_named_itself() {
    let text: String = preset_text("westerveld")
        .unwrap()
        .lines()
        .filter(|l| {
            !["[aangifte]", "by = ", "note = "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let found = mistakes(&text);
    assert_eq!(
        (found[0].key.as_str(), found[0].line),
        ("aangifte", None),
        "{found:?}"
    );
    let text = westerveld_with("threat = \"required\"", "");
    let found = mistakes(&text);
    assert_eq!(found[0].key, "report.threat", "{found:?}");
}

#[test]
fn a_minimal_own_protocol_loads_and_fills_in_the_default_routes() {
    let text = r#"
[organisation]
id = "voorbeeld"
name = "Gemeente Voorbeeld"
bodies = ["gemeente"]
version = "1"

[report]
emotional = "optional"
emotional_persistent = "recommended"
verbal_corrected = "not_required"
verbal = "required"
threat = "required"
physical = "required"
always_required = ["ordeverstoring"]

[routing.victims.raadslid]
handler = "griffier"
[routing.victims.wethouder]
handler = "gemeentesecretaris"
[routing.victims.burgemeester]
handler = "gemeentesecretaris"

[aangifte]
by = "organisatie"

[aftercare]
tailored = true

[tasks]
nazorg_aanbieden = {}
informeren_cdk = {}
afspraak_politie = { working_days = 3 }
melding_inspectie = { hours = 24 }
"#;
    let protocol = Protocol::from_toml(text).unwrap();
    assert_eq!(protocol.routes[&Role::Duolid].handler, Role::Griffier);
    assert_eq!(protocol.routes[&Role::Duolid].like, Some(Role::Raadslid));
    assert_eq!(
        protocol.routes[&Role::AdviesorgaanLid].handler,
        Role::Griffier
    );
    assert_eq!(
        protocol.tasks[&Task::AfspraakPolitie],
        Deadline::WorkingDays(3)
    );
    assert_eq!(
        protocol.tasks[&Task::MeldingInspectie],
        Deadline::After(Length::Hours(24))
    );
    assert!(protocol.routes.keys().all(|role| role.is_office_holder()));
}

#[test]
fn a_provincial_protocol_must_route_every_provincial_office() {
    let text = r#"
[organisation]
id = "provincie-x"
name = "Provincie X"
bodies = ["provincie"]
version = "1"
[report]
emotional = "optional"
emotional_persistent = "optional"
verbal_corrected = "required"
verbal = "required"
threat = "required"
physical = "required"
always_required = ["ordeverstoring"]
[routing.victims.statenlid]
handler = "statengriffier"
[aangifte]
by = "organisatie"
[aftercare]
tailored = true
[tasks]
nazorg_aanbieden = {}
melding_inspectie = { hours = 24 }
"#;
    let found = mistakes(text);
    let keys: Vec<&str> = found.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "routing.victims.commissaris_van_de_koning",
            "routing.victims.gedeputeerde"
        ],
        "{found:?}"
    );
}

#[test]
fn the_handler_is_never_also_in_the_informed_list() {
    let text = westerveld_with(
        "always_informed = [\"adviseur_vpt\"]",
        "always_informed = [\"adviseur_vpt\", \"griffier\"]",
    );
    let protocol = Protocol::from_toml(&text).unwrap();
    let facts = Facts::from_json(
        r#"{"occurred_at": "2026-03-02T20:15:00+01:00", "victim": {"role": "raadslid"}, "behaviours": ["beledigen"]}"#,
    )
    .unwrap();
    let plan = evaluate(&protocol, &facts).unwrap();
    assert_eq!(plan.handler, Role::Griffier);
    assert_eq!(plan.informed, [Role::Burgemeester, Role::AdviseurVpt]);
    // The burgemeester's report is handled by the gemeentesecretaris: now the griffier
    // is informed twice over (route and always_informed), and listed once.
    let facts = Facts::from_json(
        r#"{"occurred_at": "2026-03-02T20:15:00+01:00", "victim": {"role": "burgemeester"}, "behaviours": ["beledigen"]}"#,
    )
    .unwrap();
    let plan = evaluate(&protocol, &facts).unwrap();
    assert_eq!(plan.informed, [Role::Griffier, Role::AdviseurVpt]);
}
