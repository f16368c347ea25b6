//! Reporting over the API: a report (as on `/melden`) and a consult ("ik twijfel", as on
//! `/twijfel`), with the same rules as the forms: the victim is the caller in one of
//! their offices the protocol routes, or (on their behalf) another office holder of the
//! organisation; the register checks again that the victim holds the role.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use weerbaar_protocol::{
    Addressed, Category, Channel, Code, Facts, Injury, Protocol, Role, Situation, Victim,
};
use weerbaar_register::{
    ApiScope, NewPerpetrator, NewReport, NewVictim, PerpetratorDetails, PerpetratorKind, PersonId,
    RegisterError, Relation,
};

use super::bearer::ApiUser;
use super::json::parse;
use super::problem::{FieldProblem, Problem};
use super::schema::*;
use crate::state::AppState;

/// Who was hit.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportVictimIn {
    /// Another office holder of the organisation, for a report on their behalf; left out
    /// for the caller themself.
    pub person: Option<String>,
    /// The office in which they were hit. May be left out when the caller reports for
    /// themself and holds one office the protocol routes.
    #[schema(value_type = Option<RoleCode>)]
    pub role: Option<Role>,
    /// Whom it hit: the office holder (`zelf`, the default) or their circle.
    #[schema(value_type = Option<RelationCode>)]
    pub relation: Option<Relation>,
}

/// What is known of the perpetrator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PerpetratorIn {
    #[schema(value_type = PerpetratorKindCode)]
    pub kind: PerpetratorKind,
    pub name: Option<String>,
    /// A date, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    pub licence_plate: Option<String>,
    pub description: Option<String>,
    pub on_behalf_of: Option<String>,
}

/// A report of an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportIn {
    #[serde(default)]
    pub victim: ReportVictimIn,
    /// PROTOCOL.md §2's codes, and the organisation's own where its protocol defines them
    /// (§16.1).
    #[schema(value_type = Vec<BehaviourCode>)]
    pub behaviours: Vec<weerbaar_protocol::BehaviourCode>,
    /// When it happened, RFC 3339 with an offset; not in the future.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = ChannelCode)]
    pub channel: Channel,
    #[schema(value_type = Option<InjuryCode>)]
    pub injury: Option<Injury>,
    #[serde(default)]
    pub persistent: bool,
    #[serde(default)]
    pub corrected_after_warning: bool,
    /// Whether the person was addressed and what followed (PROTOCOL.md §16.2); left out,
    /// `corrected_after_warning` says it.
    #[schema(value_type = Option<AddressedCode>)]
    pub addressed: Option<Addressed>,
    /// The recipient the reporter chooses, only where the organisation's protocol gives a
    /// choice (PROTOCOL.md §16.3); left out, the first it lists.
    #[schema(value_type = Option<RoleCode>)]
    pub report_to: Option<Role>,
    /// Where it happened (PROTOCOL.md §16.6).
    #[schema(value_type = Option<SituationCode>)]
    pub situation: Option<Situation>,
    #[serde(default)]
    pub criminal_offence_suspected: bool,
    #[serde(default)]
    pub damage: bool,
    /// What happened, in the reporter's words.
    pub narrative: String,
    pub place: Option<String>,
    #[serde(default)]
    pub during_meeting: bool,
    pub perpetrator: Option<PerpetratorIn>,
}

/// The report as registered.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReportedOut {
    pub id: String,
    pub number: i64,
    #[schema(value_type = CategoryCode)]
    pub category: Category,
    /// Who handles it.
    #[schema(value_type = RoleCode)]
    pub handler: Role,
}

/// The caller's offices that the organisation's protocol routes.
async fn routable_roles(state: &AppState, user: &ApiUser) -> Result<Vec<Role>, Problem> {
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let routable = protocol.routable_roles();
    Ok(user
        .me
        .roles
        .iter()
        .copied()
        .filter(|role| routable.contains(role))
        .collect())
}

fn problem(errors: Vec<FieldProblem>) -> Problem {
    Problem::invalid(errors)
}

fn mistake(errors: &mut Vec<FieldProblem>, field: &str, detail: &str) {
    errors.push(FieldProblem {
        field: field.to_owned(),
        detail: detail.to_owned(),
    });
}

/// What happened, as a report and a consult made into one both tell it.
struct Incident {
    /// Whom it hit: the victim, or someone or something of their circle.
    relation: Relation,
    behaviours: Vec<weerbaar_protocol::BehaviourCode>,
    addressed: Option<Addressed>,
    report_to: Option<Role>,
    situation: Option<Situation>,
    occurred_at: Timestamp,
    channel: Channel,
    injury: Option<Injury>,
    persistent: bool,
    corrected_after_warning: bool,
    criminal_offence_suspected: bool,
    damage: bool,
    narrative: String,
    place: Option<String>,
    during_meeting: bool,
    perpetrator: Option<PerpetratorIn>,
}

impl From<&mut ReportIn> for Incident {
    fn from(input: &mut ReportIn) -> Incident {
        Incident {
            relation: input.victim.relation.unwrap_or(Relation::Zelf),
            behaviours: std::mem::take(&mut input.behaviours),
            addressed: input.addressed,
            report_to: input.report_to,
            situation: input.situation,
            occurred_at: input.occurred_at,
            channel: input.channel,
            injury: input.injury,
            persistent: input.persistent,
            corrected_after_warning: input.corrected_after_warning,
            criminal_offence_suspected: input.criminal_offence_suspected,
            damage: input.damage,
            narrative: std::mem::take(&mut input.narrative),
            place: input.place.take(),
            during_meeting: input.during_meeting,
            perpetrator: input.perpetrator.take(),
        }
    }
}

/// Checks what happened as the report form checks it, and gives the report of `victim`
/// in their office; `errors` holds what was found wrong before (the victim), and every
/// mistake is answered at once.
fn build_report(
    user: &ApiUser,
    protocol: &Protocol,
    incident: Incident,
    reporter: PersonId,
    on_behalf: bool,
    victim: Option<(PersonId, Role)>,
    mut errors: Vec<FieldProblem>,
) -> Result<NewReport, Problem> {
    if incident.behaviours.is_empty() {
        mistake(
            &mut errors,
            "behaviours",
            "Kies wat er gebeurde: ten minste één gedraging.",
        );
    }
    if let Some(index) = incident
        .behaviours
        .iter()
        .position(|b| !protocol.knows_behaviour(*b))
    {
        let codes = protocol.behaviour_codes();
        let allowed: Vec<&str> = codes.iter().map(|b| b.as_str()).collect();
        mistake(
            &mut errors,
            &format!("behaviours[{index}]"),
            &format!(
                "Het protocol van uw organisatie kent `{}` niet. Kies uit: {}.",
                incident.behaviours[index],
                allowed.join(", ")
            ),
        );
    }
    if let Some(addressed) = incident.addressed
        && incident.corrected_after_warning
        && addressed != Addressed::Changed
    {
        mistake(
            &mut errors,
            "addressed",
            "Dit spreekt corrected_after_warning tegen: dat betekent dat het gedrag veranderde (changed). Geef één van beide.",
        );
    }
    if incident.narrative.trim().is_empty() {
        mistake(
            &mut errors,
            "narrative",
            "Beschrijf in een paar zinnen wat er gebeurde.",
        );
    }
    let now = Timestamp::now();
    if incident.occurred_at > now {
        mistake(
            &mut errors,
            "occurred_at",
            "Dit moment ligt in de toekomst. Vul in wanneer het gebeurde.",
        );
    }
    if let Err(reason) = weerbaar_protocol::facts::parse_moment(&incident.occurred_at.to_string()) {
        mistake(&mut errors, "occurred_at", &reason);
    }
    let perpetrator = incident.perpetrator.map(|p| {
        if let Some(date) = &p.date_of_birth
            && date.parse::<jiff::civil::Date>().is_err()
        {
            mistake(
                &mut errors,
                "perpetrator.date_of_birth",
                "Een datum, JJJJ-MM-DD.",
            );
        }
        if let Some(email) = &p.email
            && !crate::form::looks_like_email(email)
        {
            mistake(
                &mut errors,
                "perpetrator.email",
                "Dit lijkt geen e-mailadres.",
            );
        }
        NewPerpetrator {
            kind: p.kind,
            details: PerpetratorDetails {
                name: p.name,
                date_of_birth: p.date_of_birth,
                email: p.email,
                phone: p.phone,
                accounts: p.accounts,
                licence_plate: p.licence_plate,
                description: p.description,
                on_behalf_of: p.on_behalf_of,
            },
        }
    });
    if let (Some(chosen), Some((_, role))) = (incident.report_to, &victim) {
        let choices = protocol
            .routes
            .get(role)
            .map(|route| route.choices.clone())
            .unwrap_or_default();
        if !choices.contains(&chosen) {
            let detail = if choices.is_empty() {
                format!(
                    "Het protocol laat een {} niet kiezen bij wie die meldt; laat report_to weg.",
                    crate::labels::role_label(*role)
                )
            } else {
                let allowed: Vec<&str> = choices.iter().map(|r| r.as_str()).collect();
                format!("Kies uit: {}.", allowed.join(", "))
            };
            mistake(&mut errors, "report_to", &detail);
        }
    }
    let Some((victim, role)) = victim.filter(|_| errors.is_empty()) else {
        return Err(problem(errors));
    };
    let perpetrator_known = perpetrator.as_ref().is_some_and(|p| {
        p.kind != PerpetratorKind::Onbekend || p.details != PerpetratorDetails::default()
    });
    let facts = Facts {
        occurred_at: incident.occurred_at,
        reported_at: Some(now),
        victim: Victim {
            role,
            former: false,
        },
        behaviours: incident.behaviours,
        channel: incident.channel,
        persistent: incident.persistent,
        corrected_after_warning: incident.corrected_after_warning,
        injury: incident.injury.unwrap_or_default(),
        criminal_offence_suspected: incident.criminal_offence_suspected,
        perpetrator_known,
        prior_incidents: 0,
        damage: incident.damage,
        addressed: incident.addressed,
        report_to: incident.report_to,
        // As on the form: during a meeting is the situation `vergadering` unless another
        // is given (§16.6).
        situation: incident
            .situation
            .or(incident.during_meeting.then_some(Situation::Vergadering)),
    };
    Ok(NewReport {
        organisation: user.me.organisation.clone(),
        reporter,
        on_behalf,
        victims: vec![NewVictim {
            person: victim,
            role,
            relation: incident.relation,
        }],
        facts,
        narrative: incident.narrative.trim().to_owned(),
        place: incident.place.filter(|p| !p.trim().is_empty()),
        during_meeting: incident.during_meeting,
        perpetrator,
    })
}

/// Report an incident.
#[utoipa::path(
    post,
    path = "/reports",
    tag = "reports",
    request_body(content = ReportIn, content_type = "application/json"),
    responses(
        (status = 201, description = "The report is registered; `Location` names the case.", body = ReportedOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is refused; `errors` names each.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    user.require(ApiScope::Write)?;
    let mut input: ReportIn = parse(&headers, &body)?;
    let protocol = state.register().protocol(&user.me.organisation).await?;
    let routable = protocol.routable_roles();
    let mine = routable_roles(&state, &user).await?;
    let mut errors = Vec::new();

    let me = &user.me.person;
    let on_behalf = input
        .victim
        .person
        .as_deref()
        .is_some_and(|person| person != me.as_str());
    let victim: Option<(PersonId, Role)> = if on_behalf {
        match input.victim.role {
            Some(role) if routable.contains(&role) => Some((
                PersonId(input.victim.person.clone().unwrap_or_default()),
                role,
            )),
            _ => {
                mistake(
                    &mut errors,
                    "victim.role",
                    "Kies een functie die het protocol van uw organisatie behandelt.",
                );
                None
            }
        }
    } else {
        let role = match input.victim.role {
            Some(role) => Some(role).filter(|role| mine.contains(role)),
            None if mine.len() == 1 => Some(mine[0]),
            None => None,
        };
        if role.is_none() {
            mistake(
                &mut errors,
                "victim.role",
                if mine.is_empty() {
                    "U hebt geen functie waarvoor dit protocol meldingen behandelt. Meld namens de ambtsdrager om wie het gaat (victim.person)."
                } else {
                    "Kies een van uw functies die het protocol behandelt."
                },
            );
        }
        role.map(|role| (me.clone(), role))
    };
    let report = build_report(
        &user,
        &protocol,
        Incident::from(&mut input),
        me.clone(),
        on_behalf,
        victim,
        errors,
    )?;
    let registered = match state.register().register_report(report).await {
        Ok(registered) => registered,
        // The register names the victim by its place in its list; here there is one.
        Err(RegisterError::Invalid { field, reason }) if field.starts_with("victims") => {
            return Err(Problem::field("victim", reason));
        }
        Err(RegisterError::NotFound { .. }) => {
            return Err(Problem::field(
                "victim.person",
                "not a person of your organisation",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let mut response = (
        StatusCode::CREATED,
        Json(ReportedOut {
            id: registered.case.to_string(),
            number: registered.number,
            category: registered.plan.category,
            handler: registered.plan.handler,
        }),
    )
        .into_response();
    if let Ok(location) =
        HeaderValue::from_str(&format!("{}/cases/{}", super::PREFIX, registered.case))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// "Ik twijfel": a question to the handler in confidence; no report until the handler
/// (with the asker) makes it one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsultIn {
    /// The office in which the caller met it; may be left out when they hold one office
    /// the protocol routes.
    #[schema(value_type = Option<RoleCode>)]
    pub role: Option<Role>,
    pub question: String,
}

/// The consult as registered.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConsultedOut {
    pub id: String,
}

/// Ask the handler in confidence ("ik twijfel").
#[utoipa::path(
    post,
    path = "/consults",
    tag = "reports",
    request_body(content = ConsultIn, content_type = "application/json"),
    responses(
        (status = 201, description = "The consult is registered.", body = ConsultedOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is refused; `errors` names it.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn consult(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    user.require(ApiScope::Write)?;
    let input: ConsultIn = parse(&headers, &body)?;
    let mine = routable_roles(&state, &user).await?;
    let mut errors = Vec::new();
    let role = match input.role {
        Some(role) => Some(role).filter(|role| mine.contains(role)),
        None if mine.len() == 1 => Some(mine[0]),
        None => None,
    };
    if role.is_none() {
        mistake(
            &mut errors,
            "role",
            if mine.is_empty() {
                "U hebt geen functie waarvoor dit protocol vragen behandelt."
            } else {
                "Kies in welke functie u dit meemaakte."
            },
        );
    }
    if input.question.trim().is_empty() {
        mistake(&mut errors, "question", "Beschrijf waarover u twijfelt.");
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(problem(errors));
    };
    let case = state
        .register()
        .register_consult(
            &user.me.organisation,
            &user.me.person,
            role,
            input.question.trim(),
        )
        .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(ConsultedOut {
            id: case.to_string(),
        }),
    )
        .into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("{}/cases/{case}", super::PREFIX)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A consult made into a report: what happened, told as in a report. The victim is the
/// one who asked, in the office they asked in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PromotionIn {
    /// Whom it hit: the asker (`zelf`, the default) or their circle.
    #[schema(value_type = Option<RelationCode>)]
    pub relation: Option<Relation>,
    /// PROTOCOL.md §2's codes, and the organisation's own where its protocol defines them
    /// (§16.1).
    #[schema(value_type = Vec<BehaviourCode>)]
    pub behaviours: Vec<weerbaar_protocol::BehaviourCode>,
    /// When it happened, RFC 3339 with an offset; not in the future.
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: Timestamp,
    #[schema(value_type = ChannelCode)]
    pub channel: Channel,
    #[schema(value_type = Option<InjuryCode>)]
    pub injury: Option<Injury>,
    #[serde(default)]
    pub persistent: bool,
    #[serde(default)]
    pub corrected_after_warning: bool,
    /// Whether the person was addressed and what followed (PROTOCOL.md §16.2); left out,
    /// `corrected_after_warning` says it.
    #[schema(value_type = Option<AddressedCode>)]
    pub addressed: Option<Addressed>,
    /// The recipient the reporter chooses, only where the organisation's protocol gives a
    /// choice (PROTOCOL.md §16.3); left out, the first it lists.
    #[schema(value_type = Option<RoleCode>)]
    pub report_to: Option<Role>,
    /// Where it happened (PROTOCOL.md §16.6).
    #[schema(value_type = Option<SituationCode>)]
    pub situation: Option<Situation>,
    #[serde(default)]
    pub criminal_offence_suspected: bool,
    #[serde(default)]
    pub damage: bool,
    /// What happened; the consult's question when left out (as the page fills it in).
    pub narrative: Option<String>,
    pub place: Option<String>,
    #[serde(default)]
    pub during_meeting: bool,
    pub perpetrator: Option<PerpetratorIn>,
}

/// Make a consult ("ik twijfel") a report: the handler does, as on `/zaken/{id}/omzetten`.
#[utoipa::path(
    post,
    path = "/cases/{case}/promote",
    tag = "actions",
    params(("case" = String, Path, description = "The consult's id.")),
    request_body(content = PromotionIn, content_type = "application/json"),
    responses(
        (status = 201, description = "The report is registered, in one transaction with closing the consult (which links to it); `Location` names the new case.", body = ReportedOut),
        (status = 401, description = "No working token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the consult's handler (but some access, as its asker), or a token that may only read.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or none of the caller's business.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is refused, or the case is no open consult (a report, or a consult made into one already); `errors` names it.", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn promote(
    State(state): State<AppState>,
    user: ApiUser,
    axum::extract::Path(case): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let case = weerbaar_register::CaseId(case);
    super::actions::handler_of(&state, &user, &case).await?;
    let input: PromotionIn = parse(&headers, &body)?;
    let register = state.register();
    // The page's read: the consult, its question and who asked.
    let view = register.open_case(&user.me.person, &case).await?;
    if view.kind != weerbaar_register::CaseKind::Consult
        || view.status != weerbaar_register::CaseStatus::Gemeld
    {
        return Err(Problem::field(
            "case",
            "Alleen een open vraag (ik twijfel) kan een melding worden; deze is dat niet (meer).",
        ));
    }
    let asker = view
        .events
        .first()
        .and_then(|event| event.actor.clone())
        .ok_or_else(Problem::internal)?;
    let incident = Incident {
        relation: input.relation.unwrap_or(Relation::Zelf),
        behaviours: input.behaviours,
        addressed: input.addressed,
        report_to: input.report_to,
        situation: input.situation,
        occurred_at: input.occurred_at,
        channel: input.channel,
        injury: input.injury,
        persistent: input.persistent,
        corrected_after_warning: input.corrected_after_warning,
        criminal_offence_suspected: input.criminal_offence_suspected,
        damage: input.damage,
        narrative: input.narrative.or(view.narrative).unwrap_or_default(),
        place: input.place,
        during_meeting: input.during_meeting,
        perpetrator: input.perpetrator,
    };
    // As on the page: the asker reported it, for themself, in the office they asked in.
    let protocol = register.protocol(&user.me.organisation).await?;
    let report = build_report(
        &user,
        &protocol,
        incident,
        asker.clone(),
        false,
        Some((asker, view.victim_role)),
        Vec::new(),
    )?;
    let registered = register
        .promote_consult(&user.me.person, &case, report)
        .await?;
    let mut response = (
        StatusCode::CREATED,
        Json(ReportedOut {
            id: registered.case.to_string(),
            number: registered.number,
            category: registered.plan.category,
            handler: registered.plan.handler,
        }),
    )
        .into_response();
    if let Ok(location) =
        HeaderValue::from_str(&format!("{}/cases/{}", super::PREFIX, registered.case))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
