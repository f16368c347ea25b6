//! Beheer: the administrator's pages — people with their roles, duties and accounts, the
//! organisation's protocol file and its contacts, retention periods, and the log of
//! every administrative change. Every handler refuses whoever is not an administrator
//! before it reads anything; no page here reads or shows a case (an administrator is not
//! a handler, see `weerbaar_register::duties`).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use weerbaar_protocol::document::Block;
use weerbaar_protocol::{Code, Contact, PRESETS, Protocol, Role, preset_text};
use weerbaar_register::admin::{LAST_ADMINISTRATOR, OWN_ADMINISTRATION, OWN_ROLES};
use weerbaar_register::duties::Duty;
use weerbaar_register::retention::{CLOSED_STATUSES, MAX_RETENTION_DAYS};
use weerbaar_register::{
    AdminEvent, AdminEventKind, CaseStatus, NewAccount, NewPerson, PersonId, PersonSummary,
    RegisterError, RetentionSource,
};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted, looks_like_email};
use crate::labels::{case_status_label, role_label};
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(overview))
        .route("/beheer/personen", get(people))
        .route("/beheer/personen/nieuw", get(new_person).post(add_person))
        .route("/beheer/personen/{id}", get(person).post(change_person))
        .route("/beheer/personen/{id}/wachtwoord", post(set_password))
        .route("/beheer/personen/{id}/account", post(set_account))
        .route(
            "/beheer/personen/{id}/tweede-factor",
            post(reset_second_factor),
        )
        .route("/beheer/protocol", get(protocol).post(replace_protocol))
        .route("/beheer/contacten", get(contacts))
        .route(
            "/beheer/contacten/nieuw",
            get(new_contact).post(add_contact),
        )
        .route(
            "/beheer/contacten/{index}",
            get(contact).post(change_contact),
        )
        .route(
            "/beheer/contacten/{index}/verwijderen",
            post(remove_contact),
        )
        .route(
            "/beheer/bewaartermijnen",
            get(retention).post(set_retention),
        )
        .route("/beheer/logboek", get(log))
}

/// How many entries the log page shows.
const LOG_LENGTH: u32 = 500;

/// What a page says after a change was made (`?klaar=…` after the redirect).
#[derive(Debug, Default, Deserialize)]
struct Done {
    klaar: Option<String>,
}

impl Done {
    fn message(&self) -> Option<&'static str> {
        Some(match self.klaar.as_deref()? {
            "toegevoegd" => "De persoon is toegevoegd.",
            "functies" => "De functies en taken zijn opgeslagen.",
            "wachtwoord" => {
                "Het nieuwe wachtwoord is ingesteld. De persoon is overal afgemeld; geef het wachtwoord op een veilige manier door."
            }
            "uitgeschakeld" => {
                "Het account is uitgeschakeld. De persoon is overal afgemeld en kan zich niet meer aanmelden."
            }
            "ingeschakeld" => "Het account is weer ingeschakeld.",
            "tweede-factor" => {
                "De tweede factor is gewist. Bij de volgende aanmelding stelt de persoon een nieuwe in."
            }
            "protocol" => {
                "Het protocol is vervangen. Nieuwe meldingen volgen dit protocol; bestaande zaken houden hun plan."
            }
            "contacten" => "De contacten zijn opgeslagen.",
            "bewaartermijnen" => "De bewaartermijnen zijn opgeslagen.",
            _ => return None,
        })
    }
}

fn duty_label(duty: Duty) -> &'static str {
    match duty {
        Duty::Beheerder => "Beheerder",
        Duty::Privacy => "Privacyfunctionaris (FG)",
    }
}

fn duty_hint(duty: Duty) -> &'static str {
    match duty {
        Duty::Beheerder => {
            "Beheert personen, het protocol, de contacten en de bewaartermijnen. Ziet geen zaken."
        }
        Duty::Privacy => {
            "Ziet wie welke melding opende en met welke functie, wie toegang kreeg en wat is gewist. Ziet geen inhoud van meldingen."
        }
    }
}

fn unprocessable(response: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, response).into_response()
}

/// A register refusal as the Dutch message beside the field it is about; anything else
/// is not the administrator's to fix.
fn refusal(error: RegisterError, field: &str, errors: &mut Errors) -> Result<(), WebError> {
    match error {
        RegisterError::Invalid {
            field: about,
            reason,
        } => {
            let message = if reason == LAST_ADMINISTRATOR {
                "Er moet altijd een beheerder overblijven die zich kan aanmelden. Maak eerst iemand anders beheerder.".to_owned()
            } else if reason == OWN_ROLES {
                "U kunt uzelf geen functie of taak geven. Vraag dit aan een andere beheerder."
                    .to_owned()
            } else if reason == OWN_ADMINISTRATION {
                "U kunt uw eigen beheerderstaak niet intrekken en uw eigen account niet uitschakelen. Vraag dit aan een andere beheerder.".to_owned()
            } else {
                match about.as_str() {
                    "email" => "Er is al iemand met dit e-mailadres in uw organisatie.".to_owned(),
                    "password" => password_message(),
                    "roles" => "Kies ten minste één functie of taak.".to_owned(),
                    "name" => "Vul de naam in.".to_owned(),
                    _ => return Err(WebError::Internal(format!("{about}: {reason}"))),
                }
            };
            // Giving oneself a role is about the roles, whatever form sent it.
            let field = if reason == OWN_ROLES { "roles" } else { field };
            errors.add(field, message);
            Ok(())
        }
        RegisterError::Forbidden { .. } => Err(WebError::Forbidden),
        other => Err(other.into()),
    }
}

fn password_message() -> String {
    format!(
        "Kies een wachtwoord van minstens {} tekens; een zin werkt goed.",
        weerbaar_register::accounts::MIN_PASSWORD_CHARS
    )
}

// ---------------------------------------------------------------------------------------
// Overview

#[derive(Template)]
#[template(path = "admin_overview.html")]
struct OverviewPage {
    layout: Layout,
    people: usize,
    protocol: String,
    contacts: usize,
}

async fn overview(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    user.require_admin()?;
    let register = state.register();
    let organisation = &user.me.organisation;
    let protocol = register.protocol(organisation).await?;
    let page = OverviewPage {
        layout: user.layout("Beheer"),
        people: register.people(organisation).await?.len(),
        protocol: format!("{} (versie {})", protocol.name, protocol.version),
        contacts: protocol.contacts.len(),
    };
    Ok(html(&page))
}

// ---------------------------------------------------------------------------------------
// People

/// A person as the list shows them, in Dutch.
struct PersonRow {
    id: String,
    name: String,
    email: String,
    roles: String,
    former: String,
    duties: String,
    account: String,
}

fn account_state(person: &PersonSummary) -> String {
    if !person.has_password {
        return String::from("Geen account (nog geen wachtwoord)");
    }
    let mut parts = vec!["Wachtwoord ingesteld"];
    parts.push(if person.second_factor {
        "tweede factor ingesteld"
    } else {
        "nog geen tweede factor"
    });
    if person.disabled {
        parts.push("uitgeschakeld");
    }
    parts.join(", ")
}

fn roles_text(roles: &[(Role, bool)], current: bool) -> String {
    let list: Vec<&str> = roles
        .iter()
        .filter(|(_, c)| *c == current)
        .map(|(role, _)| role_label(*role))
        .collect();
    if list.is_empty() {
        String::from("—")
    } else {
        list.join(", ")
    }
}

fn person_row(person: &PersonSummary) -> PersonRow {
    let duties: Vec<&str> = person.duties.iter().map(|d| duty_label(*d)).collect();
    PersonRow {
        id: person.id.to_string(),
        name: person.name.clone(),
        email: person.email.clone().unwrap_or_else(|| String::from("—")),
        roles: roles_text(&person.roles, true),
        former: roles_text(&person.roles, false),
        duties: if duties.is_empty() {
            String::from("—")
        } else {
            duties.join(", ")
        },
        account: account_state(person),
    }
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    layout: Layout,
    rows: Vec<PersonRow>,
    done: Option<&'static str>,
}

async fn people(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    let rows = state
        .register()
        .people(&user.me.organisation)
        .await?
        .iter()
        .map(person_row)
        .collect();
    let page = PeoplePage {
        layout: user.layout("Personen"),
        rows,
        done: done.message(),
    };
    Ok(html(&page))
}

/// One role on a form: its code, its label and how the person holds it ("" not,
/// "huidig" now, "voormalig" before).
struct RoleChoice {
    code: &'static str,
    label: &'static str,
    held: String,
}

/// One duty on a form.
struct DutyChoice {
    code: &'static str,
    label: &'static str,
    hint: &'static str,
    ticked: bool,
}

/// The roles a form offers: staff roles and the offices of the protocol's bodies, and
/// whatever the person already holds.
fn role_choices(protocol: &Protocol, held: &[(Role, bool)]) -> Vec<RoleChoice> {
    Role::ALL
        .iter()
        .copied()
        .filter(|role| {
            role.office_of()
                .is_none_or(|body| protocol.bodies.contains(&body))
                || held.iter().any(|(r, _)| r == role)
        })
        .map(|role| RoleChoice {
            code: role.as_str(),
            label: role_label(role),
            held: match held.iter().find(|(r, _)| *r == role) {
                Some((_, true)) => String::from("huidig"),
                Some((_, false)) => String::from("voormalig"),
                None => String::new(),
            },
        })
        .collect()
}

fn duty_choices(held: &[Duty]) -> Vec<DutyChoice> {
    Duty::ALL
        .iter()
        .map(|duty| DutyChoice {
            code: duty.as_str(),
            label: duty_label(*duty),
            hint: duty_hint(*duty),
            ticked: held.contains(duty),
        })
        .collect()
}

/// The roles and duties a form sent.
fn posted_roles(fields: &Fields, errors: &mut Errors) -> (Vec<(Role, bool)>, Vec<Duty>) {
    let mut roles = Vec::new();
    for role in Role::ALL {
        match fields.get(&format!("role_{}", role.as_str())) {
            "" => {}
            "huidig" => roles.push((*role, true)),
            "voormalig" => roles.push((*role, false)),
            _ => errors.add(
                "roles",
                "Kies bij elke functie: geen, huidige of vroegere functie.",
            ),
        }
    }
    let mut duties = Vec::new();
    for text in fields.all("duty") {
        match Duty::parse(text) {
            Some(duty) => duties.push(duty),
            None => errors.add("duties", "Kies de taken uit de lijst."),
        }
    }
    if roles.is_empty() && duties.is_empty() {
        errors.add("roles", "Kies ten minste één functie of taak.");
    }
    (roles, duties)
}

#[derive(Template)]
#[template(path = "admin_person_new.html")]
struct NewPersonPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    values: Fields,
    roles: Vec<RoleChoice>,
    duties: Vec<DutyChoice>,
}

impl NewPersonPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
}

async fn new_person_page(
    state: &AppState,
    user: &SignedIn,
    values: Fields,
    errors: Errors,
) -> Result<NewPersonPage, WebError> {
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let mut scratch = Errors::default();
    let (held_roles, held_duties) = posted_roles(&values, &mut scratch);
    Ok(NewPersonPage {
        layout: user.layout("Persoon toevoegen"),
        csrf: user.session.csrf.clone(),
        roles: role_choices(&protocol, &held_roles),
        duties: duty_choices(&held_duties),
        errors,
        values,
    })
}

async fn new_person(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    user.require_admin()?;
    Ok(html(
        &new_person_page(&state, &user, Fields::default(), Errors::default()).await?,
    ))
}

async fn add_person(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let mut errors = Errors::default();
    let name = fields.get("name");
    if name.is_empty() {
        errors.add("name", "Vul de naam in.");
    }
    let email = fields.get("email");
    if !looks_like_email(email) {
        errors.add(
            "email",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.",
        );
    }
    let (roles, duties) = posted_roles(&fields, &mut errors);
    let password = fields.raw("password").unwrap_or_default();
    if !password.is_empty() {
        crate::pages::check_new_password(&fields, &mut errors);
    }
    if errors.is_empty() {
        let account = NewAccount {
            person: NewPerson {
                name: name.to_owned(),
                email: Some(email.to_owned()),
                roles,
            },
            duties,
            password: (!password.is_empty()).then(|| password.to_owned()),
        };
        match state
            .register()
            .add_person_with_account(&user.me.organisation, Some(&user.me.person), account)
            .await
        {
            Ok(id) => {
                return Ok(
                    Redirect::to(&format!("/beheer/personen/{id}?klaar=toegevoegd"))
                        .into_response(),
                );
            }
            Err(error) => {
                let field = match &error {
                    RegisterError::Invalid { field, .. } if field == "password" => "password",
                    RegisterError::Invalid { field, .. } if field == "roles" => "roles",
                    _ => "email",
                };
                refusal(error, field, &mut errors)?;
            }
        }
    }
    let page = new_person_page(&state, &user, fields, errors).await?;
    Ok(unprocessable(html(&page)))
}

#[derive(Template)]
#[template(path = "admin_person.html")]
struct PersonPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    done: Option<&'static str>,
    person: PersonRow,
    has_password: bool,
    second_factor: bool,
    disabled: bool,
    is_me: bool,
    roles: Vec<RoleChoice>,
    duties: Vec<DutyChoice>,
}

/// The person page; `posted` holds the roles and duties form as sent, when it is shown
/// again with its errors.
async fn person_page(
    state: &AppState,
    user: &SignedIn,
    id: &str,
    posted: Option<&Fields>,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<PersonPage, WebError> {
    let register = state.register();
    let summary = register
        .person(&user.me.organisation, &PersonId(id.to_owned()))
        .await?;
    let protocol = register.protocol(&user.me.organisation).await?;
    let (roles, duties) = match posted {
        Some(fields) => posted_roles(fields, &mut Errors::default()),
        None => (summary.roles.clone(), summary.duties.clone()),
    };
    Ok(PersonPage {
        layout: user.layout(&format!("{} beheren", summary.name)),
        csrf: user.session.csrf.clone(),
        errors,
        done,
        person: person_row(&summary),
        has_password: summary.has_password,
        second_factor: summary.second_factor,
        disabled: summary.disabled,
        is_me: summary.id == user.me.person,
        roles: role_choices(&protocol, &roles),
        duties: duty_choices(&duties),
    })
}

async fn person(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    let page = person_page(&state, &user, &id, None, Errors::default(), done.message()).await?;
    Ok(html(&page))
}

fn back_to_person(id: &str, done: &str) -> Response {
    Redirect::to(&format!(
        "/beheer/personen/{}?klaar={done}",
        crate::form::url_encode(id)
    ))
    .into_response()
}

async fn change_person(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let person = PersonId(id.clone());
    let mut errors = Errors::default();
    let (roles, duties) = posted_roles(&fields, &mut errors);
    if person == user.me.person && user.me.is_admin() && !duties.contains(&Duty::Beheerder) {
        errors.add(
            "duties",
            "U kunt uw eigen beheerderstaak niet intrekken. Vraag dit aan een andere beheerder.",
        );
    }
    if errors.is_empty() {
        match state
            .register()
            .change_roles_and_duties(
                &user.me.organisation,
                Some(&user.me.person),
                &person,
                &roles,
                &duties,
            )
            .await
        {
            Ok(()) => return Ok(back_to_person(&id, "functies")),
            Err(error) => refusal(error, "duties", &mut errors)?,
        }
    }
    let page = person_page(&state, &user, &id, Some(&fields), errors, None).await?;
    Ok(unprocessable(html(&page)))
}

async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let mut errors = Errors::default();
    crate::pages::check_new_password(&fields, &mut errors);
    if errors.is_empty() {
        match state
            .register()
            .set_password_by(
                &user.me.organisation,
                Some(&user.me.person),
                &PersonId(id.clone()),
                fields.raw("password").unwrap_or_default(),
            )
            .await
        {
            Ok(()) => return Ok(back_to_person(&id, "wachtwoord")),
            Err(error) => refusal(error, "password", &mut errors)?,
        }
    }
    let page = person_page(&state, &user, &id, None, errors, None).await?;
    Ok(unprocessable(html(&page)))
}

async fn set_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let person = PersonId(id.clone());
    let mut errors = Errors::default();
    let disabled = match fields.get("action") {
        "uitschakelen" => true,
        "inschakelen" => false,
        _ => return Err(WebError::NotFound),
    };
    if disabled && person == user.me.person {
        errors.add(
            "account",
            "U kunt uw eigen account niet uitschakelen. Vraag dit aan een andere beheerder.",
        );
    } else {
        match state
            .register()
            .set_account_disabled_by(
                &user.me.organisation,
                Some(&user.me.person),
                &person,
                disabled,
            )
            .await
        {
            Ok(()) => {
                return Ok(back_to_person(
                    &id,
                    if disabled {
                        "uitgeschakeld"
                    } else {
                        "ingeschakeld"
                    },
                ));
            }
            Err(RegisterError::NotFound {
                what: "account", ..
            }) => errors.add(
                "account",
                "Deze persoon heeft nog geen account. Stel eerst een wachtwoord in.",
            ),
            Err(error) => refusal(error, "account", &mut errors)?,
        }
    }
    let page = person_page(&state, &user, &id, None, errors, None).await?;
    Ok(unprocessable(html(&page)))
}

async fn reset_second_factor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, .. } = posted;
    user.require_admin()?;
    let mut errors = Errors::default();
    match state
        .register()
        .reset_second_factor(
            &user.me.organisation,
            Some(&user.me.person),
            &PersonId(id.clone()),
        )
        .await
    {
        Ok(()) => return Ok(back_to_person(&id, "tweede-factor")),
        Err(RegisterError::NotFound {
            what: "account", ..
        }) => errors.add(
            "second_factor",
            "Deze persoon heeft nog geen account, dus ook geen tweede factor.",
        ),
        Err(error) => refusal(error, "second_factor", &mut errors)?,
    }
    let page = person_page(&state, &user, &id, None, errors, None).await?;
    Ok(unprocessable(html(&page)))
}

// ---------------------------------------------------------------------------------------
// Protocol

#[derive(Template)]
#[template(path = "admin_protocol.html")]
struct ProtocolPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    done: Option<&'static str>,
    name: String,
    id: String,
    version: String,
    source: String,
    presets: Vec<(&'static str, &'static str)>,
    chosen: String,
    text: String,
    mistakes: Vec<String>,
    /// What the draft changes, once it has been looked at and holds no mistakes.
    preview: Option<Preview>,
    fields: Fields,
}

/// The draft compared with the protocol in use, before it can be activated.
struct Preview {
    doc: weerbaar_protocol::document::Document,
    /// The SHA-256 of the draft that was compared: activating takes only that draft.
    digest: String,
    draft_name: String,
    roles: Vec<(String, String)>,
    behaviours: Vec<(String, String)>,
    channels: Vec<(String, String)>,
    trial: Option<Vec<String>>,
}

impl ProtocolPage {
    fn value(&self, name: &str) -> &str {
        self.fields.get(name)
    }
}

async fn protocol_page(
    state: &AppState,
    user: &SignedIn,
    chosen: String,
    text: Option<String>,
    errors: Errors,
    mistakes: Vec<String>,
    done: Option<&'static str>,
) -> Result<ProtocolPage, WebError> {
    let register = state.register();
    let protocol = register.protocol(&user.me.organisation).await?;
    let text = match text {
        Some(text) => text,
        None => register.protocol_file(&user.me.organisation).await?,
    };
    Ok(ProtocolPage {
        layout: user.layout("Protocol"),
        csrf: user.session.csrf.clone(),
        errors,
        done,
        name: protocol.name.clone(),
        id: protocol.id.clone(),
        version: protocol.version.clone(),
        source: protocol.source.clone().unwrap_or_else(|| String::from("—")),
        presets: PRESETS.iter().map(|p| (p.name, p.organisation)).collect(),
        chosen,
        text,
        mistakes,
        preview: None,
        fields: Fields::default(),
    })
}

async fn protocol(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    let page = protocol_page(
        &state,
        &user,
        String::from("eigen"),
        None,
        Errors::default(),
        Vec::new(),
        done.message(),
    )
    .await?;
    Ok(html(&page))
}

fn digest(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A draft protocol is looked at first (`stap=bekijken`): its mistakes, or what it
/// changes against the protocol in use on the sample incidents and on an incident the
/// administrator describes. Only a draft looked at without mistakes can be activated
/// (`stap=activeren`), and only unchanged since: activating is a step of its own, logged
/// by the register.
async fn replace_protocol(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let mut errors = Errors::default();
    let mut mistakes = Vec::new();
    let chosen = fields.get("protocol").to_owned();
    let text = match chosen.as_str() {
        "eigen" => {
            let text = fields.raw("protocol_toml").unwrap_or_default();
            if text.trim().is_empty() {
                errors.add(
                    "protocol_toml",
                    "Plak het protocolbestand (TOML) in het tekstvak.",
                );
            }
            text.to_owned()
        }
        name => match preset_text(name) {
            Some(text) => text.to_owned(),
            None => {
                errors.add(
                    "protocol",
                    "Kies een van de protocollen, of een eigen protocolbestand.",
                );
                String::new()
            }
        },
    };
    let draft = match Protocol::from_toml(&text) {
        Ok(draft) => Some(draft),
        Err(error) if errors.is_empty() => {
            errors.add(
                "protocol_toml",
                "Het protocolbestand bevat fouten; zie de lijst onder het tekstvak. Er is niets veranderd.",
            );
            mistakes = crate::pages::protocol_mistakes(&error);
            None
        }
        Err(_) => None,
    };
    let activate = fields.get("stap") == "activeren";
    if let (Some(_), true, true) = (&draft, activate, errors.is_empty()) {
        if fields.get("bekeken") != digest(&text) {
            errors.add(
                "protocol_toml",
                "Het protocol is veranderd sinds u bekeek wat het verandert. Bekijk eerst opnieuw wat het verandert; er is niets veranderd.",
            );
        } else {
            match state
                .register()
                .set_protocol(&user.me.organisation, Some(&user.me.person), &text)
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to("/beheer/protocol?klaar=protocol").into_response());
                }
                Err(RegisterError::Forbidden { .. }) => return Err(WebError::Forbidden),
                Err(RegisterError::Invalid { reason, .. }) => {
                    errors.add(
                        "protocol_toml",
                        "Het protocolbestand bevat fouten. Er is niets veranderd.",
                    );
                    mistakes.push(reason);
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    let shown = if chosen == "eigen" {
        Some(text.clone())
    } else {
        None
    };
    let mut page = protocol_page(
        &state,
        &user,
        chosen,
        shown,
        Errors::default(),
        mistakes,
        None,
    )
    .await?;
    if let (Some(draft), true) = (draft, errors.is_empty() || activate) {
        let current = state.register().protocol(&user.me.organisation).await?;
        page.preview = Some(preview(&current, &draft, &text, &fields, &mut errors));
    }
    page.errors = errors;
    page.fields = fields;
    if page.errors.is_empty() {
        Ok(html(&page))
    } else {
        Ok(unprocessable(html(&page)))
    }
}

/// The comparison on the built-in samples, and on the incident of the trial fields when
/// the administrator describes one.
fn preview(
    current: &Protocol,
    draft: &Protocol,
    text: &str,
    fields: &Fields,
    errors: &mut Errors,
) -> Preview {
    use weerbaar_protocol::{Channel, Facts, Injury, Victim, compare, labels};
    let roles: Vec<(String, String)> = current
        .routes
        .keys()
        .chain(draft.routes.keys())
        .copied()
        .collect::<std::collections::BTreeSet<Role>>()
        .into_iter()
        .map(|r| (r.as_str().to_owned(), labels::role_label(r).to_owned()))
        .collect();
    let behaviours: Vec<(String, String)> = draft
        .behaviour_codes()
        .into_iter()
        .map(|code| {
            let label = match code {
                weerbaar_protocol::BehaviourCode::Spec(b) => labels::behaviour_label(b).to_owned(),
                weerbaar_protocol::BehaviourCode::Own(own) => draft
                    .own_behaviour(own)
                    .map(|b| b.label.clone())
                    .unwrap_or_default(),
            };
            (code.as_str().to_owned(), label)
        })
        .collect();
    let channels =
        crate::pages::case::options_of(Channel::ALL, Channel::as_str, labels::channel_label);
    let wants_trial = ["proef_rol", "proef_gedrag", "proef_kanaal", "proef_moment"]
        .iter()
        .any(|name| !fields.get(name).is_empty());
    let trial = wants_trial.then(|| {
        let role = Role::parse(fields.get("proef_rol")).ok();
        let behaviour = weerbaar_protocol::BehaviourCode::parse(fields.get("proef_gedrag"))
            .ok()
            .filter(|b| draft.knows_behaviour(*b));
        let channel = Channel::parse(fields.get("proef_kanaal")).ok();
        let moment = crate::dates::parse_input(fields.get("proef_moment"));
        if role.is_none() {
            errors.add("proef_rol", "Kies wie het overkwam.");
        }
        if behaviour.is_none() {
            errors.add("proef_gedrag", "Kies wat er gebeurde.");
        }
        if channel.is_none() {
            errors.add("proef_kanaal", "Kies hoe het gebeurde.");
        }
        if moment.is_none() {
            errors.add(
                "proef_moment",
                "Vul in wanneer het gebeurde, bijvoorbeeld 2 maart 2026 om 20:15.",
            );
        }
        let (Some(role), Some(behaviour), Some(channel), Some(moment)) =
            (role, behaviour, channel, moment)
        else {
            return Vec::new();
        };
        let facts = Facts {
            occurred_at: moment,
            reported_at: None,
            victim: Victim {
                role,
                former: false,
            },
            behaviours: vec![behaviour],
            channel,
            persistent: false,
            corrected_after_warning: false,
            injury: Injury::Geen,
            criminal_offence_suspected: false,
            perpetrator_known: false,
            prior_incidents: 0,
            damage: false,
            addressed: None,
            report_to: None,
            situation: None,
        };
        let changes = compare::differences_for(current, draft, &facts);
        if changes.is_empty() {
            vec![String::from(
                "Geen verschil: beide protocollen geven hetzelfde plan.",
            )]
        } else {
            changes
        }
    });
    Preview {
        doc: compare::compare(current, draft).document(current, draft),
        digest: digest(text),
        draft_name: format!("{} (versie {})", draft.name, draft.version),
        roles,
        behaviours,
        channels,
        trial,
    }
}

// ---------------------------------------------------------------------------------------
// Contacts

/// A contact as the list shows it.
struct ContactRow {
    index: usize,
    name: String,
    lines: Vec<(&'static str, String)>,
}

fn contact_row(index: usize, contact: &Contact) -> ContactRow {
    let mut lines = Vec::new();
    for (label, value) in [
        ("Waarvoor", &contact.about),
        ("Telefoon", &contact.phone),
        ("Website", &contact.url),
        ("E-mail", &contact.email),
        ("Bereikbaar", &contact.hours),
    ] {
        if let Some(value) = value {
            lines.push((label, value.clone()));
        }
    }
    ContactRow {
        index,
        name: contact.name.clone(),
        lines,
    }
}

#[derive(Template)]
#[template(path = "admin_contacts.html")]
struct ContactsPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    done: Option<&'static str>,
    rows: Vec<ContactRow>,
}

async fn contacts_page(
    state: &AppState,
    user: &SignedIn,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<ContactsPage, WebError> {
    let protocol = state.register().protocol(&user.me.organisation).await?;
    Ok(ContactsPage {
        layout: user.layout("Contacten"),
        csrf: user.session.csrf.clone(),
        errors,
        done,
        rows: protocol
            .contacts
            .iter()
            .enumerate()
            .map(|(i, c)| contact_row(i, c))
            .collect(),
    })
}

async fn contacts(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    Ok(html(
        &contacts_page(&state, &user, Errors::default(), done.message()).await?,
    ))
}

#[derive(Template)]
#[template(path = "admin_contact.html")]
struct ContactPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    values: Fields,
    /// Where the form posts to.
    action: String,
    /// The contact's name when the page opened: a list changed meanwhile is noticed.
    original: String,
    new: bool,
    mistakes: Vec<String>,
}

impl ContactPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
}

fn contact_fields(contact: &Contact) -> Fields {
    let mut pairs = vec![(String::from("name"), contact.name.clone())];
    for (key, value) in [
        ("about", &contact.about),
        ("phone", &contact.phone),
        ("url", &contact.url),
        ("email", &contact.email),
        ("hours", &contact.hours),
    ] {
        pairs.push((key.to_owned(), value.clone().unwrap_or_default()));
    }
    Fields::new(pairs)
}

fn contact_page(
    user: &SignedIn,
    index: Option<usize>,
    values: Fields,
    original: String,
    errors: Errors,
    mistakes: Vec<String>,
) -> ContactPage {
    let title = if index.is_some() {
        "Contact wijzigen"
    } else {
        "Contact toevoegen"
    };
    ContactPage {
        layout: user.layout(title),
        csrf: user.session.csrf.clone(),
        errors,
        values,
        action: match index {
            Some(index) => format!("/beheer/contacten/{index}"),
            None => String::from("/beheer/contacten/nieuw"),
        },
        original,
        new: index.is_none(),
        mistakes,
    }
}

/// The contact the form describes, checked against the others of the list.
fn posted_contact(fields: &Fields, others: &[&Contact], errors: &mut Errors) -> Contact {
    let name = fields.get("name");
    if name.is_empty() {
        errors.add("name", "Vul de naam van de instantie of persoon in.");
    } else if others.iter().any(|c| c.name.trim() == name) {
        errors.add(
            "name",
            "Er is al een contact met deze naam. Kies een andere naam.",
        );
    }
    let url = fields.optional("url");
    if let Some(url) = &url
        && (!url.starts_with("https://")
            || url.len() <= "https://".len()
            || url.contains(char::is_whitespace))
    {
        errors.add(
            "url",
            "Vul een volledig webadres in dat begint met https://.",
        );
    }
    let email = fields.optional("email");
    if let Some(email) = &email
        && !looks_like_email(email)
    {
        errors.add(
            "email",
            "Vul een geldig e-mailadres in, bijvoorbeeld info@slachtofferhulp.nl.",
        );
    }
    let contact = Contact {
        // The page edits no role; the register keeps a role the file gives.
        role: None,
        name: name.to_owned(),
        about: fields.optional("about"),
        phone: fields.optional("phone"),
        url,
        email,
        hours: fields.optional("hours"),
    };
    if contact.phone.is_none()
        && contact.url.is_none()
        && contact.email.is_none()
        && contact.about.is_none()
    {
        errors.add(
            "phone",
            "Vul ten minste een telefoonnummer, website, e-mailadres of omschrijving in, zodat men het contact kan bereiken.",
        );
    }
    contact
}

async fn new_contact(State(_state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    user.require_admin()?;
    Ok(html(&contact_page(
        &user,
        None,
        Fields::default(),
        String::new(),
        Errors::default(),
        Vec::new(),
    )))
}

async fn contact(
    State(state): State<AppState>,
    user: SignedIn,
    Path(index): Path<usize>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let contact = protocol.contacts.get(index).ok_or(WebError::NotFound)?;
    Ok(html(&contact_page(
        &user,
        Some(index),
        contact_fields(contact),
        contact.name.clone(),
        Errors::default(),
        Vec::new(),
    )))
}

/// Stores a new contacts list, or shows the form again with why not.
async fn store_contacts(
    state: &AppState,
    user: &SignedIn,
    contacts: Vec<Contact>,
) -> Result<Result<(), Vec<String>>, WebError> {
    match state
        .register()
        .set_contacts(&user.me.organisation, Some(&user.me.person), &contacts)
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(RegisterError::Invalid { reason, .. }) => Ok(Err(vec![reason])),
        Err(RegisterError::Forbidden { .. }) => Err(WebError::Forbidden),
        Err(error) => Err(error.into()),
    }
}

async fn add_contact(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let mut errors = Errors::default();
    let others: Vec<&Contact> = protocol.contacts.iter().collect();
    let contact = posted_contact(&fields, &others, &mut errors);
    let mut mistakes = Vec::new();
    if errors.is_empty() {
        let mut list = protocol.contacts.clone();
        list.push(contact);
        match store_contacts(&state, &user, list).await? {
            Ok(()) => return Ok(Redirect::to("/beheer/contacten?klaar=contacten").into_response()),
            Err(found) => {
                errors.add(
                    "name",
                    "Het contact kon niet worden opgeslagen; zie de fouten hieronder.",
                );
                mistakes = found;
            }
        }
    }
    Ok(unprocessable(html(&contact_page(
        &user,
        None,
        fields,
        String::new(),
        errors,
        mistakes,
    ))))
}

/// The list changed since the form was opened (someone else edited it, or the protocol
/// was replaced): say so rather than change the wrong contact.
fn stale(errors: &mut Errors) {
    errors.add(
        "name",
        "De lijst met contacten is intussen gewijzigd. Ga terug naar de contacten en probeer het opnieuw.",
    );
}

async fn change_contact(
    State(state): State<AppState>,
    Path(index): Path<usize>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let original = fields.get("original").to_owned();
    let mut errors = Errors::default();
    let mut mistakes = Vec::new();
    match protocol.contacts.get(index) {
        Some(current) if current.name.trim() == original.trim() => {
            let others: Vec<&Contact> = protocol
                .contacts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, c)| c)
                .collect();
            let contact = posted_contact(&fields, &others, &mut errors);
            if errors.is_empty() {
                let mut list = protocol.contacts.clone();
                list[index] = contact;
                match store_contacts(&state, &user, list).await? {
                    Ok(()) => {
                        return Ok(
                            Redirect::to("/beheer/contacten?klaar=contacten").into_response()
                        );
                    }
                    Err(found) => {
                        errors.add(
                            "name",
                            "Het contact kon niet worden opgeslagen; zie de fouten hieronder.",
                        );
                        mistakes = found;
                    }
                }
            }
        }
        _ => stale(&mut errors),
    }
    Ok(unprocessable(html(&contact_page(
        &user,
        Some(index),
        fields,
        original,
        errors,
        mistakes,
    ))))
}

async fn remove_contact(
    State(state): State<AppState>,
    Path(index): Path<usize>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let mut errors = Errors::default();
    match protocol.contacts.get(index) {
        Some(current) if current.name.trim() == fields.get("original") => {
            let mut list = protocol.contacts.clone();
            list.remove(index);
            match store_contacts(&state, &user, list).await? {
                Ok(()) => {
                    return Ok(Redirect::to("/beheer/contacten?klaar=contacten").into_response());
                }
                Err(found) => errors.add("contacten", found.join(" ")),
            }
        }
        _ => errors.add(
            "contacten",
            "De lijst met contacten is intussen gewijzigd. Bekijk de lijst en probeer het opnieuw.",
        ),
    }
    Ok(unprocessable(html(
        &contacts_page(&state, &user, errors, None).await?,
    )))
}

// ---------------------------------------------------------------------------------------
// Retention

/// One closed status on the retention page.
struct PeriodRow {
    code: &'static str,
    label: &'static str,
    in_force: String,
    source: &'static str,
    default: String,
    own: String,
}

fn days_text(days: u32) -> String {
    let years = f64::from(days) / 365.25;
    match days {
        0 => String::from("0 dagen (direct na het afsluiten)"),
        1 => String::from("1 dag"),
        _ if days >= 365 => format!("{days} dagen (ongeveer {years:.1} jaar)").replace('.', ","),
        _ => format!("{days} dagen"),
    }
}

#[derive(Template)]
#[template(path = "admin_retention.html")]
struct RetentionPage {
    layout: Layout,
    csrf: String,
    errors: Errors,
    done: Option<&'static str>,
    rows: Vec<PeriodRow>,
    max_days: u32,
}

impl RetentionPage {
    fn hint(&self, row: &PeriodRow) -> String {
        format!(
            "In dagen, 0 tot en met {}. Leeg: de standaard van deze installatie ({}).",
            self.max_days, row.default
        )
    }
}

async fn retention_page(
    state: &AppState,
    user: &SignedIn,
    posted: Option<&Fields>,
    errors: Errors,
    done: Option<&'static str>,
) -> Result<RetentionPage, WebError> {
    let register = state.register();
    let in_force = register.retention_in_force(&user.me.organisation).await?;
    let defaults = register.retention_defaults();
    let rows = in_force
        .iter()
        .map(|period| {
            let code = period.status.as_str();
            let own = match (posted, period.source) {
                (Some(fields), _) => fields.get(code).to_owned(),
                (None, RetentionSource::Organisation) => {
                    period.days.map(|d| d.to_string()).unwrap_or_default()
                }
                (None, _) => String::new(),
            };
            PeriodRow {
                code,
                label: case_status_label(period.status),
                in_force: match period.days {
                    Some(days) => days_text(days),
                    None => {
                        String::from("Geen termijn: zaken blijven bewaard tot hun status verandert")
                    }
                },
                source: match period.source {
                    RetentionSource::Organisation => "Eigen instelling van uw organisatie",
                    RetentionSource::Default => {
                        "Standaard van deze installatie (weerbaar.toml, [retention])"
                    }
                    RetentionSource::None => "Niet ingesteld, ook niet in weerbaar.toml",
                },
                default: match defaults.days.get(code) {
                    Some(days) => days_text(*days),
                    None => String::from("geen"),
                },
                own,
            }
        })
        .collect();
    Ok(RetentionPage {
        layout: user.layout("Bewaartermijnen"),
        csrf: user.session.csrf.clone(),
        errors,
        done,
        rows,
        max_days: MAX_RETENTION_DAYS,
    })
}

async fn retention(
    State(state): State<AppState>,
    user: SignedIn,
    crate::form::Lenient(done): crate::form::Lenient<Done>,
) -> Result<Response, WebError> {
    user.require_admin()?;
    Ok(html(
        &retention_page(&state, &user, None, Errors::default(), done.message()).await?,
    ))
}

async fn set_retention(
    State(state): State<AppState>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    user.require_admin()?;
    let mut errors = Errors::default();
    let mut periods: Vec<(CaseStatus, Option<u32>)> = Vec::new();
    for status in CLOSED_STATUSES {
        let code = status.as_str();
        let text: String = fields
            .get(code)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        if text.is_empty() {
            periods.push((*status, None));
            continue;
        }
        match text.parse::<u32>() {
            Ok(days) if days <= MAX_RETENTION_DAYS => periods.push((*status, Some(days))),
            _ => errors.add(
                code,
                format!(
                    "Vul bij ‘{}’ een heel aantal dagen in (0 tot en met {MAX_RETENTION_DAYS}), of laat het veld leeg voor de standaard.",
                    case_status_label(*status)
                ),
            ),
        }
    }
    if errors.is_empty() {
        match state
            .register()
            .set_retention_periods(&user.me.organisation, Some(&user.me.person), &periods)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to("/beheer/bewaartermijnen?klaar=bewaartermijnen").into_response(),
                );
            }
            Err(RegisterError::Forbidden { .. }) => return Err(WebError::Forbidden),
            Err(error) => return Err(error.into()),
        }
    }
    Ok(unprocessable(html(
        &retention_page(&state, &user, Some(&fields), errors, None).await?,
    )))
}

// ---------------------------------------------------------------------------------------
// Log

struct LogRow {
    at: String,
    actor: String,
    what: String,
}

fn role_codes(value: &serde_json::Value) -> String {
    let list: Vec<String> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pair| {
            let role = Role::parse(pair.get(0)?.as_str()?).ok()?;
            let current = pair.get(1)?.as_bool()?;
            Some(if current {
                role_label(role).to_owned()
            } else {
                format!("{} (vroeger)", role_label(role))
            })
        })
        .collect();
    if list.is_empty() {
        String::from("geen")
    } else {
        list.join(", ")
    }
}

fn duty_codes(value: &serde_json::Value) -> String {
    let list: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| Duty::parse(d.as_str()?))
        .map(duty_label)
        .collect();
    if list.is_empty() {
        String::from("geen")
    } else {
        list.join(", ").to_lowercase()
    }
}

fn retention_codes(value: &serde_json::Value) -> String {
    let list: Vec<String> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(status, days)| {
            let status = CaseStatus::parse(status)?;
            Some(format!(
                "{} {} dagen",
                case_status_label(status).to_lowercase(),
                days.as_u64()?
            ))
        })
        .collect();
    if list.is_empty() {
        String::from("de standaard")
    } else {
        list.join(", ")
    }
}

/// The Dutch sentence for one log entry.
pub(crate) fn describe(event: &AdminEvent) -> String {
    let subject = event
        .subject_name
        .clone()
        .unwrap_or_else(|| String::from("(onbekende persoon)"));
    let detail = &event.detail;
    match event.kind {
        AdminEventKind::PersonAdded => format!(
            "{subject} toegevoegd, met functies: {}; taken: {}; {}",
            role_codes(&detail["roles"]),
            duty_codes(&detail["duties"]),
            if detail["account"].as_bool() == Some(true) {
                "met account"
            } else {
                "nog zonder account"
            }
        ),
        AdminEventKind::RolesChanged => format!(
            "Functies van {subject} gewijzigd: was {}, nu {}",
            role_codes(&detail["from"]),
            role_codes(&detail["to"])
        ),
        AdminEventKind::DutiesChanged => format!(
            "Taken van {subject} gewijzigd: was {}, nu {}",
            duty_codes(&detail["from"]),
            duty_codes(&detail["to"])
        ),
        AdminEventKind::PasswordSet => format!("Nieuw wachtwoord ingesteld voor {subject}"),
        AdminEventKind::AccountDisabled => format!("Account van {subject} uitgeschakeld"),
        AdminEventKind::AccountEnabled => format!("Account van {subject} weer ingeschakeld"),
        AdminEventKind::SecondFactorReset => format!("Tweede factor van {subject} gewist"),
        AdminEventKind::ProtocolReplaced => format!(
            "Protocol vervangen: was {} (versie {}), nu {} (versie {})",
            detail["from"]["id"].as_str().unwrap_or("?"),
            detail["from"]["version"].as_str().unwrap_or("?"),
            detail["to"]["id"].as_str().unwrap_or("?"),
            detail["to"]["version"].as_str().unwrap_or("?"),
        ),
        AdminEventKind::ContactsChanged => format!(
            "Contacten gewijzigd: was {}, nu {} contacten",
            detail["from"].as_u64().unwrap_or(0),
            detail["to"].as_u64().unwrap_or(0)
        ),
        AdminEventKind::RetentionChanged => format!(
            "Bewaartermijnen gewijzigd: was {}, nu {}",
            retention_codes(&detail["from"]),
            retention_codes(&detail["to"])
        ),
        AdminEventKind::YearlyDiscussionSaved => format!(
            "Concepttekst van de jaarbespreking {} opgeslagen",
            detail["year"].as_i64().unwrap_or(0)
        ),
        AdminEventKind::YearlyDiscussionFinalised => format!(
            "Tekst van de jaarbespreking {} definitief gemaakt",
            detail["year"].as_i64().unwrap_or(0)
        ),
        AdminEventKind::ProtocolEvaluated => format!(
            "Evaluatie van het protocol vastgelegd, gehouden op {} (versie {})",
            detail["held_on"]
                .as_str()
                .and_then(crate::dates::parse_date)
                .map_or_else(|| String::from("?"), crate::dates::date),
            detail["version"].as_str().unwrap_or("?"),
        ),
        AdminEventKind::CasesExported => format!(
            "Geanonimiseerde zaakgegevens van {} gedownload ({} regels)",
            detail["year"]
                .as_u64()
                .map_or_else(|| String::from("?"), |y| y.to_string()),
            detail["rows"].as_u64().unwrap_or(0),
        ),
    }
}

#[derive(Template)]
#[template(path = "admin_log.html")]
struct LogPage {
    layout: Layout,
    rows: Vec<LogRow>,
}

async fn log(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    user.require_admin()?;
    let rows = state
        .register()
        .admin_events(&user.me.organisation, LOG_LENGTH)
        .await?
        .iter()
        .map(|event| LogRow {
            at: crate::dates::moment(event.at),
            actor: match (&event.actor, &event.actor_name) {
                (None, _) => String::from("Opdrachtregel op de server"),
                (Some(_), Some(name)) => name.clone(),
                (Some(_), None) => String::from("(onbekend)"),
            },
            what: describe(event),
        })
        .collect();
    Ok(html(&LogPage {
        layout: user.layout("Logboek beheer"),
        rows,
    }))
}
