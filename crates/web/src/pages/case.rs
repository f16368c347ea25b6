//! The handler's case page: the report and its plan, the tasks with their deadlines, and
//! everything the case's life holds (measures, aftercare, police, damage, communication,
//! evaluation, who else may read it), with the timeline; the forms to act are shown to
//! the handler only. Opening it is a read on the case's timeline.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use weerbaar_protocol::{Code, Measure};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    AftercareConversation, Audience, CaseId, CaseItem, CaseStatus, CaseView, ItemKind, PersonId,
    PoliceContactKind, Risk,
};

use crate::auth::SignedIn;
use crate::dates;
use crate::error::WebError;
use crate::form::{Errors, Fields};
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/zaken/{case}", get(show))
        .route("/zaken/{case}/{action}", post(super::case_actions::act))
}

pub(crate) type Options = Vec<(String, String)>;

pub(crate) fn options_of<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Options {
    all.iter()
        .map(|x| (code(*x).to_owned(), label(*x).to_owned()))
        .collect()
}

pub(crate) struct TaskRow {
    pub label: String,
    pub due: String,
    pub done: Option<String>,
    pub overdue: bool,
}

/// One stored thing of the case's life, ready to show: a title, lines of facts, and
/// the item id for the forms that act on it.
pub(crate) struct ItemRow {
    pub id: String,
    pub title: String,
    pub lines: Vec<String>,
    /// Which follow-up forms apply: "wederhoor", "einde", "gehouden", "uitkomst".
    pub follow_ups: Vec<&'static str>,
}

/// One row of improvement action in the evaluation form: its field names and what was
/// typed (shown again when the form comes back with a mistake).
pub(crate) struct ActionRow {
    pub n: usize,
    pub what_name: String,
    pub who_name: String,
    pub by_name: String,
    pub what: String,
    pub who: String,
    pub by: String,
}

impl ActionRow {
    fn new(n: usize, values: &Fields) -> ActionRow {
        let [what_name, who_name, by_name] = super::case_actions::action_fields(n);
        ActionRow {
            n,
            what: values.get(&what_name).to_owned(),
            who: values.get(&who_name).to_owned(),
            by: values.get(&by_name).to_owned(),
            what_name,
            who_name,
            by_name,
        }
    }
}

pub(crate) struct EventRow {
    pub at: String,
    pub what: &'static str,
    pub by: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    pub layout: Layout,
    pub csrf: String,
    pub errors: Errors,
    pub values: Fields,
    pub can_act: bool,
    pub is_open_consult: bool,
    /// The person looking, for "Ikzelf" in the aftercare form.
    pub me: String,
    pub id: String,
    pub number: i64,
    pub kind: &'static str,
    pub status: &'static str,
    pub category: &'static str,
    pub report: &'static str,
    pub handler: &'static str,
    pub informed: String,
    pub escalations: Vec<&'static str>,
    pub suggested_measures: Vec<&'static str>,
    pub aangifte_by: &'static str,
    /// The organisation's protocol does not say who gives aftercare (§16.7).
    pub aftercare_not_regulated: bool,
    pub recidive: bool,
    /// The protocol version the plan was made under (the Classified event's), which a
    /// later change of protocol does not change.
    pub planned_under: Option<String>,
    pub victims: Vec<String>,
    pub occurred: String,
    pub reported: String,
    pub place: Option<String>,
    pub channel: &'static str,
    pub during_meeting: bool,
    pub behaviours: Vec<&'static str>,
    pub narrative: String,
    pub perpetrators: Vec<(String, String, Vec<String>)>,
    pub tasks: Vec<TaskRow>,
    pub measures: Vec<ItemRow>,
    pub aftercare: Vec<ItemRow>,
    pub police: Vec<ItemRow>,
    pub damage: Vec<ItemRow>,
    pub communication: Vec<ItemRow>,
    pub evaluation: Vec<ItemRow>,
    /// The improvement actions agreed in evaluations; each is also a task.
    pub improvements: Vec<ItemRow>,
    /// The evaluation form's rows for improvement actions.
    pub improvement_rows: Vec<ActionRow>,
    pub access: Vec<(String, String)>,
    pub events: Vec<EventRow>,
    pub reads: usize,
    pub statuses: Options,
    pub measure_options: Options,
    pub conversation_options: Options,
    pub police_options: Options,
    pub audience_options: Options,
    pub risk_options: Options,
    pub people_options: Options,
    /// Everyone of the organisation, for who takes on an improvement action.
    pub action_people: Options,
    pub open_task_options: Options,
}

impl CasePage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }
}

fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn flag(value: &serde_json::Value, key: &str) -> bool {
    value
        .get(key)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn moment_of(value: &serde_json::Value, key: &str) -> Option<String> {
    text(value, key)
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(dates::moment)
}

fn date_of(value: &serde_json::Value, key: &str) -> Option<String> {
    text(value, key)
        .and_then(|t| t.parse::<jiff::civil::Date>().ok())
        .map(dates::date)
}

fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}€ {},{:02}", cents / 100, cents % 100)
}

fn cents_of(value: &serde_json::Value, key: &str) -> String {
    euros(
        value
            .get(key)
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0),
    )
}

fn yes_no(value: bool) -> &'static str {
    if value { "ja" } else { "nee" }
}

fn item_row(item: &CaseItem, names: &HashMap<PersonId, String>) -> ItemRow {
    let state = &item.state;
    let content = &item.content;
    let mut lines = Vec::new();
    let mut follow_ups = Vec::new();
    let title = match item.kind {
        ItemKind::Measure => {
            let measure = text(state, "measure").and_then(|m| Measure::parse(&m).ok());
            if let Some(start) = date_of(state, "starts_on") {
                lines.push(format!("Vanaf {start}"));
            }
            if let Some(end) = date_of(state, "ends_on") {
                lines.push(format!("Tot {end}"));
            }
            match date_of(state, "ended_on") {
                Some(ended) => lines.push(format!("Beëindigd op {ended}")),
                None => follow_ups.push("einde"),
            }
            if let Some(note) = text(content, "note") {
                lines.push(format!("Toelichting: {note}"));
            }
            match text(content, "perpetrator_account") {
                Some(account) => lines.push(format!(
                    "Reactie van de dader (hoor en wederhoor): {account}"
                )),
                None => follow_ups.push("wederhoor"),
            }
            measure
                .map(labels::measure_label)
                .unwrap_or("Maatregel")
                .to_owned()
        }
        ItemKind::Aftercare => {
            let conversation =
                text(state, "conversation").and_then(|c| AftercareConversation::parse(&c));
            if let Some(at) = moment_of(state, "planned_at") {
                lines.push(format!("Gepland: {at}"));
            }
            if let Some(by) = text(state, "by") {
                lines.push(format!(
                    "Door: {}",
                    names.get(&PersonId(by)).cloned().unwrap_or_default()
                ));
            }
            match moment_of(state, "held_at") {
                Some(held) => lines.push(format!("Gehouden: {held}")),
                None => follow_ups.push("gehouden"),
            }
            if let Some(referral) = text(content, "referral") {
                lines.push(format!("Doorverwezen naar: {referral}"));
            }
            if let Some(notes) = text(content, "notes") {
                lines.push(format!("Aantekeningen: {notes}"));
            }
            conversation
                .map(labels::aftercare_conversation_label)
                .unwrap_or("Nazorggesprek")
                .to_owned()
        }
        ItemKind::Police => {
            let kind = text(state, "kind").and_then(|k| PoliceContactKind::parse(&k));
            if let Some(at) = moment_of(state, "at") {
                lines.push(format!("Op {at}"));
            }
            if let Some(reference) = text(content, "reference") {
                lines.push(format!("Kenmerk: {reference}"));
            }
            lines.push(format!(
                "Toestemming slachtoffer: {}",
                yes_no(flag(state, "victim_consent"))
            ));
            match text(content, "outcome") {
                Some(outcome) => {
                    lines.push(format!("Uitkomst: {outcome}"));
                    lines.push(format!(
                        "Teruggekoppeld aan het slachtoffer: {}",
                        yes_no(flag(state, "feedback_given"))
                    ));
                }
                None => follow_ups.push("uitkomst"),
            }
            kind.map(labels::police_contact_kind_label)
                .unwrap_or("Politie")
                .to_owned()
        }
        ItemKind::Damage => {
            if let Some(description) = text(content, "description") {
                lines.push(description);
            }
            lines.push(format!("Bedrag: {}", cents_of(state, "amount_cents")));
            lines.push(format!(
                "Aan het slachtoffer betaald: {}",
                cents_of(state, "paid_to_victim_cents")
            ));
            lines.push(format!(
                "Verhaald op de dader: {}",
                cents_of(state, "recovered_cents")
            ));
            String::from("Schade")
        }
        ItemKind::Communication => {
            let audience = text(state, "audience").and_then(|a| Audience::parse(&a));
            lines.push(format!(
                "Toestemming slachtoffer: {}",
                yes_no(flag(state, "victim_consent"))
            ));
            if let Some(said) = text(content, "said") {
                lines.push(format!("Gezegd: {said}"));
            }
            format!(
                "Communicatie: {}",
                audience.map(labels::audience_label).unwrap_or("")
            )
        }
        ItemKind::Evaluation => {
            let risk = text(state, "risk").and_then(|r| Risk::parse(&r));
            lines.push(format!(
                "Risico: {}",
                risk.map(labels::risk_label).unwrap_or("")
            ));
            lines.push(format!(
                "Kans op herhaling: {}",
                yes_no(flag(state, "likely_to_recur"))
            ));
            for (key, label) in [
                ("cause", "Oorzaak"),
                ("trend", "Trend"),
                ("improvement", "Verbetering"),
            ] {
                if let Some(value) = text(content, key) {
                    lines.push(format!("{label}: {value}"));
                }
            }
            String::from("Evaluatie")
        }
        ItemKind::Improvement => {
            if let Some(who) = text(state, "who") {
                lines.push(format!(
                    "Door: {}",
                    names.get(&PersonId(who)).cloned().unwrap_or_default()
                ));
            }
            if let Some(by) = date_of(state, "by") {
                lines.push(format!("Uiterlijk: {by}"));
            }
            format!(
                "Verbeteractie: {}",
                text(content, "what").unwrap_or_default()
            )
        }
    };
    ItemRow {
        id: item.id.to_string(),
        title,
        lines,
        follow_ups,
    }
}

/// The case page for a handler (who may act) or a granted reader (who may not).
pub(crate) async fn case_page(
    state: &AppState,
    user: &SignedIn,
    view: CaseView,
    can_act: bool,
    values: Fields,
    errors: Errors,
) -> Result<CasePage, WebError> {
    let register = state.register();
    let protocol = register.protocol(&user.me.organisation).await?;
    let people = register.people(&user.me.organisation).await?;
    let names: HashMap<PersonId, String> = people
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let name_of = |id: &PersonId| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| String::from("onbekend"))
    };
    let now = jiff::Timestamp::now();

    let plan = view.plan.clone().unwrap_or(serde_json::Value::Null);
    let codes = |key: &str| -> Vec<String> {
        plan.get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let informed: Vec<&str> = codes("informed")
        .iter()
        .filter_map(|r| weerbaar_protocol::Role::parse(r).ok())
        .map(labels::role_label)
        .collect();
    let facts = view.facts.clone().unwrap_or(serde_json::Value::Null);
    let behaviours = facts
        .get("behaviours")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .filter_map(|b| weerbaar_protocol::Behaviour::parse(b).ok())
                .map(labels::behaviour_label)
                .collect()
        })
        .unwrap_or_default();
    let channel = text(&facts, "channel")
        .and_then(|c| weerbaar_protocol::Channel::parse(&c).ok())
        .map(labels::channel_label)
        .unwrap_or("");

    let items_of = |kind: ItemKind| -> Vec<ItemRow> {
        view.items
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| item_row(i, &names))
            .collect()
    };
    // An improvement action's task is named by what it asks (the evaluation's words).
    let improvement_of: HashMap<String, String> = view
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Improvement)
        .filter_map(|i| Some((text(&i.state, "task")?, text(&i.content, "what")?)))
        .collect();
    let task_label = |code: weerbaar_protocol::TaskCode| match improvement_of.get(code.as_str()) {
        Some(what) => format!("Verbeteractie: {what}"),
        None if weerbaar_register::is_improvement_task(code.as_str()) => {
            String::from("Verbeteractie")
        }
        None => labels::task_code_label(code, &protocol),
    };
    let tasks: Vec<TaskRow> = view
        .tasks
        .iter()
        .map(|t| TaskRow {
            label: task_label(t.code),
            due: dates::due_or_target(t.opens_at, t.due_at, t.due_date, t.target),
            done: t.done_at.map(|at| {
                let by = t.done_by.as_ref().map(&name_of).unwrap_or_default();
                format!("gedaan op {} door {by}", dates::moment(at))
            }),
            overdue: t.done_at.is_none() && !t.target && dates::overdue(t.due_at, t.due_date, now),
        })
        .collect();
    let open_task_options = view
        .tasks
        .iter()
        .filter(|t| t.done_at.is_none())
        .map(|t| (t.code.as_str().to_owned(), task_label(t.code)))
        .collect();

    let improvement_rows = (1..=super::case_actions::ACTION_ROWS)
        .map(|n| ActionRow::new(n, &values))
        .collect();
    Ok(CasePage {
        layout: user.layout(&format!("Melding {}", view.number)),
        csrf: user.session.csrf.clone(),
        errors,
        values,
        can_act,
        is_open_consult: view.kind == weerbaar_register::CaseKind::Consult
            && view.status == CaseStatus::Gemeld,
        me: user.me.person.to_string(),
        id: view.id.to_string(),
        number: view.number,
        kind: labels::case_kind_label(view.kind),
        status: labels::case_status_label(view.status),
        category: view
            .category
            .map(labels::category_label)
            .unwrap_or("Nog niet bepaald"),
        report: text(&plan, "report")
            .and_then(|r| weerbaar_protocol::ReportObligation::parse(&r).ok())
            .map(labels::report_obligation_label)
            .unwrap_or(""),
        handler: view.handler_role.map(labels::role_label).unwrap_or(""),
        informed: informed.join(", "),
        escalations: codes("escalations")
            .iter()
            .filter_map(|e| weerbaar_protocol::Escalation::parse(e).ok())
            .map(labels::escalation_label)
            .collect(),
        suggested_measures: codes("measures")
            .iter()
            .filter_map(|m| Measure::parse(m).ok())
            .map(labels::measure_label)
            .collect(),
        // §16.7: a plan of a protocol that does not say who files has `null` here.
        aangifte_by: match plan.get("aangifte_by") {
            Some(serde_json::Value::Null) => "Niet geregeld in het protocol",
            _ => text(&plan, "aangifte_by")
                .and_then(|a| weerbaar_protocol::AangifteBy::parse(&a).ok())
                .map(labels::aangifte_by_label)
                .unwrap_or(""),
        },
        recidive: flag(&plan, "recidive"),
        aftercare_not_regulated: !protocol.aftercare.regulated,
        planned_under: view
            .events
            .iter()
            .find(|e| e.kind == weerbaar_register::EventKind::Classified)
            .and_then(|e| e.payload.get("protocol_version"))
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        victims: view
            .victims
            .iter()
            .map(|(person, role, relation)| {
                format!(
                    "{} ({}); geraakt: {}",
                    name_of(person),
                    labels::role_label(*role),
                    labels::relation_label(*relation).to_lowercase()
                )
            })
            .collect(),
        occurred: dates::moment(view.occurred_at),
        reported: dates::moment(view.reported_at),
        place: view.place.clone(),
        channel,
        during_meeting: view.during_meeting,
        behaviours,
        narrative: view.narrative.clone().unwrap_or_default(),
        perpetrators: view
            .perpetrators
            .iter()
            .map(|(id, kind, details)| {
                let mut lines = Vec::new();
                let mut add = |label: &str, value: &Option<String>| {
                    if let Some(v) = value {
                        lines.push(format!("{label}: {v}"));
                    }
                };
                add("Naam", &details.name);
                add("Geboortedatum", &details.date_of_birth);
                add("E-mail", &details.email);
                add("Telefoon", &details.phone);
                add("Kenteken", &details.licence_plate);
                add("Namens", &details.on_behalf_of);
                add("Beschrijving", &details.description);
                if !details.accounts.is_empty() {
                    lines.push(format!("Accounts: {}", details.accounts.join(", ")));
                }
                (
                    id.to_string(),
                    labels::perpetrator_kind_label(*kind).to_owned(),
                    lines,
                )
            })
            .collect(),
        tasks,
        measures: items_of(ItemKind::Measure),
        aftercare: items_of(ItemKind::Aftercare),
        police: items_of(ItemKind::Police),
        damage: items_of(ItemKind::Damage),
        communication: items_of(ItemKind::Communication),
        evaluation: items_of(ItemKind::Evaluation),
        improvements: items_of(ItemKind::Improvement),
        improvement_rows,
        access: view
            .access
            .iter()
            .map(|p| (p.to_string(), name_of(p)))
            .collect(),
        reads: view
            .events
            .iter()
            .filter(|e| e.kind == weerbaar_register::EventKind::Viewed)
            .count(),
        // Reads are many and say little on their own; the timeline shows what happened,
        // and the reads are counted (the reporter sees each one on their own page).
        events: view
            .events
            .iter()
            .rev()
            .filter(|e| e.kind != weerbaar_register::EventKind::Viewed)
            .map(|e| EventRow {
                at: dates::moment(e.at),
                what: labels::event_kind_label(e.kind),
                by: e
                    .actor
                    .as_ref()
                    .map(&name_of)
                    .unwrap_or_else(|| String::from("Weerbaar")),
            })
            .collect(),
        statuses: options_of(
            CaseStatus::ALL,
            CaseStatus::as_str,
            labels::case_status_label,
        ),
        measure_options: options_of(Measure::ALL, Measure::as_str, labels::measure_label),
        conversation_options: options_of(
            AftercareConversation::ALL,
            AftercareConversation::as_str,
            labels::aftercare_conversation_label,
        ),
        police_options: options_of(
            PoliceContactKind::ALL,
            PoliceContactKind::as_str,
            labels::police_contact_kind_label,
        ),
        audience_options: options_of(Audience::ALL, Audience::as_str, labels::audience_label),
        risk_options: options_of(Risk::ALL, Risk::as_str, labels::risk_label),
        people_options: people
            .iter()
            .filter(|p| p.id != user.me.person)
            .map(person_option)
            .collect(),
        // Anyone of the organisation can take on an improvement action, the handler too.
        action_people: people
            .iter()
            .filter(|p| !p.disabled)
            .map(person_option)
            .collect(),
        open_task_options,
    })
}

/// A person as a choice in a form: the name with the current roles.
fn person_option(p: &weerbaar_register::PersonSummary) -> (String, String) {
    let roles: Vec<&str> = p
        .roles
        .iter()
        .filter(|(_, c)| *c)
        .map(|(r, _)| labels::role_label(*r))
        .collect();
    if roles.is_empty() {
        (p.id.to_string(), p.name.clone())
    } else {
        (
            p.id.to_string(),
            format!("{} ({})", p.name, roles.join(", ")),
        )
    }
}

/// Opens the case for a handler or granted reader; sends reporters and informed people
/// to the view that is theirs.
pub(crate) async fn open_for(
    state: &AppState,
    user: &SignedIn,
    case: &CaseId,
) -> Result<Result<(CaseView, bool), Response>, WebError> {
    let register = state.register();
    match register.case_access(&user.me.person, case).await? {
        CaseAccess::Handler => Ok(Ok((register.open_case(&user.me.person, case).await?, true))),
        CaseAccess::Granted => Ok(Ok((
            register.open_case(&user.me.person, case).await?,
            false,
        ))),
        CaseAccess::Own => Ok(Err(
            Redirect::to(&format!("/mijn-meldingen/{case}")).into_response()
        )),
        CaseAccess::Informed => Ok(Err(
            Redirect::to(&format!("/overzicht/{case}")).into_response()
        )),
        CaseAccess::None => Err(WebError::NotFound),
    }
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
) -> Result<Response, WebError> {
    let case = CaseId(case);
    let (view, can_act) = match open_for(&state, &user, &case).await? {
        Ok(opened) => opened,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let page = case_page(
        &state,
        &user,
        view,
        can_act,
        Fields::default(),
        Errors::default(),
    )
    .await?;
    Ok(html(&page))
}
