//! Configuration, in layers (figment): the defaults, then `<data dir>/weerbaar.toml`, then
//! `WEERBAAR_*` environment variables (`__` for nesting: `WEERBAAR_DATABASE__URL`), and
//! for secrets a `_FILE` variant that names a file holding the value
//! (`WEERBAAR_DATABASE__URL_FILE`). The master key is never a key of the file: it lives
//! in its key file (`keys.master_key_file`), or in `WEERBAAR_KEYS__MASTER_KEY` as hex.
//!
//! Unknown keys are refused everywhere (a typo must not silently fall back to a
//! default). `[retention]` holds the retention periods in days, for the closed statuses
//! only (`afgerond`, `gearchiveerd`): an open case never expires.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use serde::Deserialize;
use weerbaar_register::{CaseStatus, MasterKey};

/// The configuration file inside the data folder.
pub const CONFIG_FILE: &str = "weerbaar.toml";
/// The SQLite database inside the data folder, unless `database.url` says otherwise.
pub const DEFAULT_DATABASE_FILE: &str = "weerbaar.db";
/// The key file, relative to the data folder, unless `keys.master_key_file` says otherwise.
pub const DEFAULT_KEY_FILE: &str = "weerbaar.key";
/// The evidence files, relative to the data folder, unless `storage.evidence_dir` says
/// otherwise.
pub const DEFAULT_EVIDENCE_DIR: &str = "evidence";
/// Where `weerbaar serve` listens unless `server.listen` says otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

const ENV_PREFIX: &str = "WEERBAAR_";
/// The data folder: read by the command line (`--data-dir`), not part of the file.
pub const DATA_DIR_ENV: &str = "WEERBAAR_DATA_DIR";
/// The master key itself, as 64 hexadecimal characters.
pub const MASTER_KEY_ENV: &str = "WEERBAAR_KEYS__MASTER_KEY";
/// The key file (the `_FILE` variant of the master key, which is `keys.master_key_file`).
pub const MASTER_KEY_FILE_ENV: &str = "WEERBAAR_KEYS__MASTER_KEY_FILE";
/// The secrets whose value may be read from a file named by `WEERBAAR_<KEY>_FILE`.
const SECRETS: &[&str] = &[
    "database.url",
    "oidc.client_secret",
    "metrics.token",
    "mail.password",
];

/// The file as written: every key optional, so that a key's absence shows and the
/// defaults (which depend on the data folder) are filled in afterwards.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    keys: RawKeys,
    #[serde(default)]
    server: RawServer,
    #[serde(default)]
    storage: RawStorage,
    #[serde(default)]
    retention: Retention,
    #[serde(default)]
    oidc: Option<RawOidc>,
    #[serde(default)]
    metrics: RawMetrics,
    #[serde(default)]
    log: RawLog,
    #[serde(default)]
    mail: Option<RawMail>,
}

/// `[mail]`: the SMTP server the notifications go through.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMail {
    server: Option<String>,
    port: Option<u16>,
    security: Option<String>,
    sender: Option<String>,
    username: Option<String>,
    password: Option<String>,
    interval_seconds: Option<u64>,
}

impl fmt::Debug for RawMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawMail")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("sender", &self.sender)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| ".."))
            .field("interval_seconds", &self.interval_seconds)
            .finish()
    }
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: Option<String>,
}

impl fmt::Debug for RawDatabase {
    /// The URL may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawDatabase")
            .field(
                "url",
                &self.url.as_deref().map(weerbaar_register::db::redact_url),
            )
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeys {
    master_key_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    listen: Option<SocketAddr>,
    #[serde(default)]
    secure_cookies: bool,
    public_url: Option<String>,
    #[serde(default)]
    trusted_proxies: Vec<String>,
}

/// `[oidc]`: sign-in through the organisation's identity provider.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOidc {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_url: Option<String>,
    claim: Option<String>,
    organisation: Option<String>,
    label: Option<String>,
}

impl fmt::Debug for RawOidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawOidc")
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

/// `[metrics]`: whether `/metrics` answers, and its bearer token.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetrics {
    #[serde(default)]
    enabled: bool,
    token: Option<String>,
}

impl fmt::Debug for RawMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawMetrics")
            .field("enabled", &self.enabled)
            .field("token", &self.token.as_ref().map(|_| ".."))
            .finish()
    }
}

/// `[log]`: how `weerbaar serve` writes its log (to standard error).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLog {
    format: Option<String>,
    level: Option<String>,
}

/// The label on the sign-in button when `oidc.label` is not set.
pub const DEFAULT_OIDC_LABEL: &str = "uw organisatieaccount";
/// The shortest `metrics.token` accepted.
pub const MIN_METRICS_TOKEN_CHARS: usize = 16;

/// `[log]` as it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// `log.format = "json"`: one JSON object per line; otherwise plain text.
    pub json: bool,
    /// `log.level`: the least severe level written (`info` by default).
    pub level: tracing::Level,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            json: false,
            level: tracing::Level::INFO,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    evidence_dir: Option<PathBuf>,
}

/// `[retention]`: how many days a case is kept in each closed status before the retention
/// job anonymises it. A status without a period is kept until its status changes.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub afgerond: Option<u32>,
    pub gearchiveerd: Option<u32>,
}

/// The keys `[retention]` takes, for messages.
pub const RETENTION_KEYS: &[&str] = &["afgerond", "gearchiveerd"];

impl Retention {
    /// The periods set, as (status, days).
    pub fn periods(&self) -> Vec<(CaseStatus, u32)> {
        [
            (CaseStatus::Afgerond, self.afgerond),
            (CaseStatus::Gearchiveerd, self.gearchiveerd),
        ]
        .into_iter()
        .filter_map(|(status, days)| days.map(|days| (status, days)))
        .collect()
    }
}

/// A value that must not show up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Where the master key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A key file (absolute path).
    File(PathBuf),
    /// `WEERBAAR_KEYS__MASTER_KEY`.
    Env(Secret),
}

/// Values given on the command line, which win over every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub database_url: Option<String>,
}

/// The configuration in force, with the defaults filled in and every path absolute.
/// (`Debug` is written out below: the database URL may hold a password.)
pub struct Config {
    /// The data folder, absolute.
    pub data_dir: PathBuf,
    /// `<data dir>/weerbaar.toml`; it need not exist.
    pub file: PathBuf,
    /// `database.url`.
    pub database_url: String,
    /// Where `database.url` came from, for messages.
    pub database_url_origin: String,
    /// The master key's source.
    pub key: KeySource,
    /// `storage.evidence_dir`, absolute: where the sealed evidence files are kept.
    pub evidence_dir: PathBuf,
    /// Where `storage.evidence_dir` came from, for messages.
    pub evidence_dir_origin: String,
    /// `server.listen`, for `weerbaar serve`.
    pub listen: SocketAddr,
    /// `server.secure_cookies`: the site is reached over HTTPS (behind a proxy), so
    /// cookies are sent only over HTTPS.
    pub secure_cookies: bool,
    /// `[retention]`: the periods per closed status.
    pub retention: Retention,
    /// `server.public_url`: the address people reach the site at, without a trailing
    /// slash (`https://weerbaar.gemeente.nl`).
    pub public_url: Option<String>,
    /// `server.trusted_proxies`: the reverse proxies (addresses or CIDR ranges) whose
    /// `X-Forwarded-For` names the client, for the sign-in limit per address.
    pub trusted_proxies: Vec<weerbaar_web::IpNet>,
    /// `[oidc]`, when set.
    pub oidc: Option<weerbaar_web::OidcSettings>,
    /// `[metrics]`: `/metrics` answers only when this is set.
    pub metrics: Option<weerbaar_web::MetricsSettings>,
    /// `[log]`.
    pub log: LogSettings,
    /// `[mail]`, when set: `weerbaar serve` then sends the outbox's mails.
    pub mail: Option<weerbaar_web::mail::MailSettings>,
}

impl Config {
    /// Loads the configuration of the data folder `data_dir` (which need not exist yet).
    pub fn load(data_dir: &Path, overrides: &Overrides) -> Result<Config> {
        let data_dir = std::path::absolute(data_dir).with_context(|| {
            format!(
                "the data folder {} cannot be made absolute",
                data_dir.display()
            )
        })?;
        let file = data_dir.join(CONFIG_FILE);
        if file.exists() && !file.is_file() {
            bail!("{} is not a file", file.display());
        }

        let mut figment = Figment::new();
        if file.exists() {
            figment = figment.merge(Toml::file_exact(&file));
        }
        figment = figment.merge(
            Env::prefixed(ENV_PREFIX)
                .filter(|key| !handled_apart(key.as_str()))
                .split("__"),
        );
        for key in SECRETS {
            if let Some(provider) = SecretFile::from_env(key)? {
                figment = figment.merge(provider);
            }
        }
        if let Some(url) = &overrides.database_url {
            figment = figment.merge(Single {
                key: "database.url",
                value: url.clone(),
                metadata: Metadata::named("the command line (--database-url)"),
            });
        }

        let raw: Raw = figment
            .extract()
            .map_err(|error| explain(&figment, &file, error))?;

        let (database_url, database_url_origin) = match raw.database.url {
            Some(url) => {
                let origin = origin(&figment, "database.url");
                let url = url.trim().to_owned();
                if url.is_empty() {
                    bail!("the configuration key `database.url` ({origin}) is empty");
                }
                (resolve_sqlite_url(&url, &data_dir)?, origin)
            }
            None => (
                sqlite_url(&data_dir.join(DEFAULT_DATABASE_FILE))?,
                String::from("the default"),
            ),
        };

        let key = match master_key_from_env()? {
            Some(hex) => {
                if std::env::var_os(MASTER_KEY_FILE_ENV).is_some() {
                    bail!(
                        "both {MASTER_KEY_ENV} and {MASTER_KEY_FILE_ENV} are set; set only one: \
                         the key itself or the file that holds it"
                    );
                }
                KeySource::Env(hex)
            }
            None => {
                let path = raw
                    .keys
                    .master_key_file
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_KEY_FILE));
                if path.as_os_str().is_empty() {
                    bail!(
                        "the configuration key `keys.master_key_file` ({}) is empty",
                        origin(&figment, "keys.master_key_file")
                    );
                }
                KeySource::File(data_dir.join(path))
            }
        };

        let (evidence_dir, evidence_dir_origin) = match raw.storage.evidence_dir {
            Some(path) => {
                let origin = origin(&figment, "storage.evidence_dir");
                if path.as_os_str().is_empty() {
                    bail!("the configuration key `storage.evidence_dir` ({origin}) is empty");
                }
                (data_dir.join(path), origin)
            }
            None => (
                data_dir.join(DEFAULT_EVIDENCE_DIR),
                String::from("the default"),
            ),
        };

        let listen = match raw.server.listen {
            Some(listen) => listen,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|error| anyhow!("the default listen address: {error}"))?,
        };

        let public_url = match raw.server.public_url {
            Some(url) => Some(web_url(&url, "server.public_url", &figment)?),
            None => None,
        };
        let trusted_proxies = raw
            .server
            .trusted_proxies
            .iter()
            .enumerate()
            .map(|(index, text)| trusted_proxy(text, index))
            .collect::<Result<Vec<_>>>()?;
        let oidc = match raw.oidc {
            Some(oidc) => Some(oidc_settings(oidc, public_url.as_deref(), &figment)?),
            None => None,
        };
        let metrics = metrics_settings(raw.metrics, &figment)?;
        let log = log_settings(raw.log, &figment)?;
        let mail = match raw.mail {
            Some(mail) => Some(mail_settings(mail, public_url.as_deref(), &figment)?),
            None => None,
        };

        Ok(Config {
            data_dir,
            file,
            database_url,
            database_url_origin,
            key,
            evidence_dir,
            evidence_dir_origin,
            listen,
            secure_cookies: raw.server.secure_cookies,
            retention: raw.retention,
            public_url,
            trusted_proxies,
            oidc,
            metrics,
            log,
            mail,
        })
    }

    /// The master key, from `WEERBAAR_KEYS__MASTER_KEY` or the key file.
    pub fn master_key(&self) -> Result<MasterKey> {
        match &self.key {
            KeySource::Env(hex) => MasterKey::from_hex(hex.expose()).map_err(|_| {
                anyhow!(
                    "{MASTER_KEY_ENV}: the master key must be 64 hexadecimal characters \
                     (32 bytes)"
                )
            }),
            KeySource::File(path) => read_key_file(path, !self.file.exists()),
        }
    }

    /// The database URL with any password replaced, for messages.
    pub fn database_url_shown(&self) -> String {
        weerbaar_register::db::redact_url(&self.database_url)
    }

    /// The SQLite database file when the database is SQLite on disk.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        sqlite_file(&self.database_url)
    }
}

/// An `http(s)://` URL without a trailing slash.
fn web_url(url: &str, key: &str, figment: &Figment) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        bail!(
            "the configuration key `{key}` ({}) must be an http:// or https:// address, \
             for example https://weerbaar.gemeente.nl",
            origin(figment, key)
        );
    }
    Ok(url.to_owned())
}

/// The SMTP server's settings from `[mail]`: `server` and `sender` are required, and so is
/// `server.public_url` (the links in mails); `security` is `starttls` (the default, port
/// 587), `tls` (port 465) or `none` (port 25; only for a server on this machine);
/// `username` and `password` go together.
fn mail_settings(
    raw: RawMail,
    public_url: Option<&str>,
    figment: &Figment,
) -> Result<weerbaar_web::mail::MailSettings> {
    use weerbaar_web::mail::{MailSecurity, MailSettings};
    let required = |value: Option<String>, key: &str| -> Result<String> {
        match value.map(|v| v.trim().to_owned()) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => bail!("[mail] is set, so the configuration key `mail.{key}` is required"),
        }
    };
    let server = required(raw.server, "server")?;
    let sender = required(raw.sender, "sender")?;
    let Some(public_url) = public_url else {
        bail!(
            "[mail] is set, so `server.public_url` is required: the mails link to it \
             (for example https://weerbaar.gemeente.nl)"
        );
    };
    let security = match raw.security.as_deref().map(str::trim) {
        None | Some("starttls") => MailSecurity::Starttls,
        Some("tls") => MailSecurity::Tls,
        Some("none") => MailSecurity::None,
        Some(other) => bail!(
            "the configuration key `mail.security` ({}): `{other}` is not known; use \
             \"starttls\", \"tls\" or \"none\"",
            origin(figment, "mail.security")
        ),
    };
    if security == MailSecurity::None
        && !matches!(server.as_str(), "localhost" | "127.0.0.1" | "::1")
    {
        bail!(
            "the configuration key `mail.security` ({}) is \"none\", which is only for a \
             server on this machine (localhost); `mail.server` is `{server}`",
            origin(figment, "mail.security")
        );
    }
    let port = raw.port.unwrap_or(match security {
        MailSecurity::Starttls => 587,
        MailSecurity::Tls => 465,
        MailSecurity::None => 25,
    });
    let username = raw.username.filter(|u| !u.trim().is_empty());
    let password = raw.password.filter(|p| !p.is_empty());
    if username.is_some() != password.is_some() {
        bail!("`mail.username` and `mail.password` go together: set both or neither");
    }
    let interval = raw.interval_seconds.unwrap_or(60);
    if !(5..=3600).contains(&interval) {
        bail!(
            "the configuration key `mail.interval_seconds` ({}) must lie between 5 and 3600",
            origin(figment, "mail.interval_seconds")
        );
    }
    let settings = MailSettings {
        server,
        port,
        security,
        sender,
        username,
        password,
        public_url: public_url.to_owned(),
        interval: std::time::Duration::from_secs(interval),
    };
    // Refuse a sender that is no address now, not at the first mail.
    weerbaar_web::mail::Mailer::new(&settings).map_err(|error| anyhow!("[mail]: {error}"))?;
    Ok(settings)
}

fn oidc_settings(
    raw: RawOidc,
    public_url: Option<&str>,
    figment: &Figment,
) -> Result<weerbaar_web::OidcSettings> {
    let required = |value: Option<String>, key: &str| -> Result<String> {
        match value.map(|v| v.trim().to_owned()) {
            Some(value) if !value.is_empty() => Ok(value),
            _ => bail!(
                "[oidc] is set, so the configuration key `oidc.{key}` is required{}",
                match figment.find_metadata("oidc") {
                    Some(metadata) =>
                        format!(" (the table comes from {})", describe(metadata, "oidc")),
                    None => String::new(),
                }
            ),
        }
    };
    let issuer = web_url(&required(raw.issuer, "issuer")?, "oidc.issuer", figment)?;
    let client_id = required(raw.client_id, "client_id")?;
    let organisation = required(raw.organisation, "organisation")?;
    let redirect_url = match (raw.redirect_url, public_url) {
        (Some(url), _) => web_url(&url, "oidc.redirect_url", figment)?,
        (None, Some(public)) => format!("{public}{}", weerbaar_web::OIDC_CALLBACK_PATH),
        (None, None) => bail!(
            "[oidc] needs the address the provider sends people back to: set \
             `server.public_url` (the site's address, e.g. https://weerbaar.gemeente.nl) or \
             `oidc.redirect_url` (the full address, ending in {})",
            weerbaar_web::OIDC_CALLBACK_PATH
        ),
    };
    let claim_name = raw.claim.unwrap_or_else(|| String::from("email"));
    let Some(claim) = weerbaar_web::OidcClaim::from_name(claim_name.trim()) else {
        bail!(
            "the configuration key `oidc.claim` ({}): `{claim_name}` cannot name a person; \
             use `email`, `preferred_username`, or another claim of the ID token whose value \
             is an e-mail address (such as `upn`)",
            origin(figment, "oidc.claim"),
        );
    };
    let client_secret = raw.client_secret.filter(|secret| !secret.is_empty());
    let label = raw
        .label
        .map(|label| label.trim().to_owned())
        .filter(|label| !label.is_empty())
        .unwrap_or_else(|| DEFAULT_OIDC_LABEL.to_owned());
    Ok(weerbaar_web::OidcSettings {
        issuer,
        client_id,
        client_secret,
        redirect_url,
        claim,
        organisation,
        label,
    })
}

fn metrics_settings(
    raw: RawMetrics,
    figment: &Figment,
) -> Result<Option<weerbaar_web::MetricsSettings>> {
    let token = raw.token.filter(|token| !token.is_empty());
    if let Some(token) = &token
        && token.chars().count() < MIN_METRICS_TOKEN_CHARS
    {
        bail!(
            "the configuration key `metrics.token` ({}) is too short: use at least \
             {MIN_METRICS_TOKEN_CHARS} characters, for example from `openssl rand -hex 32`",
            origin(figment, "metrics.token")
        );
    }
    // A token says that /metrics is wanted; `enabled` alone opens it without one.
    Ok((raw.enabled || token.is_some()).then_some(weerbaar_web::MetricsSettings { token }))
}

fn log_settings(raw: RawLog, figment: &Figment) -> Result<LogSettings> {
    let json = match raw.format.as_deref().map(str::trim) {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => bail!(
            "the configuration key `log.format` ({}): `{other}` is not a log format; use \
             \"text\" or \"json\"",
            origin(figment, "log.format")
        ),
    };
    let level = match raw.level.as_deref().map(str::trim) {
        None => tracing::Level::INFO,
        Some(text) => match text.to_ascii_lowercase().as_str() {
            "error" => tracing::Level::ERROR,
            "warn" => tracing::Level::WARN,
            "info" => tracing::Level::INFO,
            "debug" => tracing::Level::DEBUG,
            "trace" => tracing::Level::TRACE,
            _ => bail!(
                "the configuration key `log.level` ({}): `{text}` is not a level; use error, \
                 warn, info, debug or trace",
                origin(figment, "log.level")
            ),
        },
    };
    Ok(LogSettings { json, level })
}

/// Reads a key file, explaining the usual mistakes.
pub fn read_key_file(path: &Path, uninitialised: bool) -> Result<MasterKey> {
    MasterKey::read_key_file(path).map_err(|error| match error {
        weerbaar_register::CryptoError::KeyFile { .. } => {
            if uninitialised && !path.exists() {
                anyhow!(
                    "{error}\n(this data folder holds no {CONFIG_FILE} either: was it set up with \
                     `weerbaar init`? Give the right one with --data-dir or {DATA_DIR_ENV})"
                )
            } else {
                anyhow!("{error}")
            }
        }
        other => anyhow!("the key file {}: {other}", path.display()),
    })
}

/// Environment variables read on their own rather than through the `WEERBAAR_` layer
/// (given without the prefix, as figment's filter sees them).
fn handled_apart(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    let key = format!("{ENV_PREFIX}{key}");
    key == DATA_DIR_ENV
        || key == MASTER_KEY_ENV
        || SECRETS
            .iter()
            .any(|secret| key == format!("{}_FILE", env_name(secret)))
}

/// `database.url` → `WEERBAAR_DATABASE__URL`.
fn env_name(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.split('.')
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
            .join("__")
    )
}

fn master_key_from_env() -> Result<Option<Secret>> {
    match std::env::var_os(MASTER_KEY_ENV) {
        None => Ok(None),
        Some(value) => {
            let value = value
                .into_string()
                .map_err(|_| anyhow!("{MASTER_KEY_ENV} is not valid text"))?;
            if value.trim().is_empty() {
                bail!("{MASTER_KEY_ENV} is set but empty; unset it to use the key file");
            }
            Ok(Some(Secret(value)))
        }
    }
}

/// One value for one key, from a named source.
struct Single {
    key: &'static str,
    value: String,
    metadata: Metadata,
}

impl Provider for Single {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Serialized::default(self.key, &self.value).data()
    }
}

/// A secret read from the file that `WEERBAAR_<KEY>_FILE` names.
struct SecretFile;

impl SecretFile {
    fn from_env(key: &'static str) -> Result<Option<Single>> {
        let direct = env_name(key);
        let variable = format!("{direct}_FILE");
        let Some(path) = std::env::var_os(&variable) else {
            return Ok(None);
        };
        if std::env::var_os(&direct).is_some() {
            bail!("both {direct} and {variable} are set; set only one");
        }
        let path = PathBuf::from(path);
        let text = std::fs::read_to_string(&path).map_err(|error| {
            anyhow!(
                "{variable}: cannot read {} (the file that holds `{key}`): {error}",
                path.display()
            )
        })?;
        // A file written by `echo` or an editor ends in a newline that is not the value's.
        let value = text.trim_end_matches(['\n', '\r']).to_owned();
        Ok(Some(Single {
            key,
            value,
            metadata: Metadata::from(variable.clone(), path.as_path()),
        }))
    }
}

/// Where a key's value came from, in words.
fn origin(figment: &Figment, key: &str) -> String {
    match figment.find_metadata(key) {
        Some(metadata) => describe(metadata, key),
        None => String::from("the default"),
    }
}

fn describe(metadata: &Metadata, key: &str) -> String {
    if metadata.name.contains("environment variable") {
        return format!("environment variable {}", env_name(key));
    }
    match metadata.source.as_ref().and_then(|s| s.file_path()) {
        Some(path) if metadata.name.contains("TOML") => path.display().to_string(),
        Some(path) => format!("the file {} (named by {})", path.display(), metadata.name),
        None => metadata.name.to_string(),
    }
}

/// Turns figment's errors into sentences that name the key and where it was set.
fn explain(figment: &Figment, file: &Path, error: figment::Error) -> anyhow::Error {
    let mut lines = Vec::new();
    for error in error {
        let mut path = error.path.clone();
        let reason = match &error.kind {
            figment::error::Kind::UnknownField(field, expected) => {
                // The path ends in the unknown key itself.
                if path.last() != Some(field) {
                    path.push(field.clone());
                }
                let table = &path[..path.len() - 1];
                if table == ["keys"] && field == "master_key" {
                    format!(
                        "the master key is never kept in the configuration; put it in its key \
                         file (`keys.master_key_file`) or in {MASTER_KEY_ENV}"
                    )
                } else if table == ["retention"] {
                    let open = CaseStatus::parse(field).is_some_and(|status| {
                        !matches!(status, CaseStatus::Afgerond | CaseStatus::Gearchiveerd)
                    });
                    if open {
                        format!(
                            "`{field}` is an open status, and an open case never expires; only \
                             closed cases have a retention period: {} (days)",
                            RETENTION_KEYS.join(", ")
                        )
                    } else {
                        format!(
                            "unknown key; [retention] takes the days a closed case is kept, per \
                             status: {}",
                            RETENTION_KEYS.join(", ")
                        )
                    }
                } else if expected.is_empty() {
                    String::from("unknown key")
                } else {
                    format!(
                        "unknown key; the keys {} are: {}",
                        if table.is_empty() {
                            String::from("at the top level")
                        } else {
                            format!("of [{}]", table.join("."))
                        },
                        expected.join(", ")
                    )
                }
            }
            other if path.first().map(String::as_str) == Some("retention") => format!(
                "{other}; a retention period is a whole number of days, for example 2555 \
                 (seven years)"
            ),
            other => other.to_string(),
        };
        let key = path.join(".");
        // The metadata of the key itself is the most precise; the error's own metadata
        // may be that of the table around it.
        let metadata = if key.is_empty() {
            None
        } else {
            figment.find_metadata(&key)
        }
        .or(error.metadata.as_ref());
        let place = match metadata {
            Some(metadata) => describe(metadata, &key),
            None => file.display().to_string(),
        };
        if key.is_empty() {
            lines.push(format!("the configuration in {place}: {reason}"));
        } else {
            lines.push(format!(
                "the configuration key `{key}` in {place}: {reason}"
            ));
        }
    }
    anyhow!(lines.join("\n"))
}

/// `sqlite://` followed by the absolute path, with the characters that SQLite URLs treat
/// specially percent-encoded.
pub fn sqlite_url(path: &Path) -> Result<String> {
    let text = path.to_str().ok_or_else(|| {
        anyhow!(
            "the path {} is not valid UTF-8; set `database.url` yourself",
            path.display()
        )
    })?;
    let mut url = String::from("sqlite://");
    for c in text.chars() {
        match c {
            '%' => url.push_str("%25"),
            '?' => url.push_str("%3F"),
            '#' => url.push_str("%23"),
            c => url.push(c),
        }
    }
    Ok(url)
}

/// A relative SQLite path is relative to the data folder, like every other path in the
/// configuration, rather than to wherever the command happens to run.
pub fn resolve_sqlite_url(url: &str, data_dir: &Path) -> Result<String> {
    let Some((path, params)) = sqlite_parts(url) else {
        return Ok(url.to_owned());
    };
    if path.is_absolute() {
        return Ok(url.to_owned());
    }
    let mut resolved = sqlite_url(&data_dir.join(path))?;
    if let Some(params) = params {
        resolved.push('?');
        resolved.push_str(params);
    }
    Ok(resolved)
}

/// The file of a `sqlite:` URL, unless it is in memory.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    sqlite_parts(url).map(|(path, _)| path)
}

fn sqlite_parts(url: &str) -> Option<(PathBuf, Option<&str>)> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, params) = match rest.split_once('?') {
        Some((path, params)) => (path, Some(params)),
        None => (rest, None),
    };
    if path.is_empty()
        || path == ":memory:"
        || params.is_some_and(|p| p.split('&').any(|kv| kv == "mode=memory"))
    {
        return None;
    }
    Some((PathBuf::from(percent_decode(path)?), params))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("file", &self.file)
            .field(
                "database_url",
                &weerbaar_register::db::redact_url(&self.database_url),
            )
            .field("key", &self.key)
            .field("evidence_dir", &self.evidence_dir)
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .field("oidc", &self.oidc)
            .field("metrics", &self.metrics)
            .field("mail", &self.mail)
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

/// One entry of `server.trusted_proxies`: an address (`127.0.0.1`, `::1`) or a range
/// (`10.0.0.0/8`).
fn trusted_proxy(text: &str, index: usize) -> Result<weerbaar_web::IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<weerbaar_web::IpNet>() {
        return Ok(net);
    }
    text.parse::<std::net::IpAddr>()
        .map(weerbaar_web::IpNet::from)
        .map_err(|_| {
            anyhow!(
                "server.trusted_proxies[{index}]: `{text}` is not an address (127.0.0.1) or a range (10.0.0.0/8)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_round_trip_through_their_paths() {
        for path in ["/tmp/a b/weerbaar.db", "/tmp/50%/w?x#y.db", "/tmp/é/w.db"] {
            let url = sqlite_url(Path::new(path)).unwrap();
            assert_eq!(sqlite_file(&url), Some(PathBuf::from(path)), "{url}");
        }
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://:memory:"), None);
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory"), None);
        assert_eq!(sqlite_file("postgres://localhost/weerbaar"), None);
        assert_eq!(
            sqlite_file("sqlite:/var/w.db?mode=rwc"),
            Some(PathBuf::from("/var/w.db"))
        );
    }

    #[test]
    fn relative_sqlite_paths_are_relative_to_the_data_folder() {
        let dir = Path::new("/srv/weerbaar");
        assert_eq!(
            resolve_sqlite_url("sqlite://other.db?mode=rwc", dir).unwrap(),
            "sqlite:///srv/weerbaar/other.db?mode=rwc"
        );
        assert_eq!(
            resolve_sqlite_url("sqlite:///abs/w.db", dir).unwrap(),
            "sqlite:///abs/w.db"
        );
        assert_eq!(
            resolve_sqlite_url("postgres://u:p@h/db", dir).unwrap(),
            "postgres://u:p@h/db"
        );
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges_and_a_mistake_names_its_place() {
        assert_eq!(
            trusted_proxy("10.0.0.0/8", 0).unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(
            trusted_proxy(" 127.0.0.1 ", 0).unwrap().to_string(),
            "127.0.0.1/32"
        );
        assert_eq!(trusted_proxy("::1", 0).unwrap().to_string(), "::1/128");
        let error = trusted_proxy("proxy.gemeente.nl", 2)
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("server.trusted_proxies[2]: "), "{error}");
    }

    #[test]
    fn env_names_follow_the_nesting() {
        assert_eq!(env_name("database.url"), "WEERBAAR_DATABASE__URL");
        assert!(handled_apart("DATA_DIR"));
        assert!(handled_apart("keys__master_key"));
        assert!(handled_apart("DATABASE__URL_FILE"));
        assert!(handled_apart("OIDC__CLIENT_SECRET_FILE"));
        assert!(handled_apart("METRICS__TOKEN_FILE"));
        assert!(!handled_apart("KEYS__MASTER_KEY_FILE"));
        assert!(!handled_apart("DATABASE__URL"));
    }

    #[test]
    fn oidc_metrics_and_log_tables_are_read_with_their_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[server]\npublic_url = \"https://weerbaar.gemeente.nl/\"\n\n\
             [oidc]\nissuer = \"https://login.gemeente.nl/realms/gemeente\"\n\
             client_id = \"weerbaar\"\nclient_secret = \"s3cr3t-waarde\"\n\
             organisation = \"Gemeente Westerveld\"\n\n\
             [metrics]\nenabled = true\n\n[log]\nformat = \"json\"\nlevel = \"warn\"\n",
        )
        .unwrap();
        let config = Config::load(dir.path(), &Overrides::default()).unwrap();
        let oidc = config.oidc.as_ref().expect("[oidc]");
        assert_eq!(
            oidc.redirect_url,
            "https://weerbaar.gemeente.nl/aanmelden/extern/terug"
        );
        assert_eq!(oidc.claim, weerbaar_web::OidcClaim::Email);
        // Another claim whose value is an address, such as Entra ID's `upn`; not a claim
        // that holds no address.
        let with_claim = |claim: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(
                dir.path().join(CONFIG_FILE),
                format!(
                    "[server]\npublic_url = \"https://weerbaar.gemeente.nl\"\n\n\
                     [oidc]\nissuer = \"https://login.gemeente.nl\"\nclient_id = \"weerbaar\"\n\
                     organisation = \"Gemeente Westerveld\"\nclaim = \"{claim}\"\n"
                ),
            )
            .unwrap();
            Config::load(dir.path(), &Overrides::default())
        };
        let upn = with_claim("upn").unwrap();
        assert_eq!(
            upn.oidc.unwrap().claim,
            weerbaar_web::OidcClaim::Other(String::from("upn"))
        );
        let refused = with_claim("given_name").unwrap_err().to_string();
        assert!(
            refused.contains("oidc.claim") && refused.contains("upn"),
            "{refused}"
        );
        assert!(with_claim("met spatie").is_err());
        assert_eq!(oidc.label, DEFAULT_OIDC_LABEL);
        assert_eq!(oidc.client_secret.as_deref(), Some("s3cr3t-waarde"));
        assert!(!format!("{config:?}").contains("s3cr3t-waarde"));
        assert!(config.metrics.as_ref().is_some_and(|m| m.token.is_none()));
        assert_eq!(
            config.log,
            LogSettings {
                json: true,
                level: tracing::Level::WARN
            }
        );
        // Without the tables: no provider, no /metrics, plain text at info.
        let empty = tempfile::tempdir().unwrap();
        let config = Config::load(empty.path(), &Overrides::default()).unwrap();
        assert!(config.oidc.is_none() && config.metrics.is_none());
        assert_eq!(config.log, LogSettings::default());
    }

    #[test]
    fn the_mail_table_is_read_with_its_defaults_and_checked() {
        let load = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
            Config::load(dir.path(), &Overrides::default())
        };
        let config = load(
            "[server]\npublic_url = \"https://weerbaar.gemeente.nl/\"\n\n\
             [mail]\nserver = \"smtp.gemeente.nl\"\nsender = \"Weerbaar <weerbaar@gemeente.nl>\"\n\
             username = \"weerbaar\"\npassword = \"geheim-wachtwoord\"\n",
        )
        .unwrap();
        let mail = config.mail.as_ref().expect("[mail]");
        assert_eq!(mail.security, weerbaar_web::mail::MailSecurity::Starttls);
        assert_eq!(mail.port, 587);
        assert_eq!(mail.public_url, "https://weerbaar.gemeente.nl");
        assert_eq!(mail.interval, std::time::Duration::from_secs(60));
        assert!(!format!("{:?}", config).contains("geheim-wachtwoord"));
        let tls = load(
            "[server]\npublic_url = \"https://w.nl\"\n[mail]\nserver = \"smtp.w.nl\"\n\
             sender = \"w@w.nl\"\nsecurity = \"tls\"\n",
        )
        .unwrap();
        assert_eq!(tls.mail.as_ref().unwrap().port, 465);
        for (text, needle) in [
            (
                "[mail]\nserver = \"smtp.w.nl\"\nsender = \"w@w.nl\"\n",
                "server.public_url",
            ),
            (
                "[server]\npublic_url = \"https://w.nl\"\n[mail]\nsender = \"w@w.nl\"\n",
                "mail.server",
            ),
            (
                "[server]\npublic_url = \"https://w.nl\"\n[mail]\nserver = \"smtp.w.nl\"\nsender = \"w@w.nl\"\nsecurity = \"none\"\n",
                "localhost",
            ),
            (
                "[server]\npublic_url = \"https://w.nl\"\n[mail]\nserver = \"smtp.w.nl\"\nsender = \"w@w.nl\"\nsecurity = \"ssl\"\n",
                "mail.security",
            ),
            (
                "[server]\npublic_url = \"https://w.nl\"\n[mail]\nserver = \"smtp.w.nl\"\nsender = \"w@w.nl\"\nusername = \"x\"\n",
                "mail.password",
            ),
            (
                "[server]\npublic_url = \"https://w.nl\"\n[mail]\nserver = \"smtp.w.nl\"\nsender = \"geen adres\"\n",
                "mail.sender",
            ),
        ] {
            let error = format!("{:#}", load(text).expect_err(text));
            assert!(error.contains(needle), "{text}: {error}");
        }
        assert!(handled_apart("MAIL__PASSWORD_FILE"));
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let secret = Secret(String::from("00ff"));
        assert!(!format!("{:?}", KeySource::Env(secret)).contains("00ff"));
    }
}
