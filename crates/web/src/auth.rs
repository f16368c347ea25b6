//! Who is asking: the session behind the cookie, and the person with their roles and
//! duties. Every page that shows anything of a case starts here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use weerbaar_protocol::Role;
use weerbaar_register::duties::Duty;
use weerbaar_register::sessions::{Session, SessionSource};
use weerbaar_register::{OrganisationId, PersonId};

use crate::cookies;
use crate::error::WebError;
use crate::render::{Layout, Nav};
use crate::state::AppState;

/// A signed-in person whose second factor (when they have one) is done.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub token: String,
    pub session: Session,
    pub me: Me,
}

/// The person behind a session, as the pages need them.
#[derive(Debug, Clone)]
pub(crate) struct Me {
    pub person: PersonId,
    pub organisation: OrganisationId,
    pub organisation_name: String,
    pub name: String,
    /// The offices the person holds now.
    pub roles: Vec<Role>,
    pub duties: Vec<Duty>,
    /// Of `roles`, those that handle cases under the organisation's protocol.
    pub handler_roles: Vec<Role>,
    /// Of `roles`, those the organisation's protocol informs of incidents.
    pub informed_roles: Vec<Role>,
    /// The person signs in with a password of Weerbaar's own (not only through the
    /// identity provider).
    pub has_password: bool,
    /// A second factor is confirmed.
    pub has_second_factor: bool,
}

impl Me {
    pub(crate) fn is_handler(&self) -> bool {
        !self.handler_roles.is_empty()
    }

    pub(crate) fn is_admin(&self) -> bool {
        self.duties.contains(&Duty::Beheerder)
    }

    pub(crate) fn is_privacy_officer(&self) -> bool {
        self.duties.contains(&Duty::Privacy)
    }

    /// Whether the person's roles or duties require a second factor: who reads cases or
    /// administers the organisation.
    pub(crate) fn needs_second_factor(&self) -> bool {
        self.is_handler() || self.is_admin() || self.is_privacy_officer()
    }

    /// Whether the person signs in with a password, needs a second factor now, and has
    /// none: a role given after sign-in, or after a token was made. Their sessions and
    /// tokens show nothing until they enrol. (An identity provider's sign-in is the
    /// provider's to secure.)
    pub(crate) fn lacks_second_factor(&self) -> bool {
        self.has_password && self.needs_second_factor() && !self.has_second_factor
    }

    /// Whether the person may read the yearly report (PROTOCOL.md §17): who handles
    /// cases, who the protocol informs of incidents, and the privacy officer. The
    /// figures name nobody, but they are the organisation's picture of a year, prepared
    /// for the council: the people who prepare and discuss them see them, and the
    /// privacy officer, who answers for what the register shows. An administrator as
    /// such does not: keeping people, roles and the protocol needs no figures
    /// (docs/insight.md, "Who sees the report").
    pub(crate) fn may_read_yearly_report(&self) -> bool {
        self.is_handler() || !self.informed_roles.is_empty() || self.is_privacy_officer()
    }
}

impl SignedIn {
    pub(crate) fn layout(&self, title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            user: Some(Nav {
                name: self.me.name.clone(),
                organisation: self.me.organisation_name.clone(),
                csrf: self.session.csrf.clone(),
                handler: self.me.is_handler(),
                informed: !self.me.roles.is_empty(),
                admin: self.me.is_admin(),
                insight: self.me.may_read_yearly_report(),
                privacy: self.me.is_privacy_officer(),
            }),
        }
    }

    /// Refuses unless the person is an administrator.
    pub(crate) fn require_admin(&self) -> Result<(), WebError> {
        if self.me.is_admin() {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// The roles that handle cases (as handler or alternate) in a protocol.
pub(crate) fn handler_roles(protocol: &weerbaar_protocol::Protocol) -> Vec<Role> {
    protocol.handler_roles()
}

/// The roles a protocol informs of incidents: those of every route and those informed
/// of every incident.
pub(crate) fn informed_roles(protocol: &weerbaar_protocol::Protocol) -> Vec<Role> {
    let mut roles: Vec<Role> = protocol
        .routes
        .values()
        .flat_map(|route| route.informed.iter().copied())
        .chain(protocol.always_informed.iter().copied())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// Loads the person of a session.
pub(crate) async fn load_me(
    state: &AppState,
    organisation: &OrganisationId,
    person: &PersonId,
) -> Result<Me, WebError> {
    let register = state.register();
    let summary = register.person(organisation, person).await?;
    let protocol = register.protocol(organisation).await?;
    let organisation_name = register
        .organisations()
        .await?
        .into_iter()
        .find(|o| &o.id == organisation)
        .map(|o| o.name)
        .unwrap_or_default();
    let roles: Vec<Role> = summary
        .roles
        .iter()
        .filter(|(_, current)| *current)
        .map(|(role, _)| *role)
        .collect();
    let handlers = handler_roles(&protocol);
    let handler_roles = roles
        .iter()
        .copied()
        .filter(|role| handlers.contains(role))
        .collect();
    let informers = informed_roles(&protocol);
    let informed_roles = roles
        .iter()
        .copied()
        .filter(|role| informers.contains(role))
        .collect();
    Ok(Me {
        person: person.clone(),
        organisation: organisation.clone(),
        organisation_name,
        name: summary.name,
        roles,
        duties: summary.duties,
        handler_roles,
        informed_roles,
        has_password: summary.has_password,
        has_second_factor: summary.second_factor,
    })
}

/// The session behind the request's cookie, verified or not.
pub(crate) async fn current_session(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(String, Session)>, WebError> {
    let Some(token) = cookies::read(&parts.headers, cookies::SESSION) else {
        return Ok(None);
    };
    let session = state
        .register()
        .session(
            &token,
            jiff::Timestamp::now(),
            state.settings().session_limits,
        )
        .await?;
    Ok(session.map(|session| (token, session)))
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedIn, WebError> {
        let back_to = if parts.method == axum::http::Method::GET {
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        } else {
            String::new()
        };
        let Some((token, session)) = current_session(parts, state).await? else {
            return Err(WebError::SignInRequired { back_to });
        };
        if !session.verified {
            // A session that waits for enrolment (its person's roles came to need a
            // second factor) goes on waiting there, not at the sign-in page.
            let summary = state
                .register()
                .person(&session.organisation, &session.person)
                .await?;
            if !summary.second_factor && session.source == SessionSource::Password {
                return Err(WebError::SecondFactorRequired);
            }
            return Err(WebError::SignInRequired { back_to });
        }
        let me = load_me(state, &session.organisation, &session.person).await?;
        if session.source == SessionSource::Password && me.lacks_second_factor() {
            tracing::info!(
                "second factor: required since sign-in; the session waits for enrolment"
            );
            state.register().await_second_factor(&token).await?;
            return Err(WebError::SecondFactorRequired);
        }
        Ok(SignedIn { token, session, me })
    }
}
