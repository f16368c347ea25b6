//! `weerbaar token create` and `weerbaar token list`, run as an operator runs them against
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
