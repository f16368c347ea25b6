//! `weerbaar token create`, `list` and `revoke`: a person's API tokens from the server's
//! command line, for whoever sets up another system (or a test run) without the web
//! pages. The token is printed once, on standard output, and never stored: the register
//! keeps its SHA-256 only. The person needs an account that is not disabled, as on the
//! page `/instellingen/tokens`. `list --uses N` also shows each token's latest uses (the
//! moment, the method and the route's template).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_register::api_tokens::MAX_LIFETIME;
use weerbaar_register::{ApiScope, ApiTokenId, NewApiToken, PersonId, Register, RegisterError};

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
    /// List a person's API tokens: id, first characters, scope, expiry, last use, state;
    /// with `--uses N`, each token's latest N uses below it.
    List(ListArgs),
    /// Revoke one of a person's API tokens (by the id `token list` shows): it stops
    /// working at once. Revoking a revoked token changes nothing.
    Revoke(RevokeArgs),
}

/// The most uses `token list --uses` shows per token.
const MAX_USES_SHOWN: u32 = 50;

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Also show each token's latest uses, newest first: 0 (the default) to 50.
    #[arg(long, value_name = "N", default_value_t = 0)]
    uses: u32,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// The token's id, as `weerbaar token list` shows it first on its line.
    #[arg(long, value_name = "ID")]
    id: String,
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
        TokenCommand::Revoke(args) => revoke(data_dir, args).await,
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

/// The person of `--email` (and `--organisation`).
async fn person(register: &Register, args: &PersonArgs) -> Result<PersonId> {
    let organisation = organisation(register, args.organisation.as_deref()).await?;
    register
        .find_person_by_email(&organisation, args.email.trim())
        .await
        .flat()?
        .ok_or_else(|| anyhow!("--email: no person with this address in the organisation"))
}

async fn revoke(data_dir: &Path, args: RevokeArgs) -> Result<ExitCode> {
    let id = args.id.trim().to_owned();
    if id.is_empty() {
        bail!("--id: give the token's id, as `weerbaar token list` shows it");
    }
    let register = open(data_dir).await?;
    let result = async {
        let person = person(&register, &args.person).await?;
        register
            .revoke_api_token(&person, &ApiTokenId(id.clone()), jiff::Timestamp::now())
            .await
            .map_err(|error| match error {
                RegisterError::NotFound { .. } => anyhow!(
                    "--id: `{id}` is no token of this person (see `weerbaar token list --email …`)"
                ),
                other => anyhow!("{other}"),
            })
    }
    .await;
    register.db().close().await;
    result?;
    println!("revoked {id}");
    Ok(ExitCode::SUCCESS)
}

async fn list(data_dir: &Path, args: ListArgs) -> Result<ExitCode> {
    if args.uses > MAX_USES_SHOWN {
        bail!("--uses: show 0 to {MAX_USES_SHOWN} uses per token");
    }
    let register = open(data_dir).await?;
    let result = async {
        let person = person(&register, &args.person).await?;
        let tokens = register.api_tokens(&person).await.flat()?;
        let mut listed = Vec::with_capacity(tokens.len());
        for token in tokens {
            let uses = if args.uses == 0 {
                Vec::new()
            } else {
                register
                    .api_token_uses(&person, &token.id, args.uses)
                    .await
                    .flat()?
            };
            listed.push((token, uses));
        }
        Ok::<_, anyhow::Error>(listed)
    }
    .await;
    register.db().close().await;
    let now = jiff::Timestamp::now();
    for (token, uses) in result? {
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
        for used in uses {
            println!("    used {}  {} {}", used.at, used.method, used.route);
        }
    }
    Ok(ExitCode::SUCCESS)
}
