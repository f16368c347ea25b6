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
