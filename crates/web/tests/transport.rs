//! What the site's `https://` address (`server.public_url`) changes (issue 14): browsers
//! are told to use HTTPS only (HSTS), and a change is accepted only from exactly that
//! origin — the right host over plain HTTP is another origin, a network attacker's page.
//! And a body the server does not take (too large, cut off) is said as what it is.

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

#[tokio::test]
async fn a_file_too_large_or_a_broken_upload_is_said_as_what_it_is_and_nothing_is_kept() {
    let world = world(None).await;
    let rosa = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let mut client = world.sign_in(&rosa).await;
    client.get("/melden").await;
    // 27 MiB: over the 26 MiB a request may hold.
    let big = vec![0u8; 27 * 1024 * 1024];
    let page = client
        .post_multipart(
            "/melden",
            &[("gedrag", "schelden")],
            Some(("evidence_file", "opname.mp4", "video/mp4", &big)),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        page.body.contains("Te groot om te versturen"),
        "{}",
        page.body
    );
    assert!(page.body.contains("ten hoogste 25 MB"));
    assert!(!page.body.contains("Formulier verlopen"));

    // A multipart body cut off in the middle.
    let page = client
        .post_raw(
            "/melden",
            "multipart/form-data; boundary=grens",
            b"--grens\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc".to_vec(),
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("Formulier niet goed aangekomen"),
        "{}",
        page.body
    );

    assert!(
        world
            .register()
            .my_cases(&rosa.id)
            .await
            .unwrap()
            .is_empty()
    );
}
