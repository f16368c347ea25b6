//! Signing in through an OpenID Connect provider. The provider is a real HTTP server on
//! 127.0.0.1 in this file: discovery, its keys (JWKS), an authorize endpoint that sends
//! the browser back with a code, and a token endpoint that checks the PKCE verifier and
//! the client's secret and answers with an RS256-signed ID token. Each test may make the
//! provider misbehave (wrong nonce, audience, issuer, an expired token, a signature by
//! another key) and checks that Weerbaar refuses.

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
    behaviour: Mutex<Behaviour>,
}

type Shared = Arc<Provider>;

async fn discovery(State(p): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
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
    Json(serde_json::json!({
        "access_token": rand_hex(),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
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
        behaviour: Mutex::new(Behaviour::for_email("nobody@gemeente.test")),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the provider runs");
    });
    provider
}

/// The support world, with the provider configured (or not).
async fn world(issuer: Option<&str>) -> World {
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
            claim: OidcClaim::Email,
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
    let path = back.strip_prefix("http://weerbaar.test").expect("our site");
    client.get(path).await
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
