//! "API-sleutels" (`/instellingen/tokens`): a person makes and revokes their own API
//! tokens. A new token is shown once, on the page that answers the form (never in a
//! link, never again); the list shows each token's name, first characters, scope,
//! expiry and last use, never the token, and below it each token's latest uses (when,
//! and which route: its template, never the ids in it), to its owner only.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use weerbaar_register::{ApiScope, ApiTokenId, NewApiToken, RegisterError};

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted};
use crate::render::{Layout, html};
use crate::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/instellingen/tokens", get(show).post(create))
        .route("/instellingen/tokens/{token}/intrekken", post(revoke))
}

/// How long a new token may live, in days, with the words for it.
const LIFETIMES: &[(&str, &str)] = &[
    ("7", "een week"),
    ("30", "30 dagen"),
    ("90", "90 dagen"),
    ("365", "een jaar"),
];

fn scope_label(scope: ApiScope) -> &'static str {
    match scope {
        ApiScope::Read => "Lezen",
        ApiScope::Write => "Lezen en handelen",
        ApiScope::Admin => "Beheer (ook de mensen van de organisatie)",
    }
}

/// How many of a token's latest uses the page shows.
const USES_SHOWN: u32 = 50;

/// One use of a token: when, and the method and route's template.
struct UseRow {
    at: String,
    method: String,
    route: String,
}

struct Row {
    id: String,
    name: String,
    prefix: String,
    scope: &'static str,
    created: String,
    expires: String,
    last_used: String,
    state: &'static str,
    live: bool,
    /// The latest uses, newest first (at most [`USES_SHOWN`]).
    uses: Vec<UseRow>,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    values: Fields,
    scopes: Vec<(&'static str, &'static str)>,
    lifetimes: &'static [(&'static str, &'static str)],
    uses_shown: u32,
    rows: Vec<Row>,
    /// The token just made: shown this once.
    created: Option<String>,
    revoked: bool,
}

impl TokensPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    values: Fields,
    errors: Errors,
    created: Option<String>,
    revoked: bool,
) -> Result<TokensPage, WebError> {
    let now = jiff::Timestamp::now();
    let register = state.register();
    let mut rows = Vec::new();
    for token in register.api_tokens(&user.me.person).await? {
        // Only the signed-in person's own tokens are listed, and the register gives the
        // uses of a token only to its person.
        let uses = if token.last_used_at.is_some() {
            register
                .api_token_uses(&user.me.person, &token.id, USES_SHOWN)
                .await?
                .into_iter()
                .map(|used| UseRow {
                    at: dates::moment(used.at),
                    method: used.method,
                    route: used.route,
                })
                .collect()
        } else {
            Vec::new()
        };
        rows.push(Row {
            id: token.id.to_string(),
            live: token.is_live(now),
            state: if token.revoked_at.is_some() {
                "ingetrokken"
            } else if token.expires_at <= now {
                "verlopen"
            } else {
                "actief"
            },
            name: token.name,
            prefix: token.prefix,
            scope: scope_label(token.scope),
            created: dates::moment(token.created_at),
            expires: dates::moment(token.expires_at),
            last_used: token
                .last_used_at
                .map(dates::moment)
                .unwrap_or_else(|| String::from("nog niet")),
            uses,
        });
    }
    let scopes = ApiScope::ALL
        .iter()
        .copied()
        .filter(|scope| *scope != ApiScope::Admin || user.me.is_admin())
        .map(|scope| (scope.as_str(), scope_label(scope)))
        .collect();
    Ok(TokensPage {
        layout: user.layout("API-sleutels"),
        csrf: user.session.csrf.clone(),
        errors,
        values,
        scopes,
        lifetimes: LIFETIMES,
        uses_shown: USES_SHOWN,
        rows,
        created,
        revoked,
    })
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    // Read by hand: a repeated parameter is no reason for a plain-text 400.
    let revoked = query
        .unwrap_or_default()
        .split('&')
        .any(|pair| pair.split('=').next() == Some("ingetrokken"));
    let page = page(
        &state,
        &user,
        Fields::default(),
        Errors::default(),
        None,
        revoked,
    )
    .await?;
    Ok(html(&page))
}

async fn create(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    let mut errors = Errors::default();
    let name = fields.get("naam");
    if name.is_empty() {
        errors.add(
            "naam",
            "Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt.",
        );
    }
    let scope = ApiScope::parse(fields.get("bereik"))
        .filter(|scope| *scope != ApiScope::Admin || user.me.is_admin());
    if scope.is_none() {
        errors.add("bereik", "Kies wat de sleutel mag.");
    }
    let days: Option<i64> = LIFETIMES
        .iter()
        .find(|(days, _)| *days == fields.get("geldig"))
        .and_then(|(days, _)| days.parse().ok());
    if days.is_none() {
        errors.add("geldig", "Kies hoe lang de sleutel geldig is.");
    }
    if let (Some(scope), Some(days), true) = (scope, days, errors.is_empty()) {
        let now = jiff::Timestamp::now();
        let new = NewApiToken {
            name: name.to_owned(),
            scope,
            expires_at: now + jiff::SignedDuration::from_hours(24 * days),
        };
        match state
            .register()
            .create_api_token(&user.me.organisation, &user.me.person, new, now)
            .await
        {
            Ok((_, token)) => {
                let page = page(
                    &state,
                    &user,
                    Fields::default(),
                    Errors::default(),
                    Some(token),
                    false,
                )
                .await?;
                return Ok(html(&page));
            }
            Err(RegisterError::Invalid { field, .. }) => {
                let (name, message) = match field.as_str() {
                    "name" => ("naam", "Kies een kortere naam (hoogstens 100 tekens)."),
                    "scope" => ("bereik", "Kies wat de sleutel mag."),
                    _ => ("geldig", "Kies hoe lang de sleutel geldig is."),
                };
                errors.add(name, message);
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = page(&state, &user, fields, errors, None, false).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

async fn revoke(
    State(state): State<AppState>,
    Path(token): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, .. } = posted;
    state
        .register()
        .revoke_api_token(&user.me.person, &ApiTokenId(token), jiff::Timestamp::now())
        .await?;
    Ok(Redirect::to("/instellingen/tokens?ingetrokken=1").into_response())
}
