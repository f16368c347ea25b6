//! Personal API tokens on SQLite and PostgreSQL: made with a scope and an expiry, shown
//! once and stored as a hash, listed without secrets, revoked, refused when expired,
//! revoked or of a disabled account, and every use recorded.

mod support;

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::Row;
use support::world::{leiden_and_westerveld, person};
use weerbaar_protocol::Role;
use weerbaar_register::db::Db;
use weerbaar_register::{
    ApiScope, Duty, MasterKey, NewApiToken, OrganisationId, PersonId, Register, RegisterError,
};

struct World {
    register: Register,
    leiden: OrganisationId,
    raadslid: PersonId,
    admin: PersonId,
    /// A person of the other organisation.
    stranger: PersonId,
}

async fn world(url: &str) -> World {
    let register = Register::open(url, MasterKey::generate()).await.unwrap();
    let (leiden, westerveld) = leiden_and_westerveld(&register).await;
    let mut ids = Vec::new();
    for (organisation, name, email, role) in [
        (
            &leiden,
            "Fatima El Amrani",
            "f@leiden.example",
            Role::Raadslid,
        ),
        (
            &leiden,
            "Bea Beheer",
            "beheer@leiden.example",
            Role::Ambtenaar,
        ),
        (
            &westerveld,
            "Wim Westerveld",
            "w@westerveld.example",
            Role::Raadslid,
        ),
    ] {
        let id = register
            .add_person(organisation, person(name, email, vec![(role, true)]))
            .await
            .unwrap();
        register
            .set_password(organisation, &id, "een lange zin als wachtwoord")
            .await
            .unwrap();
        ids.push(id);
    }
    register
        .set_duties(&leiden, &ids[1], &[Duty::Beheerder])
        .await
        .unwrap();
    World {
        register,
        leiden,
        raadslid: ids[0].clone(),
        admin: ids[1].clone(),
        stranger: ids[2].clone(),
    }
}

/// A token of `days` days from now; tests that mind the moment pass the same `now`.
fn new(name: &str, scope: ApiScope, days: i64) -> NewApiToken {
    new_at(Timestamp::now(), name, scope, days)
}

fn new_at(now: Timestamp, name: &str, scope: ApiScope, days: i64) -> NewApiToken {
    NewApiToken {
        name: name.to_owned(),
        scope,
        expires_at: now + SignedDuration::from_hours(24 * days),
    }
}

async fn a_token_is_shown_once_stored_as_a_hash_and_recorded_at_each_use(world: World) {
    let now = Timestamp::now();
    let (listing, token) = world
        .register
        .create_api_token(
            &world.leiden,
            &world.raadslid,
            new("zaaksysteem", ApiScope::Read, 30),
            now,
        )
        .await
        .unwrap();
    assert!(
        token.starts_with("wbr_") && token.len() == 4 + 43,
        "{token}"
    );
    assert_eq!(listing.prefix, token[..12]);
    assert_eq!(listing.scope, ApiScope::Read);

    // Only the hash is in the database; the token itself nowhere.
    let (hash, name): (Vec<u8>, String) = match world.register.db() {
        Db::Sqlite(pool) => {
            let row = sqlx::query("SELECT token_hash, name FROM api_tokens")
                .fetch_one(pool)
                .await
                .unwrap();
            (row.get("token_hash"), row.get("name"))
        }
        Db::Postgres(pool) => {
            let row = sqlx::query("SELECT token_hash, name FROM api_tokens")
                .fetch_one(pool)
                .await
                .unwrap();
            (row.get("token_hash"), row.get("name"))
        }
    };
    assert_eq!(hash, Sha256::digest(token.as_bytes()).to_vec());
    assert_eq!(name, "zaaksysteem");

    let listed = world.register.api_tokens(&world.raadslid).await.unwrap();
    assert_eq!(listed, vec![listing.clone()]);
    assert!(!format!("{listed:?}").contains(&token[12..]));
    assert!(listed[0].last_used_at.is_none());

    let caller = world
        .register
        .authenticate_api_token(&token, now, "GET", "/cases/mine")
        .await
        .unwrap()
        .expect("the token works");
    assert_eq!(caller.person, world.raadslid);
    assert_eq!(caller.organisation, world.leiden);
    assert_eq!(caller.scope, ApiScope::Read);
    world
        .register
        .authenticate_api_token(&token, now, "GET", "/cases/{case}")
        .await
        .unwrap()
        .unwrap();
    let listed = world.register.api_tokens(&world.raadslid).await.unwrap();
    assert_eq!(
        listed[0].last_used_at,
        Some(Timestamp::from_microsecond(now.as_microsecond()).unwrap())
    );
    let uses = world
        .register
        .api_token_uses(&world.raadslid, &listing.id, 10)
        .await
        .unwrap();
    let routes: Vec<&str> = uses.iter().map(|u| u.route.as_str()).collect();
    assert_eq!(uses.len(), 2);
    assert!(routes.contains(&"/cases/mine") && routes.contains(&"/cases/{case}"));
    // Someone else cannot read the uses of the token.
    assert!(matches!(
        world
            .register
            .api_token_uses(&world.admin, &listing.id, 10)
            .await,
        Err(RegisterError::NotFound { .. })
    ));

    // A wrong token, one without the prefix, or one changed by a letter signs no one in.
    let last = if token.ends_with('A') { "B" } else { "A" };
    let changed = format!("{}{last}", &token[..token.len() - 1]);
    for wrong in ["", "wbr_", "xyz", &token[4..], &changed] {
        assert!(
            world
                .register
                .authenticate_api_token(wrong, now, "GET", "/x")
                .await
                .unwrap()
                .is_none(),
            "{wrong}"
        );
    }
}

async fn expired_revoked_and_disabled_tokens_sign_no_one_in(world: World) {
    let now = Timestamp::now();
    let register = &world.register;
    let (listing, token) = register
        .create_api_token(
            &world.leiden,
            &world.raadslid,
            new("kort", ApiScope::Write, 1),
            now,
        )
        .await
        .unwrap();
    let later = now + SignedDuration::from_hours(25);
    assert!(
        register
            .authenticate_api_token(&token, later, "GET", "/x")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        register
            .authenticate_api_token(&token, now, "GET", "/x")
            .await
            .unwrap()
            .is_some()
    );

    // Revoked: by its own person only; a stranger's attempt finds nothing.
    assert!(matches!(
        register
            .revoke_api_token(&world.stranger, &listing.id, now)
            .await,
        Err(RegisterError::NotFound { .. })
    ));
    assert!(
        register
            .authenticate_api_token(&token, now, "GET", "/x")
            .await
            .unwrap()
            .is_some()
    );
    register
        .revoke_api_token(&world.raadslid, &listing.id, now)
        .await
        .unwrap();
    register
        .revoke_api_token(&world.raadslid, &listing.id, later)
        .await
        .unwrap();
    assert!(
        register
            .authenticate_api_token(&token, now, "GET", "/x")
            .await
            .unwrap()
            .is_none()
    );
    let listed = register.api_tokens(&world.raadslid).await.unwrap();
    assert_eq!(
        listed[0].revoked_at.map(|t| t.as_microsecond()),
        Some(now.as_microsecond())
    );
    assert!(!listed[0].is_live(now));

    // A disabled account: its tokens stop working, and it cannot make new ones.
    let (_, token) = register
        .create_api_token(
            &world.leiden,
            &world.raadslid,
            new("tweede", ApiScope::Read, 7),
            now,
        )
        .await
        .unwrap();
    register
        .set_account_disabled(&world.leiden, &world.raadslid, true)
        .await
        .unwrap();
    assert!(
        register
            .authenticate_api_token(&token, now, "GET", "/x")
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        register
            .create_api_token(
                &world.leiden,
                &world.raadslid,
                new("derde", ApiScope::Read, 7),
                now
            )
            .await,
        Err(RegisterError::Forbidden { .. })
    ));
    register
        .set_account_disabled(&world.leiden, &world.raadslid, false)
        .await
        .unwrap();
    assert!(
        register
            .authenticate_api_token(&token, now, "GET", "/x")
            .await
            .unwrap()
            .is_some()
    );
}

async fn expiry_name_scope_and_organisation_are_checked(world: World) {
    let now = Timestamp::now();
    let register = &world.register;
    let field = |result: Result<_, RegisterError>| match result {
        Err(RegisterError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {:?}", other.map(|_: (_, String)| ())),
    };
    let mut too_long = new_at(now, "jaar", ApiScope::Read, 366);
    assert_eq!(
        field(
            register
                .create_api_token(&world.leiden, &world.raadslid, too_long.clone(), now)
                .await
        ),
        "expires_at"
    );
    too_long.expires_at = now;
    assert_eq!(
        field(
            register
                .create_api_token(&world.leiden, &world.raadslid, too_long, now)
                .await
        ),
        "expires_at"
    );
    assert!(
        register
            .create_api_token(
                &world.leiden,
                &world.raadslid,
                new_at(now, "jaar", ApiScope::Read, 365),
                now
            )
            .await
            .is_ok()
    );
    assert_eq!(
        field(
            register
                .create_api_token(
                    &world.leiden,
                    &world.raadslid,
                    new("  ", ApiScope::Read, 1),
                    now
                )
                .await
        ),
        "name"
    );
    // Scope admin is for administrators.
    assert_eq!(
        field(
            register
                .create_api_token(
                    &world.leiden,
                    &world.raadslid,
                    new("beheer", ApiScope::Admin, 1),
                    now
                )
                .await
        ),
        "scope"
    );
    let (_, token) = register
        .create_api_token(
            &world.leiden,
            &world.admin,
            new("beheer", ApiScope::Admin, 1),
            now,
        )
        .await
        .unwrap();
    let caller = register
        .authenticate_api_token(&token, now, "GET", "/people")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(caller.scope, ApiScope::Admin);
    // A person of another organisation cannot make a token there.
    assert!(matches!(
        register
            .create_api_token(
                &world.leiden,
                &world.stranger,
                new("x", ApiScope::Read, 1),
                now
            )
            .await,
        Err(RegisterError::NotFound { .. })
    ));
    // Each person sees only their own tokens.
    assert_eq!(register.api_tokens(&world.raadslid).await.unwrap().len(), 1);
    assert_eq!(register.api_tokens(&world.admin).await.unwrap().len(), 1);
    assert!(
        register
            .api_tokens(&world.stranger)
            .await
            .unwrap()
            .is_empty()
    );
}

support::scenarios!(
    postgres_api_tokens:
    a_token_is_shown_once_stored_as_a_hash_and_recorded_at_each_use,
    expired_revoked_and_disabled_tokens_sign_no_one_in,
    expiry_name_scope_and_organisation_are_checked,
);
