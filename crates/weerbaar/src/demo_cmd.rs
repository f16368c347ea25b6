//! `weerbaar demo seed`: fills a register with generated cases for demonstrations and
//! benchmarks, through the register's own operations.
//!
//! Each report is announced on standard output as soon as the register has committed it,
//! as `acknowledged <n> <case id>`, and the output is flushed after every line: whoever
//! reads the lines may rely on every announced case being on disk. (The durability test
//! kills the process in the middle of a run and looks for every announced case.)

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::task::Poll;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_register::demo::{SeedOptions, seed_in_batches};
use weerbaar_register::{OrganisationSummary, Register};

use crate::config::{Config, Overrides};
use crate::register_cmd::{Flat, open_register, require_database};

/// Years the cases are spread over unless `--first-year` says otherwise: this year and
/// the four before it.
const DEFAULT_YEARS: i16 = 5;

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill the register with realistic generated cases, spread over several years.
    ///
    /// Everything is invented: names, e-mail addresses (.example), narratives. The people
    /// of a municipality are added for each role the organisation has nobody in yet; then
    /// the reports are registered one by one (or per --batch), and older cases are worked
    /// off as a handler would. Every committed report is printed as
    /// `acknowledged <n> <case id>` (n counts from 1 in this run), flushed at once; a
    /// summary follows at the end. The same --seed and years give the same cases.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many reports to register.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    cases: u64,
    /// The seed of the random generator: the same seed gives the same cases.
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,
    /// The organisation to fill (see `weerbaar organisation list`); needed only when the
    /// register holds more than one.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
    /// The first year of the incidents; by default four years before the last.
    #[arg(long, value_name = "YEAR")]
    first_year: Option<i16>,
    /// The last year of the incidents; by default this year (no case lies after today).
    #[arg(long, value_name = "YEAR")]
    last_year: Option<i16>,
    /// Reports registered per transaction. 1 (the default) commits, and acknowledges,
    /// every report on its own; more is faster for filling a register for benchmarks,
    /// and acknowledges a batch's reports once the batch is committed.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        value_parser = clap::value_parser!(u64).range(1..=10_000)
    )]
    batch: u64,
}

pub async fn run(data_dir: &Path, command: DemoCommand) -> Result<ExitCode> {
    let DemoCommand::Seed(args) = command;
    let last_year = match args.last_year {
        Some(year) => year,
        None => jiff::Zoned::now().year(),
    };
    let first_year = match args.first_year {
        Some(year) => year,
        None => last_year.saturating_sub(DEFAULT_YEARS - 1),
    };
    if first_year > last_year {
        bail!("--first-year {first_year} lies after the last year, {last_year}");
    }
    let options = SeedOptions {
        cases: args.cases,
        seed: args.seed,
        first_year,
        last_year,
    };
    let batch = usize::try_from(args.batch).context("--batch is too large")?;

    let config = Config::load(data_dir, &Overrides::default())?;
    let master = config.master_key()?;
    require_database(&config)?;
    let register = open_register(&config, master).await?;
    let seeded = seed(&register, args.organisation.as_deref(), &options, batch).await;
    register.db().close().await;
    seeded
}

async fn seed(
    register: &Register,
    organisation: Option<&str>,
    options: &SeedOptions,
    batch: usize,
) -> Result<ExitCode> {
    let organisations = register
        .organisations()
        .await
        .flat()
        .context("cannot list the organisations")?;
    let organisation = choose(organisations, organisation)?;

    // A line that cannot be written stops the run: nobody would learn of the reports
    // acknowledged after it.
    let broken: RefCell<Option<std::io::Error>> = RefCell::new(None);
    let stdout = std::io::stdout();
    let seeding = seed_in_batches(
        register,
        &organisation.id,
        options,
        batch,
        |n, registered| {
            if broken.borrow().is_some() {
                return;
            }
            let mut out = stdout.lock();
            let written =
                writeln!(out, "acknowledged {n} {}", registered.case).and_then(|()| out.flush());
            if let Err(error) = written {
                *broken.borrow_mut() = Some(error);
            }
        },
    );
    // Checked each time the task wakes, before the seeding goes on. It needs no waker of
    // its own: it can only turn ready inside the seeding's callback, and the seeding is
    // polled (and wakes the task) until it ends.
    let stopped = std::future::poll_fn(|_| {
        if broken.borrow().is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    });
    let result = tokio::select! {
        biased;
        () = stopped => None,
        result = seeding => Some(result),
    };
    if let Some(error) = broken.borrow_mut().take() {
        bail!(
            "cannot write to standard output ({error}), so the seeding stopped; the reports \
             committed so far are in the register"
        );
    }
    let Some(result) = result else {
        bail!("the seeding stopped");
    };
    let summary = result.flat().with_context(|| {
        format!(
            "the seeding of {} ({}) stopped; the reports acknowledged above are in the register",
            organisation.name, organisation.id
        )
    })?;

    println!(
        "Seeded {} ({}) with {} generated {} from {} to {} (seed {}).",
        organisation.name,
        organisation.id,
        summary.cases,
        if summary.cases == 1 { "case" } else { "cases" },
        options.first_year,
        options.last_year,
        options.seed
    );
    println!();
    println!("  cases                    {}", summary.cases);
    println!("  people added             {}", summary.people);
    println!("  perpetrators recognised  {}", summary.perpetrators_reused);
    println!("  tasks completed          {}", summary.tasks_done);
    Ok(ExitCode::SUCCESS)
}

/// The organisation to fill: the one named, or the only one.
fn choose(
    organisations: Vec<OrganisationSummary>,
    wanted: Option<&str>,
) -> Result<OrganisationSummary> {
    let listing = |organisations: &[OrganisationSummary]| {
        organisations
            .iter()
            .map(|o| format!("\n  {}  {}", o.id, o.name))
            .collect::<String>()
    };
    match wanted {
        Some(id) => {
            let id = id.trim();
            if let Some(found) = organisations.iter().find(|o| o.id.as_str() == id) {
                return Ok(found.clone());
            }
            if organisations.is_empty() {
                bail!(
                    "--organisation: the register holds no organisation `{id}`, nor any other; \
                     set one up with `weerbaar init`"
                );
            }
            bail!(
                "--organisation: the register holds no organisation `{id}`; it holds:{}",
                listing(&organisations)
            );
        }
        None => {
            if organisations.len() > 1 {
                bail!(
                    "the register holds {} organisations; say which one to fill with \
                     --organisation ID:{}",
                    organisations.len(),
                    listing(&organisations)
                );
            }
            organisations.into_iter().next().ok_or_else(|| {
                anyhow!("the register holds no organisation yet; set one up with `weerbaar init`")
            })
        }
    }
}
