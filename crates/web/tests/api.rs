//! The JSON API under /api/v1, driven as another system would: JSON in, JSON out, a
//! bearer token for everything but the protocol engine, RFC 9457 problems for mistakes.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use support::World;
use tower::ServiceExt;

/// An answer of the API.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    content_type: String,
    text: String,
    headers: axum::http::HeaderMap,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts a problem document of `status` and returns it.
    fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        let problem = self.json();
        assert_eq!(problem["status"], status.as_u16());
        for key in ["type", "title", "detail"] {
            assert!(problem[key].is_string(), "{key} in {problem}");
        }
        problem
    }
}

async fn send(
    app: &axum::Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Answer {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "weerbaar.test");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if body.is_some() {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
    }
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

const FACTS: &str = include_str!("../../../examples/facts.json");
const PLAN: &str = include_str!("../../../examples/plan-westerveld.json");

// --- the protocol engine (PROTOCOL.md §15) -------------------------------------------

#[tokio::test]
async fn evaluate_gives_the_plan_of_section_15_without_sign_in() {
    let world = World::new("westerveld").await;
    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[],
        Some(FACTS.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type, "application/json");
    let expected: Value = serde_json::from_str(PLAN).unwrap();
    assert_eq!(answer.json(), expected);
    // Byte for byte what `weerbaar protocol evaluate --preset westerveld` prints.
    let facts = weerbaar_protocol::Facts::from_json(FACTS).unwrap();
    let plan =
        weerbaar_protocol::evaluate(weerbaar_protocol::preset("westerveld").unwrap(), &facts)
            .unwrap();
    assert_eq!(
        answer.text,
        format!("{}\n", serde_json::to_string_pretty(&plan).unwrap())
    );
}

#[tokio::test]
async fn evaluate_stores_nothing_and_ignores_cookies_and_origin() {
    let world = World::new("westerveld").await;
    // A browser on another site may post here: it signs nothing in and stores nothing.
    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[
            ("origin", "https://elders.example"),
            ("sec-fetch-site", "cross-site"),
            ("cookie", "weerbaar_sessie=iets"),
        ],
        Some(FACTS.to_owned()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let organisation = &world.organisation;
    let people = world.register().people(organisation).await.unwrap();
    for person in people {
        assert!(
            world
                .register()
                .my_cases(&person.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_bad_behaviour_is_a_422_problem_naming_its_place() {
    let world = World::new("westerveld").await;
    let facts = FACTS.replace(
        r#"["beledigen", "dreigen_met_geweld"]"#,
        r#"["beledigen", "sarren"]"#,
    );
    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[],
        Some(facts),
    )
    .await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "urn:weerbaar:problem:invalid-input");
    assert_eq!(problem["title"], "De invoer klopt niet");
    assert_eq!(problem["errors"][0]["field"], "behaviours[1]");
    let detail = problem["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("sarren") && detail.contains("schelden"),
        "{detail}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("behaviours[1]")
    );
}

#[tokio::test]
async fn every_kind_of_bad_facts_names_the_field_the_protocol_names() {
    let world = World::new("westerveld").await;
    let cases: [(String, &str); 7] = [
        (FACTS.replace("raadslid", "keizer"), "victim.role"),
        (
            FACTS.replace("2026-03-02T20:15:00+01:00", "2026-03-02T20:15:00"),
            "occurred_at",
        ),
        (
            FACTS.replace(
                r#""reported_at": "2026-03-03T09:00:00+01:00""#,
                r#""reported_at": "2026-03-01T09:00:00+01:00""#,
            ),
            "reported_at",
        ),
        (
            FACTS.replace(r#"["beledigen", "dreigen_met_geweld"]"#, "[]"),
            "behaviours",
        ),
        (
            FACTS.replace(r#""prior_incidents": 0"#, r#""prior_incidents": -1"#),
            "prior_incidents",
        ),
        (String::from("[1, 2]"), "(document)"),
        (String::from("{"), "(document)"),
    ];
    for (facts, field) in cases {
        let answer = send(
            &world.app,
            "POST",
            "/api/v1/protocol/evaluate?preset=westerveld",
            None,
            &[],
            Some(facts),
        )
        .await;
        let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

#[tokio::test]
async fn an_unknown_or_missing_preset_and_a_wrong_media_type_are_problems() {
    let world = World::new("westerveld").await;
    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=amsterdam",
        None,
        &[],
        Some(FACTS.to_owned()),
    )
    .await;
    let problem = answer.problem(StatusCode::NOT_FOUND);
    assert!(problem["detail"].as_str().unwrap().contains("westerveld"));

    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate",
        None,
        &[],
        Some(FACTS.to_owned()),
    )
    .await;
    let problem = answer.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "preset");

    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[("content-type", "text/plain")],
        None,
    )
    .await;
    answer.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let answer = send(
        &world.app,
        "GET",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[],
        None,
    )
    .await;
    answer.problem(StatusCode::METHOD_NOT_ALLOWED);
    let answer = send(&world.app, "GET", "/api/v1/bestaat-niet", None, &[], None).await;
    answer.problem(StatusCode::NOT_FOUND);
}

// --- tokens: made and revoked on /instellingen/tokens, used as Bearer ------------------

/// The token shown once on the page that answers the form.
fn shown_token(body: &str) -> String {
    let at = body
        .find("id=\"nieuwe-sleutel\">")
        .expect("a new token on the page")
        + "id=\"nieuwe-sleutel\">".len();
    let end = body[at..].find('<').unwrap() + at;
    body[at..end].to_owned()
}

#[tokio::test]
async fn a_person_makes_a_token_on_the_page_uses_it_and_revokes_it() {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person(
            "Rosa Raadslid",
            &[weerbaar_protocol::Role::Raadslid],
            &[],
            false,
        )
        .await;
    let mut browser = world.sign_in(&raadslid).await;
    let page = browser.get("/instellingen/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("U hebt nog geen API-sleutels"));
    // Scope admin is not offered to someone who is no administrator, nor taken.
    assert!(!page.body.contains("value=\"admin\""));
    let page = browser
        .post(
            "/instellingen/tokens",
            &[
                ("naam", "zaaksysteem"),
                ("bereik", "admin"),
                ("geldig", "30"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Kies wat de sleutel mag."));
    // Without the form's token nothing is made.
    let page = browser
        .post_exact(
            "/instellingen/tokens",
            &[
                ("naam", "zaaksysteem"),
                ("bereik", "read"),
                ("geldig", "30"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        world
            .register()
            .api_tokens(&raadslid.id)
            .await
            .unwrap()
            .is_empty()
    );

    let page = browser
        .post(
            "/instellingen/tokens",
            &[
                ("naam", "zaaksysteem"),
                ("bereik", "read"),
                ("geldig", "30"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = shown_token(&page.body);
    assert!(token.starts_with("wbr_") && token.len() == 47, "{token}");
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    // Shown once: the list shows its first characters only.
    let page = browser.get("/instellingen/tokens").await;
    assert!(!page.body.contains(&token[12..]));
    assert!(page.body.contains(&token[..12]));
    assert!(page.body.contains("nog niet"));

    let answer = send(&world.app, "GET", "/api/v1/me", Some(&token), &[], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let me = answer.json();
    assert_eq!(me["person"], raadslid.id.as_str());
    assert_eq!(me["scope"], "read");
    assert_eq!(me["roles"], serde_json::json!(["raadslid"]));
    // The use is recorded, with the route's template.
    let tokens = world.register().api_tokens(&raadslid.id).await.unwrap();
    assert!(tokens[0].last_used_at.is_some());
    let uses = world
        .register()
        .api_token_uses(&raadslid.id, &tokens[0].id, 10)
        .await
        .unwrap();
    assert_eq!(uses.len(), 1);
    assert_eq!(
        (uses[0].method.as_str(), uses[0].route.as_str()),
        ("GET", "/me")
    );

    // The browser's session cookie is no way into the API.
    let cookie = format!(
        "weerbaar_sessie={}",
        browser.cookie("weerbaar_sessie").unwrap()
    );
    let answer = send(
        &world.app,
        "GET",
        "/api/v1/me",
        None,
        &[("cookie", &cookie)],
        None,
    )
    .await;
    let problem = answer.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "urn:weerbaar:problem:unauthorized");
    assert!(answer.headers.get("www-authenticate").is_some());
    for bad in ["Bearer ", "Basic abc", "Bearer wbr_xyz", "bearer"] {
        let answer = send(
            &world.app,
            "GET",
            "/api/v1/me",
            None,
            &[("authorization", bad)],
            None,
        )
        .await;
        answer.problem(StatusCode::UNAUTHORIZED);
    }

    // Revoked on the page: the token stops working at once.
    let page = browser.get("/instellingen/tokens").await;
    let action = format!("/instellingen/tokens/{}/intrekken", tokens[0].id);
    assert!(page.body.contains(&action));
    let page = browser.post(&action, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let answer = send(&world.app, "GET", "/api/v1/me", Some(&token), &[], None).await;
    answer.problem(StatusCode::UNAUTHORIZED);
    let page = browser.get("/instellingen/tokens?ingetrokken=1").await;
    assert!(page.body.contains("ingetrokken"));
    // Another person cannot revoke someone's token: not found.
    let other = world
        .person(
            "Otto Raadslid",
            &[weerbaar_protocol::Role::Raadslid],
            &[],
            false,
        )
        .await;
    let mut other_browser = world.sign_in(&other).await;
    let page = other_browser.post(&action, &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

// --- the OpenAPI document ---------------------------------------------------------------

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let world = World::new("westerveld").await;
    let answer = send(&world.app, "GET", "/api/v1/openapi.json", None, &[], None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type, "application/json");
    let document = answer.json();
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    assert_eq!(answer.text, weerbaar_web::openapi_json());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("WEERBAAR_WRITE_OPENAPI").is_some() {
        std::fs::write(&path, &answer.text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == answer.text,
        "docs/openapi.json differs from the document the server serves at /api/v1/openapi.json.\n\
         Refresh it with:\n\n    WEERBAAR_WRITE_OPENAPI=1 cargo test -p weerbaar-web --test api the_served_openapi_document_is_the_committed_one\n\n\
         and commit docs/openapi.json."
    );
}

// --- the API proper: the pages' access rules over JSON ---------------------------------

use weerbaar_protocol::Role;
use weerbaar_register::duties::Duty;
use weerbaar_register::{ApiScope, NewApiToken};

async fn token_for(world: &World, someone: &support::Someone, scope: ApiScope) -> String {
    let now = jiff::Timestamp::now();
    world
        .register()
        .create_api_token(
            &someone.organisation,
            &someone.id,
            NewApiToken {
                name: String::from("test"),
                scope,
                expires_at: now + jiff::SignedDuration::from_hours(24),
            },
            now,
        )
        .await
        .expect("a token")
        .1
}

struct Tokens {
    raadslid: String,
    griffier: String,
    griffier_read: String,
    burgemeester: String,
    other_raadslid: String,
    stranger: String,
    admin: String,
    admin_write: String,
}

struct Cast {
    griffier: support::Someone,
    burgemeester: support::Someone,
    tokens: Tokens,
}

async fn cast(world: &World) -> Cast {
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let other_raadslid = world
        .person("Otto Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let burgemeester = world
        .person("Bert Burgemeester", &[Role::Burgemeester], &[], true)
        .await;
    let admin = world
        .person("Anna Beheer", &[Role::Ambtenaar], &[Duty::Beheerder], true)
        .await;
    let elders = world
        .register()
        .create_organisation(
            "Gemeente Elders",
            weerbaar_protocol::preset_text("westerveld").unwrap(),
        )
        .await
        .unwrap();
    let stranger = world
        .person_in(
            &elders,
            "Sam Elders",
            "sam@elders.test",
            &[Role::Griffier],
            &[],
            true,
        )
        .await;
    Cast {
        tokens: Tokens {
            raadslid: token_for(world, &raadslid, ApiScope::Write).await,
            griffier: token_for(world, &griffier, ApiScope::Write).await,
            griffier_read: token_for(world, &griffier, ApiScope::Read).await,
            burgemeester: token_for(world, &burgemeester, ApiScope::Write).await,
            other_raadslid: token_for(world, &other_raadslid, ApiScope::Write).await,
            stranger: token_for(world, &stranger, ApiScope::Write).await,
            admin: token_for(world, &admin, ApiScope::Admin).await,
            admin_write: token_for(world, &admin, ApiScope::Write).await,
        },
        griffier,
        burgemeester,
    }
}

const NARRATIVE: &str = "Hij zei dat hij mij zou opwachten bij de bushalte.";

fn a_report() -> Value {
    serde_json::json!({
        "behaviours": ["dreigen_met_geweld"],
        "occurred_at": (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(3)).to_string(),
        "channel": "in_persoon",
        "criminal_offence_suspected": true,
        "narrative": NARRATIVE,
        "place": "Bushalte Dorpsstraat",
        "perpetrator": { "kind": "persoon", "licence_plate": "XX-999-Z" }
    })
}

async fn get(world: &World, path: &str, token: &str) -> Answer {
    send(&world.app, "GET", path, Some(token), &[], None).await
}

async fn post(world: &World, path: &str, token: &str, body: Value) -> Answer {
    send(
        &world.app,
        "POST",
        path,
        Some(token),
        &[],
        Some(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn a_report_is_read_by_each_as_far_as_the_pages_let_them() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;

    let answer = post(&world, "/api/v1/reports", &t.raadslid, a_report()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let reported = answer.json();
    let case = reported["id"].as_str().unwrap().to_owned();
    assert_eq!(reported["handler"], "griffier");
    assert_eq!(
        answer.headers.get("location").unwrap(),
        &format!("/api/v1/cases/{case}")
    );
    let path = format!("/api/v1/cases/{case}");

    // The reporter: their list and their own view.
    let mine = get(&world, "/api/v1/cases/mine", &t.raadslid).await.json();
    assert_eq!(mine[0]["id"], case.as_str());
    let own = get(&world, &path, &t.raadslid).await.json();
    assert_eq!(own["access"], "own");
    assert_eq!(own["own"]["narrative"], NARRATIVE);
    assert!(own.get("full").is_none());

    // The handler: the inbox and everything.
    let inbox = get(&world, "/api/v1/inbox", &t.griffier).await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.text);
    let inbox = inbox.json();
    assert_eq!(inbox["role"], "griffier");
    assert_eq!(inbox["new_reports"][0]["id"], case.as_str());
    assert!(
        inbox["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["case"] == case.as_str())
    );
    let full = get(&world, &path, &t.griffier).await.json();
    assert_eq!(full["access"], "handler");
    assert_eq!(full["full"]["narrative"], NARRATIVE);
    assert_eq!(full["full"]["can_act"], true);
    assert_eq!(full["full"]["perpetrators"][0]["licence_plate"], "XX-999-Z");

    // Informed: that it happened, without content.
    let informed = get(&world, "/api/v1/cases/informed", &t.burgemeester)
        .await
        .json();
    assert_eq!(informed[0]["id"], case.as_str());
    let summary = get(&world, &path, &t.burgemeester).await;
    assert!(
        !summary.text.contains("bushalte") && !summary.text.contains("XX-999"),
        "{}",
        summary.text
    );
    let summary = summary.json();
    assert_eq!(summary["access"], "informed");
    assert_eq!(summary["summary"]["handler_role"], "griffier");

    // No access: the same 404 as for an id that does not exist.
    let made_up = get(
        &world,
        "/api/v1/cases/01900000-0000-7000-8000-000000000000",
        &t.stranger,
    )
    .await;
    let made_up = made_up.problem(StatusCode::NOT_FOUND);
    for token in [&t.other_raadslid, &t.stranger, &t.admin] {
        let answer = get(&world, &path, token).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
        let answer = get(&world, &format!("{path}/reads"), token).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
    }
    // Not a handler: no inbox.
    get(&world, "/api/v1/inbox", &t.raadslid)
        .await
        .problem(StatusCode::FORBIDDEN);
    // Informed roles do not see who read it; the reporter sees every read.
    get(&world, &format!("{path}/reads"), &t.burgemeester)
        .await
        .problem(StatusCode::FORBIDDEN);
    let reads = get(&world, &format!("{path}/reads"), &t.raadslid)
        .await
        .json();
    let griffier_id = cast.griffier.id.as_str();
    assert!(
        reads
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["by"] == griffier_id && r["scope"] == "case")
    );
    assert!(
        reads
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["scope"] == "summary")
    );

    // Every read is on the case's timeline, as the person who read (not the token).
    let view = world
        .register()
        .open_case(&cast.griffier.id, &weerbaar_register::CaseId(case.clone()))
        .await
        .unwrap();
    let viewers: Vec<_> = view
        .events
        .iter()
        .filter(|e| e.kind == weerbaar_register::EventKind::Viewed)
        .filter_map(|e| e.actor.clone())
        .collect();
    assert!(viewers.contains(&cast.burgemeester.id));
    assert!(!format!("{:?}", view.events).contains("wbr_"));
}

#[tokio::test]
async fn only_the_handler_acts_and_each_action_is_the_registers() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let case = post(&world, "/api/v1/reports", &t.raadslid, a_report())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = |action: &str| format!("/api/v1/cases/{case}/{action}");

    // Who may not act: by access, before the body is even read.
    let garbage = serde_json::json!({ "onzin": true });
    post(&world, &at("status"), &t.stranger, garbage.clone())
        .await
        .problem(StatusCode::NOT_FOUND);
    post(&world, &at("status"), &t.other_raadslid, garbage.clone())
        .await
        .problem(StatusCode::NOT_FOUND);
    post(&world, &at("status"), &t.raadslid, garbage.clone())
        .await
        .problem(StatusCode::FORBIDDEN);
    post(&world, &at("status"), &t.burgemeester, garbage.clone())
        .await
        .problem(StatusCode::FORBIDDEN);
    let problem = post(&world, &at("status"), &t.griffier_read, garbage.clone())
        .await
        .problem(StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:weerbaar:problem:insufficient-scope");
    let problem = post(&world, &at("status"), &t.griffier, garbage)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "onzin");

    let ok = |answer: Answer, status: StatusCode| -> Value {
        assert_eq!(answer.status, status, "{}", answer.text);
        if answer.text.is_empty() {
            Value::Null
        } else {
            answer.json()
        }
    };
    ok(
        post(
            &world,
            &at("status"),
            &t.griffier,
            serde_json::json!({"to": "in_behandeling"}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    let problem = post(
        &world,
        &at("status"),
        &t.griffier,
        serde_json::json!({"to": "gemeld"}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem["errors"][0]["field"].is_string());

    let today = jiff::Zoned::now().date().to_string();
    let measure = ok(
        post(&world, &at("measures"), &t.griffier, serde_json::json!({"measure": "schriftelijke_waarschuwing", "starts_on": today, "note": "brief verstuurd"})).await,
        StatusCode::CREATED,
    )["item"].as_str().unwrap().to_owned();
    let problem = post(
        &world,
        &at("measures"),
        &t.griffier,
        serde_json::json!({"measure": "verbannen", "starts_on": today}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "measure");
    ok(
        post(
            &world,
            &at(&format!("measures/{measure}/account")),
            &t.griffier,
            serde_json::json!({"account": "Hij ontkent."}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    ok(
        post(
            &world,
            &at(&format!("measures/{measure}/end")),
            &t.griffier,
            serde_json::json!({"on": today}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    // An item that does not exist is not found, as a case that does not exist.
    post(
        &world,
        &at("measures/01900000-0000-7000-8000-000000000000/end"),
        &t.griffier,
        serde_json::json!({"on": today}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);

    let soon = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(20)).to_string();
    let conversation = ok(
        post(&world, &at("aftercare"), &t.griffier, serde_json::json!({"conversation": "eerste", "at": soon, "by": cast.griffier.id.as_str()})).await,
        StatusCode::CREATED,
    )["item"].as_str().unwrap().to_owned();
    ok(
        post(
            &world,
            &at(&format!("aftercare/{conversation}/held")),
            &t.griffier,
            serde_json::json!({"held_at": jiff::Timestamp::now().to_string()}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );

    let now = jiff::Timestamp::now().to_string();
    let problem = post(
        &world,
        &at("police"),
        &t.griffier,
        serde_json::json!({"kind": "aangifte", "at": now}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "victim_consent");
    let contact = ok(
        post(&world, &at("police"), &t.griffier, serde_json::json!({"kind": "aangifte", "at": now, "victim_consent": true, "reference": "PL-1"})).await,
        StatusCode::CREATED,
    )["item"].as_str().unwrap().to_owned();
    ok(
        post(
            &world,
            &at(&format!("police/{contact}/outcome")),
            &t.griffier,
            serde_json::json!({"outcome": "Geseponeerd", "feedback_given": true}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );

    let problem = post(
        &world,
        &at("damage"),
        &t.griffier,
        serde_json::json!({"description": "Ruit", "amount_cents": 100, "recovered_cents": 200}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "recovered_cents");
    let problem = post(
        &world,
        &at("damage"),
        &t.griffier,
        serde_json::json!({"description": "Ruit", "amount_cents": 100, "paid_to_victim_cents": 101}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "paid_to_victim_cents");
    ok(
        post(
            &world,
            &at("damage"),
            &t.griffier,
            serde_json::json!({"description": "Ruit", "amount_cents": 12550}),
        )
        .await,
        StatusCode::CREATED,
    );

    let problem = post(
        &world,
        &at("communication"),
        &t.griffier,
        serde_json::json!({"audience": "pers", "said": "Een raadslid werd bedreigd."}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "victim_consent");
    ok(post(&world, &at("communication"), &t.griffier, serde_json::json!({"audience": "pers", "victim_consent": true, "said": "Een raadslid werd bedreigd."})).await, StatusCode::CREATED);
    ok(
        post(
            &world,
            &at("evaluation"),
            &t.griffier,
            serde_json::json!({"risk": "midden", "cause": "Besluit over de bushalte"}),
        )
        .await,
        StatusCode::CREATED,
    );
    // An improvement action becomes a task of the case, done like any other.
    let griffier_id = cast.griffier.id.as_str();
    ok(
        post(
            &world,
            &at("evaluation"),
            &t.griffier,
            serde_json::json!({"risk": "laag", "cause": "Bushalte", "actions": [
                {"what": "Camera bij de bushalte", "who": griffier_id, "by": "2099-01-31"}
            ]}),
        )
        .await,
        StatusCode::CREATED,
    );
    let problem = post(
        &world,
        &at("evaluation"),
        &t.griffier,
        serde_json::json!({"risk": "laag", "cause": "Bushalte", "actions": [
            {"what": "Iets", "who": "niemand", "by": "2099-01-31"}
        ]}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "actions[0].who");
    ok(
        post(
            &world,
            &at("tasks/verbeteractie_1/done"),
            &t.griffier,
            serde_json::json!({}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );

    ok(
        post(
            &world,
            &at("tasks/incidentgesprek/done"),
            &t.griffier,
            serde_json::json!({"remark": "gevoerd"}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    post(
        &world,
        &at("tasks/incidentgesprek/done"),
        &t.griffier,
        serde_json::json!({}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    post(
        &world,
        &at("tasks/bestaat_niet/done"),
        &t.griffier,
        serde_json::json!({}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);

    // A grant lets the burgemeester read all, never act; revoking it ends that.
    let burgemeester = cast.burgemeester.id.as_str();
    ok(
        post(
            &world,
            &at("access"),
            &t.griffier,
            serde_json::json!({"person": burgemeester}),
        )
        .await,
        StatusCode::NO_CONTENT,
    );
    let read = get(&world, &format!("/api/v1/cases/{case}"), &t.burgemeester)
        .await
        .json();
    assert_eq!(read["access"], "granted");
    assert_eq!(read["full"]["can_act"], false);
    assert_eq!(read["full"]["narrative"], NARRATIVE);
    post(
        &world,
        &at("evaluation"),
        &t.burgemeester,
        serde_json::json!({"risk": "laag", "cause": "x"}),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    let answer = send(
        &world.app,
        "DELETE",
        &at(&format!("access/{burgemeester}")),
        Some(&t.griffier),
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text);
    let read = get(&world, &format!("/api/v1/cases/{case}"), &t.burgemeester)
        .await
        .json();
    assert_eq!(read["access"], "informed");

    // The handler's full view holds what was done.
    let full = get(&world, &format!("/api/v1/cases/{case}"), &t.griffier)
        .await
        .json();
    let kinds: Vec<&str> = full["full"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "measure",
        "aftercare",
        "police",
        "damage",
        "communication",
        "evaluation",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(full["full"]["status"], "in_behandeling");
}

/// The item of a follow-up action names a measure, conversation or police contact of
/// the case in the path; one of another case (of the same handler) is a 404, as a
/// made-up one is, and is left as it was.
#[tokio::test]
async fn an_item_of_another_case_is_not_found() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let first = post(&world, "/api/v1/reports", &t.raadslid, a_report())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = post(&world, "/api/v1/reports", &t.raadslid, a_report())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = |answer: Answer| -> String {
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
        answer.json()["item"].as_str().unwrap().to_owned()
    };
    let today = jiff::Zoned::now().date().to_string();
    let now = jiff::Timestamp::now().to_string();
    let in_first = |what: &str| format!("/api/v1/cases/{first}/{what}");
    let measure = created(
        post(
            &world,
            &in_first("measures"),
            &t.griffier,
            serde_json::json!({"measure": "schriftelijke_waarschuwing", "starts_on": today}),
        )
        .await,
    );
    let conversation = created(
        post(
            &world,
            &in_first("aftercare"),
            &t.griffier,
            serde_json::json!({"conversation": "eerste", "at": now, "by": cast.griffier.id.as_str()}),
        )
        .await,
    );
    let contact = created(
        post(
            &world,
            &in_first("police"),
            &t.griffier,
            serde_json::json!({"kind": "melding", "at": now}),
        )
        .await,
    );
    let made_up = post(
        &world,
        &format!("/api/v1/cases/{second}/measures/01900000-0000-7000-8000-000000000000/end"),
        &t.griffier,
        serde_json::json!({"on": today}),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let follow_ups = [
        (
            format!("measures/{measure}/account"),
            serde_json::json!({"account": "Hij ontkent."}),
        ),
        (
            format!("measures/{measure}/end"),
            serde_json::json!({"on": today}),
        ),
        (
            format!("aftercare/{conversation}/held"),
            serde_json::json!({"held_at": now}),
        ),
        (
            format!("police/{contact}/outcome"),
            serde_json::json!({"outcome": "Geseponeerd", "feedback_given": true}),
        ),
    ];
    for (path, body) in &follow_ups {
        let answer = post(
            &world,
            &format!("/api/v1/cases/{second}/{path}"),
            &t.griffier,
            body.clone(),
        )
        .await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up, "{path}");
    }
    // Untouched in their own case, where the same follow-ups are taken.
    let full = get(&world, &format!("/api/v1/cases/{first}"), &t.griffier)
        .await
        .json();
    let state = |id: &str| {
        full["full"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state(&measure)["perpetrator_heard"], false);
    assert!(state(&measure)["ended_on"].is_null());
    assert!(state(&conversation)["held_at"].is_null());
    assert_eq!(state(&contact)["outcome_known"], false);
    for (path, body) in follow_ups {
        let answer = post(&world, &in_first(&path), &t.griffier, body).await;
        assert_eq!(
            answer.status,
            StatusCode::NO_CONTENT,
            "{path}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn reports_and_consults_are_checked_as_the_forms_check_them() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let mut report = a_report();
    report["behaviours"] = serde_json::json!(["beledigen", "sarren"]);
    let problem = post(&world, "/api/v1/reports", &t.raadslid, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "behaviours[1]");
    let mut report = a_report();
    report["narrative"] = Value::from(" ");
    report["behaviours"] = serde_json::json!([]);
    let problem = post(&world, "/api/v1/reports", &t.raadslid, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["behaviours", "narrative"]);
    let mut report = a_report();
    report["occurred_at"] = Value::from("2999-01-01T00:00:00Z");
    let problem = post(&world, "/api/v1/reports", &t.raadslid, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "occurred_at");
    // A griffier holds no office the protocol routes: they report on someone's behalf.
    let problem = post(&world, "/api/v1/reports", &t.griffier, a_report())
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "victim.role");
    let mut report = a_report();
    report["victim"] =
        serde_json::json!({"person": cast.burgemeester.id.as_str(), "role": "raadslid"});
    let problem = post(&world, "/api/v1/reports", &t.griffier, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "victim");
    let mut report = a_report();
    report["victim"] =
        serde_json::json!({"person": cast.burgemeester.id.as_str(), "role": "burgemeester"});
    let answer = post(&world, "/api/v1/reports", &t.griffier, report).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    // A token that may only read reports nothing.
    post(&world, "/api/v1/reports", &t.griffier_read, a_report())
        .await
        .problem(StatusCode::FORBIDDEN);

    let answer = post(
        &world,
        "/api/v1/consults",
        &t.raadslid,
        serde_json::json!({"question": "Was dit te ver?"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    let read = get(&world, &format!("/api/v1/cases/{id}"), &t.raadslid)
        .await
        .json();
    assert_eq!(read["own"]["kind"], "consult");
    let problem = post(
        &world,
        "/api/v1/consults",
        &t.raadslid,
        serde_json::json!({"question": ""}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "question");
}

#[tokio::test]
async fn people_are_for_administrators_with_an_admin_token() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let people = get(&world, "/api/v1/people", &t.admin).await;
    assert_eq!(people.status, StatusCode::OK, "{}", people.text);
    assert!(
        people
            .json()
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Greet Griffier")
    );
    let problem = get(&world, "/api/v1/people", &t.admin_write)
        .await
        .problem(StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:weerbaar:problem:insufficient-scope");
    get(&world, "/api/v1/people", &t.griffier)
        .await
        .problem(StatusCode::FORBIDDEN);

    let new = serde_json::json!({"name": "Nina Nieuw", "email": "nina@gemeente.test", "roles": ["raadslid"], "password": "een lange zin als wachtwoord"});
    let answer = post(&world, "/api/v1/people", &t.admin, new.clone()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let problem = post(&world, "/api/v1/people", &t.admin, new)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "email");
    let problem = post(
        &world,
        "/api/v1/people",
        &t.admin,
        serde_json::json!({"name": "X", "email": "x@gemeente.test", "roles": ["keizer"]}),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "roles[0]");
    // The addition is in the administration log, by the administrator.
    let log = world
        .register()
        .admin_events(&world.organisation, 10)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.kind == weerbaar_register::AdminEventKind::PersonAdded)
    );
    post(&world, "/api/v1/people", &t.griffier, serde_json::json!({}))
        .await
        .problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_repeated_or_bad_query_parameter_is_a_422_problem_not_a_plain_400() {
    // Found by schemathesis: axum's own Query answered text/plain 400.
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    for path in [
        "/api/v1/inbox?role=griffier&role=griffier",
        "/api/v1/inbox?limit=twaalf",
        "/api/v1/inbox?limit=0",
        "/api/v1/inbox?status=klaar",
        "/api/v1/cases/informed?limit=1&limit=2",
    ] {
        get(&world, path, &t.griffier)
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn refusals_that_axum_writes_are_problems_too() {
    let world = World::new("westerveld").await;
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let answer = send(
        &world.app,
        "POST",
        "/api/v1/protocol/evaluate?preset=westerveld",
        None,
        &[],
        Some(big),
    )
    .await;
    answer.problem(StatusCode::PAYLOAD_TOO_LARGE);
}

// --- evidence --------------------------------------------------------------------------

/// A part of a multipart body: its name, for a file its name and media type, its bytes.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

async fn post_multipart(world: &World, path: &str, token: &str, parts: &[Part<'_>]) -> Answer {
    let boundary = "weerbaar-api-grens";
    let mut body: Vec<u8> = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some((file_name, media_type)) = file {
            body.extend(
                format!("; filename=\"{file_name}\"\r\nContent-Type: {media_type}").as_bytes(),
            );
        }
        body.extend(b"\r\n\r\n");
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "weerbaar.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("a request");
    let response = world.app.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        headers,
    }
}

/// A screenshot larger than the API's 1 MiB for JSON bodies: a PNG's signature and
/// bytes enough.
fn screenshot() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(1_500_000));
    bytes
}

/// The `Viewed` events of a case: their actor and payload.
async fn reads_of(world: &World, handler: &support::Someone, case: &str) -> Vec<(String, Value)> {
    world
        .register()
        .open_case(&handler.id, &weerbaar_register::CaseId(case.to_owned()))
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.kind == weerbaar_register::EventKind::Viewed)
        .map(|e| {
            (
                e.actor.map(|a| a.to_string()).unwrap_or_default(),
                e.payload,
            )
        })
        .collect()
}

#[tokio::test]
async fn evidence_is_added_listed_and_downloaded_as_the_pages_allow() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let case = post(&world, "/api/v1/reports", &t.raadslid, a_report())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list_path = format!("/api/v1/cases/{case}/evidence");
    let shot = screenshot();

    // The handler adds a file (over 1 MiB: the evidence route takes what the pages take).
    let added = post_multipart(
        &world,
        &list_path,
        &t.griffier,
        &[
            ("file", Some(("bericht van Piet.png", "image/png")), &shot),
            ("description", None, b"het bericht op X"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let file_id = added.json()["id"].as_str().unwrap().to_owned();
    let download_path = format!("{list_path}/{file_id}");
    assert_eq!(
        added.headers.get("location").unwrap(),
        download_path.as_str()
    );

    // Something seen online, as JSON; the reporter may add to their own case too.
    let moment = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(4)).to_string();
    let online = post(
        &world,
        &list_path,
        &t.griffier,
        serde_json::json!({"platform": "X", "account": "@boze_burger", "url": "https://x.example/boze_burger/1", "moment": moment}),
    )
    .await;
    assert_eq!(online.status, StatusCode::CREATED, "{}", online.text);
    assert!(online.headers.get("location").is_none());
    let online_id = online.json()["id"].as_str().unwrap().to_owned();
    let own = post(
        &world,
        &list_path,
        &t.raadslid,
        serde_json::json!({"account": "@nog_een_account"}),
    )
    .await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.text);

    // The pages' checks, with the fields named as the API names them.
    let refused = |answer: Answer| -> String {
        answer.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"][0]["field"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (body, field) in [
        (serde_json::json!({"url": "ftp://x.example/1"}), "url"),
        (serde_json::json!({"platform": "X"}), "account"),
        (serde_json::json!({}), "account"),
        (
            serde_json::json!({"account": "@a", "kleur": "rood"}),
            "kleur",
        ),
    ] {
        assert_eq!(
            refused(post(&world, &list_path, &t.griffier, body.clone()).await),
            field,
            "{body}"
        );
    }
    for (parts, field) in [
        (
            vec![("file", Some(("leeg.png", "image/png")), &b""[..])],
            "file",
        ),
        (
            vec![(
                "file",
                Some(("x.exe", "application/x-msdownload")),
                &b"MZ"[..],
            )],
            "file",
        ),
        // Content that is not what its type says: the register's check.
        (
            vec![("file", Some(("nep.png", "image/png")), &b"geen plaatje"[..])],
            "file",
        ),
        (vec![("description", None, &b"zonder bestand"[..])], "file"),
        (
            vec![
                ("file", Some(("a.png", "image/png")), &shot[..]),
                ("extra", None, &b"x"[..]),
            ],
            "extra",
        ),
    ] {
        assert_eq!(
            refused(post_multipart(&world, &list_path, &t.griffier, &parts).await),
            field
        );
    }
    let request = Request::builder()
        .method("POST")
        .uri(&list_path)
        .header(header::AUTHORIZATION, format!("Bearer {}", t.griffier))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("een bestand als tekst"))
        .unwrap();
    let response = world.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // The list: what each piece is, never a file's content.
    let listed = get(&world, &list_path, &t.griffier).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let listed = listed.json();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let file = listed.iter().find(|e| e["id"] == file_id.as_str()).unwrap();
    assert_eq!(file["kind"], "file");
    assert_eq!(file["file_name"], "bericht van Piet.png");
    assert_eq!(file["media_type"], "image/png");
    assert_eq!(file["size"], shot.len());
    assert_eq!(file["description"], "het bericht op X");
    assert_eq!(file["added_by"], cast.griffier.id.as_str());
    let digest = sha2_hex(&shot);
    assert_eq!(file["sha256"], digest.as_str());
    let seen = listed
        .iter()
        .find(|e| e["id"] == online_id.as_str())
        .unwrap();
    assert_eq!(seen["kind"], "online");
    assert_eq!(seen["online"]["account"], "@boze_burger");
    assert_eq!(seen["online"]["url"], "https://x.example/boze_burger/1");
    assert_eq!(
        seen["online"]["moment"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap(),
        moment.parse::<jiff::Timestamp>().unwrap()
    );

    // The download: the bytes as added, as an attachment that no browser runs.
    let answer = send(
        &world.app,
        "GET",
        &download_path,
        Some(&t.griffier),
        &[],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type, "image/png");
    assert_eq!(
        answer.headers.get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert_eq!(
        answer.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"bericht_van_Piet.png\""
    );
    let request = Request::builder()
        .uri(&download_path)
        .header(header::AUTHORIZATION, format!("Bearer {}", t.griffier))
        .body(Body::empty())
        .unwrap();
    let response = world.app.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(bytes.as_ref(), shot.as_slice(), "the file as it was added");
    // Something seen online has no file.
    get(&world, &format!("{list_path}/{online_id}"), &t.griffier)
        .await
        .problem(StatusCode::NOT_FOUND);

    // Every read is on the timeline, as the pages record it: the list and the file.
    let reads = reads_of(&world, &cast.griffier, &case).await;
    let griffier = cast.griffier.id.as_str();
    assert!(
        reads
            .iter()
            .any(|(by, p)| by == griffier && p["evidence_list"] == true),
        "{reads:?}"
    );
    assert!(
        reads
            .iter()
            .any(|(by, p)| by == griffier && p["evidence"] == file_id.as_str()),
        "{reads:?}"
    );
    let log = get(&world, &format!("/api/v1/cases/{case}/reads"), &t.raadslid)
        .await
        .json();
    for scope in ["evidence_list", "evidence"] {
        assert!(
            log.as_array().unwrap().iter().any(|r| r["scope"] == scope),
            "{scope} in {log}"
        );
    }
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn evidence_is_none_of_a_strangers_business_and_only_read_by_readers() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let case = post(&world, "/api/v1/reports", &t.raadslid, a_report())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list_path = format!("/api/v1/cases/{case}/evidence");
    let shot = screenshot();
    let file_id = post_multipart(
        &world,
        &list_path,
        &t.griffier,
        &[("file", Some(("a.png", "image/png")), &shot)],
    )
    .await
    .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let download_path = format!("{list_path}/{file_id}");
    // The reads of evidence on the timeline (reading the timeline is a read of the case).
    let evidence_reads = || async {
        reads_of(&world, &cast.griffier, &case)
            .await
            .into_iter()
            .filter(|(_, p)| p.get("evidence_list").is_some() || p.get("evidence").is_some())
            .count()
    };
    assert_eq!(evidence_reads().await, 0);

    // No access: the answer for a made-up case, whatever is asked or sent.
    let made_up_case = "/api/v1/cases/01900000-0000-7000-8000-000000000000/evidence";
    let made_up = get(&world, made_up_case, &t.stranger)
        .await
        .problem(StatusCode::NOT_FOUND);
    // Informed (the burgemeester) as on the page: 404.
    for token in [&t.stranger, &t.other_raadslid, &t.admin, &t.burgemeester] {
        for path in [list_path.as_str(), download_path.as_str(), made_up_case] {
            let answer = get(&world, path, token).await;
            assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up, "{path}");
        }
        let answer = post_multipart(
            &world,
            &list_path,
            token,
            &[("file", Some(("a.png", "image/png")), &shot)],
        )
        .await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
        let answer = post(&world, &list_path, token, serde_json::json!({"onzin": 1})).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
    }
    // The reporter knows the case but reads the list and files on their own page only.
    get(&world, &list_path, &t.raadslid)
        .await
        .problem(StatusCode::FORBIDDEN);
    get(&world, &download_path, &t.raadslid)
        .await
        .problem(StatusCode::FORBIDDEN);
    // A token that may only read adds nothing, even the handler's.
    let problem = post(
        &world,
        &list_path,
        &t.griffier_read,
        serde_json::json!({"account": "@a"}),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:weerbaar:problem:insufficient-scope");
    assert_eq!(
        get(&world, &list_path, &t.griffier_read).await.status,
        StatusCode::OK
    );
    // None of the refusals read anything.
    assert_eq!(evidence_reads().await, 1, "only the read token's list");

    // A reader the handler let in reads and downloads, and adds nothing.
    let answer = post(
        &world,
        &format!("/api/v1/cases/{case}/access"),
        &t.griffier,
        serde_json::json!({"person": cast.burgemeester.id.as_str()}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text);
    assert_eq!(
        get(&world, &list_path, &t.burgemeester).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&world, &download_path, &t.burgemeester).await.status,
        StatusCode::OK
    );
    post(
        &world,
        &list_path,
        &t.burgemeester,
        serde_json::json!({"account": "@a"}),
    )
    .await
    .problem(StatusCode::FORBIDDEN);
    let evidence = get(&world, &list_path, &t.griffier).await.json();
    assert_eq!(evidence.as_array().unwrap().len(), 1, "{evidence}");
}

// --- the limit per token ---------------------------------------------------------------

#[tokio::test]
async fn a_token_over_its_limit_gets_429_with_retry_after_and_others_go_on() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    // 600 a minute (crates/web/src/api/bearer.rs): all of them answered.
    for n in 0..600 {
        let answer = get(&world, "/api/v1/me", &t.raadslid).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "request {n}: {}",
            answer.text
        );
    }
    let answer = get(&world, "/api/v1/me", &t.raadslid).await;
    let problem = answer.problem(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["type"], "urn:weerbaar:problem:too-many-requests");
    let wait: u64 = answer
        .headers
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Over the limit, every route of the token is refused, before any case is read.
    get(&world, "/api/v1/cases/mine", &t.raadslid)
        .await
        .problem(StatusCode::TOO_MANY_REQUESTS);
    // And nothing is written for a refused request: the use log holds the 600 answered.
    let caller = world
        .register()
        .api_token_caller(&t.raadslid, jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    let uses = world
        .register()
        .api_token_uses(&caller.person, &caller.token, 1000)
        .await
        .unwrap();
    assert_eq!(uses.len(), 600, "refused requests are not in the use log");
    // Another token, of another person or the same, has its own count.
    assert_eq!(
        get(&world, "/api/v1/me", &t.griffier).await.status,
        StatusCode::OK
    );
    let second = token_for(
        &world,
        &world
            .person("Tweede Sleutel", &[Role::Raadslid], &[], false)
            .await,
        ApiScope::Read,
    )
    .await;
    assert_eq!(
        get(&world, "/api/v1/me", &second).await.status,
        StatusCode::OK
    );
    // A bad token is a 401 as ever, not counted against anyone.
    get(&world, "/api/v1/me", "wbr_onzin")
        .await
        .problem(StatusCode::UNAUTHORIZED);
}

// --- a consult made into a report -----------------------------------------------------

fn a_promotion() -> Value {
    serde_json::json!({
        "behaviours": ["beledigen"],
        "occurred_at": (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(30)).to_string(),
        "channel": "sociale_media",
    })
}

#[tokio::test]
async fn the_handler_makes_a_consult_a_report_once() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let question = "Iemand schreef onder mijn bericht dat ik 'op moet passen'. Is dat een melding?";
    let answer = post(
        &world,
        "/api/v1/consults",
        &t.raadslid,
        serde_json::json!({"question": question}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let consult = answer.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{consult}/promote");

    // Only the handler, with a token that may act; strangers learn nothing.
    let made_up = post(
        &world,
        "/api/v1/cases/01900000-0000-7000-8000-000000000000/promote",
        &t.stranger,
        a_promotion(),
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    for token in [
        &t.stranger,
        &t.other_raadslid,
        &t.admin_write,
        &t.burgemeester,
    ] {
        let answer = post(&world, &path, token, serde_json::json!({"onzin": 1})).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
    }
    post(&world, &path, &t.raadslid, a_promotion())
        .await
        .problem(StatusCode::FORBIDDEN);
    let problem = post(&world, &path, &t.griffier_read, a_promotion())
        .await
        .problem(StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:weerbaar:problem:insufficient-scope");
    // The report form's checks.
    let mut bad = a_promotion();
    bad["behaviours"] = serde_json::json!([]);
    bad["occurred_at"] = serde_json::json!(
        (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(30)).to_string()
    );
    let problem = post(&world, &path, &t.griffier, bad)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["behaviours", "occurred_at"]);
    let still = get(&world, &format!("/api/v1/cases/{consult}"), &t.griffier)
        .await
        .json();
    assert_eq!(still["full"]["status"], "gemeld", "refusals change nothing");

    // Made into a report: the asker's, in the office they asked in, with their question.
    let answer = post(&world, &path, &t.griffier, a_promotion()).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let reported = answer.json();
    let report = reported["id"].as_str().unwrap().to_owned();
    assert_ne!(report, consult);
    assert_eq!(reported["handler"], "griffier");
    assert_eq!(
        answer.headers.get("location").unwrap(),
        &format!("/api/v1/cases/{report}")
    );
    let full = get(&world, &format!("/api/v1/cases/{report}"), &t.griffier)
        .await
        .json();
    assert_eq!(full["full"]["kind"], "melding");
    assert_eq!(full["full"]["narrative"], question);
    assert_eq!(full["full"]["victim_role"], "raadslid");
    let mine = get(&world, "/api/v1/cases/mine", &t.raadslid).await.json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == report.as_str()),
        "the asker's report: {mine}"
    );
    let closed = get(&world, &format!("/api/v1/cases/{consult}"), &t.griffier)
        .await
        .json();
    assert_eq!(closed["full"]["status"], "afgerond");
    assert!(
        closed["full"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "consult_promoted"),
        "{closed}"
    );
    // Once: the consult is closed, and a report is no consult.
    for case in [&consult, &report] {
        let problem = post(
            &world,
            &format!("/api/v1/cases/{case}/promote"),
            &t.griffier,
            a_promotion(),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "case");
    }
}

// --- the perpetrator's dossier and the police dossier ----------------------------------

#[tokio::test]
async fn the_perpetrators_dossier_is_the_handlers_and_names_the_earlier_case() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let report = || async {
        post(&world, "/api/v1/reports", &t.raadslid, a_report())
            .await
            .json()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let earlier = report().await;
    let later = report().await;
    let full = get(&world, &format!("/api/v1/cases/{later}"), &t.griffier)
        .await
        .json();
    let perpetrator = full["full"]["perpetrators"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/cases/{later}/perpetrators/{perpetrator}");

    let answer = get(&world, &path, &t.griffier).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let dossier = answer.json();
    assert_eq!(dossier["perpetrator"]["licence_plate"], "XX-999-Z");
    let cases = dossier["cases"].as_array().unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [earlier.as_str(), later.as_str()], "oldest first");
    assert_eq!(cases[1]["this_case"], true);
    assert_eq!(cases[0]["this_case"], false);
    assert!(
        !answer.text.contains(NARRATIVE),
        "the dossier names cases, not what they say"
    );
    let reads = reads_of(&world, &cast.griffier, &later).await;
    assert!(
        reads.iter().any(|(by, p)| by == cast.griffier.id.as_str()
            && p["perpetrator_dossier"] == perpetrator.as_str()),
        "{reads:?}"
    );

    // A perpetrator the case does not name, and no access at all: the same 404.
    let made_up = get(
        &world,
        &format!("/api/v1/cases/{later}/perpetrators/01900000-0000-7000-8000-000000000000"),
        &t.griffier,
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    for token in [&t.stranger, &t.other_raadslid, &t.admin, &t.burgemeester] {
        let answer = get(&world, &path, token).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
    }
    // Some access, not the handler's: the reporter, and a reader the handler let in.
    get(&world, &path, &t.raadslid)
        .await
        .problem(StatusCode::FORBIDDEN);
    let answer = post(
        &world,
        &format!("/api/v1/cases/{later}/access"),
        &t.griffier,
        serde_json::json!({"person": cast.burgemeester.id.as_str()}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    get(&world, &path, &t.burgemeester)
        .await
        .problem(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_police_dossier_answers_the_polices_questions_and_no_more() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let t = &cast.tokens;
    let mut report = a_report();
    report["during_meeting"] = serde_json::json!(true);
    report["injury"] = serde_json::json!("geestelijk_letsel");
    let case = post(&world, "/api/v1/reports", &t.raadslid, report)
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = |what: &str| format!("/api/v1/cases/{case}/{what}");
    let today = jiff::Zoned::now().date().to_string();
    let now = jiff::Timestamp::now().to_string();
    let measure = post(
        &world,
        &at("measures"),
        &t.griffier,
        serde_json::json!({"measure": "schriftelijke_waarschuwing", "starts_on": today, "note": "Na de bedreiging bij de bushalte."}),
    )
    .await
    .json()["item"]
    .as_str()
    .unwrap()
    .to_owned();
    let answer = post(
        &world,
        &at(&format!("measures/{measure}/account")),
        &t.griffier,
        serde_json::json!({"account": "Hij was boos over de kap van de bomen."}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let answer = post(
        &world,
        &at("police"),
        &t.griffier,
        serde_json::json!({"kind": "aangifte", "at": now, "victim_consent": true, "reference": "PL-2026-7"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let answer = post(
        &world,
        &at("evidence"),
        &t.griffier,
        serde_json::json!({"platform": "X", "account": "@boze_burger"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED);

    let answer = get(&world, &format!("/api/v1/cases/{case}"), &t.griffier).await;
    assert_eq!(
        answer.json()["full"]["during_meeting"],
        true,
        "the case says so too"
    );
    let answer = get(&world, &at("dossier"), &t.griffier).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let dossier = answer.json();
    assert_eq!(dossier["organisation"], "Gemeente Test");
    assert_eq!(
        dossier["who"]["victims"],
        serde_json::json!([{"role": "raadslid", "relation": "zelf"}])
    );
    assert_eq!(
        dossier["who"]["perpetrators"][0]["licence_plate"],
        "XX-999-Z"
    );
    assert_eq!(
        dossier["what"]["behaviours"],
        serde_json::json!(["dreigen_met_geweld"])
    );
    assert_eq!(dossier["what"]["narrative"], NARRATIVE);
    assert_eq!(dossier["where"]["place"], "Bushalte Dorpsstraat");
    assert_eq!(dossier["where"]["channel"], "in_persoon");
    assert_eq!(dossier["where"]["during_meeting"], true);
    assert_eq!(dossier["with_what"][0]["online"]["account"], "@boze_burger");
    assert_eq!(dossier["how_and_when"]["injury"], "geestelijk_letsel");
    assert_eq!(
        dossier["why"][0]["note"],
        "Na de bedreiging bij de bushalte."
    );
    assert_eq!(
        dossier["why"][0]["perpetrator_account"],
        "Hij was boos over de kap van de bomen."
    );
    assert_eq!(dossier["police"][0]["kind"], "aangifte");
    assert_eq!(dossier["police"][0]["reference"], "PL-2026-7");
    // Who was hit, by office only (the exact `victims` above): not their name or address.
    for secret in ["Rosa", "rosa.raadslid@gemeente.test"] {
        assert!(!answer.text.contains(secret), "{secret} in {}", answer.text);
    }
    // The page's reads: the case and its evidence.
    let reads = reads_of(&world, &cast.griffier, &case).await;
    assert!(
        reads.iter().any(|(_, p)| p["evidence_list"] == true),
        "{reads:?}"
    );

    // The pages' rules: reporter 403; informed, strangers and the made-up 404 alike.
    get(&world, &at("dossier"), &t.raadslid)
        .await
        .problem(StatusCode::FORBIDDEN);
    let made_up = get(
        &world,
        "/api/v1/cases/01900000-0000-7000-8000-000000000000/dossier",
        &t.stranger,
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    for token in [&t.stranger, &t.other_raadslid, &t.admin, &t.burgemeester] {
        let answer = get(&world, &at("dossier"), token).await;
        assert_eq!(answer.problem(StatusCode::NOT_FOUND), made_up);
    }
}

/// PROTOCOL.md §16 through the API: an organisation whose own protocol has an own
/// behaviour and lets a wethouder choose the recipient takes both, the situation and
/// `addressed`; a form the protocol lacks is a 422 naming the field and the allowed values.
#[tokio::test]
async fn a_report_takes_the_forms_of_the_organisations_own_protocol() {
    let world = World::new("westerveld").await;
    let cast = cast(&world).await;
    let own = weerbaar_protocol::preset_text("westerveld")
        .unwrap()
        .replacen(
            "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
            "report_to = [\"burgemeester\", \"gemeentesecretaris\"]",
            1,
        )
        + "\n[behaviours.gijzeling]\nlabel = \"Gijzeling\"\nexplanation = \"Iemand wordt vastgehouden.\"\ncategory = \"fysiek_geweld\"\n"
        + "\n[own_tasks.voorzitter_spreken]\nlabel = \"Met de voorzitter spreken\"\ndeadline = { same_day = true, target = true }\nwhen = { situations = [\"vergadering\"] }\n";
    world
        .register()
        .set_protocol(&world.organisation, None, &own)
        .await
        .unwrap();
    let wethouder = world
        .person("Wim Wethouder", &[Role::Wethouder], &[], false)
        .await;
    let token = token_for(&world, &wethouder, ApiScope::Write).await;

    let mut report = a_report();
    report["behaviours"] = serde_json::json!(["gijzeling"]);
    report["report_to"] = Value::from("gemeentesecretaris");
    report["situation"] = Value::from("gebouw");
    report["addressed"] = Value::from("unchanged");
    let answer = post(&world, "/api/v1/reports", &token, report).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let made = answer.json();
    assert_eq!(made["category"], "fysiek_geweld");
    assert_eq!(made["handler"], "gemeentesecretaris");

    // During a meeting is the situation `vergadering`: the own task of that situation
    // lands among the case's tasks, with its target deadline.
    let mut report = a_report();
    report["during_meeting"] = Value::from(true);
    let answer = post(&world, "/api/v1/reports", &token, report).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    // The wethouder chose nobody: the burgemeester, first of the choice, handles it.
    let case = get(
        &world,
        &format!("/api/v1/cases/{id}"),
        &cast.tokens.burgemeester,
    )
    .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text);
    let tasks = case.json()["full"]["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let own = tasks
        .iter()
        .find(|t| t["code"] == "voorzitter_spreken")
        .unwrap_or_else(|| panic!("the own task of the situation: {}", case.text));
    assert_eq!(own["target"], true);
    assert!(own["due_date"].is_string(), "{own}");

    // A recipient the protocol does not allow for a wethouder.
    let mut report = a_report();
    report["report_to"] = Value::from("griffier");
    let problem = post(&world, "/api/v1/reports", &token, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "report_to");
    let detail = problem["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("burgemeester, gemeentesecretaris"),
        "{detail}"
    );

    // A raadslid has no choice: report_to is refused, by name.
    let mut report = a_report();
    report["report_to"] = Value::from("griffier");
    let problem = post(&world, "/api/v1/reports", &cast.tokens.raadslid, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "report_to");

    // An own behaviour of another organisation is unknown here, and the list says what is.
    let mut report = a_report();
    report["behaviours"] = serde_json::json!(["gijzeling"]);
    let problem = post(&world, "/api/v1/reports", &cast.tokens.stranger, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    // (The stranger is a griffier, so victim.role is named too.)
    let error = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "behaviours[0]")
        .expect("the unknown behaviour is named");
    let detail = error["detail"].as_str().unwrap();
    assert!(
        detail.contains("schelden") && !detail.contains("gijzeling."),
        "{detail}"
    );

    // addressed and corrected_after_warning in contradiction.
    let mut report = a_report();
    report["corrected_after_warning"] = Value::from(true);
    report["addressed"] = Value::from("unchanged");
    let problem = post(&world, "/api/v1/reports", &token, report)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "addressed");
}
