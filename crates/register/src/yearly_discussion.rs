//! The text of the yearly discussion (Leiden §5.2, Westerveld §3.2): before the yearly
//! report (PROTOCOL.md §17) goes to the council, who handles cases writes down the
//! dilemmas of the year, the conclusions and the proposed changes to the protocol. The
//! text is a draft until it is made final; the final version keeps the published figures
//! as they were at that moment, so that the document the council received can be made
//! again exactly, and it is never changed after.
//!
//! One row per organisation and year (`yearly_discussions`, migration 0009). The three
//! texts are sealed with the organisation's data key, as case content is: a dilemma can
//! describe a case. Saving and making final are entries of the administration log (ids
//! and the year only, never the text), in the same transaction.
//!
//! The register checks what it can check on its own (the year, the length of each text,
//! that the writer is a person of the organisation, that a final version stays final);
//! who may write (who handles cases) is the web's rule, as for every page.

use jiff::Timestamp;
use serde_json::{Value, json};
use sqlx::Row;
use weerbaar_protocol::{Body, Category, Channel, Code, Measure};

use crate::admin::{AdminEventKind, log_admin_event};
use crate::case_life::PoliceContactKind;
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PerpetratorKind, PersonId, redacted_debug};
use crate::register::{Register, aad};
use crate::time::{from_micros, to_micros};
use crate::yearly::{
    ABCD, AFTERCARE_KEYS, Cell, FIRST_YEAR, LAST_YEAR, MONTHS, Shown, TASK_KEYS, YearlyReport,
    victim_groups,
};

/// The longest text of one field, in characters: several pages of A4, more than a
/// discussion's minutes need, and small enough that a slip (a pasted document) is caught.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// The three texts of the discussion, each possibly empty.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DiscussionText {
    /// The dilemmas of the year ("dilemma's").
    pub dilemmas: String,
    /// What the council and college concluded ("conclusies").
    pub conclusions: String,
    /// The proposed changes to the protocol ("voorgestelde wijzigingen van het protocol").
    pub changes: String,
}

redacted_debug!(DiscussionText {
    show: [],
    hide: [dilemmas, conclusions, changes],
});

impl DiscussionText {
    /// The fields with the names the errors use, in the order of the form.
    pub fn fields(&self) -> [(&'static str, &str); 3] {
        [
            ("dilemmas", self.dilemmas.as_str()),
            ("conclusions", self.conclusions.as_str()),
            ("changes", self.changes.as_str()),
        ]
    }

    /// Whether all three texts are empty (or only white space).
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, text)| text.trim().is_empty())
    }

    /// The texts with line ends made `\n`, as a browser sends `\r\n`: the same text
    /// then reads the same on the page, in the PDF and in a later comparison.
    fn normalised(&self) -> DiscussionText {
        let clean = |text: &str| text.replace("\r\n", "\n").replace('\r', "\n");
        DiscussionText {
            dilemmas: clean(&self.dilemmas),
            conclusions: clean(&self.conclusions),
            changes: clean(&self.changes),
        }
    }

    /// Refuses a text longer than [`MAX_TEXT_CHARS`], naming its field.
    fn check(&self) -> Result<(), RegisterError> {
        for (field, text) in self.fields() {
            let length = text.chars().count();
            if length > MAX_TEXT_CHARS {
                return Err(RegisterError::invalid(
                    field,
                    format!("at most {MAX_TEXT_CHARS} characters; this text has {length}"),
                ));
            }
        }
        Ok(())
    }
}

/// The final version: who made it final, when, and the figures of that moment.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalVersion {
    pub by: PersonId,
    pub at: Timestamp,
    /// The year's published figures as they were when the version was made final.
    pub report: YearlyReport,
    /// The year before's, for the comparison; `None` for the first year there is.
    pub before: Option<YearlyReport>,
}

/// The discussion of one organisation's year: the draft, or the final version.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyDiscussion {
    pub organisation: OrganisationId,
    pub year: i16,
    pub text: DiscussionText,
    /// Who saved the text last, and when.
    pub updated_by: PersonId,
    pub updated_at: Timestamp,
    /// `Some` once made final; the text is then the final text.
    pub final_version: Option<FinalVersion>,
}

fn check_year(year: i16) -> Result<(), RegisterError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(RegisterError::invalid(
            "year",
            format!("a year from {FIRST_YEAR} to {LAST_YEAR}; {year} is not"),
        ))
    }
}

/// The additional data of a sealed text: its column, the organisation and the year, so a
/// text moved to another row or year no longer opens.
fn text_aad(column: &str, organisation: &OrganisationId, year: i16) -> Vec<u8> {
    aad(
        &format!("yearly_discussions.{column}"),
        &format!("{organisation}:{year}"),
    )
}

/// Whether the organisation's write may go on: the row's state before the write.
enum Existing {
    None,
    Draft,
    Final,
}

impl Register {
    /// The discussion of an organisation's year, `None` when nothing was written yet.
    pub async fn yearly_discussion(
        &self,
        organisation: &OrganisationId,
        year: i16,
    ) -> Result<Option<YearlyDiscussion>, RegisterError> {
        check_year(year)?;
        let (key, _) = self.organisation(organisation).await?;
        type Stored = (
            Vec<u8>,
            Vec<u8>,
            Vec<u8>,
            String,
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Stored> = on_db!(self.db(), pool => {
            sqlx::query(
                "SELECT dilemmas_enc, conclusions_enc, changes_enc, updated_by, updated_at, \
                 figures_json, finalised_by, finalised_at FROM yearly_discussions \
                 WHERE organisation_id = $1 AND year = $2",
            )
            .bind(organisation.as_str())
            .bind(i64::from(year))
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<Stored, sqlx::Error> {
                Ok((
                    row.try_get("dilemmas_enc")?,
                    row.try_get("conclusions_enc")?,
                    row.try_get("changes_enc")?,
                    row.try_get("updated_by")?,
                    row.try_get("updated_at")?,
                    row.try_get("figures_json")?,
                    row.try_get("finalised_by")?,
                    row.try_get("finalised_at")?,
                ))
            })
            .transpose()?
        });
        let Some((dilemmas, conclusions, changes, updated_by, updated_at, figures, by, at)) = row
        else {
            return Ok(None);
        };
        let open = |column: &str, sealed: &[u8]| {
            key.open_string(sealed, &text_aad(column, organisation, year))
        };
        let text = DiscussionText {
            dilemmas: open("dilemmas", &dilemmas)?,
            conclusions: open("conclusions", &conclusions)?,
            changes: open("changes", &changes)?,
        };
        let final_version = match (figures, by, at) {
            (Some(figures), Some(by), Some(at)) => {
                let (report, before) = figures_from_json(&figures)?;
                Some(FinalVersion {
                    by: PersonId(by),
                    at: from_micros(at)?,
                    report,
                    before,
                })
            }
            (None, None, None) => None,
            _ => {
                return Err(RegisterError::Corrupt(format!(
                    "the yearly discussion of {year} is partly final"
                )));
            }
        };
        Ok(Some(YearlyDiscussion {
            organisation: organisation.clone(),
            year,
            text,
            updated_by: PersonId(updated_by),
            updated_at: from_micros(updated_at)?,
            final_version,
        }))
    }

    /// Saves the draft of an organisation's year. Refused, with nothing written, for a
    /// year outside [`FIRST_YEAR`]..=[`LAST_YEAR`] (`year`), a text longer than
    /// [`MAX_TEXT_CHARS`] (its field), a writer who is not a person of the organisation,
    /// and a year whose version is final (`final`).
    pub async fn save_yearly_discussion(
        &self,
        organisation: &OrganisationId,
        actor: &PersonId,
        year: i16,
        text: &DiscussionText,
        now: Timestamp,
    ) -> Result<(), RegisterError> {
        self.write_discussion(organisation, actor, year, text, now, None)
            .await
    }

    /// Saves the text and makes it the final version, with the published figures of the
    /// year and the year before as they are at `now`, in one transaction. Refused as
    /// [`Register::save_yearly_discussion`] is, and for three empty texts (`dilemmas`):
    /// a final version says something.
    pub async fn finalise_yearly_discussion(
        &self,
        organisation: &OrganisationId,
        actor: &PersonId,
        year: i16,
        text: &DiscussionText,
        now: Timestamp,
    ) -> Result<(), RegisterError> {
        check_year(year)?;
        if text.is_empty() {
            return Err(RegisterError::invalid(
                "dilemmas",
                "a final version needs at least one of the three texts",
            ));
        }
        text.check()?;
        // The figures are read before the write transaction opens (the report reads in a
        // snapshot of its own); a case registered in between is not in them, as it would
        // not be had it come a moment later.
        let report = self.yearly_report(organisation, year, now).await?;
        let before = match year.checked_sub(1).filter(|y| *y >= FIRST_YEAR) {
            Some(previous) => Some(self.yearly_report(organisation, previous, now).await?),
            None => None,
        };
        let figures = json!({ "report": report, "before": before }).to_string();
        self.write_discussion(organisation, actor, year, text, now, Some(figures))
            .await
    }

    /// Writes the draft (`figures` `None`) or the final version (`figures` the JSON of
    /// the figures) in one transaction, with its entry in the administration log.
    async fn write_discussion(
        &self,
        organisation: &OrganisationId,
        actor: &PersonId,
        year: i16,
        text: &DiscussionText,
        now: Timestamp,
        figures: Option<String>,
    ) -> Result<(), RegisterError> {
        check_year(year)?;
        let text = text.normalised();
        text.check()?;
        let (key, _) = self.organisation(organisation).await?;
        let seal =
            |column: &str, plain: &str| key.seal_str(plain, &text_aad(column, organisation, year));
        let dilemmas = seal("dilemmas", &text.dilemmas);
        let conclusions = seal("conclusions", &text.conclusions);
        let changes = seal("changes", &text.changes);
        let at = to_micros(now);
        let finalising = figures.is_some();
        let kind = if finalising {
            AdminEventKind::YearlyDiscussionFinalised
        } else {
            AdminEventKind::YearlyDiscussionSaved
        };
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            let member = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(actor.as_str())
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if member.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: actor.to_string() });
            }
            let existing = sqlx::query(
                "SELECT finalised_at FROM yearly_discussions WHERE organisation_id = $1 AND year = $2",
            )
            .bind(organisation.as_str())
            .bind(i64::from(year))
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get::<Option<i64>, _>("finalised_at"))
            .transpose()?;
            let existing = match existing {
                None => Existing::None,
                Some(None) => Existing::Draft,
                Some(Some(_)) => Existing::Final,
            };
            match existing {
                Existing::Final => {
                    return Err(RegisterError::invalid(
                        "final",
                        format!("the yearly discussion of {year} is final and is not changed again"),
                    ));
                }
                Existing::None => {
                    sqlx::query(
                        "INSERT INTO yearly_discussions (organisation_id, year, dilemmas_enc, \
                         conclusions_enc, changes_enc, updated_by, updated_at, figures_json, \
                         finalised_by, finalised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(organisation.as_str())
                    .bind(i64::from(year))
                    .bind(&dilemmas)
                    .bind(&conclusions)
                    .bind(&changes)
                    .bind(actor.as_str())
                    .bind(at)
                    .bind(figures.as_deref())
                    .bind(finalising.then(|| actor.as_str()))
                    .bind(finalising.then_some(at))
                    .execute(&mut *tx)
                    .await?;
                }
                Existing::Draft => {
                    // Conditional on the row still being a draft: the final version is
                    // never overwritten, whatever else happens.
                    let changed = sqlx::query(
                        "UPDATE yearly_discussions SET dilemmas_enc = $1, conclusions_enc = $2, \
                         changes_enc = $3, updated_by = $4, updated_at = $5, figures_json = $6, \
                         finalised_by = $7, finalised_at = $8 \
                         WHERE organisation_id = $9 AND year = $10 AND finalised_at IS NULL",
                    )
                    .bind(&dilemmas)
                    .bind(&conclusions)
                    .bind(&changes)
                    .bind(actor.as_str())
                    .bind(at)
                    .bind(figures.as_deref())
                    .bind(finalising.then(|| actor.as_str()))
                    .bind(finalising.then_some(at))
                    .bind(organisation.as_str())
                    .bind(i64::from(year))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if changed != 1 {
                        return Err(RegisterError::invalid(
                            "final",
                            format!("the yearly discussion of {year} is final and is not changed again"),
                        ));
                    }
                }
            }
            log_admin_event!(tx, organisation, Some(actor), at, kind, None, json!({ "year": year }));
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The figures of a final version as stored: `{"report": …, "before": … | null}`.
fn figures_from_json(text: &str) -> Result<(YearlyReport, Option<YearlyReport>), RegisterError> {
    let corrupt = |why: &str| RegisterError::Corrupt(format!("stored yearly figures: {why}"));
    let value: Value = serde_json::from_str(text).map_err(|e| corrupt(&e.to_string()))?;
    let report = report_from_json(&value["report"]).map_err(|why| corrupt(&why))?;
    let before = match &value["before"] {
        Value::Null => None,
        before => Some(report_from_json(before).map_err(|why| corrupt(&why))?),
    };
    Ok((report, before))
}

/// A published report read back from its JSON (§17). The breakdowns' keys are the
/// register's own (`&'static str`), so each is looked up among the keys the register
/// can publish, in their order; a key it does not know means the row is not what the
/// register wrote.
pub fn report_from_json(value: &Value) -> Result<YearlyReport, String> {
    let cell = |name: &str, value: &Value| -> Result<Cell, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("{name}: {e}"))
    };
    let shown = |name: &str, known: Vec<&'static str>| -> Result<Shown, String> {
        let object = value[name]
            .as_object()
            .ok_or_else(|| format!("{name} is not an object"))?;
        if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
            return Err(format!("{name} has an unknown key {unknown}"));
        }
        known
            .into_iter()
            .filter_map(|key| object.get(key).map(|cell_value| (key, cell_value)))
            .map(|(key, cell_value)| Ok((key, cell(name, cell_value)?)))
            .collect::<Result<Vec<_>, String>>()
            .map(Shown)
    };
    let codes = |all: &'static [&'static str]| all.to_vec();
    let groups: Vec<&'static str> = Body::ALL
        .iter()
        .flat_map(|body| victim_groups(*body).iter().copied())
        .collect();
    Ok(YearlyReport {
        organisation: OrganisationId(
            value["organisation"]
                .as_str()
                .ok_or("organisation is not a string")?
                .to_owned(),
        ),
        year: value["year"]
            .as_i64()
            .and_then(|year| i16::try_from(year).ok())
            .ok_or("year is not a year")?,
        incidents: value["incidents"]
            .as_u64()
            .ok_or("incidents is not a number")?,
        consults: cell("consults", &value["consults"])?,
        by_category: shown(
            "by_category",
            Category::ALL.iter().map(|c| c.as_str()).collect(),
        )?,
        by_abcd: shown("by_abcd", codes(&ABCD))?,
        by_channel: shown(
            "by_channel",
            Channel::ALL.iter().map(|c| c.as_str()).collect(),
        )?,
        by_month: shown("by_month", codes(&MONTHS))?,
        by_victim_group: shown("by_victim_group", groups)?,
        by_perpetrator_kind: shown(
            "by_perpetrator_kind",
            PerpetratorKind::ALL.iter().map(|k| k.as_str()).collect(),
        )?,
        recidive: cell("recidive", &value["recidive"])?,
        police: shown(
            "police",
            PoliceContactKind::ALL.iter().map(|k| k.as_str()).collect(),
        )?,
        measures: shown(
            "measures",
            Measure::ALL.iter().map(|m| m.as_str()).collect(),
        )?,
        aftercare: shown("aftercare", codes(&AFTERCARE_KEYS))?,
        tasks: shown("tasks", codes(&TASK_KEYS))?,
        median_days_to_close: match &value["median_days_to_close"] {
            Value::Null => None,
            days => Some(
                days.as_f64()
                    .ok_or("median_days_to_close is not a number")?,
            ),
        },
    })
}
