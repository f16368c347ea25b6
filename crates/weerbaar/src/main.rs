//! `weerbaar`: the one binary. Today it speaks the protocol: evaluate facts into a plan,
//! list and show the presets, check an organisation's own protocol file.

mod protocol_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "weerbaar",
    version,
    about = "Register and case handler for aggression against Dutch political office holders",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with agressieprotocols: evaluate facts, list and show presets, check a file.
    #[command(subcommand)]
    Protocol(protocol_cmd::ProtocolCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Protocol(command) => protocol_cmd::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprint!("{message}");
            if !message.ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
    }
}
