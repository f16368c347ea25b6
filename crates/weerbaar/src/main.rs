//! `weerbaar`: the one binary. It speaks the protocol (evaluate facts into a plan, list
//! and show the presets, check an organisation's own protocol file) and keeps the
//! register (set it up, verify its chains, rotate its master key, list organisations,
//! back it up and restore it, copy it to another database, fill it with demo cases,
//! apply the retention periods, and report the yearly figures).

mod config;
mod demo_cmd;
mod export_cmd;
mod protocol_cmd;
mod register_cmd;
mod report_cmd;
mod retention_cmd;
mod serve_cmd;
mod token_cmd;
mod transfer_cmd;
mod user_cmd;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use register_cmd::RegisterCommand;

#[derive(Debug, Parser)]
#[command(
    name = "weerbaar",
    version,
    about = "Register and case handler for aggression against Dutch political office holders",
    long_about = None
)]
struct Cli {
    /// The data folder: weerbaar.toml, the key file and, by default, the SQLite database.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = config::DATA_DIR_ENV,
        default_value = "weerbaar-data"
    )]
    data_dir: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (by default on 127.0.0.1:8080). On a new data folder it
    /// makes the key and the SQLite database, and prints the code that the first visitor
    /// needs to set Weerbaar up.
    Serve(serve_cmd::ServeArgs),
    /// Work with agressieprotocols: evaluate facts, list and show presets, check a file.
    #[command(subcommand)]
    Protocol(protocol_cmd::ProtocolCommand),
    /// Set up a new register: the data folder, weerbaar.toml, the key file, the database
    /// and the organisation with its protocol.
    Init(register_cmd::InitArgs),
    /// Check the register's tamper evidence.
    #[command(subcommand)]
    Audit(register_cmd::AuditCommand),
    /// Manage the master key.
    #[command(subcommand)]
    Key(register_cmd::KeyCommand),
    /// The organisations in the register.
    #[command(subcommand)]
    Organisation(register_cmd::OrganisationCommand),
    /// Write a consistent, encrypted snapshot of the register to a new file.
    ///
    /// The snapshot holds the whole database and every evidence file, taken in one read
    /// transaction, so it may be made while `weerbaar serve` keeps running. It is
    /// encrypted under a key derived from the master key: restoring it needs the same
    /// master key, so keep a copy of the key file, apart from the backups. FILE must not
    /// exist: a backup never overwrites a file.
    Backup(transfer_cmd::BackupArgs),
    /// Restore a backup into a new, empty register.
    ///
    /// The register of the data folder must be empty: restore refuses a register that
    /// holds anything, and then changes nothing. The backup is decrypted with the data
    /// folder's master key, which must be the key the backup was made with.
    ///
    /// To restore into a new data folder: make the folder (mode 0700), copy the key file
    /// the backup was made with into it as weerbaar.key (mode 0600), and run
    /// `weerbaar --data-dir NEW restore FILE`. Without a weerbaar.toml the defaults hold:
    /// the SQLite database weerbaar.db and the evidence folder `evidence` in the data
    /// folder (the database and the evidence folder are made). To restore into
    /// PostgreSQL, write a weerbaar.toml with `[database] url` (or set
    /// WEERBAAR_DATABASE__URL) naming an empty database first.
    Restore(transfer_cmd::RestoreArgs),
    /// Move the register to another database.
    #[command(subcommand)]
    Db(transfer_cmd::DbCommand),
    /// Generated cases for demonstrations and benchmarks.
    #[command(subcommand)]
    Demo(demo_cmd::DemoCommand),
    /// Anonymise closed cases whose retention period has passed.
    #[command(subcommand)]
    Retention(retention_cmd::RetentionCommand),
    /// The people of an organisation and their accounts.
    #[command(subcommand)]
    User(user_cmd::UserCommand),
    /// A person's API tokens for /api/v1: make one (printed once) or list them.
    #[command(subcommand)]
    Token(token_cmd::TokenCommand),
    /// Reports on the register: the yearly figures (PROTOCOL.md §17).
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Protocol(command) => match protocol_cmd::run(command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprint!("{message}");
                if !message.ends_with('\n') {
                    eprintln!();
                }
                ExitCode::FAILURE
            }
        },
        Command::Serve(args) => serve(&cli.data_dir, args),
        Command::Init(args) => register(&cli.data_dir, RegisterCommand::Init(args)),
        Command::Audit(command) => register(&cli.data_dir, RegisterCommand::Audit(command)),
        Command::Key(command) => register(&cli.data_dir, RegisterCommand::Key(command)),
        Command::Organisation(command) => {
            register(&cli.data_dir, RegisterCommand::Organisation(command))
        }
        Command::Backup(args) => register(&cli.data_dir, RegisterCommand::Backup(args)),
        Command::Restore(args) => register(&cli.data_dir, RegisterCommand::Restore(args)),
        Command::Db(command) => register(&cli.data_dir, RegisterCommand::Db(command)),
        Command::Demo(command) => register(&cli.data_dir, RegisterCommand::Demo(command)),
        Command::Retention(command) => register(&cli.data_dir, RegisterCommand::Retention(command)),
        Command::User(command) => register(&cli.data_dir, RegisterCommand::User(command)),
        Command::Token(command) => register(&cli.data_dir, RegisterCommand::Token(command)),
        Command::Report(command) => register(&cli.data_dir, RegisterCommand::Report(command)),
    }
}

/// Runs the web server on a multi-threaded runtime: requests are served in parallel.
fn serve(data_dir: &Path, args: serve_cmd::ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve_cmd::run(data_dir, args)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a register command on a tokio runtime made for it (the protocol commands need
/// none).
fn register(data_dir: &Path, command: RegisterCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(register_cmd::run(data_dir, command)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
