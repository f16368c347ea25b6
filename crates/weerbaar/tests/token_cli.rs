//! `weerbaar token create`, `list` and `revoke`, run as an operator runs them against
//! a throwaway data folder: the token is printed once, and refused input names its flag.

#[path = "support/cli.rs"]
mod cli;

use cli::{initialised, weerbaar};

#[test]
fn token_create_prints_a_token_once_and_list_shows_it_without_the_secret() {
    let (_tmp, data) = initialised();
    weerbaar(
        &data,
        &[
            "user",
            "add",
            "--name",
            "Jan de Griffier",
            "--email",
            "griffie@leiden.example",
            "--role",
            "griffier",
        ],
        "een lange zin als wachtwoord\n",
    )
    .success();
    let run = weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "read",
            "--days",
            "1",
            "--name",
            "schemathesis",
        ],
        "",
    );
    let token = run.success().stdout().trim().to_owned();
    assert!(token.starts_with("wbr_") && token.len() == 47, "{token}");

    let list = weerbaar(
        &data,
        &["token", "list", "--email", "griffie@leiden.example"],
        "",
    );
    let listed = list.success().stdout();
    assert!(listed.contains(&token[..12]), "{listed}");
    assert!(!listed.contains(&token[12..]), "{listed}");
    assert!(listed.contains("read") && listed.contains("live") && listed.contains("schemathesis"));

    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "root",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--scope");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "read",
            "--days",
            "366",
        ],
        "",
    )
    .fails_with("--days");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "griffie@leiden.example",
            "--scope",
            "admin",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--scope");
    weerbaar(
        &data,
        &[
            "token",
            "create",
            "--email",
            "niemand@leiden.example",
            "--scope",
            "read",
            "--days",
            "1",
        ],
        "",
    )
    .fails_with("--email");
}

fn add_person(data: &std::path::Path, name: &str, email: &str) {
    weerbaar(
        data,
        &[
            "user", "add", "--name", name, "--email", email, "--role", "griffier",
        ],
        "een lange zin als wachtwoord\n",
    )
    .success();
}

fn create_token(data: &std::path::Path, email: &str) -> String {
    let run = weerbaar(
        data,
        &[
            "token",
            "create",
            "--email",
            email,
            "--scope",
            "read",
            "--days",
            "7",
            "--name",
            "zaaksysteem",
        ],
        "",
    );
    run.success().stdout().trim().to_owned()
}

/// The id `token list` shows first on the line of the token that begins like `token`.
fn id_of(data: &std::path::Path, email: &str, token: &str) -> String {
    let run = weerbaar(data, &["token", "list", "--email", email], "");
    let listed = run.success().stdout();
    let line = listed
        .lines()
        .find(|line| line.contains(&token[..12]))
        .unwrap_or_else(|| panic!("{listed}"));
    line.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn token_revoke_stops_a_token_and_names_the_argument_when_it_is_not_the_persons() {
    let (_tmp, data) = initialised();
    add_person(&data, "Jan de Griffier", "griffie@leiden.example");
    add_person(&data, "Els Ander", "els@leiden.example");
    let token = create_token(&data, "griffie@leiden.example");
    let id = id_of(&data, "griffie@leiden.example", &token);

    // Someone else's token, and a token that does not exist: refused, naming --id.
    weerbaar(
        &data,
        &[
            "token",
            "revoke",
            "--email",
            "els@leiden.example",
            "--id",
            &id,
        ],
        "",
    )
    .fails_with("--id");
    weerbaar(
        &data,
        &[
            "token",
            "revoke",
            "--email",
            "griffie@leiden.example",
            "--id",
            "geen-sleutel",
        ],
        "",
    )
    .fails_with("--id");
    weerbaar(
        &data,
        &[
            "token",
            "revoke",
            "--email",
            "niemand@leiden.example",
            "--id",
            &id,
        ],
        "",
    )
    .fails_with("--email");
    let listed = weerbaar(
        &data,
        &["token", "list", "--email", "griffie@leiden.example"],
        "",
    );
    assert!(listed.success().stdout().contains("live"));

    let run = weerbaar(
        &data,
        &[
            "token",
            "revoke",
            "--email",
            "griffie@leiden.example",
            "--id",
            &id,
        ],
        "",
    );
    assert!(run.success().stdout().contains(&id));
    let listed = weerbaar(
        &data,
        &["token", "list", "--email", "griffie@leiden.example"],
        "",
    );
    let listed = listed.success().stdout();
    assert!(
        listed.contains("revoked") && !listed.contains("live"),
        "{listed}"
    );
    // Again: nothing changes, and it is no error.
    weerbaar(
        &data,
        &[
            "token",
            "revoke",
            "--email",
            "griffie@leiden.example",
            "--id",
            &id,
        ],
        "",
    )
    .success();
    // A revoked token signs no one in.
    let caller = use_token(&data, &token, "/me");
    assert!(!caller);
}

/// Calls the register as the API does for one request with `token`: true when it
/// signed someone in (the use is then recorded).
fn use_token(data: &std::path::Path, token: &str, route: &str) -> bool {
    let url = format!("sqlite://{}", data.join("weerbaar.db").display());
    let key = weerbaar_register::MasterKey::read_key_file(&data.join("weerbaar.key")).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let register = weerbaar_register::Register::open(&url, key).await.unwrap();
            let caller = register
                .authenticate_api_token(token, jiff::Timestamp::now(), "GET", route)
                .await
                .unwrap();
            register.db().close().await;
            caller.is_some()
        })
}

#[test]
fn token_list_with_uses_shows_the_latest_uses_newest_first() {
    let (_tmp, data) = initialised();
    add_person(&data, "Jan de Griffier", "griffie@leiden.example");
    let token = create_token(&data, "griffie@leiden.example");
    assert!(use_token(&data, &token, "/me"));
    assert!(use_token(&data, &token, "/cases/{case}"));
    let plain = weerbaar(
        &data,
        &["token", "list", "--email", "griffie@leiden.example"],
        "",
    );
    assert!(!plain.success().stdout().contains("\n    used "));
    let run = weerbaar(
        &data,
        &[
            "token",
            "list",
            "--email",
            "griffie@leiden.example",
            "--uses",
            "5",
        ],
        "",
    );
    let listed = run.success().stdout();
    let newest = listed.find("GET /cases/{case}").expect(&listed);
    let oldest = listed.find("GET /me").expect(&listed);
    assert!(newest < oldest, "{listed}");
    assert!(!listed.contains(&token[12..]), "{listed}");
    weerbaar(
        &data,
        &[
            "token",
            "list",
            "--email",
            "griffie@leiden.example",
            "--uses",
            "51",
        ],
        "",
    )
    .fails_with("--uses");
}
