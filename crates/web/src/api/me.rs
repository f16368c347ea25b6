//! `GET /api/v1/me`: who the token speaks for, and how far it reaches.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use weerbaar_protocol::Role;
use weerbaar_register::{ApiScope, Duty};

use super::bearer::ApiUser;
use super::problem::Problem;
use super::schema::{DutyCode, RoleCode};

/// The person behind the token.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeOut {
    pub person: String,
    pub organisation: String,
    pub organisation_name: String,
    pub name: String,
    /// The offices the person holds now.
    #[schema(value_type = Vec<RoleCode>)]
    pub roles: Vec<Role>,
    /// Of `roles`, those that handle cases under the organisation's protocol.
    #[schema(value_type = Vec<RoleCode>)]
    pub handler_roles: Vec<Role>,
    #[schema(value_type = Vec<DutyCode>)]
    pub duties: Vec<Duty>,
    /// The token's scope: `read`, `write` or `admin`.
    #[schema(value_type = super::schema::ScopeCode)]
    pub scope: ApiScope,
    /// The token's id (as listed on /instellingen/tokens).
    pub token: String,
}

/// Who the token speaks for.
#[utoipa::path(
    get,
    path = "/me",
    tag = "me",
    responses(
        (status = 200, description = "The person behind the token.", body = MeOut),
        (status = 401, description = "No token, or one that does not work.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn me(user: ApiUser) -> Result<Json<MeOut>, Problem> {
    user.require(ApiScope::Read)?;
    let ApiUser { caller, me } = user;
    Ok(Json(MeOut {
        person: me.person.to_string(),
        organisation: me.organisation.to_string(),
        organisation_name: me.organisation_name,
        name: me.name,
        roles: me.roles,
        handler_roles: me.handler_roles,
        duties: me.duties,
        scope: caller.scope,
        token: caller.token.to_string(),
    }))
}
