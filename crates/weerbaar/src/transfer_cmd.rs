//! Moving a whole register: `weerbaar backup FILE`, `weerbaar restore FILE` and
//! `weerbaar db copy --to URL`.
//!
//! The work is done by `weerbaar_register::transfer`: a consistent snapshot read in one
//! transaction (so a backup or copy may be made while the server runs), the target
//! written in one transaction and required to be empty. These commands add what an
//! operator needs around it: the paths, the refusals in plain words, and what to do next.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_register::db::redact_url;
use weerbaar_register::transfer::{self, TransferSummary};
use weerbaar_register::{Db, MasterKey};

use crate::config::{self, Config, DEFAULT_KEY_FILE, KeySource, Overrides};
use crate::register_cmd::{
    Created, Flat, Undo, check_evidence_dir, connect, create_data_dir, open_register,
    require_database,
};

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (relative to the current folder); it must not exist yet.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file, as `weerbaar backup` wrote it.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy the whole register into another, empty database: SQLite to PostgreSQL or
    /// back.
    ///
    /// The copy is read from one consistent snapshot and written in one transaction, and
    /// prints the rows per table. It does not switch the configuration: it prints how to
    /// point `[database] url` at the new database. Evidence files are not in the database:
    /// they stay in the evidence folder of the data folder, which the new database uses
    /// as well.
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy into: `sqlite://PATH` (a relative PATH is relative to the
    /// current folder; the file is made when missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (the database must exist). It must
    /// hold no register data.
    #[arg(long, value_name = "URL")]
    to: String,
}

// ---------------------------------------------------------------------------------------
// backup

pub async fn backup(data_dir: &Path, args: BackupArgs) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    let out = std::path::absolute(&args.file).with_context(|| {
        format!(
            "the backup file {} cannot be made absolute",
            args.file.display()
        )
    })?;
    if out.symlink_metadata().is_ok() {
        bail!(
            "the backup file {} already exists; a backup never overwrites a file: choose a new \
             name",
            out.display()
        );
    }
    if let Some(parent) = out.parent()
        && !parent.is_dir()
    {
        bail!(
            "the folder {} of the backup file does not exist",
            parent.display()
        );
    }
    let master = config.master_key()?;
    require_database(&config)?;
    let register = open_register(&config, master).await?;
    let made = transfer::backup(
        register.db(),
        register.master_key(),
        Some(&config.evidence_dir),
        &out,
    )
    .await;
    let fingerprint = register.master_key().fingerprint();
    register.db().close().await;
    let summary = made
        .flat()
        .with_context(|| format!("no backup was made in {}", out.display()))?;

    println!(
        "The backup of {} is written to {}.",
        config.database_url_shown(),
        out.display()
    );
    println!();
    println!("{summary}");
    println!();
    println!(
        "It is one consistent snapshot of the database and the evidence files, encrypted \
         under the master key with fingerprint {fingerprint}. Restoring it needs that key: keep \
         a copy of the key file, apart from the backups."
    );
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------
// restore

pub async fn restore(data_dir: &Path, args: RestoreArgs) -> Result<ExitCode> {
    let config = Config::load(data_dir, &Overrides::default())?;
    let file = std::path::absolute(&args.file).with_context(|| {
        format!(
            "the backup file {} cannot be made absolute",
            args.file.display()
        )
    })?;
    match std::fs::metadata(&file) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => bail!("the backup file {} is not a file", file.display()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            bail!("the backup file {} does not exist", file.display())
        }
        Err(error) => bail!("the backup file {} cannot be read: {error}", file.display()),
    }
    let master = restore_key(&config)?;

    let mut undo = Undo::default();
    match restore_steps(&config, master, &file, &mut undo).await {
        Ok(summary) => {
            println!(
                "The backup {} is restored into {}.",
                file.display(),
                config.database_url_shown()
            );
            println!();
            println!("{summary}");
            println!();
            println!(
                "Evidence files are in {}. Check the register with `weerbaar audit verify`.",
                config.evidence_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let left = undo.run();
            if left.is_empty() {
                Err(anyhow!("{error:#}\nNothing was restored."))
            } else {
                Err(anyhow!(
                    "{error:#}\nNothing was restored, but these could not be removed: {}",
                    left.join("; ")
                ))
            }
        }
    }
}

/// The master key to decrypt the backup with, explaining where it must come from when it
/// is not there.
fn restore_key(config: &Config) -> Result<MasterKey> {
    if let KeySource::File(path) = &config.key
        && path.symlink_metadata().is_err()
    {
        bail!(
            "the key file {} does not exist. A restore needs the master key the backup was made \
             with: copy that key file to {} (mode 0600), or set {}, then restore again. (To \
             restore into a new data folder: mkdir -m 700 NEW, copy the key file to \
             NEW/{DEFAULT_KEY_FILE}, then `weerbaar --data-dir NEW restore FILE`.)",
            path.display(),
            path.display(),
            config::MASTER_KEY_ENV
        );
    }
    config.master_key()
}

async fn restore_steps(
    config: &Config,
    master: MasterKey,
    file: &Path,
    undo: &mut Undo,
) -> Result<TransferSummary> {
    // The data folder exists when the key file is in it; with the key from the
    // environment it may not, and is made as `weerbaar init` makes it.
    create_data_dir(&config.data_dir, undo)?;
    check_evidence_dir(config)?;
    if config.evidence_dir.symlink_metadata().is_err() {
        undo.created.push(Created::Dir(config.evidence_dir.clone()));
    }
    if let Some(db) = config.sqlite_file()
        && db.symlink_metadata().is_err()
    {
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
    let restored = async {
        let organisations = register
            .organisations()
            .await
            .flat()
            .context("cannot look into the register")?;
        if !organisations.is_empty() {
            let names: Vec<String> = organisations
                .iter()
                .map(|o| format!("{} ({})", o.name, o.id))
                .collect();
            bail!(
                "the register at {} is not empty: it holds {}. `weerbaar restore` restores \
                 only into a new, empty register, so that nothing is overwritten or mixed. \
                 Restore into a new data folder instead: make it (mode 0700), copy the key \
                 file the backup was made with into it as {DEFAULT_KEY_FILE}, and run \
                 `weerbaar --data-dir NEW restore {}`",
                config.database_url_shown(),
                names.join(", "),
                file.display()
            );
        }
        transfer::restore(
            register.db(),
            register.master_key(),
            Some(&config.evidence_dir),
            file,
        )
        .await
        .flat()
    }
    .await;
    register.db().close().await;
    restored
}

// ---------------------------------------------------------------------------------------
// db copy

pub async fn db(data_dir: &Path, command: DbCommand) -> Result<ExitCode> {
    let DbCommand::Copy(args) = command;
    let config = Config::load(data_dir, &Overrides::default())?;
    let to = args.to.trim();
    if to.is_empty() {
        bail!("--to is empty; give the database to copy into");
    }
    if !(to.starts_with("sqlite:") || to.starts_with("postgres:") || to.starts_with("postgresql:"))
    {
        bail!(
            "--to: `{}` is neither a sqlite:// nor a postgres:// URL",
            redact_url(to)
        );
    }
    // A relative SQLite path on the command line is relative to where the command runs.
    let cwd = std::env::current_dir().context("cannot tell the current folder")?;
    let target_url = config::resolve_sqlite_url(to, &cwd)?;
    require_database(&config)?;

    let target_file = config::sqlite_file(&target_url);
    let same = match (&target_file, config.sqlite_file()) {
        (Some(target), Some(source)) => same_file(target, &source),
        (None, None) => target_url == config.database_url,
        _ => false,
    };
    if same {
        bail!(
            "--to names the database the register is in ({}); copy into another, empty database",
            config.database_url_shown()
        );
    }
    if to.starts_with("sqlite:") && target_file.is_none() {
        bail!("--to: a database in memory would be gone when the copy ends; give a file");
    }

    let mut undo = Undo::default();
    if let Some(path) = &target_file
        && path.symlink_metadata().is_err()
    {
        if let Some(parent) = path.parent()
            && !parent.is_dir()
        {
            bail!(
                "--to: the folder {} of the new database does not exist",
                parent.display()
            );
        }
        undo.created.push(Created::Sqlite(path.clone()));
    }

    let copied = copy_steps(&config, &target_url).await;
    let summary = match copied {
        Ok(summary) => summary,
        Err(error) => {
            let left = undo.run();
            if left.is_empty() {
                bail!("{error:#}\nNothing was copied.");
            }
            bail!(
                "{error:#}\nNothing was copied, but these could not be removed: {}",
                left.join("; ")
            );
        }
    };

    let shown = redact_url(&target_url);
    println!(
        "The register is copied from {} to {shown}.",
        config.database_url_shown()
    );
    println!();
    println!("{summary}");
    println!();
    println!(
        "Weerbaar still uses {} (database.url, from {}): the configuration was not changed. To \
         switch to the copy, stop `weerbaar serve`, then set in {}:",
        config.database_url_shown(),
        config.database_url_origin,
        config.file.display()
    );
    println!();
    println!("  [database]");
    println!(
        "  url = {}",
        serde_json::to_string(&shown).context("cannot show the URL")?
    );
    println!();
    if shown != target_url {
        println!("(the password is shown as ***: write the one you gave)");
    }
    println!(
        "or set WEERBAAR_DATABASE__URL to it. The copy is the register as it was when the copy \
         began: what changed since is not in it, so copy again into a new, empty database if \
         the register was used in the meantime."
    );
    println!();
    println!(
        "Evidence files are not in the database: they stay where they are, in {}, and the \
         copy finds them there as long as it is used with this data folder.",
        config.evidence_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn copy_steps(config: &Config, target_url: &str) -> Result<TransferSummary> {
    let source = connect(config).await?;
    let target = match Db::connect(target_url).await {
        Ok(target) => target,
        Err(error) => {
            source.close().await;
            return Err(anyhow!(
                "cannot open the database to copy into, {}: {error}",
                redact_url(target_url)
            ));
        }
    };
    let copied = transfer::copy(&source, &target).await;
    source.close().await;
    target.close().await;
    copied
        .flat()
        .with_context(|| format!("the register was not copied to {}", redact_url(target_url)))
}

/// Whether two paths name the same file, also through links (the target need not exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
