//! A case's life after the report: measures toward the perpetrator, aftercare, the
//! police, damage, communication, the evaluation, status and access. Each action is one
//! event on the timeline and one change to the query tables, in one transaction.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;
use weerbaar_protocol::{AangifteBy, Code, Measure, Task};

use crate::access::{ACT, access_in, require};
use crate::crypto::DataKey;
use crate::db::{BeginWrite, on_db};
use crate::error::RegisterError;
use crate::model::{CaseId, CaseStatus, EventKind, PersonId};
use crate::register::{Register, aad, append_event};
use crate::time::{now, to_micros};

crate::model::id!(
    /// One measure, conversation, police contact … of a case.
    ItemId
);

crate::model::words!(
    /// The kinds of thing a case holds besides its report.
    ItemKind {
        Measure = "measure",
        Aftercare = "aftercare",
        Police = "police",
        Damage = "damage",
        Communication = "communication",
        Evaluation = "evaluation",
        /// An improvement action of an evaluation: what (sealed), who and by when, with
        /// a task of the case (`verbeteractie_N`) that is done when the action is.
        Improvement = "improvement",
    }
);

crate::model::words!(
    /// Which aftercare conversation (PROTOCOL.md §9), or tailored aftercare.
    AftercareConversation {
        Eerste = "eerste",
        Tweede = "tweede",
        Derde = "derde",
        Maatwerk = "maatwerk",
    }
);

impl AftercareConversation {
    /// The task this conversation fulfils.
    pub fn task(self) -> Task {
        match self {
            AftercareConversation::Eerste => Task::NazorgGesprek1,
            AftercareConversation::Tweede => Task::NazorgGesprek2,
            AftercareConversation::Derde => Task::NazorgGesprek3,
            AftercareConversation::Maatwerk => Task::NazorgAanbieden,
        }
    }
}

crate::model::words!(
    /// A melding stays in the police file; an aangifte goes to the officier van justitie
    /// (PROTOCOL.md §8).
    PoliceContactKind {
        Melding = "melding",
        Aangifte = "aangifte",
    }
);

crate::model::words!(
    /// Who is told about the incident (PROTOCOL.md §11).
    Audience {
        /// Told in confidence, as the protocol routes it; needs no consent.
        Vertrouwelijk = "vertrouwelijk",
        AndereAmbtsdragers = "andere_ambtsdragers",
        Raad = "raad",
        Pers = "pers",
    }
);

crate::model::words!(
    /// How serious the incident is and how likely to recur (Utrecht §5, risicotaxatie).
    Risk {
        Laag = "laag",
        Midden = "midden",
        Hoog = "hoog",
    }
);

/// What a handler records in a case.
#[derive(Clone, PartialEq, Eq)]
pub enum Action {
    ChangeStatus {
        to: CaseStatus,
    },
    /// A measure toward the perpetrator (PROTOCOL.md §7).
    DecideMeasure {
        measure: Measure,
        starts_on: Date,
        ends_on: Option<Date>,
        note: Option<String>,
    },
    /// Hoor en wederhoor: the perpetrator's own account.
    RecordPerpetratorAccount {
        item: ItemId,
        account: String,
    },
    /// A measure ends; a restriction then calls for a herstelgesprek (Utrecht §5).
    EndMeasure {
        item: ItemId,
        on: Date,
    },
    PlanAftercare {
        conversation: AftercareConversation,
        at: Timestamp,
        by: PersonId,
    },
    HoldAftercare {
        item: ItemId,
        held_at: Timestamp,
        referral: Option<String>,
        notes: Option<String>,
    },
    /// A melding or aangifte at the police (PROTOCOL.md §8).
    PoliceContact {
        kind: PoliceContactKind,
        at: Timestamp,
        reference: Option<String>,
        victim_consent: bool,
    },
    PoliceOutcome {
        item: ItemId,
        outcome: String,
        feedback_given: bool,
    },
    /// Damage, paid to the victim first and recovered from the perpetrator (§10).
    Damage {
        description: String,
        amount_cents: i64,
        paid_to_victim_cents: i64,
        recovered_cents: i64,
    },
    Communication {
        audience: Audience,
        victim_consent: bool,
        said: String,
    },
    /// The evaluation of the incident (Utrecht §5), with the improvement actions it
    /// agrees on; each becomes a task of the case with its deadline.
    Evaluation {
        risk: Risk,
        likely_to_recur: bool,
        cause: String,
        trend: String,
        improvement: String,
        actions: Vec<ImprovementAction>,
    },
    /// Lets a person read the case's details (PROTOCOL.md §4: informed parties read the
    /// details only when the handler grants it).
    GrantAccess {
        person: PersonId,
    },
    RevokeAccess {
        person: PersonId,
    },
}

/// An improvement action agreed in an evaluation (Utrecht §5: "what to improve"): what
/// is to be done, by whom of the organisation, and by when. The text is case content and
/// is sealed; who and the date are plain, as an aftercare conversation's are.
#[derive(Clone, PartialEq, Eq)]
pub struct ImprovementAction {
    pub what: String,
    pub who: PersonId,
    pub by: Date,
}

impl std::fmt::Debug for ImprovementAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImprovementAction")
            .field("what", &"<redacted>")
            .field("who", &self.who)
            .field("by", &self.by)
            .finish()
    }
}

/// The task an improvement action is: `verbeteractie_1`, `_2` … in the order the case's
/// actions were agreed. The word is reserved: a protocol file cannot define an own task
/// whose code begins with [`IMPROVEMENT_TASK_PREFIX`].
pub fn improvement_task(number: i64) -> String {
    format!("{IMPROVEMENT_TASK_PREFIX}{number}")
}

/// Whether a task code is an improvement action's.
pub fn is_improvement_task(code: &str) -> bool {
    code.strip_prefix(IMPROVEMENT_TASK_PREFIX)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

pub use weerbaar_protocol::IMPROVEMENT_TASK_PREFIX;

/// A stored item as a case view shows it.
#[derive(Clone, PartialEq)]
pub struct CaseItem {
    pub id: ItemId,
    pub kind: ItemKind,
    pub state: serde_json::Value,
    pub content: serde_json::Value,
}

crate::model::redacted_debug!(CaseItem {
    show: [id, kind, state],
    hide: [content]
});

impl std::fmt::Debug for Action {
    /// The kind of action only: its texts are case content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Action::ChangeStatus { to } => return write!(f, "ChangeStatus {{ to: {to:?} }}"),
            Action::DecideMeasure { measure, .. } => {
                return write!(f, "DecideMeasure {{ measure: {measure:?}, .. }}");
            }
            Action::RecordPerpetratorAccount { .. } => "RecordPerpetratorAccount",
            Action::EndMeasure { .. } => "EndMeasure",
            Action::PlanAftercare { .. } => "PlanAftercare",
            Action::HoldAftercare { .. } => "HoldAftercare",
            Action::PoliceContact { kind, .. } => {
                return write!(f, "PoliceContact {{ kind: {kind:?}, .. }}");
            }
            Action::PoliceOutcome { .. } => "PoliceOutcome",
            Action::Damage { .. } => "Damage",
            Action::Communication { audience, .. } => {
                return write!(f, "Communication {{ audience: {audience:?}, .. }}");
            }
            Action::Evaluation { .. } => "Evaluation",
            Action::GrantAccess { .. } => "GrantAccess",
            Action::RevokeAccess { .. } => "RevokeAccess",
        };
        write!(f, "{name} {{ .. }}")
    }
}

/// Statuses a case may move to from each status.
fn may_move(from: CaseStatus, to: CaseStatus) -> bool {
    use CaseStatus::*;
    matches!(
        (from, to),
        (Gemeld, InBehandeling)
            | (Gemeld | InBehandeling | Heropend, Afgerond)
            | (Afgerond, Heropend)
            | (Heropend, InBehandeling)
            | (Afgerond, Gearchiveerd)
    )
}

fn text_required(field: &str, text: &str) -> Result<(), RegisterError> {
    if text.trim().is_empty() {
        return Err(RegisterError::invalid(field, "may not be empty"));
    }
    Ok(())
}

impl Action {
    /// Checks what needs no database; the rest is checked inside the transaction.
    fn validate(&self) -> Result<(), RegisterError> {
        match self {
            Action::DecideMeasure {
                starts_on,
                ends_on: Some(ends_on),
                ..
            } if ends_on < starts_on => Err(RegisterError::invalid(
                "ends_on",
                "a measure cannot end before it starts",
            )),
            Action::RecordPerpetratorAccount { account, .. } => text_required("account", account),
            Action::PoliceOutcome { outcome, .. } => text_required("outcome", outcome),
            Action::Damage {
                description,
                amount_cents,
                paid_to_victim_cents,
                recovered_cents,
            } => {
                text_required("description", description)?;
                for (field, value) in [
                    ("amount_cents", amount_cents),
                    ("paid_to_victim_cents", paid_to_victim_cents),
                    ("recovered_cents", recovered_cents),
                ] {
                    if *value < 0 {
                        return Err(RegisterError::invalid(
                            field,
                            "an amount cannot be negative",
                        ));
                    }
                }
                // The organisation pays the victim the damage and recovers it from the
                // perpetrator (§10): neither can be more than the damage itself.
                if paid_to_victim_cents > amount_cents {
                    return Err(RegisterError::invalid(
                        "paid_to_victim_cents",
                        "more paid to the victim than the damage",
                    ));
                }
                if recovered_cents > amount_cents {
                    return Err(RegisterError::invalid(
                        "recovered_cents",
                        "more recovered than the damage",
                    ));
                }
                Ok(())
            }
            Action::Communication {
                audience,
                victim_consent,
                said,
            } => {
                text_required("said", said)?;
                // §11: other office holders, the council and the press hear of it only
                // with the victim's consent.
                if *audience != Audience::Vertrouwelijk && !victim_consent {
                    return Err(RegisterError::invalid(
                        "victim_consent",
                        format!("telling `{}` needs the victim's consent", audience.as_str()),
                    ));
                }
                Ok(())
            }
            Action::Evaluation { cause, actions, .. } => {
                text_required("cause", cause)?;
                for (index, action) in actions.iter().enumerate() {
                    text_required(&format!("actions[{index}].what"), &action.what)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl Register {
    /// Records an action in a case, for `actor`. Returns the item it created, if any.
    pub async fn act(
        &self,
        actor: &PersonId,
        case: &CaseId,
        action: Action,
    ) -> Result<Option<ItemId>, RegisterError> {
        action.validate()?;
        let organisation = self.organisation_of_case(case).await?;
        let (key, protocol) = self.organisation(&organisation).await?;
        let at = to_micros(now());
        on_db!(self.db(), pool => {
            let mut tx = pool.begin_write().await?;
            // Lock the case row before reading its state (a no-op on SQLite, whose write
            // transaction already excludes other writers): two actions on one case, or an
            // action and the retention job, then run one after the other.
            sqlx::query("UPDATE cases SET event_count = event_count WHERE id = $1")
                .bind(case.as_str())
                .execute(&mut *tx)
                .await?;
            // Only the handler acts: a granted reader, the victim or an informed role is
            // refused, and someone of another organisation learns nothing.
            require(access_in(&mut tx, actor, case).await?, ACT, case)?;
            let anonymised: Option<i64> = sqlx::query("SELECT anonymised_at FROM cases WHERE id = $1")
                .bind(case.as_str())
                .fetch_one(&mut *tx)
                .await?
                .try_get("anonymised_at")?;
            if anonymised.is_some() {
                return Err(RegisterError::invalid("case", "this case has been anonymised under the retention policy"));
            }
            // What the action stores: (item to insert or update, event kind, payload,
            // tasks it completes, tasks it raises).
            let mut completes: Vec<Task> = Vec::new();
            let mut raises: Vec<Task> = Vec::new();
            let mut new_item: Option<(ItemId, ItemKind, serde_json::Value, serde_json::Value)> = None;
            let mut update: Option<(ItemId, ItemKind, serde_json::Value, Option<serde_json::Value>)> = None;
            let (event, payload) = match &action {
                Action::ChangeStatus { to } => {
                    let row = sqlx::query("SELECT status FROM cases WHERE id = $1")
                        .bind(case.as_str())
                        .fetch_one(&mut *tx)
                        .await?;
                    let from_text: String = row.try_get("status")?;
                    let from = CaseStatus::parse(&from_text)
                        .ok_or_else(|| RegisterError::Corrupt(format!("unknown status `{from_text}`")))?;
                    if !may_move(from, *to) {
                        return Err(RegisterError::invalid(
                            "status",
                            format!("a case cannot go from `{}` to `{}`", from.as_str(), to.as_str()),
                        ));
                    }
                    sqlx::query("UPDATE cases SET status = $1, status_since = $2 WHERE id = $3")
                        .bind(to.as_str())
                        .bind(at)
                        .bind(case.as_str())
                        .execute(&mut *tx)
                        .await?;
                    (EventKind::StatusChanged, json!({ "from": from.as_str(), "to": to.as_str() }))
                }
                Action::DecideMeasure { measure, starts_on, ends_on, note } => {
                    completes.push(Task::MaatregelBesluit);
                    let state = json!({
                        "measure": measure, "starts_on": starts_on.to_string(),
                        "ends_on": ends_on.map(|d| d.to_string()), "ended_on": null,
                        "perpetrator_heard": false,
                    });
                    new_item = Some((ItemId::generate(), ItemKind::Measure, state.clone(), json!({ "note": note })));
                    (EventKind::MeasureDecided, json!({ "state": state, "note": note }))
                }
                Action::RecordPerpetratorAccount { item, account } => {
                    let (mut state, mut content) =
                        load_item(&mut tx, &key, case, item, ItemKind::Measure).await?;
                    state["perpetrator_heard"] = json!(true);
                    content["perpetrator_account"] = json!(account);
                    update = Some((item.clone(), ItemKind::Measure, state, Some(content)));
                    (EventKind::PerpetratorHeard, json!({ "item": item, "account": account }))
                }
                Action::EndMeasure { item, on } => {
                    let (mut state, _) = load_item(&mut tx, &key, case, item, ItemKind::Measure).await?;
                    if !state["ended_on"].is_null() {
                        return Err(RegisterError::invalid("item", "this measure has already ended"));
                    }
                    let measure: Measure = serde_json::from_value(state["measure"].clone())
                        .map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                    if measure.is_restriction() {
                        raises.push(Task::Herstelgesprek);
                    }
                    state["ended_on"] = json!(on.to_string());
                    update = Some((item.clone(), ItemKind::Measure, state, None));
                    (EventKind::MeasureEnded, json!({ "item": item, "on": on.to_string() }))
                }
                Action::PlanAftercare { conversation, at: when, by } => {
                    let by_known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                        .bind(by.as_str())
                        .bind(organisation.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if by_known.is_none() {
                        return Err(RegisterError::invalid("by", format!("person `{by}` is not of this organisation")));
                    }
                    let state = json!({
                        "conversation": conversation.as_str(), "planned_at": when.to_string(),
                        "by": by, "held_at": null, "referral": false,
                    });
                    new_item = Some((ItemId::generate(), ItemKind::Aftercare, state.clone(), json!({})));
                    (EventKind::AftercarePlanned, json!({ "state": state }))
                }
                Action::HoldAftercare { item, held_at, referral, notes } => {
                    let (mut state, mut content) =
                        load_item(&mut tx, &key, case, item, ItemKind::Aftercare).await?;
                    let conversation = state["conversation"]
                        .as_str()
                        .and_then(AftercareConversation::parse)
                        .ok_or_else(|| RegisterError::Corrupt(String::from("aftercare without conversation")))?;
                    completes.push(conversation.task());
                    state["held_at"] = json!(held_at.to_string());
                    state["referral"] = json!(referral.is_some());
                    content["referral"] = json!(referral);
                    content["notes"] = json!(notes);
                    update = Some((item.clone(), ItemKind::Aftercare, state, Some(content)));
                    (EventKind::AftercareHeld, json!({
                        "item": item, "held_at": held_at.to_string(), "referral": referral, "notes": notes,
                    }))
                }
                Action::PoliceContact { kind, at: when, reference, victim_consent } => {
                    // PROTOCOL.md §8: where the organisation files, it does so with the
                    // victim's consent.
                    if *kind == PoliceContactKind::Aangifte
                        && protocol.aangifte_by == Some(AangifteBy::Organisatie)
                        && !victim_consent
                    {
                        return Err(RegisterError::invalid(
                            "victim_consent",
                            "the organisation files an aangifte only with the victim's consent",
                        ));
                    }
                    completes.push(Task::AfspraakPolitie);
                    raises.push(Task::ControleAangifte);
                    if *kind == PoliceContactKind::Aangifte {
                        raises.push(Task::Terugkoppeling);
                    }
                    let state = json!({
                        "kind": kind.as_str(), "at": when.to_string(), "victim_consent": victim_consent,
                        "outcome_known": false, "feedback_given": false,
                    });
                    new_item = Some((ItemId::generate(), ItemKind::Police, state.clone(), json!({ "reference": reference })));
                    (EventKind::PoliceContacted, json!({ "state": state, "reference": reference }))
                }
                Action::PoliceOutcome { item, outcome, feedback_given } => {
                    let (mut state, mut content) =
                        load_item(&mut tx, &key, case, item, ItemKind::Police).await?;
                    state["outcome_known"] = json!(true);
                    state["feedback_given"] = json!(feedback_given);
                    content["outcome"] = json!(outcome);
                    if *feedback_given {
                        completes.push(Task::Terugkoppeling);
                    }
                    update = Some((item.clone(), ItemKind::Police, state, Some(content)));
                    (EventKind::PoliceOutcome, json!({
                        "item": item, "outcome": outcome, "feedback_given": feedback_given,
                    }))
                }
                Action::Damage { description, amount_cents, paid_to_victim_cents, recovered_cents } => {
                    let state = json!({
                        "amount_cents": amount_cents, "paid_to_victim_cents": paid_to_victim_cents,
                        "recovered_cents": recovered_cents,
                    });
                    new_item = Some((ItemId::generate(), ItemKind::Damage, state.clone(), json!({ "description": description })));
                    (EventKind::DamageRecorded, json!({ "state": state, "description": description }))
                }
                Action::Communication { audience, victim_consent, said } => {
                    let state = json!({ "audience": audience.as_str(), "victim_consent": victim_consent });
                    new_item = Some((ItemId::generate(), ItemKind::Communication, state.clone(), json!({ "said": said })));
                    (EventKind::Communicated, json!({ "state": state, "said": said }))
                }
                Action::Evaluation { risk, likely_to_recur, cause, trend, improvement, actions } => {
                    let state = json!({ "risk": risk.as_str(), "likely_to_recur": likely_to_recur });
                    let content = json!({ "cause": cause, "trend": trend, "improvement": improvement });
                    new_item = Some((ItemId::generate(), ItemKind::Evaluation, state.clone(), content.clone()));
                    // Each action becomes an item (its sealed text) and a task of the case
                    // with the action's date as deadline, in the handler's role's list, so
                    // that it is followed up and marked done like any other task.
                    let mut agreed = Vec::with_capacity(actions.len());
                    if !actions.is_empty() {
                        let handler: Option<String> = sqlx::query("SELECT handler_role FROM cases WHERE id = $1")
                            .bind(case.as_str())
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get("handler_role")?;
                        let Some(handler) = handler else {
                            return Err(RegisterError::invalid("actions", "a case without a handler has no one to follow actions up"));
                        };
                        let earlier: i64 = sqlx::query("SELECT COUNT(*) AS n FROM case_items WHERE case_id = $1 AND kind = $2")
                            .bind(case.as_str())
                            .bind(ItemKind::Improvement.as_str())
                            .fetch_one(&mut *tx)
                            .await?
                            .try_get("n")?;
                        for ((index, action), number) in actions.iter().enumerate().zip(earlier + 1..) {
                            let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                                .bind(action.who.as_str())
                                .bind(organisation.as_str())
                                .fetch_optional(&mut *tx)
                                .await?;
                            if known.is_none() {
                                return Err(RegisterError::invalid(
                                    format!("actions[{index}].who"),
                                    format!("person `{}` is not of this organisation", action.who),
                                ));
                            }
                            let task = improvement_task(number);
                            let id = ItemId::generate();
                            let item_state = json!({ "task": task, "who": action.who, "by": action.by.to_string() });
                            let item_content = json!({ "what": action.what });
                            sqlx::query(
                                "INSERT INTO case_items (id, case_id, kind, state_json, content_enc, created_at, updated_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            )
                            .bind(id.as_str())
                            .bind(case.as_str())
                            .bind(ItemKind::Improvement.as_str())
                            .bind(item_state.to_string())
                            .bind(seal_content(&key, &id, &item_content))
                            .bind(at)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?;
                            sqlx::query(
                                "INSERT INTO tasks (case_id, organisation_id, code, assignee_role, due_date) VALUES ($1, $2, $3, $4, $5)",
                            )
                            .bind(case.as_str())
                            .bind(organisation.as_str())
                            .bind(task.as_str())
                            .bind(handler.as_str())
                            .bind(action.by.to_string())
                            .execute(&mut *tx)
                            .await?;
                            agreed.push(json!({ "item": id, "task": task, "what": action.what, "who": action.who, "by": action.by.to_string() }));
                        }
                    }
                    (EventKind::Evaluated, json!({ "state": state, "content": content, "actions": agreed }))
                }
                Action::GrantAccess { person } => {
                    let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                        .bind(person.as_str())
                        .bind(organisation.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if known.is_none() {
                        return Err(RegisterError::invalid("person", format!("person `{person}` is not of this organisation")));
                    }
                    let granted = sqlx::query(
                        "INSERT INTO case_access (case_id, person_id, granted_by, granted_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(case.as_str())
                    .bind(person.as_str())
                    .bind(actor.as_str())
                    .bind(at)
                    .execute(&mut *tx)
                    .await;
                    if granted.is_err() {
                        return Err(RegisterError::invalid("person", "this person already has access"));
                    }
                    (EventKind::AccessGranted, json!({ "person": person }))
                }
                Action::RevokeAccess { person } => {
                    let revoked = sqlx::query("DELETE FROM case_access WHERE case_id = $1 AND person_id = $2")
                        .bind(case.as_str())
                        .bind(person.as_str())
                        .execute(&mut *tx)
                        .await?;
                    if revoked.rows_affected() == 0 {
                        return Err(RegisterError::invalid("person", "this person had no access"));
                    }
                    (EventKind::AccessRevoked, json!({ "person": person }))
                }
            };

            if let Some((id, kind, state, content)) = &new_item {
                sqlx::query(
                    "INSERT INTO case_items (id, case_id, kind, state_json, content_enc, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id.as_str())
                .bind(case.as_str())
                .bind(kind.as_str())
                .bind(state.to_string())
                .bind(seal_content(&key, id, content))
                .bind(at)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((id, _, state, content)) = &update {
                match content {
                    Some(content) => {
                        sqlx::query("UPDATE case_items SET state_json = $1, content_enc = $2, updated_at = $3 WHERE id = $4")
                            .bind(state.to_string())
                            .bind(seal_content(&key, id, content))
                            .bind(at)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                    None => {
                        sqlx::query("UPDATE case_items SET state_json = $1, updated_at = $2 WHERE id = $3")
                            .bind(state.to_string())
                            .bind(at)
                            .bind(id.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
            append_event!(tx, key, case, event, Some(actor), at, payload);
            // An aftercare conversation planned: each victim of the case is told when.
            if let Some((item, ItemKind::Aftercare, _, _)) = &new_item {
                let victims = sqlx::query("SELECT person_id FROM case_victims WHERE case_id = $1 ORDER BY person_id")
                    .bind(case.as_str())
                    .fetch_all(&mut *tx)
                    .await?;
                for victim in victims {
                    let victim: String = victim.try_get("person_id")?;
                    crate::outbox::enqueue_mail!(tx, organisation.as_str(), victim.as_str(),
                        crate::outbox::MailKind::NazorgAfspraak, Some(case.as_str()), Some(item.as_str()), at);
                }
            }

            // The tasks the action fulfils or raises, as far as the protocol uses them.
            for task in completes {
                let done = sqlx::query(
                    "UPDATE tasks SET done_at = $1, done_by = $2 WHERE case_id = $3 AND code = $4 AND done_at IS NULL",
                )
                .bind(at)
                .bind(actor.as_str())
                .bind(case.as_str())
                .bind(task.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 1 {
                    append_event!(tx, key, case, EventKind::TaskDone, Some(actor), at, json!({ "task": task, "by_action": true }));
                }
            }
            let handler: Option<String> = sqlx::query("SELECT handler_role FROM cases WHERE id = $1")
                .bind(case.as_str())
                .fetch_one(&mut *tx)
                .await?
                .try_get("handler_role")?;
            for task in raises {
                let Some(handler) = &handler else { continue };
                if !protocol.tasks.contains_key(&task) {
                    continue;
                }
                let exists = sqlx::query("SELECT done_at FROM tasks WHERE case_id = $1 AND code = $2")
                    .bind(case.as_str())
                    .bind(task.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_some() {
                    // Raised once per case; a second restriction ending reopens it.
                    sqlx::query("UPDATE tasks SET done_at = NULL, done_by = NULL WHERE case_id = $1 AND code = $2")
                        .bind(case.as_str())
                        .bind(task.as_str())
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO tasks (case_id, code, assignee_role, organisation_id) VALUES ($1, $2, $3, $4)",
                    )
                        .bind(case.as_str())
                        .bind(task.as_str())
                        .bind(handler.as_str())
                        .bind(organisation.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                append_event!(tx, key, case, EventKind::TaskRaised, Some(actor), at, json!({ "task": task }));
            }
            tx.commit().await?;
            Ok(new_item.map(|(id, ..)| id))
        })
    }
}

fn seal_content(key: &DataKey, id: &ItemId, content: &serde_json::Value) -> Vec<u8> {
    key.seal(
        content.to_string().as_bytes(),
        &aad("case_items.content", id.as_str()),
    )
}

pub(crate) fn open_content(
    key: &DataKey,
    id: &ItemId,
    sealed: &[u8],
) -> Result<serde_json::Value, RegisterError> {
    let bytes = key.open(sealed, &aad("case_items.content", id.as_str()))?;
    serde_json::from_slice(&bytes).map_err(|e| RegisterError::Corrupt(e.to_string()))
}

/// An item of this case and kind, with its plain state and opened content. An item of
/// another case (or of another kind) is not found, as an unknown id is: the register
/// speaks of a case's items only inside that case, and the handler of one case learns
/// nothing of another's items by trying their ids here.
async fn load_item<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    key: &DataKey,
    case: &CaseId,
    item: &ItemId,
    kind: ItemKind,
) -> Result<(serde_json::Value, serde_json::Value), RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    let row = sqlx::query("SELECT state_json, content_enc FROM case_items WHERE id = $1 AND case_id = $2 AND kind = $3")
        .bind(item.as_str())
        .bind(case.as_str())
        .bind(kind.as_str())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| RegisterError::NotFound {
            what: kind.as_str(),
            id: item.to_string(),
        })?;
    let state: String = row.try_get("state_json")?;
    let state = serde_json::from_str(&state).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
    let content = match row.try_get::<Option<Vec<u8>>, _>("content_enc")? {
        Some(sealed) => open_content(key, item, &sealed)?,
        None => json!({}),
    };
    Ok((state, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_only_along_the_case_life() {
        use CaseStatus::*;
        assert!(may_move(Gemeld, InBehandeling));
        assert!(may_move(InBehandeling, Afgerond));
        assert!(may_move(Afgerond, Heropend));
        assert!(may_move(Afgerond, Gearchiveerd));
        assert!(!may_move(Gemeld, Gearchiveerd));
        assert!(!may_move(Gearchiveerd, Heropend));
        assert!(!may_move(Afgerond, Afgerond));
    }

    #[test]
    fn amounts_and_consent_are_checked_before_anything_is_written() {
        let damage = |amount, paid, recovered| Action::Damage {
            description: "ruit".into(),
            amount_cents: amount,
            paid_to_victim_cents: paid,
            recovered_cents: recovered,
        };
        let refused = |action: Action| match action.validate() {
            Err(RegisterError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert!(damage(100, 100, 50).validate().is_ok());
        assert_eq!(refused(damage(-1, 0, 0)), "amount_cents");
        assert_eq!(refused(damage(100, 0, 150)), "recovered_cents");
        assert_eq!(refused(damage(100, 150, 0)), "paid_to_victim_cents");
        let press = |consent| Action::Communication {
            audience: Audience::Pers,
            victim_consent: consent,
            said: "persbericht".into(),
        };
        assert!(press(true).validate().is_ok());
        assert!(
            matches!(press(false).validate(), Err(RegisterError::Invalid { field, .. }) if field == "victim_consent")
        );
        let backwards = Action::DecideMeasure {
            measure: Measure::Toegangsverbod,
            starts_on: jiff::civil::date(2026, 3, 10),
            ends_on: Some(jiff::civil::date(2026, 3, 1)),
            note: None,
        };
        assert!(backwards.validate().is_err());
    }
}
