//! Accounts: how a person signs in. A local password hashed with argon2id, a second
//! factor's secret sealed with the organisation's key, single-use recovery codes kept as
//! hashes, and a lockout after repeated failures. The sign-in flow itself (forms, TOTP
//! codes, sessions) is the web layer's; this module keeps its state safely.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jiff::Timestamp;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::crypto::IndexKind;
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId};
use crate::register::{Register, aad};
use crate::time::{from_micros, to_micros};

/// Failed attempts before an account locks.
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
    /// Too many failures: try again after this moment.
    Locked { until: Timestamp },
    /// The account is switched off by an administrator.
    Disabled,
}

fn hash_password(password: &str) -> Result<String, RegisterError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|error| RegisterError::Corrupt(format!("password salt: {error}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| RegisterError::Corrupt(format!("password hash: {error}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash to compare against when the login is unknown, so that an unknown login takes
/// as long as a wrong password and does not reveal who has an account.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("weerbaar decoy password").unwrap_or_default())
}

fn recovery_digest(code: &str) -> String {
    let normalised: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    hex::encode(Sha256::digest(normalised.to_ascii_lowercase().as_bytes()))
}

impl Register {
    /// Sets (or replaces) a person's password, creating the account when needed. Unlocks.
    pub async fn set_password(
        &self,
        person: &PersonId,
        password: &str,
    ) -> Result<(), RegisterError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(RegisterError::invalid(
                "password",
                format!("use at least {MIN_PASSWORD_CHARS} characters; a sentence works well"),
            ));
        }
        let hash = hash_password(password)?;
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let known = sqlx::query("SELECT id FROM people WHERE id = $1").bind(person.as_str()).fetch_optional(&mut *tx).await?;
            if known.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: person.to_string() });
            }
            let updated = sqlx::query(
                "UPDATE accounts SET password_hash = $1, failed_attempts = 0, locked_until = NULL, updated_at = $2 \
                 WHERE person_id = $3",
            )
            .bind(&hash)
            .bind(at)
            .bind(person.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                sqlx::query(
                    "INSERT INTO accounts (person_id, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(person.as_str())
                .bind(&hash)
                .bind(at)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Checks a login (the person's e-mail address) and password within one
    /// organisation, counting failures and locking after `MAX_FAILED_ATTEMPTS`.
    pub async fn check_password(
        &self,
        organisation: &OrganisationId,
        email: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<SignIn, RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let Some(index) = key.blind_index(IndexKind::Email, email) else {
            password_matches(password, decoy_hash());
            return Ok(SignIn::Refused);
        };
        type AccountRow = (String, Option<String>, bool, i64, Option<i64>, bool);
        let row: Option<AccountRow> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT p.id, a.password_hash, a.totp_confirmed, a.failed_attempts, a.locked_until, a.disabled \
                 FROM people p JOIN accounts a ON a.person_id = p.id \
                 WHERE p.organisation_id = $1 AND p.email_index = $2",
            )
            .bind(organisation.as_str())
            .bind(index.to_vec())
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<AccountRow, sqlx::Error> {
                Ok((
                    row.try_get("id")?,
                    row.try_get("password_hash")?,
                    row.try_get("totp_confirmed")?,
                    row.try_get("failed_attempts")?,
                    row.try_get("locked_until")?,
                    row.try_get("disabled")?,
                ))
            })
            .transpose()?
        });
        let Some((person, hash, second_factor, failed, locked_until, disabled)) = row else {
            password_matches(password, decoy_hash());
            return Ok(SignIn::Refused);
        };
        if disabled {
            return Ok(SignIn::Disabled);
        }
        if let Some(until) = locked_until.map(from_micros).transpose()?
            && until > now
        {
            return Ok(SignIn::Locked { until });
        }
        let right = hash
            .as_deref()
            .is_some_and(|hash| password_matches(password, hash));
        let at = to_micros(now);
        if right {
            on_db!(self.db(), pool => {
                sqlx::query("UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE person_id = $1")
                    .bind(&person)
                    .execute(pool)
                    .await?;
            });
            return Ok(SignIn::Accepted {
                person: PersonId(person),
                second_factor,
            });
        }
        let failed = failed.saturating_add(1);
        let lock = (failed >= MAX_FAILED_ATTEMPTS)
            .then(|| now.checked_add(LOCKOUT).map(to_micros))
            .transpose()
            .map_err(|_| RegisterError::Corrupt(String::from("lockout outside the calendar")))?;
        on_db!(self.db(), pool => {
            sqlx::query("UPDATE accounts SET failed_attempts = $1, locked_until = $2, updated_at = $3 WHERE person_id = $4")
                .bind(if lock.is_some() { 0 } else { failed })
                .bind(lock)
                .bind(at)
                .bind(&person)
                .execute(pool)
                .await?;
        });
        Ok(match lock {
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
        person: &PersonId,
        secret: &[u8],
    ) -> Result<(), RegisterError> {
        let organisation = self.organisation_of_person(person).await?;
        let (key, _) = self.organisation(&organisation).await?;
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
    pub async fn confirm_second_factor(&self, person: &PersonId) -> Result<(), RegisterError> {
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
        person: &PersonId,
    ) -> Result<Option<Vec<u8>>, RegisterError> {
        let organisation = self.organisation_of_person(person).await?;
        let (key, _) = self.organisation(&organisation).await?;
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
    /// hashes are kept.
    pub async fn new_recovery_codes(
        &self,
        person: &PersonId,
    ) -> Result<Vec<String>, RegisterError> {
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut rng = rand::rng();
        let codes: Vec<String> = (0..10)
            .map(|_| {
                let raw: String = (0..10)
                    .map(|_| char::from(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()]))
                    .collect();
                format!("{}-{}", &raw[..5], &raw[5..])
            })
            .collect();
        let digests: Vec<String> = codes.iter().map(|code| recovery_digest(code)).collect();
        let json =
            serde_json::to_string(&digests).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
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

    /// Uses up a recovery code; true when it was one of the person's unused codes.
    pub async fn use_recovery_code(
        &self,
        person: &PersonId,
        code: &str,
    ) -> Result<bool, RegisterError> {
        let digest = recovery_digest(code);
        let at = to_micros(Timestamp::now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let Some(row) = sqlx::query("SELECT recovery_codes FROM accounts WHERE person_id = $1")
                .bind(person.as_str())
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(false);
            };
            let stored: String = row.try_get("recovery_codes")?;
            let mut digests: Vec<String> =
                serde_json::from_str(&stored).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
            let Some(position) = digests.iter().position(|d| *d == digest) else {
                return Ok(false);
            };
            digests.remove(position);
            let json = serde_json::to_string(&digests).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
            sqlx::query("UPDATE accounts SET recovery_codes = $1, updated_at = $2 WHERE person_id = $3")
                .bind(json)
                .bind(at)
                .bind(person.as_str())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Switches an account off or on (administrators); a disabled account cannot sign in.
    pub async fn set_account_disabled(
        &self,
        person: &PersonId,
        disabled: bool,
    ) -> Result<(), RegisterError> {
        let at = to_micros(Timestamp::now());
        let updated = on_db!(self.db(), pool => {
            sqlx::query("UPDATE accounts SET disabled = $1, updated_at = $2 WHERE person_id = $3")
                .bind(disabled)
                .bind(at)
                .bind(person.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        account_found(updated, person)
    }

    async fn organisation_of_person(
        &self,
        person: &PersonId,
    ) -> Result<OrganisationId, RegisterError> {
        let row = on_db!(self.db(), pool => {
            sqlx::query("SELECT organisation_id FROM people WHERE id = $1")
                .bind(person.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<String, _>("organisation_id"))
                .transpose()?
        });
        row.map(OrganisationId)
            .ok_or_else(|| RegisterError::NotFound {
                what: "person",
                id: person.to_string(),
            })
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
