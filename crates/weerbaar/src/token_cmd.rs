//! `weerbaar token create` and `weerbaar token list`: a person's API tokens from the
//! server's command line, for whoever sets up another system (or a test run) without the
//! web pages. The token is printed once, on standard output, and never stored: the
//! register keeps its SHA-256 only. The person needs an account that is not disabled, as
//! on the page `/instellingen/tokens`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_register::api_tokens::MAX_LIFETIME;
use weerbaar_register::{ApiScope, NewApiToken, RegisterError};

use crate::register_cmd::Flat;
use crate::user_cmd::{open, organisation};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token for a person and print it (once), for example:
    ///
    ///   weerbaar token create --email griffie@gemeente.example --scope read --days 30
    ///
    /// The token goes in `Authorization: Bearer …` on /api/v1 (see docs/api.md).
    Create(CreateArgs),
    /// List a person's API tokens: id, first characters, scope, expiry, last use, state.
    List(PersonArgs),
}

#[derive(Debug, Args)]
pub struct PersonArgs {
    /// The e-mail address the person signs in with.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// The organisation's id; may be left out when the register holds exactly one.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// read, write (read and act) or admin (also the organisation's people; only for an
    /// administrator).
    #[arg(long, value_name = "SCOPE")]
    scope: String,
    /// Days until the token expires: 1 to 365.
    #[arg(long, value_name = "DAYS")]
    days: i64,
    /// What the token is for, as its list shows it.
    #[arg(long, value_name = "NAME", default_value = "command line")]
    name: String,
}

pub async fn run(data_dir: &Path, command: TokenCommand) -> Result<ExitCode> {
    match command {
        TokenCommand::Create(args) => create(data_dir, args).await,
        TokenCommand::List(args) => list(data_dir, args).await,
    }
}

async fn create(data_dir: &Path, args: CreateArgs) -> Result<ExitCode> {
    let scope = ApiScope::parse(args.scope.trim()).ok_or_else(|| {
        anyhow!(
            "--scope: unknown scope `{}`; allowed: read, write, admin",
            args.scope
        )
    })?;
    let most = MAX_LIFETIME.as_hours() / 24;
    if !(1..=most).contains(&args.days) {
        bail!("--days: a token lives 1 to {most} days");
    }
    let register = open(data_dir).await?;
    let result = async {
        let organisation = organisation(&register, args.person.organisation.as_deref()).await?;
        let person = register
            .find_person_by_email(&organisation, args.person.email.trim())
            .await
            .flat()?
            .ok_or_else(|| anyhow!("--email: no person with this address in the organisation"))?;
        let now = jiff::Timestamp::now();
        let new = NewApiToken {
            name: args.name.clone(),
            scope,
            expires_at: now + jiff::SignedDuration::from_hours(24 * args.days),
        };
        register
            .create_api_token(&organisation, &person, new, now)
            .await
            .map_err(|error| match error {
                RegisterError::Invalid { field, reason } if field == "scope" => {
                    anyhow!("--scope: {reason}")
                }
                RegisterError::Invalid { field, reason } if field == "name" => {
                    anyhow!("--name: {reason}")
                }
                RegisterError::NotFound { .. } => anyhow!("--email: the person has no account"),
                RegisterError::Forbidden { .. } => anyhow!("--email: the account is disabled"),
                other => anyhow!("{other}"),
            })
    }
    .await;
    register.db().close().await;
    let (_, token) = result?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

async fn list(data_dir: &Path, args: PersonArgs) -> Result<ExitCode> {
    let register = open(data_dir).await?;
    let result = async {
        let organisation = organisation(&register, args.organisation.as_deref()).await?;
        let person = register
            .find_person_by_email(&organisation, args.email.trim())
            .await
            .flat()?
            .ok_or_else(|| anyhow!("--email: no person with this address in the organisation"))?;
        register.api_tokens(&person).await.flat()
    }
    .await;
    register.db().close().await;
    let now = jiff::Timestamp::now();
    for token in result? {
        let state = if token.revoked_at.is_some() {
            "revoked"
        } else if token.expires_at <= now {
            "expired"
        } else {
            "live"
        };
        let last = token
            .last_used_at
            .map(|at| at.to_string())
            .unwrap_or_else(|| String::from("never"));
        println!(
            "{}  {}…  {}  expires {}  last used {}  {}  {}",
            token.id,
            token.prefix,
            token.scope.as_str(),
            token.expires_at,
            last,
            state,
            token.name
        );
    }
    Ok(ExitCode::SUCCESS)
}
