//! The two dossiers that hang off a case page, as JSON: the perpetrator's dossier (their
//! details and every case of the organisation that names them, as on
//! `/zaken/{id}/dader/{pid}`) and the police dossier (who, what, where, with what, how
//! and when, why, as on `/zaken/{id}/dossier`). The pages' rules: the perpetrator's
//! dossier is the handler's alone (it spans other cases); the police dossier is for the
//! handler and the readers the handler let in. The reporter and victims know the case
//! (403); informed roles and strangers get 404. Every read is the register's, recorded
//! on the case's timeline as the pages' reads are.

use axum::Json;
use axum::extract::{Path, State};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use weerbaar_protocol::{Behaviour, Category, Channel, Code, Injury, Role};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    ApiScope, CaseId, CaseKind, CaseStatus, ItemKind, PerpetratorId, PoliceContactKind, Relation,
};

use super::bearer::ApiUser;
use super::cases::PerpetratorOut;
use super::evidence::EvidenceOut;
use super::problem::Problem;
use super::schema::*;
use crate::state::AppState;

/// One case in a perpetrator's dossier: what it was, not what it said.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierCaseOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = KindCode)]
    pub kind: CaseKind,
    #[schema(value_type = CaseStatusCode)]
    pub status: CaseStatus,
    #[schema(value_type = RoleCode)]
    pub victim_role: Role,
    #[schema(value_type = Option<CategoryCode>)]
    pub category: Option<Category>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    /// The case the dossier was opened from.
    pub this_case: bool,
}

/// A perpetrator and every case of the organisation that names them, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PerpetratorDossierOut {
    pub perpetrator: PerpetratorOut,
    pub cases: Vec<DossierCaseOut>,
}

/// The perpetrator's dossier: their details and their earlier (and later) cases.
#[utoipa::path(
    get,
    path = "/cases/{case}/perpetrators/{perpetrator}",
    tag = "cases",
    params(
        ("case" = String, Path, description = "The case the dossier is opened from."),
        ("perpetrator" = String, Path, description = "A perpetrator named in that case (`perpetrators[].id` of the case)."),
    ),
    responses(
        (status = 200, description = "The dossier. Opening it is an event on the case's timeline.", body = PerpetratorDossierOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Some access to the case, but not its handler: the dossier spans other cases.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or a perpetrator the case does not name, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn perpetrator(
    State(state): State<AppState>,
    user: ApiUser,
    Path((case, perpetrator)): Path<(String, String)>,
) -> Result<Json<PerpetratorDossierOut>, Problem> {
    user.require(ApiScope::Read)?;
    let case = CaseId(case);
    match state.register().case_access(&user.me.person, &case).await? {
        CaseAccess::Handler => {}
        CaseAccess::Granted | CaseAccess::Own => {
            return Err(Problem::forbidden(
                "Alleen de behandelaar ziet de eerdere incidenten van een dader.",
            ));
        }
        CaseAccess::Informed | CaseAccess::None => return Err(Problem::not_found()),
    }
    let dossier = state
        .register()
        .perpetrator_dossier(&user.me.person, &case, &PerpetratorId(perpetrator))
        .await?;
    Ok(Json(PerpetratorDossierOut {
        perpetrator: PerpetratorOut::new(dossier.id, dossier.kind, dossier.details),
        cases: dossier
            .cases
            .into_iter()
            .map(|c| DossierCaseOut {
                this_case: c.case == case,
                id: c.case.to_string(),
                number: c.number,
                kind: c.kind,
                status: c.status,
                victim_role: c.victim_role,
                category: c.category,
                occurred_at: c.occurred_at,
            })
            .collect(),
    }))
}

/// Who was hit: the office and the relation, never a name or an address.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierVictimOut {
    #[schema(value_type = RoleCode)]
    pub role: Role,
    #[schema(value_type = RelationCode)]
    pub relation: Relation,
}

/// Wie: who was hit, and who did it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhoOut {
    pub victims: Vec<DossierVictimOut>,
    pub perpetrators: Vec<PerpetratorOut>,
}

/// Wat: what happened.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhatOut {
    #[schema(value_type = Vec<BehaviourCode>)]
    pub behaviours: Vec<Behaviour>,
    /// The reporter's account.
    pub narrative: Option<String>,
}

/// Waar: where and how it reached the victim.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhereOut {
    /// The place as the reporter gave it (never a home address: no case holds one).
    pub place: Option<String>,
    #[schema(value_type = Option<ChannelCode>)]
    pub channel: Option<Channel>,
    pub during_meeting: bool,
}

/// Hoe en wanneer: how bad, and when.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HowAndWhenOut {
    #[schema(value_type = Option<InjuryCode>)]
    pub injury: Option<Injury>,
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub reported_at: Timestamp,
}

/// Waarom: what is known of the why, from the measures: their reasons and what the
/// perpetrator said when heard.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhyOut {
    /// The measure (`items[].id` of the case) it is from.
    pub measure: String,
    /// The reason given with the measure.
    pub note: Option<String>,
    /// The perpetrator's account (hoor en wederhoor).
    pub perpetrator_account: Option<String>,
}

/// A melding or aangifte at the police.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PoliceOut {
    pub id: String,
    #[schema(value_type = PoliceKindCode)]
    pub kind: PoliceContactKind,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Timestamp>,
    pub reference: Option<String>,
    pub victim_consent: bool,
    pub outcome: Option<String>,
    pub feedback_given: bool,
}

/// The dossier for the police: the case's facts under the questions the police ask.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PoliceDossierOut {
    pub id: String,
    pub number: i64,
    /// The organisation whose case it is.
    pub organisation: String,
    /// Wie.
    pub who: WhoOut,
    /// Wat.
    pub what: WhatOut,
    /// Waar.
    #[serde(rename = "where")]
    pub where_: WhereOut,
    /// Waarmee: the evidence (what each piece is, without content).
    pub with_what: Vec<EvidenceOut>,
    /// Hoe en wanneer.
    pub how_and_when: HowAndWhenOut,
    /// Waarom.
    pub why: Vec<WhyOut>,
    /// The contacts with the police so far.
    pub police: Vec<PoliceOut>,
}

fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .filter(|text| !text.trim().is_empty())
        .map(str::to_owned)
}

fn code<C: Code>(value: &serde_json::Value, key: &str) -> Option<C> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .and_then(|text| C::parse(text).ok())
}

/// The police dossier of a case (wie, wat, waar, waarmee, hoe en wanneer, waarom).
#[utoipa::path(
    get,
    path = "/cases/{case}/dossier",
    tag = "cases",
    params(("case" = String, Path, description = "The case's id.")),
    responses(
        (status = 200, description = "The dossier for the police. Reading it is a read of the case and of its evidence list, on its timeline.", body = PoliceDossierOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The case's reporter or a victim, who see their own view.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business (informed roles too, as on the page).", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn police(
    State(state): State<AppState>,
    user: ApiUser,
    Path(case): Path<String>,
) -> Result<Json<PoliceDossierOut>, Problem> {
    user.require(ApiScope::Read)?;
    let case = CaseId(case);
    let register = state.register();
    match register.case_access(&user.me.person, &case).await? {
        CaseAccess::Handler | CaseAccess::Granted => {}
        CaseAccess::Own => {
            return Err(Problem::forbidden(
                "De melder en wie geraakt is zien hun eigen melding; het dossier is voor de behandelaar.",
            ));
        }
        CaseAccess::Informed | CaseAccess::None => return Err(Problem::not_found()),
    }
    // The page's reads: the case, and its evidence.
    let view = register.open_case(&user.me.person, &case).await?;
    let evidence = register.evidence_list(&user.me.person, &case).await?;
    let facts = view.facts.clone().unwrap_or(serde_json::Value::Null);
    let behaviours = facts
        .get("behaviours")
        .and_then(serde_json::Value::as_array)
        .map(|all| {
            all.iter()
                .filter_map(serde_json::Value::as_str)
                .filter_map(|b| Behaviour::parse(b).ok())
                .collect()
        })
        .unwrap_or_default();
    let why = view
        .items
        .iter()
        .filter(|item| item.kind == ItemKind::Measure)
        .map(|item| WhyOut {
            measure: item.id.to_string(),
            note: text(&item.content, "note"),
            perpetrator_account: text(&item.content, "perpetrator_account"),
        })
        .filter(|why| why.note.is_some() || why.perpetrator_account.is_some())
        .collect();
    let police = view
        .items
        .iter()
        .filter(|item| item.kind == ItemKind::Police)
        .filter_map(|item| {
            let kind = text(&item.state, "kind").and_then(|k| PoliceContactKind::parse(&k))?;
            Some((item, kind))
        })
        .map(|(item, kind)| PoliceOut {
            id: item.id.to_string(),
            kind,
            at: text(&item.state, "at").and_then(|at| at.parse().ok()),
            reference: text(&item.content, "reference"),
            victim_consent: item.state["victim_consent"].as_bool().unwrap_or(false),
            outcome: text(&item.content, "outcome"),
            feedback_given: item.state["feedback_given"].as_bool().unwrap_or(false),
        })
        .collect();
    Ok(Json(PoliceDossierOut {
        id: view.id.to_string(),
        number: view.number,
        organisation: user.me.organisation_name.clone(),
        who: WhoOut {
            // The office and the relation only: no home address is part of a case, and
            // this dossier leaves the organisation.
            victims: view
                .victims
                .iter()
                .map(|(_, role, relation)| DossierVictimOut {
                    role: *role,
                    relation: *relation,
                })
                .collect(),
            perpetrators: view
                .perpetrators
                .into_iter()
                .map(|(id, kind, details)| PerpetratorOut::new(id, kind, details))
                .collect(),
        },
        what: WhatOut {
            behaviours,
            narrative: view.narrative,
        },
        where_: WhereOut {
            place: view.place,
            channel: code(&facts, "channel"),
            during_meeting: view.during_meeting,
        },
        with_what: evidence.into_iter().map(Into::into).collect(),
        how_and_when: HowAndWhenOut {
            injury: code(&facts, "injury"),
            occurred_at: view.occurred_at,
            reported_at: view.reported_at,
        },
        why,
        police,
    }))
}
