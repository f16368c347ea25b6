//! `weerbaar user add` and `weerbaar user list`, run as an operator runs them against a
//! throwaway data folder, with the password piped in on standard input.

#[path = "support/cli.rs"]
mod cli;

use cli::{initialised, weerbaar};

const ADD: &[&str] = &[
    "user",
    "add",
    "--name",
    "Jan de Griffier",
    "--email",
    "griffie@leiden.example",
    "--role",
    "griffier",
    "--duty",
    "beheerder",
];

#[test]
fn user_add_reads_the_password_from_stdin_and_prints_the_id() {
    let (_tmp, data) = initialised();
    let run = weerbaar(&data, ADD, "een lange zin als wachtwoord\n");
    run.success();
    let id = run.stdout().trim().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    assert!(!run.stdout().contains("wachtwoord"));

    let run = weerbaar(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Fatima El Amrani",
            "--email",
            "f@leiden.example",
            "--role",
            "raadslid",
            "--former-role",
            "wethouder",
        ],
        "nog een lange zin als wachtwoord\r\n",
    );
    run.success();

    let list = weerbaar(&data, &["user", "list"], "");
    list.success();
    let out = list.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0]
            .starts_with("Fatima El Amrani\tf@leiden.example\troles: wethouder (former), raadslid"),
        "{out}"
    );
    assert!(lines[1].starts_with("Jan de Griffier\tgriffie@leiden.example\troles: griffier\tduties: beheerder\taccount: password"), "{out}");
    assert!(lines[1].contains(&id), "{out}");

    // The same address again is refused, naming the flag.
    weerbaar(&data, ADD, "een lange zin als wachtwoord\n")
        .fails_with("--email: another person already has this e-mail address");
}

#[test]
fn user_add_refuses_bad_input_by_flag_and_a_short_or_missing_password() {
    let (_tmp, data) = initialised();
    let with = |flag: &str, value: &str| -> Vec<String> {
        let mut args: Vec<String> = ADD.iter().map(|a| a.to_string()).collect();
        let at = args.iter().position(|a| a == flag).unwrap();
        args[at + 1] = value.to_owned();
        args
    };
    let run_with = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        weerbaar(&data, &args, "een lange zin als wachtwoord\n")
    };
    run_with(with("--role", "koning"))
        .fails_with("--role: unknown role `koning`; allowed: burgemeester");
    run_with(with("--duty", "baas")).fails_with("--duty: unknown duty `baas`");
    run_with(with("--email", "geen adres"))
        .fails_with("--email: `geen adres` is not an e-mail address");
    run_with(with("--name", " ")).fails_with("--name: a person needs a name");
    weerbaar(
        &data,
        &["user", "add", "--name", "X", "--email", "x@y.example"],
        "een lange zin als wachtwoord\n",
    )
    .fails_with("--role: give at least one role");
    let mut args = ADD.to_vec();
    args.extend(["--organisation", "nope"]);
    weerbaar(&data, &args, "een lange zin als wachtwoord\n")
        .fails_with("--organisation: no organisation `nope`");

    weerbaar(&data, ADD, "kort\n").fails_with("shorter than 12 characters");
    weerbaar(&data, ADD, "").fails_with("no password on standard input");
    // Nothing was added.
    let list = weerbaar(&data, &["user", "list"], "");
    list.success();
    assert!(list.stdout().contains("No people yet"), "{}", list.stdout());
}
