//! Evidence of a case: files (screenshots, mails, letters, voicemail) and what was seen
//! online (platform, account, URL, moment).
//!
//! A file is checked before anything is written: its declared media type must be one the
//! register accepts ([`ALLOWED_MEDIA_TYPES`]) and must match what the content starts with,
//! it may not be empty or larger than [`MAX_EVIDENCE_BYTES`]. Its content is sealed with
//! the organisation's data key, bound to the case and the evidence id, and written under a
//! random name to `<evidence dir>/<first two characters>/<name>` (a temporary file,
//! fsynced, then renamed) before the transaction that records it commits; if that
//! transaction fails before it commits, the file is removed again. The SHA-256 of the
//! plain content, the original file name and the description are sealed in the row (bound
//! to the case and the evidence id as well, so that a row moved to another case no longer
//! opens); the SHA-256 is checked on every read. No digest is kept in the clear: it would
//! let anyone with the database test whether a known (public) file is in the register.
//!
//! The handler, and the reporter or a victim of the case, add evidence; they and the
//! readers the handler let in list and read it (see `access`); anyone without access is
//! told the case does not exist. Adding evidence is an `EvidenceAdded` event; listing the
//! evidence of a case is a `Viewed` event `{"evidence_list": true}`; reading a file is a
//! `Viewed` event with the evidence id. A case anonymised under the retention policy takes
//! no new evidence.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::access::{ADD_EVIDENCE, READ_OWN, access_in, append_read, require};
use crate::crypto::DataKey;
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, EventKind, PersonId};
use crate::register::{Register, aad, append_event};
use crate::time::{from_micros, now, to_micros};

crate::model::id!(
    /// One piece of evidence of a case.
    EvidenceId
);

crate::model::words!(
    /// What a piece of evidence is.
    EvidenceKind {
        /// A file kept sealed in the evidence directory.
        File = "file",
        /// Something seen online, kept as data.
        Online = "online",
    }
);

/// The largest evidence file the register keeps: 25 MiB.
pub const MAX_EVIDENCE_BYTES: usize = 25 * 1024 * 1024;

/// The media types of the files the register keeps.
pub const ALLOWED_MEDIA_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/heic",
    "application/pdf",
    // An e-mail saved as .eml.
    "message/rfc822",
    // An e-mail saved from Outlook as .msg.
    "application/vnd.ms-outlook",
    "text/plain",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/wav",
    "audio/x-wav",
    "audio/amr",
    "video/mp4",
];

/// Something seen online: where, whose, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineEvidence {
    /// Where it was seen: "X", "Facebook", a forum …
    pub platform: String,
    /// The account that posted it.
    pub account: Option<String>,
    /// Where it can be found (http:// or https://).
    pub url: Option<String>,
    /// When it was posted or seen.
    pub moment: Option<Timestamp>,
    pub description: Option<String>,
}

/// The sealed details of a piece of evidence, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceDetails {
    File {
        /// The file name as it was given; stored only sealed.
        file_name: String,
        description: Option<String>,
    },
    Online(OnlineEvidence),
}

/// A piece of evidence as a case lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceSummary {
    pub id: EvidenceId,
    pub kind: EvidenceKind,
    /// For a file: its media type, size in bytes and hex SHA-256 of the plain content (the
    /// SHA-256 is kept sealed, in the details).
    pub media_type: Option<String>,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub details: EvidenceDetails,
    pub added_by: PersonId,
    pub added_at: Timestamp,
}

impl EvidenceSummary {
    /// The original file name of a file.
    pub fn file_name(&self) -> Option<&str> {
        match &self.details {
            EvidenceDetails::File { file_name, .. } => Some(file_name),
            EvidenceDetails::Online(_) => None,
        }
    }

    pub fn description(&self) -> Option<&str> {
        match &self.details {
            EvidenceDetails::File { description, .. } => description.as_deref(),
            EvidenceDetails::Online(online) => online.description.as_deref(),
        }
    }
}

/// The sealed details of a file.
#[derive(Serialize, Deserialize)]
struct FileDetails {
    file_name: String,
    description: Option<String>,
    /// The hex SHA-256 of the plain content.
    sha256: String,
}

/// The columns every evidence query reads, in the order [`StoredEvidence`] takes them.
macro_rules! evidence_columns {
    () => {
        "id, kind, media_type, size, stored_name, details_enc, added_by, added_at"
    };
}

/// What the sealed details and the sealed file of a piece of evidence are bound to: its
/// case and its id, so that neither opens once its row is moved to another case.
fn evidence_row(case: &CaseId, id: &EvidenceId) -> String {
    format!("{case}:{id}")
}

/// An evidence row as stored, before its details are opened.
struct StoredEvidence {
    id: EvidenceId,
    kind: String,
    media_type: Option<String>,
    size: Option<i64>,
    stored_name: Option<String>,
    details_enc: Vec<u8>,
    added_by: String,
    added_at: i64,
}

/// Reads a [`StoredEvidence`] from a row of either backend.
macro_rules! stored_evidence {
    ($row:expr) => {{
        let row = $row;
        StoredEvidence {
            id: EvidenceId(row.try_get("id")?),
            kind: row.try_get("kind")?,
            media_type: row.try_get("media_type")?,
            size: row.try_get("size")?,
            stored_name: row.try_get("stored_name")?,
            details_enc: row.try_get("details_enc")?,
            added_by: row.try_get("added_by")?,
            added_at: row.try_get("added_at")?,
        }
    }};
}

impl StoredEvidence {
    /// Opens the details of a row read from the evidence of `case`.
    fn open(&self, key: &DataKey, case: &CaseId) -> Result<EvidenceSummary, RegisterError> {
        let corrupt =
            |reason: String| RegisterError::Corrupt(format!("evidence `{}`: {reason}", self.id));
        let kind = EvidenceKind::parse(&self.kind)
            .ok_or_else(|| corrupt(format!("unknown kind `{}`", self.kind)))?;
        let plain = key
            .open(
                &self.details_enc,
                &aad("evidence.details", &evidence_row(case, &self.id)),
            )
            .map_err(|error| corrupt(error.to_string()))?;
        let (details, sha256) = match kind {
            EvidenceKind::File => {
                let file: FileDetails =
                    serde_json::from_slice(&plain).map_err(|e| corrupt(e.to_string()))?;
                let details = EvidenceDetails::File {
                    file_name: file.file_name,
                    description: file.description,
                };
                (details, Some(file.sha256))
            }
            EvidenceKind::Online => (
                EvidenceDetails::Online(
                    serde_json::from_slice(&plain).map_err(|e| corrupt(e.to_string()))?,
                ),
                None,
            ),
        };
        let size = self
            .size
            .map(u64::try_from)
            .transpose()
            .map_err(|_| corrupt(String::from("negative size")))?;
        Ok(EvidenceSummary {
            id: self.id.clone(),
            kind,
            media_type: self.media_type.clone(),
            size,
            sha256,
            details,
            added_by: PersonId(self.added_by.clone()),
            added_at: from_micros(self.added_at)?,
        })
    }
}

impl Register {
    /// Adds a file to a case for `actor`: checks its type and size, seals it into the
    /// evidence directory and records it, with an `EvidenceAdded` event, in one
    /// transaction.
    pub async fn add_evidence_file(
        &self,
        actor: &PersonId,
        case: &CaseId,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
        description: Option<&str>,
    ) -> Result<EvidenceId, RegisterError> {
        let media_type = check_file(media_type, bytes)?;
        let Some(dir) = self.evidence_dir() else {
            return Err(RegisterError::Config(String::from(
                "no evidence directory is configured, so evidence files cannot be kept",
            )));
        };
        let dir = dir.to_path_buf();
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        // Checked before the file is written, so that an outsider, or evidence for an
        // anonymised case, writes nothing; checked again in the transaction.
        require(self.case_access(actor, case).await?, ADD_EVIDENCE, case)?;
        self.check_not_anonymised(case).await?;

        let id = EvidenceId::generate();
        let size = i64::try_from(bytes.len())
            .map_err(|_| RegisterError::invalid("file", "the file is too large"))?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let description = description.map(str::trim).filter(|d| !d.is_empty());
        let details = serde_json::to_vec(&FileDetails {
            file_name: file_name.to_owned(),
            description: description.map(str::to_owned),
            sha256: sha256.clone(),
        })
        .map_err(|e| RegisterError::Corrupt(e.to_string()))?;
        let row = evidence_row(case, &id);
        let details_enc = key.seal(&details, &aad("evidence.details", &row));
        let sealed = key.seal(bytes, &aad("evidence.file", &row));
        let stored_name = random_name()?;
        // Removed again when dropped before `keep`: on any error before the commit, and
        // when this future is dropped before it.
        let pending = write_sealed_file(dir, stored_name.clone(), sealed).await?;

        let at = to_micros(now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            lock_case(&mut tx, case).await?;
            require(access_in(&mut tx, actor, case).await?, ADD_EVIDENCE, case)?;
            refuse_anonymised(&mut tx, case).await?;
            sqlx::query(
                "INSERT INTO evidence (id, case_id, kind, media_type, size, stored_name, \
                 details_enc, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.as_str())
            .bind(case.as_str())
            .bind(EvidenceKind::File.as_str())
            .bind(media_type)
            .bind(size)
            .bind(stored_name.as_str())
            .bind(details_enc)
            .bind(actor.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            append_event!(tx, key, case, EventKind::EvidenceAdded, Some(actor), at, json!({
                "evidence": id,
                "kind": EvidenceKind::File.as_str(),
                "media_type": media_type,
                "size": size,
                "sha256": sha256,
                "file_name": file_name,
                "description": description,
            }));
            // A failed commit can be ambiguous: the connection may drop after the server
            // committed, and removing the file then would leave a recorded row without its
            // file (and every later backup refusing). So the file is kept from here on,
            // whatever the commit answers, and also when this future is dropped while it
            // waits. Should the commit in fact have failed, the file is an orphan: sealed,
            // under a random name, named by no row, so it reveals nothing and no backup
            // carries it.
            pending.keep();
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Adds something seen online to a case for `actor`, as data: the platform, the
    /// account and/or the URL, the moment.
    pub async fn add_online_evidence(
        &self,
        actor: &PersonId,
        case: &CaseId,
        online: OnlineEvidence,
    ) -> Result<EvidenceId, RegisterError> {
        let online = check_online(online)?;
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        let id = EvidenceId::generate();
        let details =
            serde_json::to_vec(&online).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
        let details_enc = key.seal(&details, &aad("evidence.details", &evidence_row(case, &id)));
        let at = to_micros(now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            lock_case(&mut tx, case).await?;
            require(access_in(&mut tx, actor, case).await?, ADD_EVIDENCE, case)?;
            refuse_anonymised(&mut tx, case).await?;
            sqlx::query(
                "INSERT INTO evidence (id, case_id, kind, details_enc, added_by, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.as_str())
            .bind(case.as_str())
            .bind(EvidenceKind::Online.as_str())
            .bind(details_enc)
            .bind(actor.as_str())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            append_event!(tx, key, case, EventKind::EvidenceAdded, Some(actor), at, json!({
                "evidence": id,
                "kind": EvidenceKind::Online.as_str(),
                "platform": online.platform,
                "account": online.account,
                "url": online.url,
                "moment": online.moment.map(|m| m.to_string()),
                "description": online.description,
            }));
            tx.commit().await?;
        });
        Ok(id)
    }

    /// The evidence of a case, oldest first, with its details opened, for `actor`: the
    /// handler, a granted reader, the reporter or a victim (see `access`). The list
    /// is a read, recorded first as a `Viewed` event `{"evidence_list": true}` in the same
    /// transaction. Reads no file: opening a file is [`Register::read_evidence_file`].
    pub async fn evidence_list(
        &self,
        actor: &PersonId,
        case: &CaseId,
    ) -> Result<Vec<EvidenceSummary>, RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        let stored: Vec<StoredEvidence> = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            require(access_in(&mut tx, actor, case).await?, READ_OWN, case)?;
            append_read!(tx, key, case, actor, json!({
                "evidence_list": true,
            }));
            let rows = sqlx::query(concat!(
                "SELECT ", evidence_columns!(), " FROM evidence WHERE case_id = $1 ORDER BY added_at, id",
            ))
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?;
            let mut stored = Vec::with_capacity(rows.len());
            for row in &rows {
                stored.push(stored_evidence!(row));
            }
            tx.commit().await?;
            stored
        });
        stored
            .iter()
            .map(|evidence| evidence.open(&key, case))
            .collect()
    }

    /// Opens an evidence file for `actor`. The read is recorded first, as a `Viewed` event
    /// naming the evidence; then the file is read, decrypted and checked against its
    /// SHA-256. A file altered or damaged on disk is refused as [`RegisterError::Corrupt`].
    /// The evidence of a case anonymised under the retention policy is not found.
    pub async fn read_evidence_file(
        &self,
        actor: &PersonId,
        case: &CaseId,
        evidence: &EvidenceId,
    ) -> Result<(EvidenceSummary, Vec<u8>), RegisterError> {
        let Some(dir) = self.evidence_dir() else {
            return Err(RegisterError::Config(String::from(
                "no evidence directory is configured, so evidence files cannot be read",
            )));
        };
        let dir = dir.to_path_buf();
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        let corrupt =
            |reason: &str| RegisterError::Corrupt(format!("evidence `{evidence}`: {reason}"));
        let not_found = || RegisterError::NotFound {
            what: "evidence",
            id: evidence.to_string(),
        };
        let (stored, sealed) = on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            lock_case(&mut tx, case).await?;
            require(access_in(&mut tx, actor, case).await?, READ_OWN, case)?;
            // Anonymising deletes the evidence rows; said here in so many words.
            if anonymised(&mut tx, case).await? {
                return Err(not_found());
            }
            let row = sqlx::query(concat!(
                "SELECT ", evidence_columns!(), " FROM evidence WHERE id = $1 AND case_id = $2",
            ))
            .bind(evidence.as_str())
            .bind(case.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Err(not_found());
            };
            let stored = stored_evidence!(&row);
            if stored.kind != EvidenceKind::File.as_str() {
                return Err(RegisterError::invalid("evidence", format!("evidence `{evidence}` is not a file")));
            }
            append_read!(tx, key, case, actor, json!({
                "evidence": evidence,
            }));
            // The file is read while the case row is locked, so that retention cannot erase
            // it between the commit and the read. A file that cannot be read is reported
            // after the commit: the attempt is on the timeline.
            let size = stored.size.and_then(|size| u64::try_from(size).ok());
            let sealed = match stored.stored_name.as_deref().and_then(|name| stored_path(&dir, name)) {
                Some(path) => read_sealed_file(path, size).await,
                None => Err(String::from("the row names no valid stored file")),
            };
            tx.commit().await?;
            (stored, sealed)
        });
        let summary = stored.open(&key, case)?;
        let sealed = sealed.map_err(|reason| corrupt(&reason))?;
        let plain = key
            .open(
                &sealed,
                &aad("evidence.file", &evidence_row(case, evidence)),
            )
            .map_err(|_| corrupt("the stored file does not decrypt: it was altered or damaged"))?;
        let digest = hex::encode(Sha256::digest(&plain));
        if summary.sha256.as_deref() != Some(digest.as_str())
            || summary.size != u64::try_from(plain.len()).ok()
        {
            return Err(corrupt(
                "the stored file does not match its registered SHA-256 and size",
            ));
        }
        Ok((summary, plain))
    }

    /// Refuses new content for a case anonymised under the retention policy (checked
    /// again in the transaction, under the case row lock).
    async fn check_not_anonymised(&self, case: &CaseId) -> Result<(), RegisterError> {
        let anonymised = on_db!(self.db(), pool => {
            sqlx::query("SELECT anonymised_at FROM cases WHERE id = $1")
                .bind(case.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Option<i64>, _>("anonymised_at"))
                .transpose()?
                .flatten()
                .is_some()
        });
        if anonymised {
            Err(anonymised_case())
        } else {
            Ok(())
        }
    }
}

/// The refusal of new content for a case anonymised under the retention policy.
fn anonymised_case() -> RegisterError {
    RegisterError::invalid(
        "case",
        "this case has been anonymised under the retention policy",
    )
}

/// Locks the case row until the transaction ends, with an update that changes nothing:
/// on PostgreSQL it makes retention (which updates the row when it anonymises a case)
/// wait for this transaction, or this transaction for retention; SQLite's write
/// transaction holds the whole database already. A case that does not exist is not found.
async fn lock_case<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    case: &CaseId,
) -> Result<(), RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
{
    let locked = sqlx::query(
        "UPDATE cases SET event_count = event_count WHERE id = $1 RETURNING event_count",
    )
    .bind(case.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    match locked {
        Some(_) => Ok(()),
        None => Err(RegisterError::NotFound {
            what: "case",
            id: case.to_string(),
        }),
    }
}

/// Whether the case has been anonymised under the retention policy.
async fn anonymised<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    case: &CaseId,
) -> Result<bool, RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> Option<i64>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    let row = sqlx::query("SELECT anonymised_at FROM cases WHERE id = $1")
        .bind(case.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(row) => Ok(row.try_get::<Option<i64>, _>("anonymised_at")?.is_some()),
        None => Err(RegisterError::NotFound {
            what: "case",
            id: case.to_string(),
        }),
    }
}

/// Refuses, inside a transaction that locked the case row, new content for an anonymised
/// case.
async fn refuse_anonymised<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    case: &CaseId,
) -> Result<(), RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> Option<i64>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    if anonymised(tx, case).await? {
        Err(anonymised_case())
    } else {
        Ok(())
    }
}

/// Checks a file before anything is written; returns its media type as the register
/// stores it (lower case, without parameters).
fn check_file(media_type: &str, bytes: &[u8]) -> Result<&'static str, RegisterError> {
    if bytes.is_empty() {
        return Err(RegisterError::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(RegisterError::invalid(
            "file",
            format!(
                "the file is {} bytes; the register keeps files up to {MAX_EVIDENCE_BYTES} bytes (25 MiB)",
                bytes.len()
            ),
        ));
    }
    let given = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(&media_type) = ALLOWED_MEDIA_TYPES
        .iter()
        .find(|allowed| **allowed == given)
    else {
        let shown: String = given.chars().take(100).collect();
        return Err(RegisterError::invalid(
            "media_type",
            format!(
                "`{shown}` is not accepted; allowed are {}",
                ALLOWED_MEDIA_TYPES.join(", ")
            ),
        ));
    };
    if !content_matches(media_type, bytes) {
        let looks_like = match sniff(bytes) {
            Some(found) => format!(" (it looks like {found})"),
            None => String::new(),
        };
        return Err(RegisterError::invalid(
            "media_type",
            format!("the content of the file is not {media_type}{looks_like}"),
        ));
    }
    Ok(media_type)
}

fn check_online(online: OnlineEvidence) -> Result<OnlineEvidence, RegisterError> {
    let text = |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let platform = online.platform.trim().to_owned();
    if platform.is_empty() {
        return Err(RegisterError::invalid(
            "platform",
            "say where it was seen (X, Facebook, a forum …)",
        ));
    }
    let account = text(online.account);
    let url = text(online.url);
    if account.is_none() && url.is_none() {
        return Err(RegisterError::invalid(
            "account",
            "online evidence needs the account or the URL (or both)",
        ));
    }
    if let Some(url) = &url {
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        let valid = rest.is_some_and(|rest| !rest.is_empty())
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return Err(RegisterError::invalid(
                "url",
                "a URL starts with http:// or https:// and holds no spaces",
            ));
        }
    }
    let latest = now().checked_add(jiff::SignedDuration::from_hours(24)).ok();
    if let (Some(moment), Some(latest)) = (online.moment, latest)
        && moment > latest
    {
        return Err(RegisterError::invalid(
            "moment",
            "the moment lies in the future",
        ));
    }
    Ok(OnlineEvidence {
        platform,
        account,
        url,
        moment: online.moment,
        description: text(online.description),
    })
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG: &[u8] = b"\xff\xd8\xff";
const OLE: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// ISO base media brands of HEIF images; any other `ftyp` is taken for MP4.
const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1",
];

/// A RIFF container of the given form (`WEBP`, `WAVE`).
fn riff(bytes: &[u8], form: &[u8; 4]) -> bool {
    bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(form.as_slice())
}

/// The major brand of an ISO base media file (MP4, M4A, HEIC), if it is one.
fn ftyp_brand(bytes: &[u8]) -> Option<&[u8]> {
    (bytes.get(4..8) == Some(b"ftyp".as_slice()))
        .then(|| bytes.get(8..12))
        .flatten()
}

fn is_heif(bytes: &[u8]) -> bool {
    ftyp_brand(bytes).is_some_and(|brand| HEIF_BRANDS.iter().any(|b| b.as_slice() == brand))
}

fn is_mp4(bytes: &[u8]) -> bool {
    ftyp_brand(bytes).is_some() && !is_heif(bytes)
}

fn is_pdf(bytes: &[u8]) -> bool {
    // Readers accept a little junk before the header; so does the register.
    bytes
        .get(..1024)
        .unwrap_or(bytes)
        .windows(5)
        .any(|w| w == b"%PDF-")
}

/// An MP3: an ID3 tag, or an MPEG audio frame header (sync bits set, a valid version
/// and layer).
fn is_mp3(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"ID3") {
        return true;
    }
    match bytes {
        [0xff, second, ..] => {
            let version = (second >> 3) & 0b11;
            let layer = (second >> 1) & 0b11;
            second & 0xe0 == 0xe0 && version != 0b01 && layer != 0b00
        }
        _ => false,
    }
}

fn is_text(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(text).is_ok() && !text.contains(&0)
}

/// An e-mail message: a header section of UTF-8 text (ASCII in practice) starting with a
/// header field or an mbox `From ` line; the body may be in any 8-bit character set, but
/// holds no NUL bytes.
fn is_mail(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.contains(&0) {
        return false;
    }
    let header_end = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .into_iter()
        .chain(bytes.windows(4).position(|w| w == b"\r\n\r\n"))
        .min()
        .unwrap_or(bytes.len());
    let Ok(headers) = std::str::from_utf8(&bytes[..header_end]) else {
        return false;
    };
    if headers
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
    {
        return false;
    }
    let first = headers.lines().next().unwrap_or_default();
    if first.starts_with("From ") {
        return true;
    }
    match first.split_once(':') {
        Some((name, _)) => {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        }
        None => false,
    }
}

/// Whether the content is what `media_type` (one of [`ALLOWED_MEDIA_TYPES`]) says.
fn content_matches(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "image/png" => bytes.starts_with(PNG),
        "image/jpeg" => bytes.starts_with(JPEG),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => riff(bytes, b"WEBP"),
        "image/heic" => is_heif(bytes),
        "application/pdf" => is_pdf(bytes),
        "message/rfc822" => is_mail(bytes),
        "application/vnd.ms-outlook" => bytes.starts_with(OLE),
        "text/plain" => is_text(bytes),
        "audio/mpeg" => is_mp3(bytes),
        "audio/mp4" | "video/mp4" => is_mp4(bytes),
        "audio/ogg" => bytes.starts_with(b"OggS"),
        "audio/wav" | "audio/x-wav" => riff(bytes, b"WAVE"),
        "audio/amr" => bytes.starts_with(b"#!AMR"),
        _ => false,
    }
}

/// What the content looks like, for the message when it does not match its type.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let found = [
        (bytes.starts_with(PNG), "image/png"),
        (bytes.starts_with(JPEG), "image/jpeg"),
        (content_matches("image/gif", bytes), "image/gif"),
        (riff(bytes, b"WEBP"), "image/webp"),
        (is_heif(bytes), "image/heic"),
        (bytes.starts_with(OLE), "application/vnd.ms-outlook"),
        (bytes.starts_with(b"OggS"), "audio/ogg"),
        (riff(bytes, b"WAVE"), "audio/wav"),
        (bytes.starts_with(b"#!AMR"), "audio/amr"),
        (is_mp4(bytes), "video/mp4"),
        (is_pdf(bytes), "application/pdf"),
        (is_mp3(bytes), "audio/mpeg"),
        (bytes.starts_with(b"MZ"), "a Windows program"),
        (bytes.starts_with(b"PK\x03\x04"), "a ZIP archive"),
        (is_mail(bytes), "message/rfc822"),
        (is_text(bytes), "text/plain"),
    ];
    found
        .into_iter()
        .find_map(|(matches, name)| matches.then_some(name))
}

/// A random name for a stored file: 32 hex characters, unrelated to anything about it.
fn random_name() -> Result<String, RegisterError> {
    let mut bytes = [0u8; 16];
    OsRng.try_fill_bytes(&mut bytes).map_err(|error| {
        RegisterError::Config(format!(
            "the operating system cannot provide random numbers: {error}"
        ))
    })?;
    Ok(hex::encode(bytes))
}

/// Where a stored file lives: `<dir>/<first two characters>/<name>`. `None` for a name
/// the register cannot have made (which keeps a tampered row from pointing elsewhere).
pub(crate) fn stored_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let valid = name.len() == 32 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let shard = name.get(..2).filter(|_| valid)?;
    Some(dir.join(shard).join(name))
}

/// A stored file whose transaction has not committed yet: removed when dropped, unless
/// kept.
#[derive(Debug)]
struct PendingFile {
    path: Option<PathBuf>,
}

impl PendingFile {
    fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            // Best effort: an orphaned sealed file holds nothing readable.
            let _ = std::fs::remove_file(path);
        }
    }
}

fn storage_error(path: &Path, error: impl std::fmt::Display) -> RegisterError {
    RegisterError::Config(format!("evidence directory, {}: {error}", path.display()))
}

/// Writes a sealed file durably: a temporary file in the same folder, fsynced, renamed
/// into place, and the folder fsynced, so that a file the register recorded survives a
/// crash.
async fn write_sealed_file(
    dir: PathBuf,
    name: String,
    sealed: Vec<u8>,
) -> Result<PendingFile, RegisterError> {
    let Some(path) = stored_path(&dir, &name) else {
        return Err(RegisterError::Corrupt(format!(
            "`{name}` is not a stored file name"
        )));
    };
    let target = path.clone();
    tokio::task::spawn_blocking(move || write_durably(&dir, &target, &sealed))
        .await
        .map_err(|error| storage_error(&path, error))??;
    Ok(PendingFile { path: Some(path) })
}

fn write_durably(dir: &Path, path: &Path, sealed: &[u8]) -> Result<(), RegisterError> {
    let Some(shard) = path.parent() else {
        return Err(storage_error(path, "has no folder"));
    };
    let mut folders = std::fs::DirBuilder::new();
    folders.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        folders.mode(0o700);
    }
    folders
        .create(shard)
        .map_err(|error| storage_error(shard, format!("cannot be created: {error}")))?;
    let temporary = shard.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("evidence")
    ));
    let written = (|| -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(sealed)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        // The rename, and a newly made shard folder, are durable once their folders are.
        std::fs::File::open(shard)?.sync_all()?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        let _ = std::fs::remove_file(path);
        return Err(storage_error(path, format!("cannot be written: {error}")));
    }
    Ok(())
}

/// Reads a sealed file, refusing one far larger than any file the register writes.
async fn read_sealed_file(path: PathBuf, size: Option<u64>) -> Result<Vec<u8>, String> {
    let metadata = tokio::fs::metadata(&path)
        .await
        .map_err(|error| format!("the stored file cannot be read: {error}"))?;
    // The sealed format adds 41 bytes (version, nonce, tag) to the content.
    let expected = size.and_then(|size| size.checked_add(41));
    if expected.is_some_and(|expected| metadata.len() != expected) {
        return Err(String::from(
            "the stored file is not the size the register wrote: it was altered or damaged",
        ));
    }
    tokio::fs::read(&path)
        .await
        .map_err(|error| format!("the stored file cannot be read: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<&'static str, RegisterError>) -> String {
        match result {
            Err(RegisterError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn declared_types_must_match_the_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(check_file("image/png", png).unwrap(), "image/png");
        assert_eq!(check_file(" Image/PNG ", png).unwrap(), "image/png");
        assert_eq!(field(check_file("image/jpeg", png)), "media_type");
        assert_eq!(
            check_file("image/jpeg", b"\xff\xd8\xff\xe0\0\x10JFIF").unwrap(),
            "image/jpeg"
        );
        assert_eq!(
            check_file("image/gif", b"GIF89a\x01\0").unwrap(),
            "image/gif"
        );
        assert_eq!(
            check_file("image/webp", b"RIFF\x10\0\0\0WEBPVP8 ").unwrap(),
            "image/webp"
        );
        assert_eq!(
            field(check_file("image/webp", b"RIFF\x10\0\0\0WAVEfmt ")),
            "media_type"
        );
        assert_eq!(
            check_file("audio/wav", b"RIFF\x10\0\0\0WAVEfmt ").unwrap(),
            "audio/wav"
        );
        assert_eq!(
            check_file("audio/x-wav", b"RIFF\x10\0\0\0WAVEfmt ").unwrap(),
            "audio/x-wav"
        );
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2";
        assert_eq!(check_file("image/heic", heic).unwrap(), "image/heic");
        assert_eq!(field(check_file("video/mp4", heic)), "media_type");
        assert_eq!(check_file("video/mp4", mp4).unwrap(), "video/mp4");
        assert_eq!(
            check_file("audio/mp4", b"\0\0\0\x1cftypM4A \0\0\0\0").unwrap(),
            "audio/mp4"
        );
        assert_eq!(field(check_file("image/heic", mp4)), "media_type");
        assert_eq!(
            check_file("application/pdf", b"%PDF-1.7\n%").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            check_file("audio/mpeg", b"ID3\x04\0\0\0\0\0").unwrap(),
            "audio/mpeg"
        );
        assert_eq!(
            check_file("audio/mpeg", b"\xff\xfb\x90\x64\0").unwrap(),
            "audio/mpeg"
        );
        assert_eq!(
            field(check_file("audio/mpeg", b"\xff\xd8\xff\xe0")),
            "media_type"
        );
        assert_eq!(check_file("audio/ogg", b"OggS\0\x02").unwrap(), "audio/ogg");
        assert_eq!(
            check_file("audio/amr", b"#!AMR\n\x3c").unwrap(),
            "audio/amr"
        );
        assert_eq!(
            check_file(
                "application/vnd.ms-outlook",
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0"
            )
            .unwrap(),
            "application/vnd.ms-outlook"
        );
        assert_eq!(
            check_file("text/plain; charset=utf-8", "Dag, ik weet het".as_bytes()).unwrap(),
            "text/plain"
        );
        assert_eq!(field(check_file("text/plain", b"caf\xe9")), "media_type");
        assert_eq!(field(check_file("text/plain", b"a\0b")), "media_type");
        assert_eq!(field(check_file("video/quicktime", mp4)), "media_type");
        assert_eq!(field(check_file("image/png", b"")), "file");
        assert_eq!(
            field(check_file("image/png", &vec![0u8; MAX_EVIDENCE_BYTES + 1])),
            "file"
        );
    }

    #[test]
    fn a_mail_is_headers_then_any_body() {
        let mail = b"From: boos@example.nl\r\nTo: raad@leiden.example\r\nSubject: jij\r\n\r\nbody \xe9\xe8";
        assert_eq!(
            check_file("message/rfc822", mail).unwrap(),
            "message/rfc822"
        );
        assert_eq!(
            check_file(
                "message/rfc822",
                b"From boos@example.nl Mon Mar  2 20:15:00 2026\nSubject: x\n\nhoi"
            )
            .unwrap(),
            "message/rfc822"
        );
        assert_eq!(
            field(check_file("message/rfc822", b"gewoon een tekst")),
            "media_type"
        );
        assert_eq!(
            field(check_file("message/rfc822", b"%PDF-1.4\n")),
            "media_type"
        );
        assert_eq!(
            field(check_file("message/rfc822", b"Subject: \xe9\n\nx")),
            "media_type"
        );
    }

    #[test]
    fn a_mismatch_says_what_the_content_looks_like() {
        let Err(RegisterError::Invalid { reason, .. }) = check_file("image/png", b"%PDF-1.7")
        else {
            panic!("a PDF declared as PNG was accepted");
        };
        assert!(reason.contains("application/pdf"), "{reason}");
        let Err(RegisterError::Invalid { reason, .. }) =
            check_file("application/x-msdownload", b"MZ")
        else {
            panic!("an unknown type was accepted");
        };
        assert!(
            reason.contains("image/png") && reason.contains("video/mp4"),
            "{reason}"
        );
    }

    #[test]
    fn online_evidence_needs_an_account_or_a_url() {
        let online = |account: Option<&str>, url: Option<&str>| OnlineEvidence {
            platform: "X".into(),
            account: account.map(Into::into),
            url: url.map(Into::into),
            moment: None,
            description: Some("  ".into()),
        };
        let field = |result: Result<OnlineEvidence, RegisterError>| match result {
            Err(RegisterError::Invalid { field, .. }) => field,
            other => format!("{other:?}"),
        };
        let checked = check_online(online(Some(" @verrader_nl "), None)).unwrap();
        assert_eq!(checked.account.as_deref(), Some("@verrader_nl"));
        assert_eq!(checked.description, None);
        assert!(check_online(online(None, Some("https://x.com/a/status/1"))).is_ok());
        assert!(check_online(online(None, Some("HTTP://example.nl"))).is_ok());
        assert_eq!(field(check_online(online(None, None))), "account");
        assert_eq!(field(check_online(online(Some(" "), Some("")))), "account");
        assert_eq!(
            field(check_online(online(None, Some("ftp://example.nl")))),
            "url"
        );
        assert_eq!(field(check_online(online(None, Some("https://")))), "url");
        assert_eq!(
            field(check_online(online(None, Some("https://a b")))),
            "url"
        );
        let mut nowhere = online(Some("@a"), None);
        nowhere.platform = " ".into();
        assert_eq!(field(check_online(nowhere)), "platform");
    }

    #[test]
    fn only_names_the_register_made_become_paths() {
        let dir = Path::new("/evidence");
        let name = "0123456789abcdef0123456789abcdef";
        assert_eq!(stored_path(dir, name), Some(dir.join("01").join(name)));
        assert_eq!(stored_path(dir, "../../etc/passwd"), None);
        assert_eq!(stored_path(dir, "0123456789ABCDEF0123456789abcdef"), None);
        assert_eq!(stored_path(dir, ""), None);
    }
}
