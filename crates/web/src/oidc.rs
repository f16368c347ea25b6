//! Signing in through the organisation's own identity provider (OpenID Connect): the
//! authorization code flow with PKCE, a nonce and a state, the provider found by
//! discovery, the ID token checked (signature against the provider's published keys,
//! issuer, audience, expiry, nonce). A configured claim of the token (the e-mail address
//! by default) is matched to an existing person of the configured organisation through
//! the e-mail blind index; nobody unknown gets in, and no account is ever made here. The
//! provider did the second factor, so the session starts verified.
//!
//! The nonce and PKCE verifier of a sign-in in progress are kept in the database for ten
//! minutes (`Register::begin_provider_sign_in`: keyed by the state's hash, sealed with the
//! organisation's key), so that any instance on the database can finish a sign-in another
//! began. The state is also put in a short-lived cookie: the answer must come back to the
//! browser that started it (no sign-in CSRF). A state works once. The session records that
//! it came from the provider (`SessionSource::Provider`).

use std::fmt;
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use weerbaar_register::{OrganisationId, PendingSignIn, SessionSource};

use crate::cookies;
use crate::error::WebError;
use crate::form::with_cookie;
use crate::state::AppState;

/// Where the sign-in starts, and where the provider sends the browser back to.
pub(crate) const START_PATH: &str = "/aanmelden/extern";
pub const CALLBACK_PATH: &str = "/aanmelden/extern/terug";

/// The cookie that ties the provider's answer to the browser that asked.
const STATE_COOKIE: &str = "weerbaar_aanmelden_extern";
/// How long a sign-in at the provider may take (the register refuses it after that).
const FLIGHT_TIME: Duration = Duration::from_secs(600);

/// The claim of the ID token that names the person: its value is the e-mail address the
/// person is known by in the register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum OidcClaim {
    /// `email` (with `email_verified` not false).
    #[default]
    Email,
    /// `preferred_username`, as Microsoft Entra ID fills it with the sign-in address.
    PreferredUsername,
    /// Any other claim of the ID token whose value is an e-mail address, read from the
    /// token's additional claims: Entra ID's `upn`, or a provider's own
    /// (`https://login.gemeente.nl/claims/mail`). A value that is no e-mail address is
    /// refused.
    Other(String),
}

/// The standard claims of OpenID Connect Core (§2, §5.1) that are no e-mail address
/// (and `email_verified`): they cannot name a person here.
const NOT_AN_ADDRESS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "sid",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "profile",
    "picture",
    "website",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

impl OidcClaim {
    /// The longest claim name accepted.
    const MAX_NAME: usize = 200;

    /// The claim called `name` in the token, or `None` when it cannot hold an e-mail
    /// address (a standard claim of another kind, an empty name or one with spaces).
    pub fn from_name(name: &str) -> Option<OidcClaim> {
        match name {
            "email" => Some(OidcClaim::Email),
            "preferred_username" => Some(OidcClaim::PreferredUsername),
            _ if name.is_empty()
                || name.len() > Self::MAX_NAME
                || name.chars().any(|c| c.is_whitespace() || c.is_control())
                || NOT_AN_ADDRESS.contains(&name) =>
            {
                None
            }
            _ => Some(OidcClaim::Other(name.to_owned())),
        }
    }

    /// The claim's name in the token.
    pub fn name(&self) -> &str {
        match self {
            OidcClaim::Email => "email",
            OidcClaim::PreferredUsername => "preferred_username",
            OidcClaim::Other(name) => name,
        }
    }
}

/// The ID token's claims beyond the standard ones, by name, as the provider sent them
/// (openidconnect's additional claims: the standard claims are taken out first).
#[derive(Debug, Clone, Default, serde::Serialize, Deserialize)]
struct OtherClaims(std::collections::HashMap<String, serde_json::Value>);

impl openidconnect::AdditionalClaims for OtherClaims {}

/// Whether `value` looks like an e-mail address: one `@` with something on both sides
/// and a dot in the domain, no spaces.
fn looks_like_address(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// `[oidc]`: the provider and how its people are found in the register.
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// None for a public client (PKCE alone).
    pub client_secret: Option<String>,
    /// The full URL of [`CALLBACK_PATH`] on this site, as registered at the provider.
    pub redirect_url: String,
    pub claim: OidcClaim,
    /// The organisation signed in to: its id or its exact name.
    pub organisation: String,
    /// The provider's name on the button: "Aanmelden met <label>".
    pub label: String,
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| ".."))
            .field("redirect_url", &self.redirect_url)
            .field("claim", &self.claim)
            .field("organisation", &self.organisation)
            .field("label", &self.label)
            .finish()
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(START_PATH, get(start))
        .route(CALLBACK_PATH, get(callback))
}

/// The label for the sign-in page's button, when a provider is configured.
pub(crate) fn label(state: &AppState) -> Option<String> {
    state.settings().oidc.as_ref().map(|o| o.label.clone())
}

/// The HTTP client for the provider: no redirects followed (the token request must not
/// be sent elsewhere), a timeout, rustls.
fn http_client() -> Result<openidconnect::reqwest::Client, WebError> {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|error| WebError::Internal(format!("oidc: http client: {error}")))
}

/// The core client, but reading the ID token's additional claims ([`OtherClaims`]).
type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    openidconnect::StandardErrorResponse<CoreErrorResponseType>,
    openidconnect::StandardTokenResponse<
        openidconnect::IdTokenFields<
            OtherClaims,
            openidconnect::EmptyExtraTokenFields,
            CoreGenderClaim,
            CoreJweContentEncryptionAlgorithm,
            CoreJwsSigningAlgorithm,
        >,
        CoreTokenType,
    >,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Discovery (which also fetches the provider's keys) and the client. Done for every
/// sign-in: sign-ins are rare, and the provider's keys are then always current.
async fn client(
    settings: &OidcSettings,
    http: &openidconnect::reqwest::Client,
) -> Result<Client, WebError> {
    let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|error| {
        tracing::error!(%error, "oidc: the issuer URL is not valid");
        WebError::ProviderUnavailable
    })?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|error| {
            tracing::error!(error = %error, "oidc: discovery at the provider failed");
            WebError::ProviderUnavailable
        })?;
    let redirect = RedirectUrl::new(settings.redirect_url.clone()).map_err(|error| {
        tracing::error!(%error, "oidc: the redirect URL is not valid");
        WebError::ProviderUnavailable
    })?;
    Ok(Client::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        settings.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

#[derive(Debug, Default, Deserialize)]
struct Back {
    terug: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Query(back): Query<Back>,
) -> Result<Response, WebError> {
    let Some(settings) = state.settings().oidc.clone() else {
        return Err(WebError::NotFound);
    };
    limit(&state, &parts).await?;
    let organisation = organisation(&state, &settings).await?;
    let http = http_client()?;
    let client = client(&settings, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new(String::from("email")))
        .set_pkce_challenge(challenge);
    if settings.claim != OidcClaim::Email {
        // `preferred_username` comes with `profile`; so do most providers' own claims.
        request = request.add_scope(Scope::new(String::from("profile")));
    }
    let (url, csrf, nonce) = request.url();
    let flight_state = csrf.secret().clone();
    state
        .register()
        .begin_provider_sign_in(
            &organisation,
            &flight_state,
            &PendingSignIn {
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                return_to: crate::form::local_path(back.terug.as_deref()),
            },
            jiff::Timestamp::now(),
        )
        .await?;
    let secure = state.settings().secure_cookies;
    Ok(with_cookie(
        Redirect::to(url.as_str()).into_response(),
        Some(state_cookie(&flight_state, secure)),
    ))
}

fn state_cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{STATE_COOKIE}={value}; Path={CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        FLIGHT_TIME.as_secs()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn clear_state_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{STATE_COOKIE}=; Path={CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Each step calls the provider: the same limit per client address as the password
/// sign-in, so that nobody makes this server hammer the provider.
async fn limit(state: &AppState, parts: &axum::http::request::Parts) -> Result<(), WebError> {
    let client = crate::client_address::client_address(
        &parts.extensions,
        &parts.headers,
        &state.settings().trusted_proxies,
    );
    crate::client_address::limit_sign_in(state, client).await
}

#[derive(Debug, Default, Deserialize)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Query(answer): Query<Answer>,
) -> Result<Response, WebError> {
    let secure = state.settings().secure_cookies;
    let result = match limit(&state, &parts).await {
        Ok(()) => sign_in(&state, &parts.headers, answer).await,
        Err(error) => Err(error),
    };
    let response = match result {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    Ok(with_cookie(response, Some(clear_state_cookie(secure))))
}

async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    answer: Answer,
) -> Result<Response, WebError> {
    let Some(settings) = state.settings().oidc.clone() else {
        return Err(WebError::NotFound);
    };
    if let Some(error) = answer.error.as_deref() {
        // The provider's error code is a fixed word (RFC 6749 §4.1.2.1), no personal data.
        tracing::info!(error = %truncate(error), "oidc: the provider answered with an error");
        return Err(WebError::SignInRefused(
            "Het aanmelden bij uw organisatie is afgebroken of geweigerd. Probeer het opnieuw, of meld u aan met uw e-mailadres en wachtwoord.",
        ));
    }
    let (Some(code), Some(answer_state)) = (answer.code, answer.state) else {
        return Err(WebError::SignInRefused(EXPIRED));
    };
    // The answer must come back to the browser that started the sign-in.
    let cookie = cookies::read(headers, STATE_COOKIE);
    if !cookie
        .as_deref()
        .is_some_and(|c| crate::form::same_token(c, &answer_state))
    {
        tracing::warn!("oidc: the answer's state does not match this browser's");
        return Err(WebError::SignInRefused(EXPIRED));
    }
    // This instance's organisation, whose provider checks the ID token below: a state
    // begun for another organisation (sharing the database) is not found.
    let organisation = organisation(state, &settings).await?;
    let taken = state
        .register()
        .take_provider_sign_in(&organisation, &answer_state, jiff::Timestamp::now())
        .await?;
    let Some(flight) = taken else {
        tracing::info!("oidc: unknown, used or expired state");
        return Err(WebError::SignInRefused(EXPIRED));
    };
    let http = http_client()?;
    let client = client(&settings, &http).await?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|error| {
            tracing::error!(%error, "oidc: the provider has no token endpoint");
            WebError::ProviderUnavailable
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(flight.verifier))
        .request_async(&http)
        .await
        .map_err(|error| {
            tracing::warn!(error = %error, "oidc: the token request failed");
            WebError::SignInRefused(REFUSED)
        })?;
    let Some(id_token) = exchange.id_token() else {
        tracing::warn!("oidc: the token answer holds no ID token");
        return Err(WebError::SignInRefused(REFUSED));
    };
    let verifier = client.id_token_verifier().set_allowed_algs([
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::RsaSsaPssSha256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    ]);
    let nonce = Nonce::new(flight.nonce);
    let claims = id_token.claims(&verifier, &nonce).map_err(|error| {
        // The verifier's messages name the failed check, not the token's content.
        tracing::warn!(error = %error, "oidc: the ID token was refused");
        WebError::SignInRefused(REFUSED)
    })?;
    let mut found = find_claim(
        &settings.claim,
        claims.email().map(|e| e.as_str()),
        claims.email_verified(),
        claims.preferred_username().map(|u| u.as_str()),
        claims.additional_claims(),
    );
    if found == Found::Missing {
        // Not in the ID token: the provider's userinfo endpoint, when it has one, for the
        // same subject (checked by the library), with the access token just received.
        found = from_userinfo(
            &client,
            &http,
            &settings.claim,
            exchange.access_token(),
            claims.subject(),
            claims.email_verified(),
        )
        .await?;
    }
    let value = match found {
        Found::Value(value) => value,
        Found::Missing => {
            tracing::warn!(
                "oidc: neither the ID token nor the userinfo lists the configured claim"
            );
            return Err(WebError::SignInRefused(UNKNOWN));
        }
        Found::Refused => return Err(WebError::SignInRefused(UNKNOWN)),
    };
    let register = state.register();
    let Some(person) = register.find_person_by_email(&organisation, &value).await? else {
        tracing::info!("oidc: no person of the organisation matches the claim");
        return Err(WebError::SignInRefused(UNKNOWN));
    };
    let token = match register
        .start_session_from(
            &organisation,
            &person,
            true,
            SessionSource::Provider,
            jiff::Timestamp::now(),
        )
        .await
    {
        Ok(token) => token,
        Err(weerbaar_register::RegisterError::NotFound { .. }) => {
            tracing::info!("oidc: the person has no account");
            return Err(WebError::SignInRefused(UNKNOWN));
        }
        Err(weerbaar_register::RegisterError::Forbidden { .. }) => {
            tracing::info!("oidc: the account is disabled");
            return Err(WebError::SignInRefused(DISABLED));
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(
        source = SessionSource::Provider.as_str(),
        "oidc: signed in through the provider"
    );
    Ok(with_cookie(
        Redirect::to(&flight.return_to).into_response(),
        Some(cookies::set(
            cookies::SESSION,
            &token,
            state.settings().secure_cookies,
        )),
    ))
}

/// What a set of claims (the ID token's, or the userinfo endpoint's) says of the
/// configured claim.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// The e-mail address to look the person up by.
    Value(String),
    /// The claim is not there.
    Missing,
    /// It is there but may not be used: an unverified `email`, or no e-mail address.
    Refused,
}

fn find_claim(
    claim: &OidcClaim,
    email: Option<&str>,
    email_verified: Option<bool>,
    preferred_username: Option<&str>,
    other: &OtherClaims,
) -> Found {
    let value = match claim {
        OidcClaim::Email => {
            if email.is_some() && email_verified == Some(false) {
                tracing::warn!("oidc: the provider says the e-mail address is not verified");
                return Found::Refused;
            }
            email.map(str::to_owned)
        }
        OidcClaim::PreferredUsername => preferred_username.map(str::to_owned),
        OidcClaim::Other(name) => match other.0.get(name) {
            Some(serde_json::Value::String(value)) if looks_like_address(value.trim()) => {
                Some(value.trim().to_owned())
            }
            Some(_) => {
                tracing::warn!("oidc: the configured claim holds no e-mail address");
                return Found::Refused;
            }
            None => None,
        },
    };
    value.map_or(Found::Missing, Found::Value)
}

/// The configured claim from the provider's userinfo endpoint; [`Found::Missing`] when the
/// provider has none. The answer must be about `subject`, the ID token's. When the answer
/// does not say whether the address is verified, the ID token's word holds: an address
/// the ID token called unverified does not become good by being fetched again.
async fn from_userinfo(
    client: &Client,
    http: &openidconnect::reqwest::Client,
    claim: &OidcClaim,
    access_token: &openidconnect::AccessToken,
    subject: &openidconnect::SubjectIdentifier,
    id_token_email_verified: Option<bool>,
) -> Result<Found, WebError> {
    let Ok(request) = client.user_info(access_token.clone(), Some(subject.clone())) else {
        return Ok(Found::Missing);
    };
    let info: openidconnect::UserInfoClaims<OtherClaims, CoreGenderClaim> =
        request.request_async(http).await.map_err(|error| {
            // The library's messages name the failed step, not the claims' content.
            tracing::warn!(error = %error, "oidc: the userinfo request failed");
            WebError::SignInRefused(REFUSED)
        })?;
    Ok(find_claim(
        claim,
        info.email().map(|e| e.as_str()),
        info.email_verified().or(id_token_email_verified),
        info.preferred_username().map(|u| u.as_str()),
        info.additional_claims(),
    ))
}

/// The configured organisation: its id, or else its exact name.
async fn organisation(
    state: &AppState,
    settings: &OidcSettings,
) -> Result<OrganisationId, WebError> {
    let organisations = state.register().organisations().await?;
    organisations
        .iter()
        .find(|o| o.id.as_str() == settings.organisation)
        .or_else(|| {
            organisations
                .iter()
                .find(|o| o.name == settings.organisation)
        })
        .map(|o| o.id.clone())
        .ok_or_else(|| {
            tracing::error!("oidc: the configured organisation (oidc.organisation) does not exist");
            WebError::ProviderUnavailable
        })
}

fn truncate(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect()
}

const EXPIRED: &str = "Het aanmelden duurde te lang of is in een ander venster begonnen. Begin opnieuw op de aanmeldpagina.";
const REFUSED: &str = "Uw organisatie heeft uw aanmelding niet op een geldige manier bevestigd. Probeer het opnieuw; lukt het dan nog niet, neem contact op met de beheerder van Weerbaar in uw organisatie.";
const UNKNOWN: &str = "U bent bij uw organisatie aangemeld, maar Weerbaar kent u nog niet. Vraag de beheerder van Weerbaar in uw organisatie (vaak de griffie) om u toe te voegen met het e-mailadres waarmee u zich aanmeldt.";
const DISABLED: &str = "Uw account in Weerbaar is uitgeschakeld. Neem contact op met de beheerder van Weerbaar in uw organisatie.";
