//! `weerbaar protocol …` as a person or a script uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn weerbaar(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_weerbaar"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may exit before it reads (an unknown preset), closing the pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const EXAMPLE: &str = include_str!("../../../examples/facts.json");

/// The output of PROTOCOL.md §15, word for word.
const SPEC_OUTPUT: &str = include_str!("../../../examples/plan-westerveld.json");

#[test]
fn the_example_of_section_15_gives_exactly_its_output() {
    let output = weerbaar(
        &["protocol", "evaluate", "--preset", "westerveld", "-"],
        EXAMPLE,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let spec: Value = serde_json::from_str(SPEC_OUTPUT).unwrap();
    assert_eq!(plan, spec);
}

#[test]
fn facts_come_from_a_file_or_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, EXAMPLE).unwrap();
    let from_file = weerbaar(
        &[
            "protocol",
            "evaluate",
            "--preset",
            "leiden",
            path.to_str().unwrap(),
        ],
        "",
    );
    let from_stdin = weerbaar(&["protocol", "evaluate", "--preset", "leiden"], EXAMPLE);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert_eq!(stdout(&from_file), stdout(&from_stdin));
    let plan: Value = serde_json::from_str(&stdout(&from_stdin)).unwrap();
    assert_eq!(plan["preset"], "leiden");
    assert_eq!(plan["aangifte_by"], "ambtsdrager");
}

#[test]
fn utrecht_dates_the_police_appointment_in_working_days() {
    let output = weerbaar(&["protocol", "evaluate", "--preset", "utrecht"], EXAMPLE);
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    assert!(tasks.contains(&json!({ "code": "afspraak_politie", "due_date": "2026-03-05" })));
}

#[test]
fn bad_facts_name_the_field_and_exit_non_zero() {
    let cases = [
        (
            EXAMPLE.replace("dreigen_met_geweld", "dreigen"),
            "behaviours[1]",
        ),
        (
            EXAMPLE.replace("\"raadslid\"", "\"statenlid\""),
            "victim.role",
        ),
        (
            EXAMPLE.replace("2026-03-03T09:00:00+01:00", "2026-03-01T09:00:00+01:00"),
            "reported_at",
        ),
        (
            EXAMPLE.replace("2026-03-02T20:15:00+01:00", "2026-03-02T20:15:00"),
            "occurred_at",
        ),
        (
            EXAMPLE.replace("[\"beledigen\", \"dreigen_met_geweld\"]", "[]"),
            "behaviours",
        ),
        (String::from("{ not json"), "(document)"),
    ];
    for (facts, field) in cases {
        let output = weerbaar(&["protocol", "evaluate", "--preset", "westerveld"], &facts);
        assert_eq!(output.status.code(), Some(1), "{field}");
        assert!(output.stdout.is_empty(), "{field}: no half plan on stdout");
        let message = stderr(&output);
        assert!(
            message.starts_with(&format!("error: {field}")),
            "{field}: {message}"
        );
    }
}

#[test]
fn an_unknown_preset_lists_the_known_ones() {
    let output = weerbaar(&["protocol", "evaluate", "--preset", "amsterdam"], EXAMPLE);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("westerveld, utrecht, leiden, nijmegen, model"));
}

#[test]
fn preset_and_protocol_exclude_each_other() {
    let both = weerbaar(
        &[
            "protocol",
            "evaluate",
            "--preset",
            "leiden",
            "--protocol",
            "x.toml",
        ],
        EXAMPLE,
    );
    assert_eq!(both.status.code(), Some(2), "clap's usage error");
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
    let neither = weerbaar(&["protocol", "evaluate"], EXAMPLE);
    assert_eq!(neither.status.code(), Some(2));
    assert!(
        stderr(&neither).contains("--preset"),
        "{}",
        stderr(&neither)
    );
}

#[test]
fn list_names_every_preset_and_its_organisation() {
    let output = weerbaar(&["protocol", "list"], "");
    assert!(output.status.success());
    let text = stdout(&output);
    for (name, organisation) in [
        ("westerveld", "Gemeente Westerveld"),
        ("utrecht", "provincie Utrecht"),
        ("leiden", "Gemeente Leiden"),
        ("nijmegen", "Gemeente Nijmegen"),
        ("model", "Handreiking agressieprotocol"),
    ] {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(line.contains(organisation), "{line}");
    }
}

#[test]
fn a_shown_preset_is_a_sound_own_file_that_evaluates_the_same() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["westerveld", "utrecht", "leiden", "nijmegen", "model"] {
        let shown = weerbaar(&["protocol", "show", name], "");
        assert!(shown.status.success());
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, stdout(&shown)).unwrap();
        let check = weerbaar(&["protocol", "check", path.to_str().unwrap()], "");
        assert!(check.status.success(), "{}", stderr(&check));
        assert!(stdout(&check).contains("sound"));
        let own = weerbaar(
            &["protocol", "evaluate", "--protocol", path.to_str().unwrap()],
            EXAMPLE,
        );
        let preset = weerbaar(&["protocol", "evaluate", "--preset", name], EXAMPLE);
        assert_eq!(stdout(&own), stdout(&preset), "{name}");
    }
}

#[test]
fn check_refuses_an_unsound_file_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eigen.toml");
    let shown = stdout(&weerbaar(&["protocol", "show", "leiden"], ""));
    std::fs::write(
        &path,
        shown.replacen("handler = \"griffier\"", "handler = \"griffie\"", 1),
    )
    .unwrap();
    let output = weerbaar(&["protocol", "check", path.to_str().unwrap()], "");
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("routing.victims.raadslid.handler"),
        "{message}"
    );
    assert!(message.contains("line "), "{message}");
    assert!(message.contains("unknown role `griffie`"), "{message}");

    let missing = weerbaar(&["protocol", "check", "/nonexistent/eigen.toml"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("cannot read"));
}

/// Leiden's file with an own behaviour and a choice of recipient for the wethouder
/// (PROTOCOL.md §16.1 and §16.3).
fn own_file(dir: &std::path::Path) -> std::path::PathBuf {
    let shown = stdout(&weerbaar(&["protocol", "show", "leiden"], ""));
    let text = shown
        .replacen("id = \"leiden\"", "id = \"eigen\"", 1)
        .replacen(
            "handler = \"gemeentesecretaris\"       #  gemeentesecretaris stelt",
            "report_to = [\"gemeentesecretaris\", \"burgemeester\"] #",
            1,
        )
        + "\n[behaviours.gijzeling]\nlabel = \"Gijzeling\"\nexplanation = \"Iemand wordt vastgehouden.\"\ncategory = \"fysiek_geweld\"\n";
    let path = dir.join("eigen.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_own_file_takes_its_own_behaviours_and_choices_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = own_file(dir.path());
    let facts = json!({
        "occurred_at": "2026-03-02T20:15:00+01:00",
        "victim": { "role": "wethouder" },
        "behaviours": ["gijzeling"],
        "report_to": "burgemeester",
    })
    .to_string();
    let output = weerbaar(
        &["protocol", "evaluate", "--protocol", path.to_str().unwrap()],
        &facts,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(plan["preset"], "eigen");
    assert_eq!(plan["category"], "fysiek_geweld");
    assert_eq!(plan["handler"], "burgemeester");
    assert_eq!(
        plan["handler_choices"],
        json!(["gemeentesecretaris", "burgemeester"])
    );

    // The preset knows neither the behaviour nor a choice: both are refused, by name.
    let output = weerbaar(&["protocol", "evaluate", "--preset", "leiden"], &facts);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("behaviours[0]"),
        "{}",
        stderr(&output)
    );
    let chosen = facts
        .replace("gijzeling", "slaan")
        .replace("burgemeester", "griffier");
    let output = weerbaar(
        &["protocol", "evaluate", "--protocol", path.to_str().unwrap()],
        &chosen,
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("report_to"), "{message}");
    assert!(
        message.contains("gemeentesecretaris, burgemeester"),
        "{message}"
    );
}

#[test]
fn render_writes_the_protocol_as_dutch_html_or_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let path = own_file(dir.path());
    let html = weerbaar(&["protocol", "render", path.to_str().unwrap()], "");
    assert!(html.status.success(), "{}", stderr(&html));
    let page = stdout(&html);
    assert!(page.starts_with("<!doctype html>\n<html lang=\"nl\">"));
    assert!(
        page.contains("<h1>Agressieprotocol Gemeente Leiden</h1>"),
        "{page}"
    );
    assert!(page.contains("Gijzeling: Iemand wordt vastgehouden."));
    assert!(page.contains("de gemeentesecretaris of de burgemeester: u kiest zelf"));
    assert!(page.contains("binnen 24 uur"));
    assert!(!page.contains("gijzeling\"") && !page.contains("nazorg_gesprek"));

    let markdown = weerbaar(
        &[
            "protocol",
            "render",
            "preset:utrecht",
            "--format",
            "markdown",
        ],
        "",
    );
    assert!(markdown.status.success(), "{}", stderr(&markdown));
    let text = stdout(&markdown);
    assert!(text.starts_with("# Agressieprotocol "), "{text}");
    assert!(text.contains("binnen 2 werkdagen na de melding"), "{text}");

    let unknown = weerbaar(&["protocol", "render", "preset:gouda"], "");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("allowed: westerveld"));
}

#[test]
fn diff_lists_what_a_new_file_changes_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let path = own_file(dir.path());
    let output = weerbaar(
        &["protocol", "diff", "preset:leiden", path.to_str().unwrap()],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("# Wat het nieuwe protocol verandert"),
        "{text}"
    );
    assert!(
        text.contains(
            "Keuze bij wie te melden: geen keuze wordt gemeentesecretaris of burgemeester"
        ),
        "{text}"
    );
    let same = weerbaar(&["protocol", "diff", "preset:leiden", "preset:leiden"], "");
    assert!(stdout(&same).contains("Geen verschil"), "{}", stdout(&same));
}
