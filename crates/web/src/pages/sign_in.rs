//! Signing in: e-mail and password, then the second factor (a code from an app, or a
//! recovery code); enrolling the second factor where it is required and missing; signing
//! out, here or everywhere.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use weerbaar_register::accounts::SignIn;
use weerbaar_register::sessions::Session;
use weerbaar_register::{OrganisationId, PersonId};

use crate::auth::{current_session, load_me};
use crate::cookies;
use crate::error::WebError;
use crate::form::{AnonymousPost, Errors, Fields, Posted, anonymous_token, with_cookie};
use crate::render::{Layout, html};
use crate::second_factor;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/aanmelden", get(show).post(submit))
        .route("/aanmelden/code", get(show_code).post(submit_code))
        .route(
            "/aanmelden/tweede-factor",
            get(show_enrol).post(submit_enrol),
        )
        .route("/afmelden", post(sign_out))
        .route("/afmelden/overal", post(sign_out_everywhere))
}

#[derive(Debug, Default, Deserialize)]
struct Back {
    terug: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    email: String,
    back: String,
    organisations: Vec<(String, String)>,
    chosen: String,
    /// "Aanmelden met <label>" and its link, when an identity provider is configured.
    external: Option<(String, String)>,
}

/// The identity provider's button: its label and the link that starts there.
fn external(state: &AppState, back: &str) -> Option<(String, String)> {
    crate::oidc::label(state).map(|label| {
        (
            label,
            format!(
                "{}?terug={}",
                crate::oidc::START_PATH,
                crate::form::url_encode(back)
            ),
        )
    })
}

async fn organisations(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .register()
        .organisations()
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect())
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::form::Lenient(back): crate::form::Lenient<Back>,
) -> Result<Response, WebError> {
    if crate::pages::setup::pending_setup(&state).await?.is_some() {
        return Ok(Redirect::to("/inrichten").into_response());
    }
    let (csrf, cookie) = anonymous_token(&headers, state.settings().secure_cookies);
    let back = crate::form::local_path(back.terug.as_deref());
    let page = SignInPage {
        layout: Layout::anonymous("Aanmelden"),
        csrf,
        errors: Errors::default(),
        email: String::new(),
        external: external(&state, &back),
        back,
        organisations: organisations(&state).await?,
        chosen: String::new(),
    };
    Ok(with_cookie(html(&page), cookie))
}

async fn submit(State(state): State<AppState>, post: AnonymousPost) -> Result<Response, WebError> {
    crate::client_address::limit_sign_in(&state, post.client).await?;
    let fields = &post.fields;
    let organisations = organisations(&state).await?;
    let chosen = if organisations.len() == 1 {
        organisations[0].0.clone()
    } else {
        fields.get("organisation").to_owned()
    };
    let mut errors = Errors::default();
    let email = fields.get("email");
    let password = fields.get("password");
    if !organisations.iter().any(|(id, _)| *id == chosen) {
        errors.add("organisation", "Kies uw organisatie.");
    }
    if email.is_empty() {
        errors.add("email", "Vul uw e-mailadres in.");
    }
    if password.is_empty() {
        errors.add("password", "Vul uw wachtwoord in.");
    }
    let back = crate::form::local_path(Some(fields.get("terug")));
    if errors.is_empty() {
        let organisation = OrganisationId(chosen.clone());
        // The password as typed: surrounding spaces may be part of it.
        let typed = post.fields.raw("password").unwrap_or(password).to_owned();
        match state
            .register()
            .check_password(&organisation, email, &typed, jiff::Timestamp::now())
            .await?
        {
            SignIn::Accepted {
                person,
                second_factor,
            } => return start(&state, &organisation, &person, second_factor, &back).await,
            SignIn::Refused => {
                tracing::warn!(organisation = %organisation, "sign-in: wrong e-mail address or password");
                errors.add(
                "email",
                "Deze combinatie van e-mailadres en wachtwoord kennen we niet. Controleer beide en probeer het opnieuw.",
            );
            }
            SignIn::Locked { until } => {
                tracing::warn!(organisation = %organisation, "sign-in: a login locked after too many failures");
                errors.add(
                "email",
                format!(
                    "Na te veel mislukte pogingen is aanmelden tijdelijk geblokkeerd. Probeer het opnieuw na {}.",
                    crate::dates::moment(until)
                ),
                );
            }
            SignIn::Disabled => errors.add(
                "email",
                "Uw account is uitgeschakeld. Neem contact op met de beheerder van Weerbaar in uw organisatie.",
            ),
        }
    }
    let page = SignInPage {
        layout: Layout::anonymous("Aanmelden"),
        csrf: fields.get("csrf").to_owned(),
        errors,
        email: email.to_owned(),
        external: external(&state, &back),
        back,
        organisations,
        chosen,
    };
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

/// After the right password: a session that still waits for the second factor, unless
/// the person has none and needs none.
async fn start(
    state: &AppState,
    organisation: &OrganisationId,
    person: &PersonId,
    has_second_factor: bool,
    back: &str,
) -> Result<Response, WebError> {
    let me = load_me(state, organisation, person).await?;
    let needs_second_factor = me.needs_second_factor();
    let register = state.register();
    let now = jiff::Timestamp::now();
    let (token, next) = if has_second_factor {
        let token = register
            .start_session(organisation, person, false, now)
            .await?;
        (
            token,
            format!("/aanmelden/code?terug={}", crate::form::url_encode(back)),
        )
    } else if needs_second_factor {
        let token = register
            .start_session(organisation, person, false, now)
            .await?;
        (token, String::from("/aanmelden/tweede-factor"))
    } else {
        let token = register
            .start_session(organisation, person, true, now)
            .await?;
        (token, back.to_owned())
    };
    let secure = state.settings().secure_cookies;
    Ok(with_cookie(
        Redirect::to(&next).into_response(),
        Some(cookies::set(cookies::SESSION, &token, secure)),
    ))
}

/// A session that waits for its second factor.
struct Pending {
    token: String,
    session: Session,
}

async fn pending(parts: &Parts, state: &AppState) -> Result<Option<Pending>, WebError> {
    Ok(current_session(parts, state)
        .await?
        .filter(|(_, session)| !session.verified)
        .map(|(token, session)| Pending { token, session }))
}

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    back: String,
}

async fn show_code(
    State(state): State<AppState>,
    parts: Parts,
    crate::form::Lenient(back): crate::form::Lenient<Back>,
) -> Result<Response, WebError> {
    let Some(pending) = pending(&parts, &state).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let page = CodePage {
        layout: Layout::anonymous("Code invoeren"),
        csrf: pending.session.csrf,
        errors: Errors::default(),
        back: crate::form::local_path(back.terug.as_deref()),
    };
    Ok(html(&page))
}

/// A form posted with a pending session: its token is the session's.
async fn pending_post(
    state: &AppState,
    parts: &Parts,
    fields: &Fields,
) -> Result<Option<Pending>, WebError> {
    let Some(pending) = pending(parts, state).await? else {
        return Ok(None);
    };
    if !crate::form::same_token(fields.get("csrf"), &pending.session.csrf) {
        return Err(WebError::FormToken);
    }
    Ok(Some(pending))
}

async fn submit_code(
    State(state): State<AppState>,
    parts: Parts,
    axum::extract::Form(pairs): axum::extract::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields::new(pairs);
    let Some(pending) = pending_post(&state, &parts, &fields).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let back = crate::form::local_path(Some(fields.get("terug")));
    let register = state.register();
    let organisation = &pending.session.organisation;
    let person = &pending.session.person;
    let code = fields.get("code");
    let now = jiff::Timestamp::now();
    // Locked after too many wrong codes, on any device: nothing is checked until then.
    if let Some(until) = register.second_factor_locked_until(person, now).await? {
        tracing::warn!(person = %person, "second factor: a code was sent while locked");
        return locked_out(&state, &pending.token, until).await;
    }
    let accepted = if code.chars().filter(char::is_ascii_digit).count() == 6 && code.len() <= 8 {
        match register.second_factor_secret(organisation, person).await? {
            Some(secret) => {
                accept_step(
                    &state,
                    person,
                    second_factor::check(&secret, code, unix_now()),
                )
                .await?
            }
            None => false,
        }
    } else if !code.is_empty() {
        let used = register
            .use_recovery_code(organisation, person, code)
            .await?;
        if used {
            register.clear_second_factor_failures(person).await?;
        }
        used
    } else {
        false
    };
    if accepted {
        return finish(&state, &pending.token, &back).await;
    }
    tracing::warn!(person = %person, "second factor: wrong code");
    if let Some(until) = register.count_second_factor_failure(person, now).await? {
        tracing::warn!(person = %person, "second factor: locked after too many wrong codes");
        return locked_out(&state, &pending.token, until).await;
    }
    let mut errors = Errors::default();
    errors.add(
        "code",
        "Deze code klopt niet. Vul de zescijferige code uit uw app in, of een van uw herstelcodes.",
    );
    let page = CodePage {
        layout: Layout::anonymous("Code invoeren"),
        csrf: pending.session.csrf,
        errors,
        back,
    };
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

fn unix_now() -> u64 {
    u64::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0)
}

/// Accepts a matched time step only if it is later than the last one accepted for the
/// person: a code seen over someone's shoulder cannot be used again.
/// Accepts the time step a code matched, once: the guard is in the register, so a code
/// used in one session (or on another server) is not accepted again.
async fn accept_step(
    state: &AppState,
    person: &PersonId,
    step: Option<u64>,
) -> Result<bool, WebError> {
    let Some(step) = step else {
        return Ok(false);
    };
    Ok(state
        .register()
        .accept_second_factor_step(person, step, jiff::Timestamp::now())
        .await?)
}

/// Too many wrong codes: the half-finished session ends, and the page says until when
/// no code is accepted.
async fn locked_out(
    state: &AppState,
    token: &str,
    until: jiff::Timestamp,
) -> Result<Response, WebError> {
    state.register().end_session(token).await?;
    let secure = state.settings().secure_cookies;
    let page = LockedPage {
        layout: Layout::anonymous("Tijdelijk geblokkeerd"),
        until: crate::dates::moment(until),
    };
    Ok(with_cookie(
        (axum::http::StatusCode::TOO_MANY_REQUESTS, html(&page)).into_response(),
        Some(cookies::clear(cookies::SESSION, secure)),
    ))
}

#[derive(Template)]
#[template(path = "sign_in_locked.html")]
struct LockedPage {
    layout: Layout,
    until: String,
}

/// The second factor is done: the session gets a new token (the old one, which existed
/// before the second factor, is worthless now) and the person goes on.
async fn finish(state: &AppState, token: &str, back: &str) -> Result<Response, WebError> {
    let Some(new_token) = state
        .register()
        .verify_session(token, jiff::Timestamp::now())
        .await?
    else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let secure = state.settings().secure_cookies;
    Ok(with_cookie(
        Redirect::to(back).into_response(),
        Some(cookies::set(cookies::SESSION, &new_token, secure)),
    ))
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    qr: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

/// The enrolment secret: the one stored and not yet confirmed, or a new one.
async fn enrolment_secret(state: &AppState, pending: &Pending) -> Result<Vec<u8>, WebError> {
    let register = state.register();
    let organisation = &pending.session.organisation;
    let person = &pending.session.person;
    if let Some(secret) = register.second_factor_secret(organisation, person).await? {
        return Ok(secret);
    }
    let secret = second_factor::new_secret();
    register
        .store_second_factor(organisation, person, &secret)
        .await?;
    Ok(secret)
}

async fn enrol_page(
    state: &AppState,
    pending: &Pending,
    errors: Errors,
) -> Result<EnrolPage, WebError> {
    let register = state.register();
    let summary = register
        .person(&pending.session.organisation, &pending.session.person)
        .await?;
    let secret = enrolment_secret(state, pending).await?;
    let account = summary.email.unwrap_or(summary.name);
    Ok(EnrolPage {
        layout: Layout::anonymous("Tweede factor instellen"),
        csrf: pending.session.csrf.clone(),
        errors,
        qr: second_factor::qr_svg(&secret, &account).unwrap_or_default(),
        secret: second_factor::secret_text(&secret),
    })
}

/// Enrolment is for a pending session of a person whose second factor is not yet
/// confirmed; with a confirmed one, the code is asked instead (no re-enrolling with a
/// password alone).
async fn enrolling(state: &AppState, pending: &Pending) -> Result<bool, WebError> {
    let summary = state
        .register()
        .person(&pending.session.organisation, &pending.session.person)
        .await?;
    Ok(!summary.second_factor)
}

async fn show_enrol(State(state): State<AppState>, parts: Parts) -> Result<Response, WebError> {
    let Some(pending) = pending(&parts, &state).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    if !enrolling(&state, &pending).await? {
        return Ok(Redirect::to("/aanmelden/code").into_response());
    }
    Ok(html(
        &enrol_page(&state, &pending, Errors::default()).await?,
    ))
}

async fn submit_enrol(
    State(state): State<AppState>,
    parts: Parts,
    axum::extract::Form(pairs): axum::extract::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields::new(pairs);
    let Some(pending) = pending_post(&state, &parts, &fields).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    if !enrolling(&state, &pending).await? {
        return Ok(Redirect::to("/aanmelden/code").into_response());
    }
    let secret = enrolment_secret(&state, &pending).await?;
    let person = pending.session.person.clone();
    let organisation = pending.session.organisation.clone();
    if !accept_step(
        &state,
        &person,
        second_factor::check(&secret, fields.get("code"), unix_now()),
    )
    .await?
    {
        let mut errors = Errors::default();
        errors.add(
            "code",
            "Deze code klopt niet. Vul de zescijferige code in die uw app nu toont.",
        );
        let page = enrol_page(&state, &pending, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
    }
    let register = state.register();
    register
        .confirm_second_factor(&organisation, &person)
        .await?;
    let codes = register.new_recovery_codes(&organisation, &person).await?;
    let Some(new_token) = register
        .verify_session(&pending.token, jiff::Timestamp::now())
        .await?
    else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let page = RecoveryCodesPage {
        layout: Layout::anonymous("Uw herstelcodes"),
        codes,
    };
    let secure = state.settings().secure_cookies;
    Ok(with_cookie(
        html(&page),
        Some(cookies::set(cookies::SESSION, &new_token, secure)),
    ))
}

async fn sign_out(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    state.register().end_session(&posted.user.token).await?;
    signed_out(&state)
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    state
        .register()
        .end_sessions_of(&posted.user.me.person)
        .await?;
    signed_out(&state)
}

fn signed_out(state: &AppState) -> Result<Response, WebError> {
    let secure = state.settings().secure_cookies;
    Ok(with_cookie(
        Redirect::to("/aanmelden").into_response(),
        Some(cookies::clear(cookies::SESSION, secure)),
    ))
}
