//! The organisation's people, for an administrator with a token of scope `admin`: the
//! list and adding a person (with roles, duties and, if given, the initial password of
//! their account). Every addition goes to the administration log, as on `/beheer`. No
//! case content is reachable from here.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weerbaar_protocol::Role;
use weerbaar_register::{ApiScope, Duty, NewAccount, NewPerson};

use super::bearer::ApiUser;
use super::json::parse;
use super::problem::Problem;
use super::schema::*;
use crate::state::AppState;

/// An office a person holds now, or held before.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonRoleOut {
    #[schema(value_type = RoleCode)]
    pub role: Role,
    /// Held now (`false`: a former office).
    pub current: bool,
}

/// A person of the organisation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PersonOut {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<PersonRoleOut>,
    #[schema(value_type = Vec<DutyCode>)]
    pub duties: Vec<Duty>,
    /// The person has an account with a password.
    pub has_password: bool,
    pub second_factor: bool,
    pub disabled: bool,
}

/// The people of the organisation.
#[utoipa::path(
    get,
    path = "/people",
    tag = "people",
    responses(
        (status = 200, description = "The people of the caller's organisation.", body = Vec<PersonOut>),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or a token without scope admin.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<Vec<PersonOut>>, Problem> {
    user.require(ApiScope::Admin)?;
    let people = state.register().people(&user.me.organisation).await?;
    Ok(Json(
        people
            .into_iter()
            .map(|p| PersonOut {
                id: p.id.to_string(),
                name: p.name,
                email: p.email,
                roles: p
                    .roles
                    .into_iter()
                    .map(|(role, current)| PersonRoleOut { role, current })
                    .collect(),
                duties: p.duties,
                has_password: p.has_password,
                second_factor: p.second_factor,
                disabled: p.disabled,
            })
            .collect(),
    ))
}

/// A person to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewPersonIn {
    pub name: String,
    /// The address they sign in with.
    pub email: String,
    /// Offices held now.
    #[serde(default)]
    #[schema(value_type = Vec<RoleCode>)]
    pub roles: Vec<Role>,
    /// Offices held before.
    #[serde(default)]
    #[schema(value_type = Vec<RoleCode>)]
    pub former_roles: Vec<Role>,
    #[serde(default)]
    #[schema(value_type = Vec<DutyCode>)]
    pub duties: Vec<Duty>,
    /// The initial password (at least 12 characters); without one the person has no
    /// account until a password is set.
    pub password: Option<String>,
}

/// The person as added.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AddedOut {
    pub id: String,
}

/// Add a person to the organisation.
#[utoipa::path(
    post,
    path = "/people",
    tag = "people",
    request_body(content = NewPersonIn, content_type = "application/json"),
    responses(
        (status = 201, description = "The person is added (and logged).", body = AddedOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or a token without scope admin.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is refused (a taken address, a short password …); `errors` names it.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn add(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    user.require(ApiScope::Admin)?;
    let input: NewPersonIn = parse(&headers, &body)?;
    if !crate::form::looks_like_email(input.email.trim()) {
        return Err(Problem::field("email", "Dit lijkt geen e-mailadres."));
    }
    let mut roles: Vec<(Role, bool)> = input.roles.iter().map(|r| (*r, true)).collect();
    for role in &input.former_roles {
        if input.roles.contains(role) {
            return Err(Problem::field(
                "former_roles",
                "Een functie is nu of vroeger, niet allebei.",
            ));
        }
        roles.push((*role, false));
    }
    let account = NewAccount {
        person: NewPerson {
            name: input.name,
            email: Some(input.email.trim().to_owned()),
            roles,
        },
        duties: input.duties,
        password: input.password,
    };
    let id = state
        .register()
        .add_person_with_account(&user.me.organisation, Some(&user.me.person), account)
        .await?;
    Ok((StatusCode::CREATED, Json(AddedOut { id: id.to_string() })).into_response())
}
