//! `weerbaar`: the one binary. It speaks the protocol (evaluate facts into a plan, list
//! and show the presets, check an organisation's own protocol file) and keeps the
//! register (set it up, verify its chains, rotate its master key, list organisations).

mod config;
mod protocol_cmd;
mod register_cmd;

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
        Command::Init(args) => register(&cli.data_dir, RegisterCommand::Init(args)),
        Command::Audit(command) => register(&cli.data_dir, RegisterCommand::Audit(command)),
        Command::Key(command) => register(&cli.data_dir, RegisterCommand::Key(command)),
        Command::Organisation(command) => {
            register(&cli.data_dir, RegisterCommand::Organisation(command))
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
