//! "Ik twijfel": an office holder who is unsure whether something crossed the line asks
//! the handler in confidence. It is no report until the handler (with them) makes it one.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use weerbaar_protocol::{Code, Role};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted};
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/twijfel", get(show).post(submit))
}

#[derive(Template)]
#[template(path = "consult.html")]
struct ConsultPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    values: Fields,
    roles: Vec<(&'static str, &'static str)>,
    handler: String,
}

impl ConsultPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
}

async fn my_routable_roles(
    state: &AppState,
    user: &SignedIn,
) -> Result<(Vec<Role>, String), WebError> {
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let roles: Vec<Role> = user
        .me
        .roles
        .iter()
        .copied()
        .filter(|role| protocol.routes.contains_key(role))
        .collect();
    let handler = roles
        .first()
        .and_then(|role| protocol.routes.get(role))
        .map(|route| labels::role_label(route.handler).to_owned())
        .unwrap_or_else(|| String::from("behandelaar"));
    Ok((roles, handler))
}

async fn page(
    state: &AppState,
    user: &SignedIn,
    values: Fields,
    errors: Errors,
) -> Result<ConsultPage, WebError> {
    let (roles, handler) = my_routable_roles(state, user).await?;
    Ok(ConsultPage {
        layout: user.layout("Ik twijfel"),
        csrf: user.session.csrf.clone(),
        errors,
        values,
        roles: roles
            .iter()
            .map(|r| (r.as_str(), labels::role_label(*r)))
            .collect(),
        handler,
    })
}

async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    Ok(html(
        &page(&state, &user, Fields::default(), Errors::default()).await?,
    ))
}

async fn submit(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    let (roles, _) = my_routable_roles(&state, &user).await?;
    let mut errors = Errors::default();
    let role = if roles.len() == 1 {
        Some(roles[0])
    } else {
        Role::parse(fields.get("role"))
            .ok()
            .filter(|r| roles.contains(r))
    };
    if roles.is_empty() {
        errors.add(
            "question",
            "U hebt geen functie waarvoor dit protocol vragen behandelt. Neem rechtstreeks contact op met de griffier of de beheerder.",
        );
    } else if role.is_none() {
        errors.add("role", "Kies in welke functie u dit meemaakte.");
    }
    let question = fields.get("question");
    if question.is_empty() {
        errors.add("question", "Beschrijf waarover u twijfelt.");
    }
    if let (Some(role), true) = (role, errors.is_empty()) {
        let case = state
            .register()
            .register_consult(&user.me.organisation, &user.me.person, role, question)
            .await?;
        return Ok(Redirect::to(&format!("/mijn-meldingen/{case}")).into_response());
    }
    let page = page(&state, &user, fields, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

/// The consult's asker and the office they asked in: the person of its first event.
fn asker(view: &weerbaar_register::CaseView) -> Option<weerbaar_register::PersonId> {
    view.events.first().and_then(|event| event.actor.clone())
}

/// Opens a consult that its handler may turn into a report.
async fn open_consult(
    state: &AppState,
    user: &SignedIn,
    case: &weerbaar_register::CaseId,
) -> Result<
    (
        weerbaar_register::CaseView,
        weerbaar_register::PersonId,
        String,
    ),
    WebError,
> {
    let register = state.register();
    if register.case_access(&user.me.person, case).await?
        != weerbaar_register::access::CaseAccess::Handler
    {
        return Err(WebError::NotFound);
    }
    let view = register.open_case(&user.me.person, case).await?;
    if view.kind != weerbaar_register::CaseKind::Consult
        || view.status != weerbaar_register::CaseStatus::Gemeld
    {
        return Err(WebError::NotFound);
    }
    let asker = asker(&view).ok_or(WebError::NotFound)?;
    let name = register.person(&user.me.organisation, &asker).await?.name;
    let label = format!("{name} ({})", labels::role_label(view.victim_role));
    Ok((view, asker, label))
}

pub(super) fn promotion_routes() -> Router<AppState> {
    Router::new().route("/zaken/{case}/omzetten", get(show_promotion).post(promote))
}

async fn show_promotion(
    State(state): State<AppState>,
    user: SignedIn,
    axum::extract::Path(case): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let case = weerbaar_register::CaseId(case);
    let (view, _, label) = open_consult(&state, &user, &case).await?;
    let values = Fields::new(vec![(
        String::from("narrative"),
        view.narrative.unwrap_or_default(),
    )]);
    let page = super::report::report_page(&state, &user, values, Errors::default())
        .await?
        .for_consult(&case, label);
    Ok(html(&page))
}

async fn promote(
    State(state): State<AppState>,
    axum::extract::Path(case): axum::extract::Path<String>,
    posted: crate::upload::PostedWithFiles,
) -> Result<Response, WebError> {
    let crate::upload::PostedWithFiles { user, fields, .. } = posted;
    let case = weerbaar_register::CaseId(case);
    let (view, asker, label) = open_consult(&state, &user, &case).await?;
    let register = state.register();
    let protocol = register.protocol(&user.me.organisation).await?;
    let mut errors = Errors::default();
    let checked = super::report::check(
        &user,
        &fields,
        &protocol,
        Some((asker, view.victim_role)),
        &mut errors,
    );
    if let (Some(checked), true) = (checked, errors.is_empty()) {
        let registered = register
            .promote_consult(&user.me.person, &case, checked.report)
            .await?;
        if let Some(online) = checked.online {
            register
                .add_online_evidence(&user.me.person, &registered.case, online)
                .await?;
        }
        return Ok(Redirect::to(&format!("/zaken/{}", registered.case)).into_response());
    }
    let page = super::report::report_page(&state, &user, fields, errors)
        .await?
        .for_consult(&case, label);
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}
