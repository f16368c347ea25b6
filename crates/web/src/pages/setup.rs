//! Setting up a new register in the browser: the organisation with its protocol (a
//! preset, or an own file checked with its mistakes shown) and the first administrator,
//! who then enrols a second factor. Open only while no administrator exists, and only to
//! who knows the setup code that `weerbaar serve` printed.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use weerbaar_protocol::{Code, PRESETS, Protocol, Role, preset_text};
use weerbaar_register::duties::Duty;
use weerbaar_register::{NewPerson, OrganisationId};

use crate::error::WebError;
use crate::form::{
    AnonymousPost, Errors, Fields, anonymous_token, looks_like_email, same_token, with_cookie,
};
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/inrichten", get(show).post(submit))
}

/// The offices an administrator may hold (an administrator is staff or the griffier or
/// secretary who keeps the register).
const ADMIN_ROLES: &[Role] = &[
    Role::Ambtenaar,
    Role::Griffier,
    Role::Gemeentesecretaris,
    Role::Provinciesecretaris,
    Role::SecretarisDirecteur,
];

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    /// The organisation exists already (made by `weerbaar init`): only the administrator
    /// is asked for.
    existing: Option<String>,
    presets: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    values: Fields,
    protocol_mistakes: Vec<String>,
}

impl SetupPage {
    fn value(&self, name: &str) -> String {
        self.values.get(name).to_owned()
    }

    fn preset_chosen(&self, name: &str) -> bool {
        let chosen = self.values.get("protocol");
        chosen == name || (chosen.is_empty() && name == "model")
    }
}

/// Whether the register still waits for its first administrator; gives the existing
/// organisation, if `weerbaar init` made one.
pub(crate) async fn pending_setup(
    state: &AppState,
) -> Result<Option<Option<(OrganisationId, String)>>, WebError> {
    // Once an administrator exists one always will (the register refuses to remove the
    // last), so the answer is remembered: the start and sign-in pages are asked for
    // often, and the question decrypts every person's record.
    let done = &state.inner().setup_done;
    if done.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(None);
    }
    let pending = pending(state.register()).await?;
    if pending.is_none() {
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(pending)
}

pub(crate) async fn pending(
    register: &weerbaar_register::Register,
) -> Result<Option<Option<(OrganisationId, String)>>, weerbaar_register::RegisterError> {
    let organisations = register.organisations().await?;
    for organisation in &organisations {
        let people = register.people(&organisation.id).await?;
        if people.iter().any(|p| p.duties.contains(&Duty::Beheerder)) {
            return Ok(None);
        }
    }
    Ok(Some(
        organisations.into_iter().next().map(|o| (o.id, o.name)),
    ))
}

fn page(
    existing: Option<String>,
    csrf: String,
    values: Fields,
    errors: Errors,
    mistakes: Vec<String>,
) -> SetupPage {
    SetupPage {
        layout: Layout::anonymous("Weerbaar inrichten"),
        csrf,
        errors,
        existing,
        presets: PRESETS.iter().map(|p| (p.name, p.organisation)).collect(),
        roles: ADMIN_ROLES
            .iter()
            .map(|r| (r.as_str(), crate::labels::role_label(*r)))
            .collect(),
        values,
        protocol_mistakes: mistakes,
    }
}

async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let Some(existing) = pending_setup(&state).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    let (csrf, cookie) = anonymous_token(&headers, state.settings().secure_cookies);
    let page = page(
        existing.map(|e| e.1),
        csrf,
        Fields::default(),
        Errors::default(),
        Vec::new(),
    );
    Ok(with_cookie(html(&page), cookie))
}

async fn submit(State(state): State<AppState>, post: AnonymousPost) -> Result<Response, WebError> {
    let Some(existing) = pending_setup(&state).await? else {
        return Ok(Redirect::to("/aanmelden").into_response());
    };
    crate::client_address::limit_sign_in(&state, post.client).await?;
    let fields = &post.fields;
    let mut errors = Errors::default();
    let mut mistakes = Vec::new();

    let expected = state.inner().setup_code.lock().ok().and_then(|c| c.clone());
    // Typed as printed, or without the dash, in any case: only the letters count.
    let letters = |text: &str| -> String {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    match expected {
        Some(expected) if same_token(&letters(fields.get("code")), &letters(&expected)) => {}
        _ => errors.add(
            "code",
            "Vul de inrichtingscode in die Weerbaar bij het starten in het venster van de server toonde.",
        ),
    }

    let mut protocol_toml: Option<String> = None;
    if existing.is_none() {
        if fields.get("organisation").is_empty() {
            errors.add("organisation", "Vul de naam van de organisatie in.");
        }
        match fields.get("protocol") {
            "eigen" => {
                let text = fields.get("protocol_toml");
                if text.is_empty() {
                    errors.add(
                        "protocol_toml",
                        "Plak het eigen protocolbestand (TOML) in het tekstvak.",
                    );
                } else {
                    match Protocol::from_toml(text) {
                        Ok(_) => protocol_toml = Some(text.to_owned()),
                        Err(error) => {
                            errors.add("protocol_toml", "Het protocolbestand bevat fouten; zie de lijst onder het tekstvak.");
                            mistakes = crate::pages::protocol_mistakes(&error);
                        }
                    }
                }
            }
            name => match preset_text(if name.is_empty() { "model" } else { name }) {
                Some(text) => protocol_toml = Some(text.to_owned()),
                None => errors.add("protocol", "Kies een van de protocollen."),
            },
        }
    }
    let name = fields.get("name");
    if name.is_empty() {
        errors.add("name", "Vul uw naam in.");
    }
    let email = fields.get("email");
    if !looks_like_email(email) {
        errors.add(
            "email",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.",
        );
    }
    let role = Role::parse(fields.get("role"))
        .ok()
        .filter(|r| ADMIN_ROLES.contains(r));
    if role.is_none() {
        errors.add("role", "Kies uw functie.");
    }
    crate::pages::check_new_password(fields, &mut errors);

    if !errors.is_empty() {
        let csrf = fields.get("csrf").to_owned();
        let page = page(
            existing.map(|e| e.1),
            csrf,
            fields.clone(),
            errors,
            mistakes,
        );
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
    }

    let register = state.register();
    let organisation = match existing {
        Some((id, _)) => id,
        None => {
            register
                .create_organisation(
                    fields.get("organisation"),
                    protocol_toml.as_deref().unwrap_or_default(),
                )
                .await?
        }
    };
    let role = role.unwrap_or(Role::Ambtenaar);
    // Person, password and duty in one transaction, logged as the first entry of the
    // administration log (by nobody yet: there was no administrator).
    let person = register
        .add_person_with_account(
            &organisation,
            None,
            weerbaar_register::admin::NewAccount {
                person: NewPerson {
                    name: name.to_owned(),
                    email: Some(email.to_owned()),
                    roles: vec![(role, true)],
                },
                duties: vec![Duty::Beheerder],
                password: Some(fields.raw("password").unwrap_or_default().to_owned()),
            },
        )
        .await?;
    if let Ok(mut code) = state.inner().setup_code.lock() {
        *code = None;
    }
    let token = register
        .start_session(&organisation, &person, false, jiff::Timestamp::now())
        .await?;
    let response = Redirect::to("/aanmelden/tweede-factor").into_response();
    Ok(with_cookie(
        response,
        Some(crate::cookies::set(
            crate::cookies::SESSION,
            &token,
            state.settings().secure_cookies,
        )),
    ))
}
