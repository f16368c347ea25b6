//! `weerbaar protocol …`: the protocol engine on the command line.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use weerbaar_protocol::{
    Facts, PRESETS, Protocol, compare, evaluate, preset, preset_names, preset_text, readable,
};

#[derive(Debug, Subcommand)]
pub enum ProtocolCommand {
    /// Turn the facts of an incident (JSON, PROTOCOL.md §15) into the protocol's plan (JSON).
    Evaluate(EvaluateArgs),
    /// List the presets that ship with Weerbaar, with the organisation each comes from.
    List,
    /// Print a preset as TOML: the start of an organisation's own protocol file.
    Show {
        /// The preset's name (see `weerbaar protocol list`).
        name: String,
    },
    /// Check an organisation's own protocol file; exits 0 only when it is sound.
    Check {
        /// The protocol file (TOML).
        file: PathBuf,
    },
    /// Write the protocol as a readable Dutch document (the text of /protocol).
    Render {
        /// The protocol file (TOML), or `preset:NAME` for a preset.
        file: String,
        /// html: a whole page, A4 when printed; markdown: the same text in Markdown.
        #[arg(long, value_enum, default_value_t = RenderFormat::Html)]
        format: RenderFormat,
    },
    /// List, in Dutch, what a new protocol changes in the plans of sample incidents: every
    /// victim role × category × channel, a weekend and a holiday.
    Diff {
        /// The protocol in use (a TOML file, or `preset:NAME`).
        old: String,
        /// The new protocol (a TOML file, or `preset:NAME`).
        new: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RenderFormat {
    Html,
    Markdown,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct ProtocolChoice {
    /// One of the presets (see `weerbaar protocol list`).
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
    /// An organisation's own protocol file (TOML).
    #[arg(long, value_name = "FILE")]
    protocol: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    choice: ProtocolChoice,
    /// The facts as JSON; standard input when left out or `-`.
    file: Option<PathBuf>,
}

pub fn run(command: ProtocolCommand) -> Result<(), String> {
    match command {
        ProtocolCommand::Evaluate(args) => evaluate_command(&args),
        ProtocolCommand::List => {
            list();
            Ok(())
        }
        ProtocolCommand::Show { name } => show(&name),
        ProtocolCommand::Check { file } => check(&file),
        ProtocolCommand::Render { file, format } => {
            let document = readable::document(&load_named(&file)?);
            write_stdout(&match format {
                RenderFormat::Html => document.to_html_page(),
                RenderFormat::Markdown => document.to_markdown(),
            })
        }
        ProtocolCommand::Diff { old, new } => {
            let (old, new) = (load_named(&old)?, load_named(&new)?);
            let comparison = compare::compare(&old, &new);
            write_stdout(&comparison.document(&old, &new).to_markdown())
        }
    }
}

/// A protocol file, or a preset as `preset:NAME`.
fn load_named(name: &str) -> Result<Protocol, String> {
    match name.strip_prefix("preset:") {
        Some(preset_name) => preset(preset_name)
            .cloned()
            .ok_or_else(|| unknown_preset(preset_name)),
        None => load_file(Path::new(name)),
    }
}

fn evaluate_command(args: &EvaluateArgs) -> Result<(), String> {
    let owned;
    let protocol: &Protocol = match (&args.choice.preset, &args.choice.protocol) {
        (Some(name), _) => preset(name).ok_or_else(|| unknown_preset(name))?,
        (None, Some(path)) => {
            owned = load_file(path)?;
            &owned
        }
        (None, None) => return Err(String::from("error: give --preset NAME or --protocol FILE")),
    };
    let text = read_facts(args.file.as_deref())?;
    let facts = Facts::from_json_for(&text, protocol).map_err(|error| format!("error: {error}"))?;
    let plan = evaluate(protocol, &facts).map_err(|error| format!("error: {error}"))?;
    let json = serde_json::to_string_pretty(&plan)
        .map_err(|error| format!("error: cannot print the plan: {error}"))?;
    write_stdout(&format!("{json}\n"))
}

fn list() {
    let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for entry in PRESETS {
        out.push_str(&format!("{:width$}  {}\n", entry.name, entry.organisation));
    }
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = write_stdout(&out);
}

fn show(name: &str) -> Result<(), String> {
    let text = preset_text(name).ok_or_else(|| unknown_preset(name))?;
    write_stdout(text)
}

fn check(path: &Path) -> Result<(), String> {
    let protocol = load_file(path)?;
    write_stdout(&format!(
        "{}: sound — protocol `{}` ({}), {} victim roles routed, {} tasks\n",
        path.display(),
        protocol.id,
        protocol.name,
        protocol.routes.len(),
        protocol.tasks.len()
    ))
}

fn load_file(path: &Path) -> Result<Protocol, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("error: cannot read {}: {error}", path.display()))?;
    Protocol::from_toml(&text).map_err(|error| format!("error: {}: {error}", path.display()))
}

fn read_facts(file: Option<&Path>) -> Result<String, String> {
    match file {
        Some(path) if path != Path::new("-") => std::fs::read_to_string(path)
            .map_err(|error| format!("error: cannot read {}: {error}", path.display())),
        _ => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|error| {
                    format!("error: cannot read the facts from standard input: {error}")
                })?;
            Ok(text)
        }
    }
}

fn unknown_preset(name: &str) -> String {
    format!(
        "error: --preset: unknown preset `{name}`; allowed: {}",
        preset_names().join(", ")
    )
}

fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|error| format!("error: cannot write the output: {error}"))
}
