//! A person's own settings pages: the API keys page shows each key's latest uses to its
//! owner and to nobody else; the calendar page shows the full link to copy when the
//! site's public address is known, and the path with an explanation when it is not.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::World;
use tower::ServiceExt;
use weerbaar_protocol::Role;
use weerbaar_register::{ApiScope, NewApiToken};

/// Calls the JSON API with a bearer token, as another system does.
async fn api_get(world: &World, token: &str, path: &str) -> StatusCode {
    let request = Request::builder()
        .uri(path)
        .header(header::HOST, "weerbaar.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    world.app.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn the_tokens_page_shows_each_tokens_latest_uses_to_its_owner_only() {
    let world = World::new("westerveld").await;
    let owner = world
        .person("Olga Eigenaar", &[Role::Raadslid], &[], false)
        .await;
    let other = world
        .person("Anton Ander", &[Role::Raadslid], &[], false)
        .await;
    let now = jiff::Timestamp::now();
    let (listing, token) = world
        .register()
        .create_api_token(
            &world.organisation,
            &owner.id,
            NewApiToken {
                name: String::from("koppeling-olga"),
                scope: ApiScope::Read,
                expires_at: now + jiff::SignedDuration::from_hours(24),
            },
            now,
        )
        .await
        .unwrap();
    let (_, unused) = world
        .register()
        .create_api_token(
            &world.organisation,
            &owner.id,
            NewApiToken {
                name: String::from("ongebruikt"),
                scope: ApiScope::Read,
                expires_at: now + jiff::SignedDuration::from_hours(24),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(api_get(&world, &token, "/api/v1/me").await, StatusCode::OK);
    assert_eq!(
        api_get(&world, &token, "/api/v1/cases/mine").await,
        StatusCode::OK
    );

    let mut client = world.sign_in(&owner).await;
    let page = client.get("/instellingen/tokens").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Gebruik van uw sleutels"),
        "{}",
        page.body
    );
    let newest = page
        .body
        .find("GET /api/v1/cases/mine")
        .expect("the latest use");
    let oldest = page.body.find("GET /api/v1/me").expect("the first use");
    assert!(newest < oldest, "newest first");
    assert_eq!(
        page.body
            .matches("class=\"utrecht-table__row wb-token-use\"")
            .count(),
        2
    );
    assert!(page.body.contains("Nog niet gebruikt."), "the unused key");
    assert!(page.body.contains(&unused[..12]));
    assert!(!page.body.contains(&token[12..]), "never the token itself");

    // Someone else sees neither the key nor its uses, on the page or through the register.
    let mut client = world.sign_in(&other).await;
    let page = client.get("/instellingen/tokens").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains(&token[..12]), "{}", page.body);
    assert!(!page.body.contains("/api/v1/cases/mine"), "{}", page.body);
    assert!(!page.body.contains("koppeling-olga"), "{}", page.body);
    let refused = world
        .register()
        .api_token_uses(&other.id, &listing.id, 50)
        .await;
    assert!(
        matches!(
            refused,
            Err(weerbaar_register::RegisterError::NotFound { .. })
        ),
        "{refused:?}"
    );
}

/// Makes a calendar link on `/instellingen/agenda` and returns the page that shows it.
async fn make_calendar_link(world: &World) -> support::Page {
    let raadslid = world
        .person("Rik Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let mut client = world.sign_in(&raadslid).await;
    let page = client.get("/instellingen/agenda").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page = client.post("/instellingen/agenda", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

/// The link in `<code … id="agendalink">…</code>`.
fn shown_link(body: &str) -> String {
    let at = body.find("id=\"agendalink\">").expect("the link") + "id=\"agendalink\">".len();
    let end = body[at..].find("</code>").unwrap() + at;
    body[at..end].to_owned()
}

#[tokio::test]
async fn the_calendar_link_is_the_full_address_when_the_public_url_is_set() {
    let world = World::with_settings(
        "westerveld",
        weerbaar_web::Settings {
            public_url: Some(String::from("https://weerbaar.gemeente.nl")),
            ..weerbaar_web::Settings::default()
        },
    )
    .await;
    let page = make_calendar_link(&world).await;
    let link = shown_link(&page.body);
    assert!(
        link.starts_with("https://weerbaar.gemeente.nl/agenda/") && link.ends_with(".ics"),
        "{link}"
    );
    assert!(page.body.contains("Outlook"), "{}", page.body);
    assert!(!page.body.contains("kent zijn eigen internetadres niet"));
    // The link works: its path serves the calendar.
    let path = link.strip_prefix("https://weerbaar.gemeente.nl").unwrap();
    let mut anyone = support::Client::new(world.app.clone());
    let feed = anyone.get(path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.starts_with("BEGIN:VCALENDAR"));
}

#[tokio::test]
async fn without_a_public_url_the_calendar_page_shows_the_path_and_explains() {
    let world = World::new("westerveld").await;
    let page = make_calendar_link(&world).await;
    let link = shown_link(&page.body);
    assert!(
        link.starts_with("/agenda/") && link.ends_with(".ics"),
        "{link}"
    );
    assert!(
        page.body.contains("kent zijn eigen internetadres niet"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("https://weerbaar.gemeente.nl{link}"))
    );
}
