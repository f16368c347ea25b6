//! What every request can reach: the register and the server's settings.

use std::sync::{Arc, Mutex};

use weerbaar_register::Register;
use weerbaar_register::sessions::SessionLimits;

/// The largest request body: the evidence upload (25 MiB) with room for the form around it.
pub(crate) const MAX_REQUEST_BYTES: usize = 26 * 1024 * 1024;

/// How the server behaves; `weerbaar serve` fills it from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Mark cookies `Secure`: set when the site is served over HTTPS (behind a proxy).
    pub secure_cookies: bool,
    pub session_limits: SessionLimits,
    /// The code the first visitor must type to set up a new register: printed on the
    /// console of `weerbaar serve`, so that only who started the server can claim it.
    pub setup_code: Option<String>,
    /// `[oidc]`: sign-in through the organisation's identity provider, beside passwords.
    pub oidc: Option<crate::oidc::OidcSettings>,
    /// `[metrics]`: `/metrics` answers only when set.
    pub metrics: Option<crate::metrics::MetricsSettings>,
    /// `server.public_url`: the address people reach the site at, without a trailing
    /// slash (`https://weerbaar.gemeente.nl`), for links that leave the browser (the
    /// calendar link pasted into Outlook). `None` when not configured.
    pub public_url: Option<String>,
    /// `server.trusted_proxies`: the reverse proxies whose `X-Forwarded-For` names the
    /// client (see `client_address`). Empty: the socket's peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// Shared by every request.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub(crate) struct Inner {
    pub register: Register,
    pub settings: Settings,
    /// Taken (set to `None`) when setup completes: the code works once.
    pub setup_code: Mutex<Option<String>>,
    /// Setup is over: an administrator exists (see `pages::setup::pending_setup`).
    pub setup_done: std::sync::atomic::AtomicBool,
    /// Requests counted for `/metrics`.
    pub metrics: crate::metrics::Metrics,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("register", &self.0.register)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(register: Register, settings: Settings) -> AppState {
        let setup_code = settings.setup_code.clone();
        AppState(Arc::new(Inner {
            register,
            settings,
            setup_code: Mutex::new(setup_code),
            setup_done: std::sync::atomic::AtomicBool::new(false),
            metrics: crate::metrics::Metrics::default(),
        }))
    }

    pub fn register(&self) -> &Register {
        &self.0.register
    }

    pub fn session_limits(&self) -> SessionLimits {
        self.0.settings.session_limits
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.0
    }
}
