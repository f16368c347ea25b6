//! Signing in through an OpenID Connect provider. The provider is a real HTTP server on
//! 127.0.0.1 in this file: discovery, its keys (JWKS), an authorize endpoint that sends
//! the browser back with a code, and a token endpoint that checks the PKCE verifier and
//! the client's secret and answers with an RS256-signed ID token. Each test may make the
//! provider misbehave (wrong nonce, audience, issuer, an expired token, a signature by
//! another key) and checks that Weerbaar refuses.

#[path = "../../register/tests/support/postgres.rs"]
mod postgres;
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use sha2::{Digest, Sha256};
use support::{Client, World};
use weerbaar_protocol::Role;
use weerbaar_register::SessionSource;
use weerbaar_register::duties::Duty;
use weerbaar_register::{MasterKey, Register};
use weerbaar_web::{AppState, OidcClaim, OidcSettings, Settings};

const CLIENT_ID: &str = "weerbaar-test";
const CLIENT_SECRET: &str = "geheim-van-de-client";
const REDIRECT: &str = "http://weerbaar.test/aanmelden/extern/terug";

/// What the provider puts in its next ID token, and how it may misbehave.
#[derive(Debug, Clone)]
struct Behaviour {
    email: String,
    email_verified: Option<bool>,
    wrong_nonce: bool,
    audience: Option<String>,
    issuer: Option<String>,
    expired: bool,
    other_key: bool,
    /// Further claims in the token (`upn`, …).
    extra: Vec<(String, serde_json::Value)>,
    /// Further claims the userinfo endpoint gives.
    userinfo: Vec<(String, serde_json::Value)>,
    /// The subject the userinfo endpoint names, when not the token's.
    userinfo_subject: Option<String>,
    /// The ID token leaves the `email` claim out (the userinfo endpoint still gives it).
    no_email_in_token: bool,
}

impl Behaviour {
    fn for_email(email: &str) -> Behaviour {
        Behaviour {
            email: email.to_owned(),
            email_verified: Some(true),
            wrong_nonce: false,
            audience: None,
            issuer: None,
            expired: false,
            other_key: false,
            extra: Vec::new(),
            userinfo: Vec::new(),
            userinfo_subject: None,
            no_email_in_token: false,
        }
    }
}

struct Grant {
    nonce: String,
    challenge: String,
}

struct Provider {
    base: String,
    key: CoreRsaPrivateSigningKey,
    other: CoreRsaPrivateSigningKey,
    grants: Mutex<HashMap<String, Grant>>,
    /// The access tokens handed out, for the userinfo endpoint.
    access_tokens: Mutex<Vec<String>>,
    behaviour: Mutex<Behaviour>,
}

type Shared = Arc<Provider>;

async fn discovery(State(p): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
        "userinfo_endpoint": format!("{}/userinfo", p.base),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(p): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "keys": [p.key.as_verification_key()] }))
}

async fn authorize(State(p): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(q.get("redirect_uri").map(String::as_str), Some(REDIRECT));
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256"),
        "PKCE with S256"
    );
    assert!(q.get("scope").is_some_and(|s| s.contains("openid")));
    let code = format!("code-{}", rand_hex());
    p.grants.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: q.get("nonce").cloned().expect("a nonce"),
            challenge: q.get("code_challenge").cloned().expect("a challenge"),
        },
    );
    let state = q.get("state").cloned().expect("a state");
    Redirect::to(&format!("{REDIRECT}?code={code}&state={state}")).into_response()
}

fn rand_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

async fn token(
    State(p): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let grant = f
        .get("code")
        .and_then(|code| p.grants.lock().unwrap().remove(code));
    let Some(grant) = grant else {
        return invalid_grant();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return invalid_grant();
    }
    let b = p.behaviour.lock().unwrap().clone();
    let now = jiff::Timestamp::now().as_second();
    let (iat, exp) = if b.expired {
        (now - 3600, now - 1800)
    } else {
        (now, now + 300)
    };
    let mut claims = serde_json::json!({
        "iss": b.issuer.clone().unwrap_or_else(|| p.base.clone()),
        "aud": b.audience.clone().unwrap_or_else(|| CLIENT_ID.to_owned()),
        "sub": "onderwerp-123",
        "iat": iat,
        "exp": exp,
        "nonce": if b.wrong_nonce { String::from("een-andere-nonce") } else { grant.nonce },
        "email": b.email,
    });
    if let Some(verified) = b.email_verified {
        claims["email_verified"] = serde_json::Value::Bool(verified);
    }
    if b.no_email_in_token {
        claims.as_object_mut().unwrap().remove("email");
    }
    for (name, value) in &b.extra {
        claims[name.as_str()] = value.clone();
    }
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "sleutel-1"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = if b.other_key { &p.other } else { &p.key };
    let signature = key
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            input.as_bytes(),
        )
        .expect("signed");
    let id_token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let access_token = rand_hex();
    p.access_tokens.lock().unwrap().push(access_token.clone());
    Json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

/// The userinfo endpoint: for an access token it handed out, the subject, the e-mail
/// address and the behaviour's userinfo claims.
async fn userinfo(State(p): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    if !p.access_tokens.lock().unwrap().contains(&token) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let b = p.behaviour.lock().unwrap().clone();
    let mut claims = serde_json::json!({
        "sub": b.userinfo_subject.clone().unwrap_or_else(|| String::from("onderwerp-123")),
        "email": b.email,
    });
    for (name, value) in &b.userinfo {
        claims[name.as_str()] = value.clone();
    }
    Json(claims).into_response()
}

fn invalid_grant() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"error": "invalid_grant"})),
    )
        .into_response()
}

/// Starts the provider on 127.0.0.1 (a free port).
async fn start_provider() -> Shared {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let kid = Some(JsonWebKeyId::new(String::from("sleutel-1")));
    let provider = Arc::new(Provider {
        base,
        key: CoreRsaPrivateSigningKey::from_pem(
            include_str!("keys/provider_rsa_1.pem"),
            kid.clone(),
        )
        .expect("key 1"),
        other: CoreRsaPrivateSigningKey::from_pem(include_str!("keys/provider_rsa_2.pem"), kid)
            .expect("key 2"),
        grants: Mutex::new(HashMap::new()),
        access_tokens: Mutex::new(Vec::new()),
        behaviour: Mutex::new(Behaviour::for_email("nobody@gemeente.test")),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/userinfo", get(userinfo))
        .with_state(provider.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the provider runs");
    });
    provider
}

/// The support world, with the provider configured (or not).
async fn world(issuer: Option<&str>) -> World {
    world_with_claim(issuer, OidcClaim::Email).await
}

/// The support world, with the provider configured (or not) and `claim` naming people.
async fn world_with_claim(issuer: Option<&str>, claim: OidcClaim) -> World {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let register = Register::open(&url, MasterKey::generate())
        .await
        .expect("a register")
        .with_evidence_dir(dir.path().join("evidence"));
    let text = weerbaar_protocol::preset_text("westerveld").expect("a preset");
    let organisation = register
        .create_organisation("Gemeente Test", text)
        .await
        .expect("an organisation");
    let settings = Settings {
        oidc: issuer.map(|issuer| OidcSettings {
            issuer: issuer.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: Some(CLIENT_SECRET.to_owned()),
            redirect_url: REDIRECT.to_owned(),
            claim,
            organisation: String::from("Gemeente Test"),
            label: String::from("Testprovider"),
        }),
        ..Settings::default()
    };
    let state = AppState::new(register, settings);
    let app = weerbaar_web::router(state.clone());
    let world = World {
        dir,
        state,
        app,
        organisation,
    };
    world
        .person(
            "Eerste Beheerder",
            &[Role::Ambtenaar],
            &[Duty::Beheerder],
            true,
        )
        .await;
    world
}

/// Walks a browser through the provider: the sign-in page's link, the provider's
/// authorize endpoint (over real HTTP), and back. Returns the callback's answer.
async fn through_provider(client: &mut Client) -> support::Page {
    let path = to_provider(client).await;
    client.get(&path).await
}

/// Starts a sign-in and walks to the provider; returns the path (and query) of the
/// provider's answer on this site, not yet visited.
async fn to_provider(client: &mut Client) -> String {
    let page = client.get("/aanmelden/extern?terug=/mijn-meldingen").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let authorize = page.location.expect("to the provider");
    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let answer = http.get(&authorize).send().await.expect("the provider");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let back = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("back to weerbaar")
        .to_owned();
    back.strip_prefix("http://weerbaar.test")
        .expect("our site")
        .to_owned()
}

fn behave(provider: &Shared, behaviour: Behaviour) {
    *provider.behaviour.lock().unwrap() = behaviour;
}

#[tokio::test]
async fn a_person_signs_in_through_the_provider_and_lands_signed_in() {
    let provider = start_provider().await;
    let world = world(Some(&provider.base)).await;
    // A griffier: a handler, who with a password would be asked for a second factor.
    let griffier = world
        .person("Gerda Griffier", &[Role::Griffier], &[], true)
        .await;
    behave(
        &provider,
        Behaviour::for_email(&griffier.email.to_uppercase()),
    );
    let mut client = Client::new(world.app.clone());
    let page = client.get("/aanmelden").await;
    assert!(
        page.body.contains("Aanmelden met Testprovider"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/aanmelden/extern?terug="));
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/mijn-meldingen"));
    assert!(client.cookie("weerbaar_sessie").is_some());
    // Signed in, the second factor being the provider's: no code is asked.
    let page = client.get("/").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Gerda Griffier"), "{}", page.body);
    let page = client.get("/werkbak").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The same answer cannot be used twice: the state worked once.
    assert!(provider.grants.lock().unwrap().is_empty());
}

/// Signs in with the provider behaving so; the answer must refuse and sign no one in.
async fn refused(behaviour: impl FnOnce(&mut Behaviour), expect: &str) {
    let provider = start_provider().await;
    let world = world(Some(&provider.base)).await;
    let raadslid = world
        .person("Rik Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let mut b = Behaviour::for_email(&raadslid.email);
    behaviour(&mut b);
    behave(&provider, b);
    let mut client = Client::new(world.app.clone());
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("Aanmelden niet gelukt"), "{}", page.body);
    assert!(page.body.contains(expect), "{}", page.body);
    assert!(client.cookie("weerbaar_sessie").is_none());
    let page = client.get("/").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

const INVALID: &str = "niet op een geldige manier bevestigd";

#[tokio::test]
async fn a_wrong_nonce_is_refused() {
    refused(|b| b.wrong_nonce = true, INVALID).await;
}

#[tokio::test]
async fn a_token_for_another_client_is_refused() {
    refused(
        |b| b.audience = Some(String::from("een-andere-app")),
        INVALID,
    )
    .await;
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    refused(
        |b| b.issuer = Some(String::from("http://127.0.0.1:1/ander")),
        INVALID,
    )
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    refused(|b| b.expired = true, INVALID).await;
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_refused() {
    refused(|b| b.other_key = true, INVALID).await;
}

#[tokio::test]
async fn an_unknown_email_is_refused_and_no_account_is_made() {
    refused(
        |b| b.email = String::from("onbekend@gemeente.test"),
        "Weerbaar kent u nog niet",
    )
    .await;
}

#[tokio::test]
async fn an_unverified_email_is_refused() {
    refused(
        |b| b.email_verified = Some(false),
        "Weerbaar kent u nog niet",
    )
    .await;
}

#[tokio::test]
async fn an_address_the_id_token_calls_unverified_is_refused_from_userinfo_too() {
    // The ID token says email_verified: false but leaves the address out; the userinfo
    // endpoint gives the address and says nothing of verification.
    refused(
        |b| {
            b.email_verified = Some(false);
            b.no_email_in_token = true;
        },
        "Weerbaar kent u nog niet",
    )
    .await;
}

#[tokio::test]
async fn the_answer_must_come_back_to_the_browser_that_asked() {
    let provider = start_provider().await;
    let world = world(Some(&provider.base)).await;
    let raadslid = world
        .person("Rik Raadslid", &[Role::Raadslid], &[], false)
        .await;
    behave(&provider, Behaviour::for_email(&raadslid.email));
    // The attacker starts a sign-in and hands the answer's link to someone else.
    let mut attacker = Client::new(world.app.clone());
    let page = attacker.get("/aanmelden/extern").await;
    let authorize = page.location.expect("to the provider");
    let http = openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let answer = http.get(&authorize).send().await.expect("the provider");
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    let mut victim = Client::new(world.app.clone());
    let page = victim
        .get(back.strip_prefix("http://weerbaar.test").unwrap())
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(victim.cookie("weerbaar_sessie").is_none());
}

#[tokio::test]
async fn local_sign_in_keeps_working_beside_the_provider() {
    let provider = start_provider().await;
    let world = world(Some(&provider.base)).await;
    let griffier = world
        .person("Gerda Griffier", &[Role::Griffier], &[], true)
        .await;
    let mut client = world.sign_in(&griffier).await;
    let page = client.get("/werkbak").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // A session begun with the password says so.
    let session = world
        .register()
        .session(
            client.cookie("weerbaar_sessie").expect("a session"),
            jiff::Timestamp::now(),
            weerbaar_register::SessionLimits::default(),
        )
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(session.source, SessionSource::Password);
}

#[tokio::test]
async fn without_a_provider_there_is_no_button_and_no_route() {
    let world = world(None).await;
    let mut client = Client::new(world.app.clone());
    let page = client.get("/aanmelden").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Aanmelden met"));
    let page = client.get("/aanmelden/extern").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unreachable_provider_is_a_calm_page() {
    // A port that was free a moment ago: nothing answers there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let world = world(Some(&format!("http://127.0.0.1:{port}"))).await;
    let mut client = Client::new(world.app.clone());
    let page = client.get("/aanmelden/extern").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY, "{}", page.body);
    assert!(page.body.contains("nu niet bereikbaar"), "{}", page.body);
}

#[tokio::test]
async fn starting_at_the_provider_is_limited_per_client_address() {
    use tower::ServiceExt;
    let provider = start_provider().await;
    let world = world(Some(&provider.base)).await;
    let address: std::net::SocketAddr = "192.0.2.7:50000".parse().unwrap();
    let mut statuses = Vec::new();
    for _ in 0..21 {
        let mut request = axum::http::Request::builder()
            .uri("/aanmelden/extern")
            .header("host", "weerbaar.test")
            .body(axum::body::Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(address));
        let response = world.app.clone().oneshot(request).await.unwrap();
        statuses.push(response.status());
    }
    assert!(
        statuses[..20].iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
}

fn provider_settings(issuer: &str, claim: OidcClaim) -> Settings {
    Settings {
        oidc: Some(OidcSettings {
            issuer: issuer.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: Some(CLIENT_SECRET.to_owned()),
            redirect_url: REDIRECT.to_owned(),
            claim,
            organisation: String::from("Gemeente Test"),
            label: String::from("Testprovider"),
        }),
        ..Settings::default()
    }
}

/// Two instances of Weerbaar on one database (`url`), each with its own register and
/// application, as several `weerbaar serve` behind a load balancer: the world of the
/// first, and the application of the second.
async fn two_instances(issuer: &str, url: &str) -> (World, axum::Router) {
    let key = MasterKey::generate();
    let first = Register::open(url, MasterKey::from_hex(&key.to_hex()).unwrap())
        .await
        .expect("the first instance's register");
    let text = weerbaar_protocol::preset_text("westerveld").expect("a preset");
    let organisation = first
        .create_organisation("Gemeente Test", text)
        .await
        .expect("an organisation");
    let second = Register::open(url, key)
        .await
        .expect("the second instance's register");
    let state = AppState::new(first, provider_settings(issuer, OidcClaim::Email));
    let world = World {
        dir: tempfile::tempdir().expect("a temporary folder"),
        app: weerbaar_web::router(state.clone()),
        state,
        organisation,
    };
    world
        .person(
            "Eerste Beheerder",
            &[Role::Ambtenaar],
            &[Duty::Beheerder],
            true,
        )
        .await;
    let other = weerbaar_web::router(AppState::new(
        second,
        provider_settings(issuer, OidcClaim::Email),
    ));
    (world, other)
}

const STATE_COOKIE: &str = "weerbaar_aanmelden_extern";

/// The `state` parameter of the provider's answer.
fn state_of(path: &str) -> String {
    path.split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("state="))
        .expect("a state")
        .to_owned()
}

async fn begun_on_one_instance_finished_on_another(url: &str) {
    let provider = start_provider().await;
    let (world, other) = two_instances(&provider.base, url).await;
    let griffier = world
        .person("Gerda Griffier", &[Role::Griffier], &[], true)
        .await;
    behave(&provider, Behaviour::for_email(&griffier.email));
    // Started on the first instance …
    let mut browser = Client::new(world.app.clone());
    let answer = to_provider(&mut browser).await;
    // … and the provider's answer reaches the second.
    let mut browser = browser.on(other.clone());
    let page = browser.get(&answer).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/mijn-meldingen"));
    let token = browser
        .cookie("weerbaar_sessie")
        .expect("a session")
        .to_owned();
    let page = browser.get("/werkbak").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = browser.on(world.app.clone()).get("/werkbak").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The session says it came from the provider.
    let session = world
        .register()
        .session(
            &token,
            jiff::Timestamp::now(),
            weerbaar_register::SessionLimits::default(),
        )
        .await
        .unwrap()
        .expect("a live session");
    assert_eq!(session.source, SessionSource::Provider);
    assert_eq!(session.source.label(), "via de identiteitsprovider");
    assert!(session.verified);

    // The same answer again, with the state's cookie put back: refused on either
    // instance, the state worked once.
    for app in [world.app.clone(), other.clone()] {
        let mut replay = Client::new(app);
        replay.set_cookie(STATE_COOKIE, &state_of(&answer));
        let page = replay.get(&answer).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.body.contains("duurde te lang"), "{}", page.body);
        assert!(replay.cookie("weerbaar_sessie").is_none());
    }
}

#[tokio::test]
async fn a_sign_in_begun_on_one_instance_finishes_on_another_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    begun_on_one_instance_finished_on_another(&url).await;
}

#[tokio::test]
async fn a_sign_in_begun_on_one_instance_finishes_on_another_postgres() {
    let Some(cluster) = postgres::TestCluster::start() else {
        return;
    };
    begun_on_one_instance_finished_on_another(&cluster.fresh_database()).await;
}

/// The register's side: taken once, refused after ten minutes, purged with the sessions,
/// and nothing of the state, nonce or verifier in the clear in the database.
async fn sign_ins_are_taken_once_refused_when_old_and_purged(
    url: &str,
    sqlite_file: Option<&std::path::Path>,
) {
    use weerbaar_register::PendingSignIn;
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let text = weerbaar_protocol::preset_text("westerveld").unwrap();
    let organisation = register
        .create_organisation("Gemeente Test", text)
        .await
        .unwrap();
    let pending = PendingSignIn {
        nonce: String::from("nonce-die-geheim-blijft"),
        verifier: String::from("verifier-die-geheim-blijft"),
        return_to: String::from("/mijn-meldingen"),
    };
    let now = jiff::Timestamp::now();
    let old = now - jiff::SignedDuration::from_mins(11);
    register
        .begin_provider_sign_in(&organisation, "staat-een", &pending, now)
        .await
        .unwrap();
    let taken = register
        .take_provider_sign_in(&organisation, "staat-een", now)
        .await
        .unwrap();
    assert_eq!(taken, Some(pending.clone()));
    // Begun for one organisation, it is not another's to take (nor removed by trying).
    let other = register
        .create_organisation("Gemeente Elders", text)
        .await
        .unwrap();
    register
        .begin_provider_sign_in(&organisation, "staat-vijf", &pending, now)
        .await
        .unwrap();
    assert_eq!(
        register
            .take_provider_sign_in(&other, "staat-vijf", now)
            .await
            .unwrap(),
        None,
        "another organisation's provider cannot finish it"
    );
    assert!(
        register
            .take_provider_sign_in(&organisation, "staat-vijf", now)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        register
            .take_provider_sign_in(&organisation, "staat-een", now)
            .await
            .unwrap(),
        None,
        "a state works once"
    );
    assert_eq!(
        register
            .take_provider_sign_in(&organisation, "onbekend", now)
            .await
            .unwrap(),
        None
    );
    // Begun eleven minutes ago: refused.
    register
        .begin_provider_sign_in(&organisation, "staat-twee", &pending, old)
        .await
        .unwrap();
    assert_eq!(
        register
            .take_provider_sign_in(&organisation, "staat-twee", now)
            .await
            .unwrap(),
        None
    );
    // Purged with the expired sessions; a recent one stays.
    register
        .begin_provider_sign_in(&organisation, "staat-drie", &pending, old)
        .await
        .unwrap();
    register
        .begin_provider_sign_in(&organisation, "staat-vier", &pending, now)
        .await
        .unwrap();
    register
        .purge_sessions(now, weerbaar_register::SessionLimits::default())
        .await
        .unwrap();
    // Were it still there, a minute after it began it would be taken.
    assert_eq!(
        register
            .take_provider_sign_in(
                &organisation,
                "staat-drie",
                old + jiff::SignedDuration::from_mins(1)
            )
            .await
            .unwrap(),
        None,
        "the old sign-in is purged"
    );
    // On SQLite, the database's files hold neither the state nor the nonce or verifier.
    if let Some(file) = sqlite_file {
        let mut bytes = std::fs::read(file).unwrap();
        bytes.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/mijn-meldingen"), "the row is in the files");
        for secret in ["staat-vier", "geheim-blijft"] {
            assert!(!text.contains(secret), "{secret} in the clear");
        }
    }
    assert!(
        register
            .take_provider_sign_in(&organisation, "staat-vier", now)
            .await
            .unwrap()
            .is_some()
    );
    register.db().close().await;
}

#[tokio::test]
async fn sign_ins_in_progress_are_taken_once_refused_when_old_and_purged_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("weerbaar.db");
    let url = format!("sqlite://{}", file.display());
    sign_ins_are_taken_once_refused_when_old_and_purged(&url, Some(&file)).await;
}

#[tokio::test]
async fn sign_ins_in_progress_are_taken_once_refused_when_old_and_purged_postgres() {
    let Some(cluster) = postgres::TestCluster::start() else {
        return;
    };
    sign_ins_are_taken_once_refused_when_old_and_purged(&cluster.fresh_database(), None).await;
}

/// With `oidc.claim = "upn"`, the person is found by the token's `upn` (Entra ID's sign-in
/// name), not by its `email`.
async fn upn_world(provider: &Shared) -> (World, support::Someone) {
    let world = world_with_claim(
        Some(&provider.base),
        OidcClaim::from_name("upn").expect("upn can name a person"),
    )
    .await;
    let griffier = world
        .person("Gerda Griffier", &[Role::Griffier], &[], true)
        .await;
    (world, griffier)
}

#[tokio::test]
async fn a_person_is_found_by_a_configured_claim_such_as_upn() {
    let provider = start_provider().await;
    let (world, griffier) = upn_world(&provider).await;
    let mut b = Behaviour::for_email("prive-adres@elders.test");
    b.extra = vec![(
        String::from("upn"),
        serde_json::Value::String(griffier.email.to_uppercase()),
    )];
    behave(&provider, b);
    let mut client = Client::new(world.app.clone());
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/mijn-meldingen"));
    let page = client.get("/").await;
    assert!(page.body.contains("Gerda Griffier"), "{}", page.body);
}

#[tokio::test]
async fn a_configured_claim_that_is_missing_or_no_address_is_refused() {
    let provider = start_provider().await;
    let (world, griffier) = upn_world(&provider).await;
    // The e-mail claim names the person, but the configured claim is missing.
    behave(&provider, Behaviour::for_email(&griffier.email));
    let mut client = Client::new(world.app.clone());
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(
        page.body.contains("Weerbaar kent u nog niet"),
        "{}",
        page.body
    );
    // A value that is no e-mail address (a Windows account name), or no text at all.
    for value in [
        serde_json::Value::String(String::from("GEMEENTE\\gerda")),
        serde_json::json!(["gerda.griffier@gemeente.test"]),
    ] {
        let mut b = Behaviour::for_email(&griffier.email);
        b.extra = vec![(String::from("upn"), value)];
        behave(&provider, b);
        let mut client = Client::new(world.app.clone());
        let page = through_provider(&mut client).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(client.cookie("weerbaar_sessie").is_none());
    }
}

#[test]
fn claims_that_hold_no_address_cannot_be_configured() {
    assert_eq!(OidcClaim::from_name("email"), Some(OidcClaim::Email));
    assert_eq!(
        OidcClaim::from_name("preferred_username"),
        Some(OidcClaim::PreferredUsername)
    );
    assert_eq!(
        OidcClaim::from_name("upn").map(|c| c.name().to_owned()),
        Some(String::from("upn"))
    );
    for name in ["", "sub", "name", "email_verified", "met spatie"] {
        assert_eq!(OidcClaim::from_name(name), None, "{name}");
    }
}

#[tokio::test]
async fn a_configured_claim_missing_from_the_id_token_is_read_from_userinfo() {
    let provider = start_provider().await;
    let (world, griffier) = upn_world(&provider).await;
    let mut b = Behaviour::for_email("prive-adres@elders.test");
    b.userinfo = vec![(
        String::from("upn"),
        serde_json::Value::String(griffier.email.clone()),
    )];
    behave(&provider, b);
    let mut client = Client::new(world.app.clone());
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(client.cookie("weerbaar_sessie").is_some());
}

#[tokio::test]
async fn userinfo_about_another_subject_is_refused() {
    let provider = start_provider().await;
    let (world, griffier) = upn_world(&provider).await;
    let mut b = Behaviour::for_email("prive-adres@elders.test");
    b.userinfo = vec![(
        String::from("upn"),
        serde_json::Value::String(griffier.email.clone()),
    )];
    b.userinfo_subject = Some(String::from("iemand-anders"));
    behave(&provider, b);
    let mut client = Client::new(world.app.clone());
    let page = through_provider(&mut client).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains(INVALID), "{}", page.body);
    assert!(client.cookie("weerbaar_sessie").is_none());
}
