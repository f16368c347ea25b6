//! `weerbaar user add` and `weerbaar user list`: the people of an organisation from the
//! server's command line, for the first administrator of a register set up with
//! `weerbaar init` and for whoever cannot reach the web pages.
//!
//! The initial password is read from standard input, never from an argument, so that it
//! stays out of the shell's history and the process list. The person enrols a second
//! factor at their first sign-in when their role or duty requires one. Every addition is
//! written to the organisation's administration log, with the command line as its actor.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};
use weerbaar_protocol::{Code, Role};
use weerbaar_register::accounts::MIN_PASSWORD_CHARS;
use weerbaar_register::{Duty, NewAccount, NewPerson, OrganisationId, Register, RegisterError};

use crate::config::{Config, Overrides};
use crate::register_cmd::{Flat, open_register, require_database};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person with an account. The initial password is read from standard input
    /// (one line, at least 12 characters), for example:
    ///
    ///   weerbaar user add --name "Jan Jansen" --email griffie@gemeente.example \
    ///     --role griffier --duty beheerder < wachtwoord.txt
    ///
    /// Prints the new person's id. At the first sign-in the person sets up a second
    /// factor when their role or duty requires one.
    Add(AddArgs),
    /// List the people of an organisation: name, e-mail, roles, duties and account.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The person's full name.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// The e-mail address they sign in with.
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// A role the person holds now (see the role codes in docs/protocol-format.md);
    /// repeat for more roles.
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// A role the person held before (a former raadslid); repeat for more.
    #[arg(long = "former-role", value_name = "ROLE")]
    former_roles: Vec<String>,
    /// A duty in the application: beheerder (administrator) or privacy (privacy
    /// officer); repeat for both.
    #[arg(long = "duty", value_name = "DUTY")]
    duties: Vec<String>,
    /// The organisation's id (see `weerbaar organisation list`); may be left out when the
    /// register holds exactly one organisation.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The organisation's id; may be left out when the register holds exactly one.
    #[arg(long, value_name = "ID")]
    organisation: Option<String>,
}

pub async fn run(data_dir: &Path, command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add(args) => add(data_dir, args).await,
        UserCommand::List(args) => list(data_dir, args).await,
    }
}

fn parse_role(flag: &str, text: &str) -> Result<Role> {
    Role::parse(text.trim()).map_err(|_| {
        anyhow!(
            "{flag}: unknown role `{text}`; allowed: {}",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Everything the arguments say, checked before the register is opened.
fn check(args: &AddArgs) -> Result<NewPerson> {
    let name = args.name.trim();
    if name.is_empty() {
        bail!("--name: a person needs a name");
    }
    let email = args.email.trim();
    if !looks_like_email(email) {
        bail!("--email: `{email}` is not an e-mail address");
    }
    let mut roles = Vec::new();
    for text in &args.roles {
        roles.push((parse_role("--role", text)?, true));
    }
    for text in &args.former_roles {
        let role = parse_role("--former-role", text)?;
        if roles.contains(&(role, true)) {
            bail!(
                "--former-role: `{role}` is also given with --role; a role is either current or former"
            );
        }
        roles.push((role, false));
    }
    if roles.is_empty() {
        bail!("--role: give at least one role, for example --role griffier");
    }
    Ok(NewPerson {
        name: name.to_owned(),
        email: Some(email.to_owned()),
        roles,
    })
}

fn parse_duties(texts: &[String]) -> Result<Vec<Duty>> {
    texts
        .iter()
        .map(|text| {
            Duty::parse(text.trim()).ok_or_else(|| {
                anyhow!("--duty: unknown duty `{text}`; allowed: beheerder, privacy")
            })
        })
        .collect()
}

fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The password: the first line of standard input, without its line ending (spaces are
/// part of it).
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Initial password (at least {MIN_PASSWORD_CHARS} characters; it shows as you type, \
             so pipe it in from a file to avoid that): "
        );
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|error| anyhow!("cannot read the password from standard input: {error}"))?;
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line)
        .to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input; give the initial password as one line, for example \
             `weerbaar user add … < password.txt`"
        );
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!(
            "the password on standard input is shorter than {MIN_PASSWORD_CHARS} characters; \
             a sentence of a few words works well"
        );
    }
    Ok(password)
}

/// The organisation given, or the only one.
pub(crate) async fn organisation(
    register: &Register,
    given: Option<&str>,
) -> Result<OrganisationId> {
    let organisations = register.organisations().await.flat()?;
    match given {
        Some(id) => organisations
            .iter()
            .find(|o| o.id.as_str() == id.trim())
            .map(|o| o.id.clone())
            .ok_or_else(|| {
                anyhow!("--organisation: no organisation `{id}`; see `weerbaar organisation list`")
            }),
        None => match organisations.as_slice() {
            [only] => Ok(only.id.clone()),
            [] => bail!("the register holds no organisation yet; set it up with `weerbaar init`"),
            _ => bail!(
                "--organisation: the register holds {} organisations; name one by its id: {}",
                organisations.len(),
                organisations
                    .iter()
                    .map(|o| format!("{} ({})", o.id, o.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

pub(crate) async fn open(data_dir: &Path) -> Result<Register> {
    let config = Config::load(data_dir, &Overrides::default())?;
    let master = config.master_key()?;
    require_database(&config)?;
    open_register(&config, master).await
}

async fn add(data_dir: &Path, args: AddArgs) -> Result<ExitCode> {
    let person = check(&args)?;
    let duties = parse_duties(&args.duties)?;
    let password = read_password()?;
    let register = open(data_dir).await?;
    let result = async {
        let organisation = organisation(&register, args.organisation.as_deref()).await?;
        let account = NewAccount {
            person,
            duties,
            password: Some(password),
        };
        register
            .add_person_with_account(&organisation, None, account)
            .await
            .map_err(|error| match error {
                RegisterError::Invalid { field, reason } if field == "email" => {
                    anyhow!("--email: {reason}")
                }
                RegisterError::Invalid { field, reason } if field == "name" => {
                    anyhow!("--name: {reason}")
                }
                RegisterError::Invalid { field, reason } if field == "roles" => {
                    anyhow!("--role: {reason}")
                }
                other => anyhow!("{other}"),
            })
    }
    .await;
    register.db().close().await;
    let id = result?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}

async fn list(data_dir: &Path, args: ListArgs) -> Result<ExitCode> {
    let register = open(data_dir).await?;
    let result = async {
        let organisation = organisation(&register, args.organisation.as_deref()).await?;
        register.people(&organisation).await.flat()
    }
    .await;
    register.db().close().await;
    let people = result?;
    if people.is_empty() {
        println!("No people yet; add one with `weerbaar user add`.");
        return Ok(ExitCode::SUCCESS);
    }
    for person in &people {
        let roles: Vec<String> = person
            .roles
            .iter()
            .map(|(role, current)| {
                if *current {
                    role.as_str().to_owned()
                } else {
                    format!("{role} (former)")
                }
            })
            .collect();
        let duties: Vec<&str> = person.duties.iter().map(|d| d.as_str()).collect();
        let account = if !person.has_password {
            "no account"
        } else if person.disabled {
            "disabled"
        } else if person.second_factor {
            "password and second factor"
        } else {
            "password"
        };
        println!(
            "{}\t{}\troles: {}\tduties: {}\taccount: {account}\tid: {}",
            person.name,
            person.email.as_deref().unwrap_or("-"),
            if roles.is_empty() {
                String::from("-")
            } else {
                roles.join(", ")
            },
            if duties.is_empty() {
                String::from("-")
            } else {
                duties.join(", ")
            },
            person.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_for_their_shape() {
        assert!(looks_like_email("griffie@gemeente.example"));
        assert!(!looks_like_email("griffie"));
        assert!(!looks_like_email("a b@c.d"));
        assert!(!looks_like_email("a@b"));
    }
}
