//! Personal API tokens: how another system (a municipality's case system, a provincial
//! dashboard) calls the JSON API as a person, with no more access than that person has.
//!
//! A token is `wbr_` and 43 random characters (32 bytes, base64url), shown once when it
//! is made; the register keeps only its SHA-256 and its first characters (the prefix, so
//! the person can tell their tokens apart in a list). Every token has a scope — `read`,
//! `write` (read and act) or `admin` (also the organisation's people; only for an
//! administrator) — and an expiry at most a year ahead, and may be revoked. A token
//! signs in no one whose account is disabled. Every use is recorded: the token's
//! `last_used_at`, and a row in `api_token_uses` with the moment and the route's template
//! (no ids). What a use read of a case is on the case's timeline, as for the pages: a
//! Viewed event of the token's person.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{BeginWrite, on_db};
use crate::duties::Duty;
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, id, redacted_debug, words};
use crate::register::{Register, parse_word};
use crate::sessions::{new_token, token_hash};
use crate::time::{from_micros, to_micros};

/// How every token begins, so that it is recognised (by a person, by a secret scanner).
pub const TOKEN_PREFIX: &str = "wbr_";
/// How many characters of a token the list shows: the prefix and eight more.
const SHOWN_CHARS: usize = TOKEN_PREFIX.len() + 8;
/// The longest a token may live.
pub const MAX_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 365);
/// The longest name of a token.
pub const MAX_NAME_CHARS: usize = 100;

id!(
    /// One API token.
    ApiTokenId
);

words!(
    /// How far a token reaches; each reaches what the ones before it reach.
    #[derive(PartialOrd, Ord)]
    ApiScope {
        /// Read what the person may read.
        Read = "read",
        /// Also do what the person may do: report, act on cases they handle.
        Write = "write",
        /// Also the organisation's people; only for an administrator.
        Admin = "admin",
    }
);

impl ApiScope {
    /// Whether a token of this scope may do what needs `needed`.
    pub fn reaches(self, needed: ApiScope) -> bool {
        self >= needed
    }
}

/// A token to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    /// What the person calls it ("zaaksysteem").
    pub name: String,
    pub scope: ApiScope,
    pub expires_at: Timestamp,
}

/// A token as its person's list shows it: never the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub name: String,
    /// The token's first characters (`wbr_` and eight more).
    pub prefix: String,
    pub scope: ApiScope,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

redacted_debug!(ApiToken {
    show: [
        id,
        prefix,
        scope,
        created_at,
        expires_at,
        last_used_at,
        revoked_at
    ],
    hide: [name],
});

impl ApiToken {
    /// Whether the token still works at `now` (as far as the token goes: the account may
    /// still be disabled).
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// Who calls, by a token that works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCaller {
    pub token: ApiTokenId,
    pub organisation: OrganisationId,
    pub person: PersonId,
    pub scope: ApiScope,
}

/// One recorded use of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenUse {
    pub at: Timestamp,
    pub method: String,
    /// The route's template (`/cases/{case}`), never the ids in it.
    pub route: String,
}

fn read_token(row: &impl TokenRow) -> Result<ApiToken, RegisterError> {
    row.token()
}

/// Reads an [`ApiToken`] from a row of either backend.
trait TokenRow {
    fn token(&self) -> Result<ApiToken, RegisterError>;
}

macro_rules! impl_token_row {
    ($row:ty) => {
        impl TokenRow for $row {
            fn token(&self) -> Result<ApiToken, RegisterError> {
                Ok(ApiToken {
                    id: ApiTokenId(self.try_get("id")?),
                    name: self.try_get("name")?,
                    prefix: self.try_get("prefix")?,
                    scope: parse_word(ApiScope::parse, self.try_get("scope")?)?,
                    created_at: from_micros(self.try_get("created_at")?)?,
                    expires_at: from_micros(self.try_get("expires_at")?)?,
                    last_used_at: self
                        .try_get::<Option<i64>, _>("last_used_at")?
                        .map(from_micros)
                        .transpose()?,
                    revoked_at: self
                        .try_get::<Option<i64>, _>("revoked_at")?
                        .map(from_micros)
                        .transpose()?,
                })
            }
        }
    };
}
impl_token_row!(sqlx::sqlite::SqliteRow);
impl_token_row!(sqlx::postgres::PgRow);

impl Register {
    /// Makes a token for `person` (of `organisation`, with an account that is not
    /// disabled). Returns the token's listing and the token itself, which is shown once
    /// and never stored. The expiry must lie after `now` and at most [`MAX_LIFETIME`]
    /// ahead; scope `admin` is only for an administrator.
    pub async fn create_api_token(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        new: NewApiToken,
        now: Timestamp,
    ) -> Result<(ApiToken, String), RegisterError> {
        // Stored in microseconds: the listing returned is the listing read back.
        let now = from_micros(to_micros(now))?;
        let expires_at = from_micros(to_micros(new.expires_at))?;
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(RegisterError::invalid("name", "a token needs a name"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(RegisterError::invalid(
                "name",
                format!("a token's name has at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let latest = now
            .checked_add(MAX_LIFETIME)
            .map_err(|_| RegisterError::invalid("expires_at", "outside the calendar"))?;
        if expires_at <= now || expires_at > latest {
            return Err(RegisterError::invalid(
                "expires_at",
                "a token expires after now and at most a year from now",
            ));
        }
        let token = format!("{TOKEN_PREFIX}{}", new_token());
        let listing = ApiToken {
            id: ApiTokenId::generate(),
            name,
            prefix: token.chars().take(SHOWN_CHARS).collect(),
            scope: new.scope,
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let account = sqlx::query(
                "SELECT a.disabled FROM people p JOIN accounts a ON a.person_id = p.id \
                 WHERE p.id = $1 AND p.organisation_id = $2",
            )
            .bind(person.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(account) = account else {
                return Err(RegisterError::NotFound { what: "account", id: person.to_string() });
            };
            if account.try_get::<bool, _>("disabled")? {
                return Err(RegisterError::Forbidden { what: "account", id: person.to_string() });
            }
            if new.scope == ApiScope::Admin {
                let admin = sqlx::query("SELECT duty FROM person_duties WHERE person_id = $1 AND duty = $2")
                    .bind(person.as_str())
                    .bind(Duty::Beheerder.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if admin.is_none() {
                    return Err(RegisterError::invalid("scope", "only an administrator may have a token with scope admin"));
                }
            }
            sqlx::query(
                "INSERT INTO api_tokens (id, organisation_id, person_id, name, prefix, token_hash, scope, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(listing.id.as_str())
            .bind(organisation.as_str())
            .bind(person.as_str())
            .bind(listing.name.as_str())
            .bind(listing.prefix.as_str())
            .bind(token_hash(&token))
            .bind(listing.scope.as_str())
            .bind(to_micros(now))
            .bind(to_micros(listing.expires_at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok((listing, token))
    }

    /// The tokens of `person`, newest first, live or not.
    pub async fn api_tokens(&self, person: &PersonId) -> Result<Vec<ApiToken>, RegisterError> {
        on_db!(self.db(), pool => {
            let rows = sqlx::query(
                "SELECT id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at \
                 FROM api_tokens WHERE person_id = $1 ORDER BY created_at DESC, id DESC",
            )
            .bind(person.as_str())
            .fetch_all(pool)
            .await?;
            rows.iter().map(read_token).collect()
        })
    }

    /// Revokes one of `person`'s tokens; a token revoked before stays as it was. Another
    /// person's token, or an unknown one, is not found.
    pub async fn revoke_api_token(
        &self,
        person: &PersonId,
        token: &ApiTokenId,
        now: Timestamp,
    ) -> Result<(), RegisterError> {
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let found = sqlx::query("SELECT id FROM api_tokens WHERE id = $1 AND person_id = $2")
                .bind(token.as_str())
                .bind(person.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(RegisterError::NotFound { what: "api token", id: token.to_string() });
            }
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(to_micros(now))
                .bind(token.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Who calls with `token`, or `None`: unknown, expired, revoked, or of an account that
    /// is disabled or gone. A use is recorded: the token's `last_used_at`, and the method
    /// and route's template (`/cases/{case}`). [`Register::api_token_caller`] and
    /// [`Register::record_api_token_use`] are its two halves, for a caller that decides
    /// between them (the API's limit per token: a refused request writes nothing).
    pub async fn authenticate_api_token(
        &self,
        token: &str,
        now: Timestamp,
        method: &str,
        route: &str,
    ) -> Result<Option<ApiCaller>, RegisterError> {
        let Some(caller) = self.api_token_caller(token, now).await? else {
            return Ok(None);
        };
        self.record_api_token_use(&caller, now, method, route)
            .await?;
        Ok(Some(caller))
    }

    /// Who calls with `token`, or `None` (see [`Register::authenticate_api_token`]),
    /// without recording anything: a read, so that a flood of made-up or refused tokens
    /// never takes the database's write lock.
    pub async fn api_token_caller(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<ApiCaller>, RegisterError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let at = to_micros(now);
        let row = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT t.id, t.organisation_id, t.person_id, t.scope, t.expires_at, t.revoked_at, a.disabled \
                 FROM api_tokens t JOIN people p ON p.id = t.person_id AND p.organisation_id = t.organisation_id \
                 LEFT JOIN accounts a ON a.person_id = t.person_id WHERE t.token_hash = $1",
            )
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<_, RegisterError> {
                Ok((
                    row.try_get::<String, _>("id")?,
                    row.try_get::<String, _>("organisation_id")?,
                    row.try_get::<String, _>("person_id")?,
                    row.try_get::<String, _>("scope")?,
                    row.try_get::<i64, _>("expires_at")?,
                    row.try_get::<Option<i64>, _>("revoked_at")?,
                    row.try_get::<Option<bool>, _>("disabled")?,
                ))
            })
            .transpose()?
        });
        let Some((id, organisation, person, scope, expires_at, revoked_at, disabled)) = row else {
            return Ok(None);
        };
        if expires_at <= at || revoked_at.is_some() || disabled != Some(false) {
            return Ok(None);
        }
        Ok(Some(ApiCaller {
            token: ApiTokenId(id),
            organisation: OrganisationId(organisation),
            person: PersonId(person),
            scope: parse_word(ApiScope::parse, scope)?,
        }))
    }

    /// Records one use of `caller`'s token: its `last_used_at`, and a use row with the
    /// method and the route's template (never the ids in the path).
    pub async fn record_api_token_use(
        &self,
        caller: &ApiCaller,
        now: Timestamp,
        method: &str,
        route: &str,
    ) -> Result<(), RegisterError> {
        let at = to_micros(now);
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(at)
                .bind(caller.token.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO api_token_uses (id, token_id, at, method, route) VALUES ($1, $2, $3, $4, $5)")
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(caller.token.as_str())
                .bind(at)
                .bind(method)
                .bind(route)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The latest uses of one of `person`'s tokens, newest first.
    pub async fn api_token_uses(
        &self,
        person: &PersonId,
        token: &ApiTokenId,
        limit: u32,
    ) -> Result<Vec<ApiTokenUse>, RegisterError> {
        on_db!(self.db(), pool => {
            let found = sqlx::query("SELECT id FROM api_tokens WHERE id = $1 AND person_id = $2")
                .bind(token.as_str())
                .bind(person.as_str())
                .fetch_optional(pool)
                .await?;
            if found.is_none() {
                return Err(RegisterError::NotFound { what: "api token", id: token.to_string() });
            }
            let rows = sqlx::query(
                "SELECT at, method, route FROM api_token_uses WHERE token_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
            )
            .bind(token.as_str())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let mut uses = Vec::with_capacity(rows.len());
            for row in &rows {
                uses.push(ApiTokenUse {
                    at: from_micros(row.try_get("at")?)?,
                    method: row.try_get("method")?,
                    route: row.try_get("route")?,
                });
            }
            Ok(uses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_reach_what_the_ones_before_reach() {
        assert!(ApiScope::Admin.reaches(ApiScope::Write));
        assert!(ApiScope::Write.reaches(ApiScope::Read));
        assert!(!ApiScope::Read.reaches(ApiScope::Write));
        assert!(!ApiScope::Write.reaches(ApiScope::Admin));
        assert_eq!(ApiScope::parse("admin"), Some(ApiScope::Admin));
    }
}
