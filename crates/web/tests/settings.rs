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
