//! Who calls the API: the person behind an `Authorization: Bearer wbr_…` token. Cookies
//! are never read here. Each use of a token is recorded by the register (the token's
//! `last_used_at` and the route's template, no ids).

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::header;
use axum::http::request::Parts;
use weerbaar_register::{ApiCaller, ApiScope};

use super::problem::Problem;
use crate::auth::{Me, load_me};
use crate::state::AppState;

/// How many requests one token may make in [`WINDOW`]. Generous on purpose: a case
/// system that synchronises, or a dashboard that refreshes, stays far below ten a second;
/// a script gone wrong (a loop without a pause, a leaked token in a hurry) does not, and
/// is stopped before it fills the use log and the timelines or starves the database that
/// everyone's pages share. The sign-in pages have their own, much tighter limit.
pub(crate) const REQUESTS_PER_WINDOW: u32 = 600;

/// The window of [`REQUESTS_PER_WINDOW`]: a minute.
pub(crate) const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// Requests per token, counted in this server's memory (each instance counts its own;
/// a restart forgets). Reached through the request's extensions, set by `api::routes`.
pub(crate) type TokenLimiter = crate::rate_limit::RateLimiter<weerbaar_register::ApiTokenId>;

/// The API's limiter: [`REQUESTS_PER_WINDOW`] per token per [`WINDOW`].
pub(crate) fn token_limiter() -> std::sync::Arc<TokenLimiter> {
    std::sync::Arc::new(TokenLimiter::new(REQUESTS_PER_WINDOW, WINDOW))
}

/// A caller whose token works, with the person as the pages know them.
#[derive(Debug, Clone)]
pub(crate) struct ApiUser {
    pub caller: ApiCaller,
    pub me: Me,
}

impl ApiUser {
    /// Refuses (403) unless the token's scope reaches `needed`. Scope `admin` reaches
    /// only as far as the person is an administrator now.
    pub(crate) fn require(&self, needed: ApiScope) -> Result<(), Problem> {
        if !self.caller.scope.reaches(needed) {
            return Err(Problem::insufficient_scope(needed.as_str()));
        }
        if needed == ApiScope::Admin && !self.me.is_admin() {
            return Err(Problem::forbidden(
                "Alleen een beheerder kan de mensen van de organisatie beheren.",
            ));
        }
        Ok(())
    }
}

/// The token of an `Authorization: Bearer …` header.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, Problem> {
        let Some(token) = bearer(parts) else {
            return Err(Problem::unauthorized());
        };
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|path| path.as_str())
            .unwrap_or_default();
        let route = route.strip_prefix(super::PREFIX).unwrap_or(route);
        let register = state.register();
        let now = jiff::Timestamp::now();
        let caller = register
            .api_token_caller(token, now)
            .await?
            .ok_or_else(Problem::unauthorized)?;
        // Counted before the use is recorded: a request over the limit writes nothing,
        // neither to the use log nor anywhere else.
        if let Some(limiter) = parts.extensions.get::<std::sync::Arc<TokenLimiter>>() {
            limiter
                .check(caller.token.clone(), std::time::Instant::now())
                .map_err(Problem::too_many_requests)?;
        }
        register
            .record_api_token_use(&caller, now, parts.method.as_str(), route)
            .await?;
        let me = load_me(state, &caller.organisation, &caller.person).await?;
        // A token made before the person's roles required a second factor works again
        // once they have one; until then it reaches nothing.
        if me.lacks_second_factor() {
            tracing::info!("api: the token's person needs a second factor and has none");
            return Err(Problem::forbidden(
                "Uw functie vraagt om een tweede factor. Meld u aan op de website en stel die in; daarna werkt deze sleutel weer.",
            ));
        }
        Ok(ApiUser { caller, me })
    }
}
