//! `weerbaar retention run`: applies the retention periods in force now.
//!
//! A period is a whole number of days per closed status (`afgerond`, `gearchiveerd`),
//! counted from the moment the case got that status. For each organisation and status
//! the period in force is the one its administrator set (Beheer → Bewaartermijnen),
//! else the default of `[retention]` in weerbaar.toml, else none (kept as it is). A case whose period has passed is
//! anonymised by the register (`Register::apply_retention`): what identifies anyone is
//! erased, evidence files included, and what statistics and the audit need stays. Each
//! case is its own transaction, logged in the register's `retention_log` and as an
//! `anonymised` event on the case's timeline. Open cases never expire.
//!
//! There is no `--dry-run`: the register offers no way to list what would expire without
//! anonymising it, and a count made here with a query of its own could drift from what
//! the register actually does.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use weerbaar_register::{Register, RetentionSource};

use crate::config::{Config, Overrides};
use crate::register_cmd::{Flat, count, open_register, require_database};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise, now, every closed case whose retention period has passed.
    ///
    /// The default periods are in weerbaar.toml, in days per closed status:
    ///
    ///   [retention]
    ///   afgerond = 2555      # seven years
    ///   gearchiveerd = 3650  # ten years
    ///
    /// counted from the moment a case got that status. An organisation's administrator
    /// may set its own periods in the web application (Beheer → Bewaartermijnen); those
    /// replace the default for that organisation and status. Open cases (gemeld, in_behandeling,
    /// heropend) never expire. Anonymising erases the account, the place, the people, the
    /// perpetrator, the notes, the evidence files and every event's payload, and keeps
    /// category, dates, roles, channel, plan and the chain of events. It cannot be undone.
    /// Prints every case it anonymised and how many. With no period configured it says so
    /// and changes nothing.
    Run,
}

pub async fn run(data_dir: &Path, command: RetentionCommand) -> Result<ExitCode> {
    let RetentionCommand::Run = command;
    let config = Config::load(data_dir, &Overrides::default())?;
    let master = config.master_key()?;
    require_database(&config)?;
    let register = open_register(&config, master).await?;
    let result = run_in(&register, &config).await;
    register.db().close().await;
    result
}

async fn run_in(register: &Register, config: &Config) -> Result<ExitCode> {
    // What is in force per organisation: its own periods (set by its administrator),
    // else the defaults of [retention].
    let mut described = Vec::new();
    for organisation in register.organisations().await.flat()? {
        let periods = register.retention_in_force(&organisation.id).await.flat()?;
        let set: Vec<String> = periods
            .iter()
            .filter_map(|period| {
                let days = period.days?;
                let source = match period.source {
                    RetentionSource::Organisation => "own setting",
                    RetentionSource::Default => "[retention]",
                    RetentionSource::None => "none",
                };
                Some(format!(
                    "{} after {} ({source})",
                    period.status.as_str(),
                    count(u64::from(days), "day", "days")
                ))
            })
            .collect();
        if !set.is_empty() {
            described.push(format!("{}: {}", organisation.name, set.join(", ")));
        }
    }
    if described.is_empty() {
        println!(
            "No retention periods are configured ([retention] in {}, nor by any \
             organisation's administrator), so nothing was anonymised. Set the days a closed \
             case is kept, for example `afgerond = 2555` (seven years) and `gearchiveerd = 3650`.",
            config.file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let now = weerbaar_register::time::now();
    let run = register.apply_retention_in_force(now).await;
    let run = run.flat().context(
        "the retention run stopped; the cases it anonymised before this error are in the \
         register's retention log, and a new run goes on where it stopped",
    )?;

    for case in &run.anonymised {
        println!("anonymised {case}");
    }
    for (case, reason) in &run.failed {
        eprintln!("not anonymised {case}: {reason} (tried again on the next run)");
    }
    println!(
        "{} anonymised (retention: {}; as of {now}).",
        count(run.anonymised.len() as u64, "case", "cases"),
        described.join("; ")
    );
    Ok(ExitCode::SUCCESS)
}
