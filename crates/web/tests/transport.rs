//! What the site's `https://` address (`server.public_url`) changes (issue 14): browsers
//! are told to use HTTPS only (HSTS), and a change is accepted only from exactly that
//! origin — the right host over plain HTTP is another origin, a network attacker's page.

mod support;

use axum::http::StatusCode;
use support::World;
use weerbaar_protocol::Role;
use weerbaar_web::Settings;

async fn world(public_url: Option<&str>) -> World {
    World::with_settings(
        "westerveld",
        Settings {
            public_url: public_url.map(str::to_owned),
            ..Settings::default()
        },
    )
    .await
}

#[tokio::test]
async fn an_https_site_sends_hsts_and_a_plain_site_does_not() {
    let secure = world(Some("https://weerbaar.test")).await;
    let mut client = support::Client::new(secure.app.clone());
    let page = client.get("/aanmelden").await;
    assert_eq!(
        page.headers["strict-transport-security"],
        "max-age=31536000"
    );
    for public_url in [None, Some("http://weerbaar.test")] {
        let plain = world(public_url).await;
        let mut client = support::Client::new(plain.app.clone());
        let page = client.get("/aanmelden").await;
        assert!(
            !page.headers.contains_key("strict-transport-security"),
            "{public_url:?}"
        );
    }
}

#[tokio::test]
async fn a_change_is_accepted_only_from_the_sites_own_origin_scheme_and_all() {
    let world = world(Some("https://weerbaar.test")).await;
    let rosa = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let mut client = world.sign_in(&rosa).await;
    let token = client.csrf.clone().unwrap();
    let fields = [("csrf", token.as_str())];
    // The same host over plain HTTP, and another port: other origins.
    for origin in ["http://weerbaar.test", "https://weerbaar.test:8443"] {
        let page = client
            .post_with_headers("/afmelden", &fields, &[("origin", origin)])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{origin}");
        assert!(page.body.contains("Formulier verlopen"), "{origin}");
    }
    // Still signed in: nothing was done.
    assert_eq!(client.get("/").await.status, StatusCode::OK);
    let page = client
        .post_with_headers("/afmelden", &fields, &[("origin", "https://weerbaar.test")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}
