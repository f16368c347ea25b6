//! `weerbaar audit verify`: walks every case's chain of events and names the first event
//! that is not what the register wrote.

use sqlx::Row;

use crate::chain::{ChainedEvent, GENESIS, payload_digest};
use crate::db::{Db, on_db};
use crate::error::RegisterError;

/// The outcome of a walk over all chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub cases: u64,
    pub events: u64,
    /// The first broken link found, in case-id order.
    pub broken: Option<BrokenLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub case_id: String,
    /// The event at fault; `None` when the case row itself disagrees with its events.
    pub seq: Option<i64>,
    pub reason: String,
}

/// Cases are read in pages by id, so the walk holds one page in memory however large
/// the register is.
const PAGE: i64 = 500;

pub async fn verify_chains(db: &Db) -> Result<ChainReport, RegisterError> {
    let mut report = ChainReport {
        cases: 0,
        events: 0,
        broken: None,
    };
    let mut after = String::new();
    loop {
        let cases: Vec<(String, i64, Option<Vec<u8>>)> = on_db!(db, pool => {
            sqlx::query("SELECT id, event_count, last_hash FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(&after)
                .bind(PAGE)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("id")?, row.try_get("event_count")?, row.try_get("last_hash")?)))
                .collect::<Result<_, sqlx::Error>>()?
        });
        let Some(last) = cases.last() else {
            return Ok(report);
        };
        after = last.0.clone();
        for (case_id, event_count, last_hash) in cases {
            report.cases += 1;
            let (events, broken) = verify_case(db, &case_id, event_count, last_hash).await?;
            report.events += events;
            if broken.is_some() {
                report.broken = broken;
                return Ok(report);
            }
        }
    }
}

async fn verify_case(
    db: &Db,
    case_id: &str,
    event_count: i64,
    last_hash: Option<Vec<u8>>,
) -> Result<(u64, Option<BrokenLink>), RegisterError> {
    type EventRow = (
        i64,
        String,
        Option<String>,
        i64,
        Option<Vec<u8>>,
        Vec<u8>,
        Vec<u8>,
        Vec<u8>,
    );
    let rows: Vec<EventRow> = on_db!(db, pool => {
        sqlx::query(
            "SELECT seq, kind, actor_id, at, payload_enc, payload_digest, prev_hash, hash FROM events \
             WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("seq")?,
                row.try_get("kind")?,
                row.try_get("actor_id")?,
                row.try_get("at")?,
                row.try_get("payload_enc")?,
                row.try_get("payload_digest")?,
                row.try_get("prev_hash")?,
                row.try_get("hash")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?
    });
    let broken = |seq: Option<i64>, reason: String| BrokenLink {
        case_id: case_id.to_owned(),
        seq,
        reason,
    };
    // A payload may be erased only by retention, which then appends an `anonymised`
    // event: an erased payload without one after it is tampering.
    let anonymised_at_seq = rows
        .iter()
        .find(|row| row.1 == "anonymised")
        .map(|row| row.0);
    let mut prev = GENESIS.to_vec();
    for (index, (seq, kind, actor, at, payload_enc, digest, prev_hash, hash)) in
        rows.iter().enumerate()
    {
        let expected_seq = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        if *seq != expected_seq {
            return Ok((
                index as u64,
                Some(broken(
                    Some(*seq),
                    format!("expected event {expected_seq} here: an event is missing"),
                )),
            ));
        }
        if *prev_hash != prev {
            return Ok((
                index as u64,
                Some(broken(
                    Some(*seq),
                    String::from("does not point at the event before it"),
                )),
            ));
        }
        if payload_enc.is_none() && anonymised_at_seq.is_none_or(|anonymised| *seq > anonymised) {
            return Ok((
                index as u64,
                Some(broken(
                    Some(*seq),
                    String::from("its payload was erased outside retention"),
                )),
            ));
        }
        if payload_enc
            .as_ref()
            .is_some_and(|sealed| payload_digest(sealed).as_slice() != digest.as_slice())
        {
            return Ok((
                index as u64,
                Some(broken(
                    Some(*seq),
                    String::from("its payload was changed after it was written"),
                )),
            ));
        }
        let computed = ChainedEvent {
            case_id,
            seq: *seq,
            kind,
            actor_id: actor.as_deref(),
            at: *at,
            payload_digest: digest,
            prev_hash,
        }
        .hash();
        if computed.as_slice() != hash.as_slice() {
            return Ok((
                index as u64,
                Some(broken(
                    Some(*seq),
                    String::from("was changed after it was written"),
                )),
            ));
        }
        prev = hash.clone();
    }
    let count = rows.len() as u64;
    if i64::try_from(rows.len()).ok() != Some(event_count) {
        return Ok((
            count,
            Some(broken(
                None,
                format!("the case counts {event_count} events but {count} are stored"),
            )),
        ));
    }
    let expected_last = if rows.is_empty() { None } else { Some(prev) };
    if last_hash != expected_last {
        return Ok((
            count,
            Some(broken(
                None,
                String::from("the case's last hash is not its last event's"),
            )),
        ));
    }
    // Events after the counted ones are either appended since the case row was read (the
    // count has moved on) or slipped in behind the register's back (it has not).
    let (later, count_now): (i64, Option<i64>) = on_db!(db, pool => {
        let later: i64 = sqlx::query("SELECT COUNT(*) AS n FROM events WHERE case_id = $1 AND seq > $2")
            .bind(case_id)
            .bind(event_count)
            .fetch_one(pool)
            .await?
            .try_get("n")?;
        let now: Option<i64> = sqlx::query("SELECT event_count FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(pool)
            .await?
            .map(|row| row.try_get("event_count"))
            .transpose()?;
        (later, now)
    });
    if later > 0 && count_now == Some(event_count) {
        return Ok((
            count,
            Some(broken(
                Some(event_count + 1),
                String::from("was added behind the register's back"),
            )),
        ));
    }
    Ok((count, None))
}
