//! The register on the command line: `weerbaar init`, `audit verify`, `key rotate` and
//! `organisation list`, and the shared ways in: every command that opens the register
//! opens it through [`open_register`], with its evidence folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_protocol::{PRESETS, preset, preset_names};
use weerbaar_register::audit::verify_chains;
use weerbaar_register::{Db, MasterKey, Register, RegisterError};

use crate::config::{
    self, CONFIG_FILE, Config, DEFAULT_EVIDENCE_DIR, DEFAULT_KEY_FILE, DEFAULT_LISTEN, KeySource,
    MASTER_KEY_ENV, Overrides,
};
use crate::{demo_cmd, retention_cmd, transfer_cmd, user_cmd};

/// The register's errors say everything in their own message (a wrapped database error
/// included), so they enter anyhow's chain as one message rather than repeating their
/// source.
pub(crate) trait Flat<T> {
    fn flat(self) -> Result<T>;
}

impl<T> Flat<T> for std::result::Result<T, RegisterError> {
    fn flat(self) -> Result<T> {
        self.map_err(|error| anyhow!("{error}"))
    }
}

/// The preset `weerbaar init` starts from unless told otherwise.
const DEFAULT_PRESET: &str = "model";

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The protocol the organisation starts with (see `weerbaar protocol list`).
    #[arg(long, value_name = "NAME", default_value = DEFAULT_PRESET)]
    preset: String,
    /// The organisation's name; by default the name of the preset's organisation.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The database (`sqlite://PATH` or `postgres://…`), written into weerbaar.toml;
    /// by default weerbaar.db in the data folder.
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the chain of events of every case and name the first broken link.
    /// Exits 0 when every chain is whole, 1 when a link is broken, 2 when the check
    /// could not be made.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Replace the master key in the key file: a new key, every organisation's data key
    /// re-wrapped under it in one transaction, and the key file replaced atomically.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum OrganisationCommand {
    /// List the organisations in the register: id, name and protocol.
    List,
}

/// The register commands, each run on the tokio runtime that `main` builds for them.
#[derive(Debug)]
pub enum RegisterCommand {
    Init(InitArgs),
    Audit(AuditCommand),
    Key(KeyCommand),
    Organisation(OrganisationCommand),
    Backup(transfer_cmd::BackupArgs),
    Restore(transfer_cmd::RestoreArgs),
    Db(transfer_cmd::DbCommand),
    Demo(demo_cmd::DemoCommand),
    Retention(retention_cmd::RetentionCommand),
    User(user_cmd::UserCommand),
    Token(crate::token_cmd::TokenCommand),
    Report(crate::report_cmd::ReportCommand),
}

pub async fn run(data_dir: &Path, command: RegisterCommand) -> Result<ExitCode> {
    match command {
        RegisterCommand::Backup(args) => transfer_cmd::backup(data_dir, args).await,
        RegisterCommand::Restore(args) => transfer_cmd::restore(data_dir, args).await,
        RegisterCommand::Db(command) => transfer_cmd::db(data_dir, command).await,
        RegisterCommand::Demo(command) => demo_cmd::run(data_dir, command).await,
        RegisterCommand::Retention(command) => retention_cmd::run(data_dir, command).await,
        RegisterCommand::User(command) => user_cmd::run(data_dir, command).await,
        RegisterCommand::Token(command) => crate::token_cmd::run(data_dir, command).await,
        RegisterCommand::Report(command) => crate::report_cmd::run(data_dir, command).await,
        RegisterCommand::Init(args) => init(data_dir, args).await,
        RegisterCommand::Audit(AuditCommand::Verify) => audit_verify(data_dir).await,
        RegisterCommand::Key(KeyCommand::Rotate) => key_rotate(data_dir).await,
        RegisterCommand::Organisation(OrganisationCommand::List) => {
            organisation_list(data_dir).await
        }
    }
}

/// How `weerbaar audit verify` fails when it could not check at all, as against finding a
/// broken link (exit 1).
pub const EXIT_CANNOT_VERIFY: u8 = 2;

// ---------------------------------------------------------------------------------------
// init

async fn init(data_dir: &Path, args: InitArgs) -> Result<ExitCode> {
    // Everything that can be checked without touching the disk is checked first.
    let Some(entry) = PRESETS.iter().find(|entry| entry.name == args.preset) else {
        bail!(
            "--preset: unknown preset `{}`; allowed: {}",
            args.preset,
            preset_names().join(", ")
        );
    };
    let protocol =
        preset(entry.name).ok_or_else(|| anyhow!("preset `{}` is missing", entry.name))?;
    let name = args
        .name
        .as_deref()
        .unwrap_or(entry.organisation)
        .trim()
        .to_owned();
    if name.is_empty() {
        bail!("--name: an organisation needs a name");
    }
    if let Some(url) = &args.database_url
        && url.trim().is_empty()
    {
        bail!("--database-url is empty");
    }
    let config = Config::load(
        data_dir,
        &Overrides {
            database_url: args.database_url.clone(),
        },
    )?;

    refuse_if_initialised(&config)?;

    let mut undo = Undo::default();
    match init_steps(&config, &args, entry.text, &name, &mut undo).await {
        Ok(done) => {
            let key_line = match &config.key {
                KeySource::File(path) => format!("{} (mode 0600)", path.display()),
                KeySource::Env(_) => format!("from {MASTER_KEY_ENV}; no key file written"),
            };
            println!("Weerbaar is set up in {}.", config.data_dir.display());
            println!();
            println!("  organisation   {name}");
            println!("  id             {}", done.organisation);
            println!(
                "  protocol       {} (version {}, preset `{}`)",
                protocol.id, protocol.version, entry.name
            );
            println!(
                "  database       {} (from {})",
                config.database_url_shown(),
                config.database_url_origin
            );
            println!("  configuration  {}", config.file.display());
            println!("  master key     {key_line}");
            println!("  fingerprint    {}", done.fingerprint);
            println!();
            match &config.key {
                KeySource::File(path) => println!(
                    "Warning: back up the key file {} now, and keep that copy apart from the \
                     backups of the database. Without the key nobody can read the register, not \
                     even you; whoever has both can read all of it.",
                    path.display()
                ),
                KeySource::Env(_) => println!(
                    "Warning: keep a copy of the master key from {MASTER_KEY_ENV} in a safe place, \
                     apart from the backups of the database. Without the key nobody can read the \
                     register; whoever has both can read all of it."
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let left = undo.run();
            if left.is_empty() {
                Err(anyhow!(
                    "{error:#}\nNothing was set up: what was made so far has been removed."
                ))
            } else {
                Err(anyhow!(
                    "{error:#}\nThe set-up failed, and these could not be removed: {}",
                    left.join("; ")
                ))
            }
        }
    }
}

struct Initialised {
    organisation: String,
    fingerprint: String,
}

fn refuse_if_initialised(config: &Config) -> Result<()> {
    let dir = &config.data_dir;
    if dir.exists() && !dir.is_dir() {
        bail!("the data folder {} is not a folder", dir.display());
    }
    let already = |what: String| {
        anyhow!(
            "{what} already exists, so the data folder {} is already set up; Weerbaar does \
             not set it up twice (that would replace its key and lose the register). Choose \
             another folder with --data-dir, or remove the old one yourself if it is truly \
             not needed",
            dir.display()
        )
    };
    if config.file.exists() {
        return Err(already(format!(
            "the configuration {}",
            config.file.display()
        )));
    }
    if let KeySource::File(path) = &config.key
        && path.symlink_metadata().is_ok()
    {
        return Err(already(format!("the key file {}", path.display())));
    }
    if let Some(db) = config.sqlite_file()
        && db.symlink_metadata().is_ok()
    {
        return Err(already(format!("the database {}", db.display())));
    }
    Ok(())
}

async fn init_steps(
    config: &Config,
    args: &InitArgs,
    protocol_toml: &str,
    name: &str,
    undo: &mut Undo,
) -> Result<Initialised> {
    create_data_dir(&config.data_dir, undo)?;
    write_config_file(config, args, undo)?;

    let master = match &config.key {
        KeySource::File(path) => {
            let key = MasterKey::generate();
            key.write_key_file(path)
                .map_err(|error| anyhow!("{error}"))?;
            undo.created.push(Created::File(path.clone()));
            key
        }
        KeySource::Env(_) => config.master_key()?,
    };
    let fingerprint = master.fingerprint();

    if let Some(db) = config.sqlite_file() {
        if let Some(parent) = db.parent()
            && !parent.is_dir()
        {
            bail!(
                "the folder {} of the database (database.url, from {}) does not exist",
                parent.display(),
                config.database_url_origin
            );
        }
        undo.created.push(Created::Sqlite(db));
    }
    let register = open_register(config, master).await?;
    let created = async {
        let existing = register.organisations().await.flat()?;
        if !existing.is_empty() {
            bail!(
                "the database {} already holds {} organisation(s), under another master key; \
                 `weerbaar init` starts a new register only",
                config.database_url_shown(),
                existing.len()
            );
        }
        register
            .create_organisation(name, protocol_toml)
            .await
            .flat()
    }
    .await;
    register.db().close().await;
    let organisation = created?;
    Ok(Initialised {
        organisation: organisation.to_string(),
        fingerprint,
    })
}

pub(crate) fn create_data_dir(dir: &Path, undo: &mut Undo) -> Result<()> {
    if dir.is_dir() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir)
                .with_context(|| format!("cannot inspect the data folder {}", dir.display()))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                eprintln!(
                    "warning: the data folder {} has mode {mode:04o}, so other users may look \
                     inside; allow only its owner with `chmod 700 {}`",
                    dir.display(),
                    dir.display()
                );
            }
        }
        return Ok(());
    }
    // The highest folder that does not exist yet is the one to remove on failure.
    let top = dir
        .ancestors()
        .take_while(|ancestor| ancestor.symlink_metadata().is_err())
        .last()
        .unwrap_or(dir)
        .to_path_buf();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
    undo.created.push(Created::Dir(top));
    Ok(())
}

fn write_config_file(config: &Config, args: &InitArgs, undo: &mut Undo) -> Result<()> {
    let url_line = match &args.database_url {
        Some(url) => format!(
            "url = {}",
            serde_json::to_string(url.trim()).context("cannot write the database URL")?
        ),
        None => String::from("# url = \"sqlite://weerbaar.db\""),
    };
    let text = format!(
        r#"# Weerbaar's configuration.
#
# Every key can also be set in the environment, which wins over this file:
# WEERBAAR_<TABLE>__<KEY>, for example WEERBAAR_DATABASE__URL. A secret can instead be
# read from a file: WEERBAAR_DATABASE__URL_FILE=/run/secrets/database-url. The master
# key itself is never kept here: it is in its key file, or in {MASTER_KEY_ENV}
# (64 hexadecimal characters). Relative paths are relative to this folder. Unknown keys
# are refused.

[database]
# sqlite://PATH (default: weerbaar.db in this folder) or
# postgres://USER:PASSWORD@HOST:PORT/DATABASE.
{url_line}

[keys]
# The file holding the master key, mode 0600. Back it up, apart from the database: without
# it nobody can read the register; with both, anyone can. Rotate: `weerbaar key rotate`.
# master_key_file = "{DEFAULT_KEY_FILE}"

[server]
# The address and port `weerbaar serve` listens on.
# listen = "{DEFAULT_LISTEN}"
# Behind a reverse proxy with HTTPS: cookies over HTTPS only, and the site's address.
# secure_cookies = true
# public_url = "https://weerbaar.gemeente.nl"

[storage]
# The folder of the evidence files (each sealed with its organisation's key), made with
# mode 0700 when the first file arrives. `weerbaar backup` takes it with the database.
# evidence_dir = "{DEFAULT_EVIDENCE_DIR}"

[retention]
# How many days a closed case is kept, from the moment it got its status, before
# `weerbaar retention run` anonymises it. Only closed statuses expire (afgerond,
# gearchiveerd); an open case never does. A status without a period is kept as it is.
# afgerond = 2555      # seven years
# gearchiveerd = 3650  # ten years

# Sign-in through the organisation's identity provider (OpenID Connect), beside passwords.
# People are matched to those already in Weerbaar; see docs/operations.md. Uncomment the
# table and its keys together. The secret is better in WEERBAAR_OIDC__CLIENT_SECRET_FILE.
# [oidc]
# issuer = "https://login.gemeente.nl/realms/gemeente"
# client_id = "weerbaar"
# client_secret = "..."
# organisation = "Gemeente Westerveld"   # its id or exact name
# claim = "email"                        # or "preferred_username", "upn": a claim holding the address
# label = "uw organisatieaccount"        # the button: "Aanmelden met <label>"
# redirect_url = "https://weerbaar.gemeente.nl/aanmelden/extern/terug"  # default from public_url

[metrics]
# Prometheus metrics at /metrics (no personal data). Off by default; a token (at least 16
# characters, e.g. `openssl rand -hex 32`) asks Prometheus for `Authorization: Bearer`.
# enabled = true
# token = "..."

[log]
# `weerbaar serve` logs to standard error: "text", or "json" (one object per line).
# format = "text"
# level = "info"   # error, warn, info, debug, trace
"#
    );
    let path = &config.file;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // It may hold a database password.
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    undo.created.push(Created::File(path.clone()));
    use std::io::Write;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// What `init` made, to be removed again when a later step fails.
#[derive(Debug, Default)]
pub(crate) struct Undo {
    pub(crate) created: Vec<Created>,
}

#[derive(Debug)]
pub(crate) enum Created {
    /// A folder that did not exist before: removed with everything in it.
    Dir(PathBuf),
    File(PathBuf),
    /// A SQLite database with its journal files.
    Sqlite(PathBuf),
}

impl Undo {
    /// Removes what was created, newest first; returns what could not be removed.
    pub(crate) fn run(self) -> Vec<String> {
        let mut left = Vec::new();
        let mut remove_file = |path: &Path| match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => left.push(format!("{} ({error})", path.display())),
        };
        let mut dirs = Vec::new();
        for created in self.created.into_iter().rev() {
            match created {
                Created::File(path) => remove_file(&path),
                Created::Sqlite(path) => {
                    for suffix in ["", "-wal", "-shm", "-journal"] {
                        let mut name = path.clone().into_os_string();
                        name.push(suffix);
                        remove_file(Path::new(&name));
                    }
                }
                Created::Dir(path) => dirs.push(path),
            }
        }
        for dir in dirs {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => left.push(format!("{} ({error})", dir.display())),
            }
        }
        left
    }
}

// ---------------------------------------------------------------------------------------
// audit verify

async fn audit_verify(data_dir: &Path) -> Result<ExitCode> {
    match audit_verify_inner(data_dir).await {
        Ok(code) => Ok(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            eprintln!("The chains were not checked.");
            Ok(ExitCode::from(EXIT_CANNOT_VERIFY))
        }
    }
}

async fn audit_verify_inner(data_dir: &Path) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    require_database(&config)?;
    // The walk reads hashes only: it needs no master key, so an auditor can run it
    // without being able to read a single case.
    let db = connect(&config).await?;
    let report = verify_chains(&db).await;
    db.close().await;
    let report = report.flat().context("cannot walk the chains")?;
    match report.broken {
        None => {
            println!(
                "{} {}, {} {}: every chain is whole",
                report.cases,
                plural(report.cases, "case", "cases"),
                report.events,
                plural(report.events, "event", "events"),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(link) => {
            match link.seq {
                Some(seq) => println!("case {}, event {seq}: {}", link.case_id, link.reason),
                None => println!("case {}: {}", link.case_id, link.reason),
            }
            eprintln!(
                "error: the chain of case {} is broken: an event was changed, removed or \
                 added outside Weerbaar. The cases after it were not checked.",
                link.case_id
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

// ---------------------------------------------------------------------------------------
// key rotate

async fn key_rotate(data_dir: &Path) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    let key_path = match &config.key {
        KeySource::File(path) => path.clone(),
        KeySource::Env(_) => bail!(
            "the master key comes from {MASTER_KEY_ENV}, not from a key file; `weerbaar key \
             rotate` works only with a key file, which it can replace safely. Unset \
             {MASTER_KEY_ENV} and point keys.master_key_file at a key file to rotate"
        ),
    };
    let new_path = with_suffix(&key_path, ".new");
    if new_path.symlink_metadata().is_ok() {
        bail!(interrupted_rotation(&config, &key_path, &new_path).await);
    }
    let old = config.master_key()?;
    let old_fingerprint = old.fingerprint();
    require_database(&config)?;
    let register = open_register(&config, old).await?;

    let new = MasterKey::generate();
    if let Err(error) = new.write_key_file(&new_path) {
        register.db().close().await;
        bail!("{error}");
    }
    let rotated = register.rotate_master_key(&new).await;
    register.db().close().await;
    let count = match rotated {
        Ok(count) => count,
        Err(error) => {
            let removed = std::fs::remove_file(&new_path);
            let mut message = format!("the master key was not rotated; nothing changed: {error}");
            if let RegisterError::WrongMasterKey { .. } = error {
                message.push_str(&format!(
                    "\n(the key file {} does not hold the key this register was encrypted with)",
                    key_path.display()
                ));
            }
            if let Err(remove) = removed {
                message.push_str(&format!(
                    "\nremove {} by hand before trying again ({remove})",
                    new_path.display()
                ));
            }
            bail!(message);
        }
    };

    // The database now expects the new key. Put it in place in one step: a rename is
    // atomic, so the key file holds either the old key or the new one, never half.
    if let Err(error) = std::fs::rename(&new_path, &key_path) {
        bail!(
            "the register now uses the new master key (fingerprint {}), which is in {}, but it \
             could not be moved over {}: {error}. Move it yourself now: mv {} {}",
            new.fingerprint(),
            new_path.display(),
            key_path.display(),
            new_path.display(),
            key_path.display()
        );
    }
    if let Some(parent) = key_path.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }

    println!(
        "The master key is rotated: {count} organisation {} re-wrapped under the new key.",
        if count == 1 { "key" } else { "keys" }
    );
    println!();
    println!("  key file         {}", key_path.display());
    println!("  old fingerprint  {old_fingerprint}");
    println!("  new fingerprint  {}", new.fingerprint());
    println!();
    println!(
        "Warning: back up the new key file now, apart from the database. Backups of the \
         database made before this rotation still need the old key: keep your copy of the old \
         key for as long as you keep those backups."
    );
    Ok(ExitCode::SUCCESS)
}

/// `weerbaar.key` → `weerbaar.key.new`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The explanation of a `.new` key file left behind, with the way out.
async fn interrupted_rotation(config: &Config, key_path: &Path, new_path: &Path) -> String {
    let fingerprint_of = |path: &Path| match config::read_key_file(path, false) {
        Ok(key) => Ok(key.fingerprint()),
        Err(error) => Err(format!("{error:#}")),
    };
    let old = fingerprint_of(key_path);
    let new = fingerprint_of(new_path);
    let expected = expected_fingerprint(config).await;
    let show = |fingerprint: &std::result::Result<String, String>| match fingerprint {
        Ok(fingerprint) => format!("fingerprint {fingerprint}"),
        Err(error) => format!("unreadable: {error}"),
    };
    let rows = [
        (key_path.display().to_string(), show(&old)),
        (new_path.display().to_string(), show(&new)),
        (
            String::from("the database expects"),
            match &expected {
                Ok(Some(fingerprint)) => format!("fingerprint {fingerprint}"),
                Ok(None) => String::from("any key (the register holds no organisation yet)"),
                Err(error) => format!("cannot tell: {error:#}"),
            },
        ),
    ];
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let mut message = format!(
        "{} exists: an earlier `weerbaar key rotate` was interrupted, so this one does not \
         start.\n\n",
        new_path.display()
    );
    for (label, value) in &rows {
        message.push_str(&format!("  {label:width$}  {value}\n"));
    }
    message.push('\n');
    let (old, new) = (old.ok(), new.ok());
    let advice = match &expected {
        _ if old.is_some() && old == new => format!(
            "Both files hold the same key, so the new file is only a copy. Remove it, then \
             rotate again:\n  rm {}",
            new_path.display()
        ),
        Ok(Some(expected)) if new.as_ref() == Some(expected) => format!(
            "The database was re-wrapped under the new key, but the new key file was not moved \
             into place. Finish the rotation:\n  mv {} {}",
            new_path.display(),
            key_path.display()
        ),
        Ok(Some(expected)) if old.as_ref() == Some(expected) => format!(
            "The database still uses the old key; the new key was never used. Remove it, then \
             rotate again:\n  rm {}",
            new_path.display()
        ),
        Ok(Some(_)) => String::from(
            "Neither file holds the key the database expects. Remove neither: restore the key \
             file from your backup of the key.",
        ),
        Ok(None) => format!(
            "No data is encrypted yet, so either key will do. Remove the new file, then rotate \
             again:\n  rm {}",
            new_path.display()
        ),
        Err(_) => format!(
            "Compare the fingerprints above with the one the database expects before removing \
             anything: the file whose key the database expects must become {}.",
            key_path.display()
        ),
    };
    message.push_str(&advice);
    message
}

/// The fingerprint of the master key that the register's data keys are wrapped with, or
/// `None` when it holds no organisation.
///
/// The register has no read-only call for this, so it asks `rotate_master_key` with a
/// throwaway key: the throwaway key's fingerprint never matches, so the call refuses with
/// `WrongMasterKey`, naming the expected fingerprint, before it changes any row (and a
/// random key could not unwrap a data key anyway, so nothing can be committed).
async fn expected_fingerprint(config: &Config) -> Result<Option<String>> {
    require_database(config)?;
    let register = open_register(config, MasterKey::generate()).await?;
    let probe = register.rotate_master_key(&MasterKey::generate()).await;
    register.db().close().await;
    match probe {
        Ok(_) => Ok(None),
        Err(RegisterError::WrongMasterKey { expected, .. }) => Ok(Some(expected)),
        Err(error) => Err(anyhow!("{error}")),
    }
}

// ---------------------------------------------------------------------------------------
// organisation list

async fn organisation_list(data_dir: &Path) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    let master = config.master_key()?;
    require_database(&config)?;
    let register = open_register(&config, master).await?;
    let organisations = register.organisations().await;
    register.db().close().await;
    let organisations = organisations
        .flat()
        .context("cannot list the organisations")?;
    if organisations.is_empty() {
        println!("The register holds no organisation yet.");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 3]> = organisations
        .into_iter()
        .map(|o| {
            [
                o.id.to_string(),
                o.name,
                format!("{} ({})", o.protocol_id, o.protocol_version),
            ]
        })
        .collect();
    let header = [
        String::from("ID"),
        String::from("NAME"),
        String::from("PROTOCOL"),
    ];
    let width = |column: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|row| row[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (id_width, name_width) = (width(0), width(1));
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        out.push_str(&format!(
            "{:id_width$}  {:name_width$}  {}\n",
            row[0], row[1], row[2]
        ));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------

/// Refuses to work on a SQLite database that is not there: opening it would create an
/// empty register, and `audit verify` would then vouch for nothing.
pub(crate) fn require_database(config: &Config) -> Result<()> {
    if let Some(path) = config.sqlite_file()
        && !path.exists()
    {
        let hint = if config.file.exists() {
            String::new()
        } else {
            format!(
                "; the data folder {} holds no {CONFIG_FILE} either: set it up with `weerbaar \
                 init --data-dir {}`, or give the right folder with --data-dir",
                config.data_dir.display(),
                config.data_dir.display()
            )
        };
        bail!(
            "the database {} does not exist (database.url, from {}){hint}",
            path.display(),
            config.database_url_origin
        );
    }
    Ok(())
}

/// Opens the register of `config` with `master` and its evidence folder
/// (`storage.evidence_dir`): every command that opens the register does it here, so that
/// evidence files are found, written and (by retention) removed in one place.
pub(crate) async fn open_register(config: &Config, master: MasterKey) -> Result<Register> {
    check_evidence_dir(config)?;
    let register = Register::open(&config.database_url, master)
        .await
        .flat()
        .with_context(|| {
            format!(
                "cannot open the register at {}",
                config.database_url_shown()
            )
        })?;
    let mut defaults = weerbaar_register::RetentionPolicy::default();
    for (status, days) in config.retention.periods() {
        defaults = defaults.keep(status, days).flat()?;
    }
    Ok(register
        .with_evidence_dir(&config.evidence_dir)
        .with_retention_defaults(defaults))
}

/// The evidence folder need not exist yet (it is made, mode 0700, when the first file
/// arrives), but what is there must be a folder.
pub(crate) fn check_evidence_dir(config: &Config) -> Result<()> {
    let dir = &config.evidence_dir;
    match std::fs::metadata(dir) {
        Ok(metadata) if !metadata.is_dir() => bail!(
            "the evidence folder {} (storage.evidence_dir, from {}) is not a folder",
            dir.display(),
            config.evidence_dir_origin
        ),
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => bail!(
            "the evidence folder {} (storage.evidence_dir, from {}) cannot be inspected: {error}",
            dir.display(),
            config.evidence_dir_origin
        ),
    }
}

/// Opens the database of `config` itself, without a master key: for the commands that
/// move rows as they are (`db copy`) or only read hashes (`audit verify`).
pub(crate) async fn connect(config: &Config) -> Result<Db> {
    // Without migrating: the auditor must not write to the register it checks.
    Db::connect_existing(&config.database_url)
        .await
        .flat()
        .with_context(|| {
            format!(
                "cannot open the register at {}",
                config.database_url_shown()
            )
        })
}

/// "1 case", "2 cases".
pub(crate) fn count(n: u64, one: &'static str, many: &'static str) -> String {
    format!("{n} {}", plural(n, one, many))
}
