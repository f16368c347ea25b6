//! Accounts: how a person signs in. A local password hashed with argon2id, a second
//! factor's secret sealed with the organisation's key, single-use recovery codes kept as
//! keyed digests, and a lockout after repeated failures. The sign-in flow itself (forms,
//! TOTP codes, sessions) is the web layer's; this module keeps its state safely.
//!
//! A password check must not tell who has an account. So every check, known login or
//! not, runs argon2 exactly once, and the lockout belongs to the *login as typed* (its
//! e-mail blind index, in `login_failures`), not to the account: an unknown login locks
//! after the same number of failures and answers the same as a real one. `Disabled` is
//! only said after the right password.
//!
//! argon2 takes tens of milliseconds of CPU on purpose; it runs on tokio's blocking
//! threads so that it never stalls the async runtime.

use argon2::password_hash::{
    Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use jiff::Timestamp;
use rand::{Rng, RngCore};
use sqlx::Row;
use zeroize::Zeroizing;

use crate::crypto::{DataKey, IndexKind};
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId};
use crate::register::{Register, aad};
use crate::time::{from_micros, to_micros};

/// Failed attempts before a login locks.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// How long a lock lasts.
pub const LOCKOUT: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// The shortest password accepted (NCSC: length over complexity).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a password check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// The password is right; the person may go on to the second factor.
    Accepted {
        person: PersonId,
        second_factor: bool,
    },
    /// Wrong login or password. Deliberately one answer for both.
    Refused,
    /// Too many failures for this login (whether or not it has an account): try again
    /// after this moment.
    Locked { until: Timestamp },
    /// The account is switched off by an administrator. Only said after the right
    /// password, so it tells nothing to someone who does not know it.
    Disabled,
}

fn hash_password(password: &[u8]) -> Result<String, RegisterError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|error| RegisterError::Corrupt(format!("password salt: {error}")))?;
    Argon2::default()
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| RegisterError::Corrupt(format!("password hash: {error}")))
}

/// Whether `password` matches `stored`. Runs argon2 exactly once whatever `stored` is:
/// against the stored hash when there is one that parses, otherwise against the decoy
/// (and then the answer is no).
fn password_matches(password: &[u8], stored: Option<&str>) -> bool {
    let argon2 = Argon2::default();
    match stored.and_then(|stored| PasswordHash::new(stored).ok()) {
        Some(hash) => argon2.verify_password(password, &hash).is_ok(),
        None => {
            if let Ok(decoy) = PasswordHash::new(decoy_hash()) {
                // Only for the time it takes: the decoy matches no password.
                let _ = argon2.verify_password(password, &decoy);
            }
            false
        }
    }
}

/// A hash to compare against when the login is unknown (or has no password), so that
/// such a check takes as long as a wrong password and does not reveal who has an
/// account. It carries the parameters new hashes get and an all-zero output that no
/// password produces; building it runs no argon2, so even the first check after start-up
/// costs exactly one argon2 run.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        build_decoy()
            .unwrap_or_else(|| hash_password(b"weerbaar decoy password").unwrap_or_default())
    })
}

fn build_decoy() -> Option<String> {
    let argon2 = Argon2::default();
    let params = argon2.params();
    let salt = SaltString::encode_b64(b"weerbaar decoy..").ok()?;
    let output = vec![0u8; params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    let hash = PasswordHash {
        algorithm: Algorithm::default().ident(),
        version: Some(Version::default().into()),
        params: ParamsString::try_from(params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).ok()?),
    };
    Some(hash.to_string())
}

fn blocking_failed(error: tokio::task::JoinError) -> RegisterError {
    RegisterError::Corrupt(format!("password hashing did not finish: {error}"))
}

/// [`hash_password`] on a blocking thread.
pub(crate) async fn hash_password_off_runtime(password: &str) -> Result<String, RegisterError> {
    let password = Zeroizing::new(password.as_bytes().to_vec());
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(blocking_failed)?
}

/// [`password_matches`] on a blocking thread.
async fn password_matches_off_runtime(
    password: &str,
    stored: Option<String>,
) -> Result<bool, RegisterError> {
    let password = Zeroizing::new(password.as_bytes().to_vec());
    tokio::task::spawn_blocking(move || password_matches(&password, stored.as_deref()))
        .await
        .map_err(blocking_failed)
}

/// The stored form of a recovery code: a keyed digest, never the code or a plain hash of
/// it. Recovery codes carry about 50 bits, few enough that an unkeyed SHA-256 of each
/// could be searched exhaustively by anyone holding a copy of the database. The digest
/// is the organisation's blind index (HMAC-SHA256 under a subkey of the organisation's
/// data key, which the database holds only wrapped by the master key), so a copy of the
/// database alone does not allow that search. The input names the person, which salts
/// it: the same code of two people gives two digests, and a digest copied to another
/// person's row does not work there. The `recovery:` prefix and the person id keep it
/// apart from every real name indexed with the same kind; those digests live in
/// `perpetrator_index` and are never compared with these. (A subkey taken from the
/// blind index of a fixed text would itself be a value that a perpetrator's detail could
/// put into `perpetrator_index`, in the clear; this construction has no such key.)
fn recovery_digest(key: &DataKey, person: &PersonId, code: &str) -> Option<String> {
    let normalised: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if normalised.is_empty() {
        return None;
    }
    key.blind_index(IndexKind::Name, &format!("recovery:{person}:{normalised}"))
        .map(hex::encode)
}

/// Refuses a new password shorter than [`MIN_PASSWORD_CHARS`].
pub(crate) fn check_new_password(password: &str) -> Result<(), RegisterError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(RegisterError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters; a sentence works well"),
        ));
    }
    Ok(())
}

/// Sets, inside an open transaction, the password hash `$hash` of the person `$person` of
/// `$organisation` at `$at` (micros), creating their account when they have none, and
/// unlocks their login. Evaluates to whether the account was created.
macro_rules! set_password_in_tx {
    ($tx:expr, $organisation:expr, $person:expr, $hash:expr, $at:expr) => {{
        let organisation: &$crate::model::OrganisationId = $organisation;
        let person: &$crate::model::PersonId = $person;
        let hash: &str = $hash;
        let at: i64 = $at;
        let known = sqlx::query("SELECT email_index FROM people WHERE id = $1 AND organisation_id = $2")
            .bind(person.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *$tx)
            .await?;
        let Some(known) = known else {
            return Err($crate::error::RegisterError::NotFound {
                what: "person",
                id: person.to_string(),
            });
        };
        let login: Option<Vec<u8>> = sqlx::Row::try_get(&known, "email_index")?;
        let updated = sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE person_id = $3")
            .bind(hash)
            .bind(at)
            .bind(person.as_str())
            .execute(&mut *$tx)
            .await?;
        let created = updated.rows_affected() == 0;
        if created {
            sqlx::query(
                "INSERT INTO accounts (person_id, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(person.as_str())
            .bind(hash)
            .bind(at)
            .bind(at)
            .execute(&mut *$tx)
            .await?;
        }
        if let Some(login) = login {
            sqlx::query("DELETE FROM login_failures WHERE organisation_id = $1 AND login_digest = $2")
                .bind(organisation.as_str())
                .bind(login)
                .execute(&mut *$tx)
                .await?;
        }
        created
    }};
}
pub(crate) use set_password_in_tx;

/// Switches the account of `$person` off or on at `$at` (micros), inside an open
/// transaction; switching it off ends the person's sessions in the same transaction.
/// Evaluates to the number of accounts changed: 0 when the person has none.
macro_rules! set_account_disabled_in_tx {
    ($tx:expr, $person:expr, $disabled:expr, $at:expr) => {{
        let person: &$crate::model::PersonId = $person;
        let disabled: bool = $disabled;
        let at: i64 = $at;
        let updated =
            sqlx::query("UPDATE accounts SET disabled = $1, updated_at = $2 WHERE person_id = $3")
                .bind(disabled)
                .bind(at)
                .bind(person.as_str())
                .execute(&mut *$tx)
                .await?
                .rows_affected();
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person.as_str())
                .execute(&mut *$tx)
                .await?;
        }
        updated
    }};
}
pub(crate) use set_account_disabled_in_tx;

fn person_not_found(person: &PersonId) -> RegisterError {
    RegisterError::NotFound {
        what: "person",
        id: person.to_string(),
    }
}

fn corrupt_json(error: serde_json::Error) -> RegisterError {
    RegisterError::Corrupt(format!("recovery codes: {error}"))
}

impl Register {
    /// Sets (or replaces) the password of a person of `organisation`, creating the account
    /// when needed. Unlocks the person's login.
    pub async fn set_password(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        password: &str,
    ) -> Result<(), RegisterError> {
        check_new_password(password)?;
        self.person_of(organisation, person).await?;
        let hash = hash_password_off_runtime(password).await?;
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            set_password_in_tx!(tx, organisation, person, &hash, at);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Checks a login (the person's e-mail address) and password within one
    /// organisation. Failures are counted per login as typed, known or not, and the login
    /// locks for [`LOCKOUT`] after [`MAX_FAILED_ATTEMPTS`]; a locked login answers
    /// `Locked` even to the right password. argon2 runs exactly once per check.
    pub async fn check_password(
        &self,
        organisation: &OrganisationId,
        email: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignIn, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let Some(login) = key.blind_index(IndexKind::Email, email).map(|d| d.to_vec()) else {
            // No login to count failures against (and none has an account): the same
            // argon2 run, and refused.
            password_matches_off_runtime(password, None).await?;
            return Ok(SignIn::Refused);
        };
        type AccountRow = (String, Option<String>, bool, bool);
        let account: Option<AccountRow> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT p.id, a.password_hash, a.totp_confirmed, a.disabled \
                 FROM people p JOIN accounts a ON a.person_id = p.id \
                 WHERE p.organisation_id = $1 AND p.email_index = $2",
            )
            .bind(organisation.as_str())
            .bind(login.clone())
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<AccountRow, sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("password_hash")?,
                    row.try_get("totp_confirmed")?,
                    row.try_get("disabled")?,
                ))
            })
            .transpose()?
        });
        let stored = account.as_ref().and_then(|(_, hash, _, _)| hash.clone());
        let right = password_matches_off_runtime(password, stored).await?;
        let at = to_micros(now);

        let account = match account {
            Some(account) if right => account,
            _ => return self.count_failure(organisation, login, now).await,
        };
        // The right password: clear the login's failures, unless it is locked.
        let lock: Option<i64> = on_db!(self.db(), pool => {
            sqlx::query(
                "DELETE FROM login_failures WHERE organisation_id = $1 AND login_digest = $2 \
                 AND (locked_until IS NULL OR locked_until <= $3)",
            )
            .bind(organisation.as_str())
            .bind(login.clone())
            .bind(at)
            .execute(pool)
            .await?;
            sqlx::query("SELECT locked_until FROM login_failures WHERE organisation_id = $1 AND login_digest = $2")
                .bind(organisation.as_str())
                .bind(login)
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Option<i64>, _>("locked_until"))
                .transpose()?
                .flatten()
        });
        if let Some(until) = lock.filter(|&until| until > at) {
            return Ok(SignIn::Locked {
                until: from_micros(until)?,
            });
        }
        let (person, _, second_factor, disabled) = account;
        if disabled {
            return Ok(SignIn::Disabled);
        }
        Ok(SignIn::Accepted {
            person: PersonId(person),
            second_factor,
        })
    }

    /// Counts a failed check of `login` in one statement, so that concurrent failures
    /// each count: the one that reaches [`MAX_FAILED_ATTEMPTS`] locks the login and
    /// resets the count; while the login is locked nothing is counted.
    async fn count_failure(
        &self,
        organisation: &OrganisationId,
        login: Vec<u8>,
        now: Timestamp,
    ) -> Result<SignIn, RegisterError> {
        let at = to_micros(now);
        let lock = now
            .checked_add(LOCKOUT)
            .map(to_micros)
            .map_err(|_| RegisterError::Corrupt(String::from("lockout outside the calendar")))?;
        let (first_count, first_lock) = if MAX_FAILED_ATTEMPTS <= 1 {
            (0, Some(lock))
        } else {
            (1, None)
        };
        let counted: Option<Option<i64>> = on_db!(self.db(), pool => {
            sqlx::query(
                "INSERT INTO login_failures (organisation_id, login_digest, failed_attempts, locked_until) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (organisation_id, login_digest) DO UPDATE SET \
                 failed_attempts = CASE WHEN login_failures.failed_attempts + 1 >= $5 THEN 0 \
                 ELSE login_failures.failed_attempts + 1 END, \
                 locked_until = CASE WHEN login_failures.failed_attempts + 1 >= $5 THEN $6 ELSE NULL END \
                 WHERE login_failures.locked_until IS NULL OR login_failures.locked_until <= $7 \
                 RETURNING locked_until",
            )
            .bind(organisation.as_str())
            .bind(login.clone())
            .bind(first_count)
            .bind(first_lock)
            .bind(MAX_FAILED_ATTEMPTS)
            .bind(lock)
            .bind(at)
            .fetch_optional(pool)
            .await?
            .map(|row| row.try_get::<Option<i64>, _>("locked_until"))
            .transpose()?
        });
        let until = match counted {
            // Counted; this failure may have locked the login.
            Some(until) => until,
            // Not counted: the login is locked.
            None => on_db!(self.db(), pool => {
                sqlx::query("SELECT locked_until FROM login_failures WHERE organisation_id = $1 AND login_digest = $2")
                    .bind(organisation.as_str())
                    .bind(login)
                    .fetch_optional(pool)
                    .await?
                    .map(|row| row.try_get::<Option<i64>, _>("locked_until"))
                    .transpose()?
                    .flatten()
                    .filter(|&until| until > at)
            }),
        };
        Ok(match until {
            Some(until) => SignIn::Locked {
                until: from_micros(until)?,
            },
            None => SignIn::Refused,
        })
    }

    /// Keeps a second-factor secret (sealed), not yet confirmed: the person confirms it by
    /// entering a first code, after which `confirm_second_factor` is called.
    pub async fn store_second_factor(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        secret: &[u8],
    ) -> Result<(), RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        self.person_of(organisation, person).await?;
        let sealed = key.seal(secret, &aad("accounts.totp_secret", person.as_str()));
        let at = to_micros(Timestamp::now());
        let updated = on_db!(self.db(), pool => {
            sqlx::query(
                "UPDATE accounts SET totp_secret_enc = $1, totp_confirmed = FALSE, updated_at = $2 WHERE person_id = $3",
            )
            .bind(sealed)
            .bind(at)
            .bind(person.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        account_found(updated, person)
    }

    /// The person entered a first valid code: the second factor is in use from now on.
    pub async fn confirm_second_factor(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<(), RegisterError> {
        self.person_of(organisation, person).await?;
        let at = to_micros(Timestamp::now());
        let updated = on_db!(self.db(), pool => {
            sqlx::query(
                "UPDATE accounts SET totp_confirmed = TRUE, updated_at = $1 \
                 WHERE person_id = $2 AND totp_secret_enc IS NOT NULL",
            )
            .bind(at)
            .bind(person.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        account_found(updated, person)
    }

    /// The second-factor secret, opened; `None` when the person has none.
    pub async fn second_factor_secret(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<Option<Vec<u8>>, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        self.person_of(organisation, person).await?;
        let sealed: Option<Vec<u8>> = on_db!(self.db(), pool => {
            sqlx::query("SELECT totp_secret_enc FROM accounts WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Option<Vec<u8>>, _>("totp_secret_enc"))
                .transpose()?
                .flatten()
        });
        sealed
            .map(|sealed| key.open(&sealed, &aad("accounts.totp_secret", person.as_str())))
            .transpose()
            .map_err(Into::into)
    }

    /// Replaces the person's recovery codes with ten new ones, returned once: only their
    /// keyed digests are kept.
    pub async fn new_recovery_codes(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<Vec<String>, RegisterError> {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let (key, _) = self.organisation(organisation).await?;
        self.person_of(organisation, person).await?;
        // The generator is dropped before the next await: `ThreadRng` may not cross one
        // (it would make this future unfit for a multi-threaded server).
        let codes: Vec<String> = {
            let mut rng = rand::rng();
            (0..10)
                .map(|_| {
                    let mut code = String::with_capacity(11);
                    for position in 0..10 {
                        if position == 5 {
                            code.push('-');
                        }
                        let index = rng.random_range(0..ALPHABET.len());
                        code.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'a')));
                    }
                    code
                })
                .collect()
        };
        let digests = codes
            .iter()
            .map(|code| {
                recovery_digest(&key, person, code).ok_or_else(|| {
                    RegisterError::Corrupt(String::from("a recovery code has no digest"))
                })
            })
            .collect::<Result<Vec<String>, RegisterError>>()?;
        let json = serde_json::to_string(&digests).map_err(corrupt_json)?;
        let at = to_micros(Timestamp::now());
        let updated = on_db!(self.db(), pool => {
            sqlx::query("UPDATE accounts SET recovery_codes = $1, updated_at = $2 WHERE person_id = $3")
                .bind(json)
                .bind(at)
                .bind(person.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        account_found(updated, person)?;
        Ok(codes)
    }

    /// Uses up a recovery code; true when it was one of the person's unused codes. Two
    /// uses of one code at the same moment succeed once: the list is replaced only if it
    /// is still the list that was read (on both backends), and a use that lost that race
    /// reads the list again once.
    pub async fn use_recovery_code(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        code: &str,
    ) -> Result<bool, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        self.person_of(organisation, person).await?;
        let Some(digest) = recovery_digest(&key, person, code) else {
            return Ok(false);
        };
        for _ in 0..2 {
            let stored: Option<String> = on_db!(self.db(), pool => {
                sqlx::query("SELECT recovery_codes FROM accounts WHERE person_id = $1")
                    .bind(person.as_str())
                    .fetch_optional(pool)
                    .await?
                    .map(|row| row.try_get::<String, _>("recovery_codes"))
                    .transpose()?
            });
            let Some(stored) = stored else {
                return Ok(false);
            };
            let mut digests: Vec<String> = serde_json::from_str(&stored).map_err(corrupt_json)?;
            let Some(position) = digests.iter().position(|d| *d == digest) else {
                return Ok(false);
            };
            digests.remove(position);
            let json = serde_json::to_string(&digests).map_err(corrupt_json)?;
            let at = to_micros(Timestamp::now());
            let updated = on_db!(self.db(), pool => {
                sqlx::query(
                    "UPDATE accounts SET recovery_codes = $1, updated_at = $2 \
                     WHERE person_id = $3 AND recovery_codes = $4",
                )
                .bind(json)
                .bind(at)
                .bind(person.as_str())
                .bind(&stored)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if updated == 1 {
                return Ok(true);
            }
            // Someone else changed the list since it was read: read it again.
        }
        // Still losing after a second read: treat the code as used (fail closed).
        Ok(false)
    }

    /// Switches an account off or on (administrators); a disabled account cannot sign in.
    /// Switching it off ends the person's sessions in the same transaction, so that no
    /// browser stays signed in to a disabled account.
    pub async fn set_account_disabled(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
        disabled: bool,
    ) -> Result<(), RegisterError> {
        self.person_of(organisation, person).await?;
        let at = to_micros(Timestamp::now());
        let updated = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let updated = set_account_disabled_in_tx!(tx, person, disabled, at);
            tx.commit().await?;
            updated
        });
        account_found(updated, person)
    }

    /// Refuses (as not found) a person who is not of `organisation`. A person never moves
    /// to another organisation, so the check holds for what follows it.
    async fn person_of(
        &self,
        organisation: &OrganisationId,
        person: &PersonId,
    ) -> Result<(), RegisterError> {
        let known = on_db!(self.db(), pool => {
            sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(person.as_str())
                .bind(organisation.as_str())
                .fetch_optional(pool)
                .await?
                .is_some()
        });
        if known {
            Ok(())
        } else {
            Err(person_not_found(person))
        }
    }
}

fn account_found(updated: u64, person: &PersonId) -> Result<(), RegisterError> {
    if updated == 0 {
        return Err(RegisterError::NotFound {
            what: "account",
            id: person.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_is_an_argon2_hash_with_the_current_parameters_that_nothing_matches() {
        let decoy = PasswordHash::new(decoy_hash()).unwrap();
        let params = Params::try_from(&decoy).unwrap();
        let current = Argon2::default();
        assert_eq!(params.m_cost(), current.params().m_cost());
        assert_eq!(params.t_cost(), current.params().t_cost());
        assert_eq!(params.p_cost(), current.params().p_cost());
        assert_eq!(decoy.algorithm, Algorithm::Argon2id.ident());
        assert!(!password_matches(b"weerbaar decoy password", None));
        assert!(!password_matches(b"", Some(decoy_hash())));
        assert!(!password_matches(b"anything", Some("not a hash")));
    }

    #[test]
    fn a_hash_matches_its_password_only() {
        let hash = hash_password(b"een lange zin als wachtwoord").unwrap();
        assert!(password_matches(
            b"een lange zin als wachtwoord",
            Some(&hash)
        ));
        assert!(!password_matches(b"een andere zin", Some(&hash)));
    }

    #[test]
    fn recovery_digests_are_keyed_and_bound_to_the_person() {
        let key = DataKey::generate();
        let person = PersonId::generate();
        let digest = recovery_digest(&key, &person, "abcde-fghjk").unwrap();
        assert_eq!(
            Some(digest.clone()),
            recovery_digest(&key, &person, " ABCDE FGHJK ")
        );
        assert_ne!(
            Some(digest.clone()),
            recovery_digest(&key, &PersonId::generate(), "abcde-fghjk")
        );
        assert_ne!(
            Some(digest.clone()),
            recovery_digest(&DataKey::generate(), &person, "abcde-fghjk")
        );
        use sha2::{Digest, Sha256};
        assert_ne!(digest, hex::encode(Sha256::digest(b"abcdefghjk")));
        assert_eq!(recovery_digest(&key, &person, "--"), None);
    }
}
