//! Reporting an incident, on a phone as easily as at a desk: what happened (the
//! behaviours as the seeds group them), when, how and where, who was hit, who did it,
//! injury and damage, and evidence; then, right after sending, what to do now for this
//! category and whom to call.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use weerbaar_protocol::{
    Addressed, BehaviourCode, Channel, Code, Facts, Injury, Protocol, Role, Situation, Victim,
};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    ALLOWED_MEDIA_TYPES, CaseId, MAX_EVIDENCE_BYTES, NewPerpetrator, NewReport, NewVictim,
    OnlineEvidence, PerpetratorDetails, PerpetratorKind, PersonId, Relation,
};

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::form::{Errors, Fields};
use crate::labels;
use crate::render::{Layout, html};
use crate::state::AppState;
use crate::upload::PostedWithFiles;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/melden", get(show).post(submit))
        .route("/melden/{case}/ontvangen", get(received))
}

/// One group of behaviours on the form, with each behaviour's code, label and explanation.
pub(crate) struct GroupView {
    pub title: &'static str,
    pub hint: &'static str,
    pub items: Vec<(String, String, String)>,
}

/// The seeds' groups, each with the organisation's own behaviours of that group after
/// the spec's (PROTOCOL.md §16.1). The groups follow the categories, light to heavy.
pub(crate) fn behaviour_groups(protocol: &Protocol) -> Vec<GroupView> {
    labels::behaviour_groups()
        .iter()
        .zip(weerbaar_protocol::Category::ALL)
        .map(|(group, category)| {
            let spec = group.behaviours.iter().map(|b| {
                (
                    b.as_str().to_owned(),
                    labels::behaviour_label(*b).to_owned(),
                    labels::behaviour_explanation(*b).to_owned(),
                )
            });
            let own = protocol
                .own_behaviours
                .iter()
                .filter(|b| b.group == *category)
                .map(|b| {
                    (
                        b.code.as_str().to_owned(),
                        b.label.clone(),
                        b.explanation.clone(),
                    )
                });
            GroupView {
                title: group.title,
                hint: group.hint,
                items: spec.chain(own).collect(),
            }
        })
        .collect()
}

/// The recipients the reporter may choose from (PROTOCOL.md §16.3), for the offices the
/// form offers: code and label; empty where the protocol gives no choice.
fn recipient_choices(protocol: &Protocol, roles: &[Role]) -> Vec<(String, String)> {
    let mut choices: Vec<Role> = Vec::new();
    for role in roles {
        if let Some(route) = protocol.routes.get(role) {
            for choice in &route.choices {
                if !choices.contains(choice) {
                    choices.push(*choice);
                }
            }
        }
    }
    choices
        .into_iter()
        .map(|r| {
            (
                r.as_str().to_owned(),
                format!("De {}", labels::role_label(r)),
            )
        })
        .collect()
}

/// The options of a select: code and label.
pub(crate) fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|x| (code(*x), label(*x))).collect()
}

#[derive(Template)]
#[template(path = "report.html")]
pub(crate) struct ReportPage {
    layout: Layout,
    /// Where the form posts: a new report, or a consult becoming one.
    action: String,
    /// Set when the victim is fixed (a consult's asker): who, in words.
    fixed_victim: Option<String>,
    csrf: String,
    errors: Errors,
    values: Fields,
    groups: Vec<GroupView>,
    /// Whom the reporter may report to, where the protocol gives a choice.
    recipients: Vec<(String, String)>,
    situations: Vec<(&'static str, &'static str)>,
    addressed: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    injuries: Vec<(&'static str, &'static str)>,
    relations: Vec<(&'static str, &'static str)>,
    perpetrator_kinds: Vec<(&'static str, &'static str)>,
    /// My offices the protocol routes: code and label.
    my_roles: Vec<(&'static str, &'static str)>,
    /// Office holders I may report for: "person:role" and "name (role)".
    others: Vec<(String, String)>,
    accepted_files: String,
    max_file_mb: usize,
}

impl ReportPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name)
    }

    fn ticked(&self, name: &str) -> bool {
        self.values.ticked(name)
    }

    fn chosen(&self, name: &str, value: &str) -> bool {
        self.values.all(name).contains(&value)
    }
}

pub(crate) async fn report_page(
    state: &AppState,
    user: &SignedIn,
    values: Fields,
    errors: Errors,
) -> Result<ReportPage, WebError> {
    let register = state.register();
    let protocol = register.protocol(&user.me.organisation).await?;
    let routable = protocol.routable_roles();
    let my_offices: Vec<Role> = user
        .me
        .roles
        .iter()
        .copied()
        .filter(|role| routable.contains(role))
        .collect();
    let my_roles = my_offices
        .iter()
        .map(|role| (role.as_str(), labels::role_label(*role)))
        .collect();
    let mut others = Vec::new();
    for person in register.people(&user.me.organisation).await? {
        if person.id == user.me.person {
            continue;
        }
        for (role, current) in &person.roles {
            if *current && routable.contains(role) {
                others.push((
                    format!("{}:{}", person.id, role.as_str()),
                    format!("{} ({})", person.name, labels::role_label(*role)),
                ));
            }
        }
    }
    Ok(ReportPage {
        layout: user.layout("Incident melden"),
        action: String::from("/melden"),
        fixed_victim: None,
        csrf: user.session.csrf.clone(),
        errors,
        values,
        groups: behaviour_groups(&protocol),
        recipients: recipient_choices(&protocol, &my_offices),
        situations: options(Situation::ALL, Situation::as_str, labels::situation_label),
        addressed: vec![
            (Addressed::Changed.as_str(), "Ja, en daarna stopte het"),
            (Addressed::Unchanged.as_str(), "Ja, maar het ging door"),
            (Addressed::NotAddressed.as_str(), "Nee"),
        ],
        channels: options(Channel::ALL, Channel::as_str, labels::channel_label),
        injuries: options(Injury::ALL, Injury::as_str, labels::injury_label),
        relations: options(Relation::ALL, Relation::as_str, labels::relation_label),
        perpetrator_kinds: options(
            PerpetratorKind::ALL,
            PerpetratorKind::as_str,
            labels::perpetrator_kind_label,
        ),
        my_roles,
        others,
        accepted_files: ALLOWED_MEDIA_TYPES.join(","),
        max_file_mb: MAX_EVIDENCE_BYTES / (1024 * 1024),
    })
}

async fn show(State(state): State<AppState>, user: SignedIn) -> Result<Response, WebError> {
    let page = report_page(&state, &user, Fields::default(), Errors::default()).await?;
    Ok(html(&page))
}

/// What the form said, checked: the report, and the evidence to add once it is stored.
pub(crate) struct Checked {
    pub report: NewReport,
    pub online: Option<OnlineEvidence>,
}

impl ReportPage {
    /// The form for turning a consult into a report: the victim is the one who asked.
    pub(crate) fn for_consult(mut self, case: &CaseId, victim: String) -> ReportPage {
        self.action = format!("/zaken/{case}/omzetten");
        self.fixed_victim = Some(victim);
        self.layout.title = String::from("Overleg omzetten in een melding");
        self
    }
}

fn code<C: Code>(fields: &Fields, name: &str, errors: &mut Errors, message: &str) -> Option<C> {
    match C::parse(fields.get(name)) {
        Ok(value) => Some(value),
        Err(_) => {
            errors.add(name, message);
            None
        }
    }
}

/// Checks the report form. `fixed_victim` is the asker of a consult that becomes a
/// report: they are then victim and reporter.
pub(crate) fn check(
    user: &SignedIn,
    fields: &Fields,
    protocol: &Protocol,
    fixed_victim: Option<(PersonId, Role)>,
    errors: &mut Errors,
) -> Option<Checked> {
    let now = jiff::Timestamp::now();
    let routable = &protocol.routable_roles();

    // Who was hit: the reporter in one of their offices, or someone else of the organisation.
    let on_behalf = fixed_victim.is_none() && fields.get("voor") == "ander";
    let reporter = fixed_victim
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| user.me.person.clone());
    let victim: Option<(PersonId, Role)> = if let Some(fixed) = fixed_victim {
        Some(fixed)
    } else if on_behalf {
        match fields.get("victim").split_once(':') {
            Some((person, role)) => match Role::parse(role) {
                Ok(role) if routable.contains(&role) && person != user.me.person.as_str() => {
                    Some((PersonId(person.to_owned()), role))
                }
                _ => None,
            },
            None => None,
        }
        .or_else(|| {
            errors.add("victim", "Kies voor wie u meldt.");
            None
        })
    } else {
        let mine: Vec<Role> = user
            .me
            .roles
            .iter()
            .copied()
            .filter(|r| routable.contains(r))
            .collect();
        let role = if mine.len() == 1 {
            Some(mine[0])
        } else {
            Role::parse(fields.get("role"))
                .ok()
                .filter(|r| mine.contains(r))
        };
        match role {
            Some(role) => Some((user.me.person.clone(), role)),
            None if mine.is_empty() => {
                errors.add(
                    "voor",
                    "U hebt geen functie waarvoor dit protocol meldingen behandelt. Meld namens de ambtsdrager om wie het gaat, of neem contact op met de beheerder.",
                );
                None
            }
            None => {
                errors.add("role", "Kies in welke functie u werd geraakt.");
                None
            }
        }
    };
    let relation = match fields.get("relation") {
        "" => Some(Relation::Zelf),
        text => Relation::parse(text).or_else(|| {
            errors.add("relation", "Kies wie er werd geraakt.");
            None
        }),
    };

    let mut behaviours = Vec::new();
    for text in fields.all("behaviours") {
        match BehaviourCode::parse(text) {
            Ok(behaviour) if protocol.knows_behaviour(behaviour) => behaviours.push(behaviour),
            _ => errors.add("behaviours", "Kies wat er gebeurde uit de lijst."),
        }
    }
    // §16.2. A form opened before this question existed still sends the old tick.
    let addressed = match fields.get("addressed") {
        "" if fields.ticked("corrected_after_warning") => Some(Addressed::Changed),
        "" => None,
        text => Addressed::parse(text).ok().or_else(|| {
            errors.add(
                "addressed",
                "Kies een van de antwoorden, of laat de vraag open.",
            );
            None
        }),
    };
    let situation = match fields.get("situation") {
        "" => None,
        text => Situation::parse(text).ok().or_else(|| {
            errors.add(
                "situation",
                "Kies waar het gebeurde uit de lijst, of laat het leeg.",
            );
            None
        }),
    };
    if behaviours.is_empty() {
        errors.add(
            "behaviours",
            "Kies wat er gebeurde: ten minste één gedraging.",
        );
    }

    let narrative = fields.get("narrative");
    if narrative.is_empty() {
        errors.add("narrative", "Beschrijf in een paar zinnen wat er gebeurde.");
    }

    let occurred_at = match crate::dates::parse_input(fields.get("occurred_at")) {
        Some(at) if at > now => {
            errors.add(
                "occurred_at",
                "Dit moment ligt in de toekomst. Vul in wanneer het gebeurde.",
            );
            None
        }
        Some(at) => Some(at),
        None => {
            errors.add(
                "occurred_at",
                "Vul in wanneer het gebeurde: een datum en een tijd (ongeveer is goed).",
            );
            None
        }
    };

    let channel: Option<Channel> = code(fields, "channel", errors, "Kies hoe het gebeurde.");
    let injury: Option<Injury> = code(fields, "injury", errors, "Kies of er letsel is.");

    let kind = match fields.get("perpetrator_kind") {
        "" => Some(PerpetratorKind::Onbekend),
        text => PerpetratorKind::parse(text).or_else(|| {
            errors.add("perpetrator_kind", "Kies wie de dader is.");
            None
        }),
    };
    let details = PerpetratorDetails {
        name: fields.optional("p_name"),
        date_of_birth: fields.optional("p_date_of_birth"),
        email: fields.optional("p_email"),
        phone: fields.optional("p_phone"),
        accounts: fields
            .get("p_accounts")
            .split([',', '\n'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        licence_plate: fields.optional("p_plate"),
        description: fields.optional("p_description"),
        on_behalf_of: fields.optional("p_on_behalf_of"),
    };
    if let Some(date) = &details.date_of_birth
        && crate::dates::parse_date(date).is_none()
    {
        errors.add(
            "p_date_of_birth",
            "Vul de geboortedatum in als datum, of laat het veld leeg.",
        );
    }
    if let Some(email) = &details.email
        && !crate::form::looks_like_email(email)
    {
        errors.add(
            "p_email",
            "Dit lijkt geen e-mailadres. Laat het veld leeg als u het niet weet.",
        );
    }
    let has_details = details != PerpetratorDetails::default();

    let online = crate::evidence_form::online_evidence(fields, errors);

    let (
        Some((victim, role)),
        Some(relation),
        Some(occurred_at),
        Some(channel),
        Some(injury),
        Some(kind),
    ) = (victim, relation, occurred_at, channel, injury, kind)
    else {
        return None;
    };
    // §16.3: a recipient only where the protocol gives this office a choice, and one of
    // those it allows; left empty, the report goes to the first the protocol lists.
    let report_to = match fields.get("report_to") {
        "" => None,
        text => {
            let choices = protocol
                .routes
                .get(&role)
                .map(|route| route.choices.clone())
                .unwrap_or_default();
            match Role::parse(text) {
                Ok(chosen) if choices.contains(&chosen) => Some(chosen),
                _ if choices.is_empty() => {
                    errors.add(
                        "report_to",
                        format!(
                            "Als {} kiest u niet bij wie u meldt: laat deze keuze leeg.",
                            labels::role_label(role)
                        ),
                    );
                    None
                }
                _ => {
                    let names: Vec<String> = choices
                        .iter()
                        .map(|r| format!("de {}", labels::role_label(*r)))
                        .collect();
                    errors.add(
                        "report_to",
                        format!("Kies bij wie u meldt: {}.", names.join(" of ")),
                    );
                    None
                }
            }
        }
    };
    if !errors.is_empty() {
        return None;
    }
    let perpetrator = (kind != PerpetratorKind::Onbekend || has_details)
        .then_some(NewPerpetrator { kind, details });
    let facts = Facts {
        occurred_at,
        reported_at: Some(now),
        victim: Victim {
            role,
            former: false,
        },
        behaviours,
        channel,
        persistent: fields.ticked("persistent"),
        corrected_after_warning: false,
        injury,
        criminal_offence_suspected: fields.ticked("criminal_offence_suspected"),
        perpetrator_known: kind != PerpetratorKind::Onbekend || has_details,
        prior_incidents: 0,
        damage: fields.ticked("damage"),
        addressed,
        report_to,
        // A report made during a meeting is in the situation `vergadering` (§16.6), for
        // the guidance and the own tasks of that situation, unless another was chosen.
        situation: situation.or(fields
            .ticked("during_meeting")
            .then_some(Situation::Vergadering)),
    };
    Some(Checked {
        report: NewReport {
            organisation: user.me.organisation.clone(),
            reporter,
            on_behalf,
            victims: vec![NewVictim {
                person: victim,
                role,
                relation,
            }],
            facts,
            narrative: narrative.to_owned(),
            place: fields.optional("place"),
            during_meeting: fields.ticked("during_meeting"),
            perpetrator,
        },
        online,
    })
}

async fn submit(
    State(state): State<AppState>,
    posted: PostedWithFiles,
) -> Result<Response, WebError> {
    let PostedWithFiles {
        user,
        fields,
        files,
    } = posted;
    let register = state.register();
    let protocol = register.protocol(&user.me.organisation).await?;
    let mut errors = Errors::default();
    let checked = check(&user, &fields, &protocol, None, &mut errors);
    let evidence = files.into_iter().find(|f| f.field == "evidence_file");
    if let Some(upload) = &evidence {
        crate::evidence_form::check_upload(upload, "evidence_file", &mut errors);
    }
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        if evidence.is_some() {
            errors.add(
                "evidence_file",
                "Kies het bewijsbestand opnieuw: een browser stuurt het niet twee keer mee.",
            );
        }
        let page = report_page(&state, &user, fields, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
    };

    let situation = checked.report.facts.situation;
    let registered = match register.register_report(checked.report).await {
        Ok(registered) => registered,
        Err(weerbaar_register::RegisterError::Invalid { field, .. }) => {
            errors.add(&field, "Deze gegevens konden niet worden verwerkt. Controleer het veld en probeer het opnieuw.");
            let page = report_page(&state, &user, fields, errors).await?;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response());
        }
        Err(other) => return Err(other.into()),
    };

    // The report is stored; evidence follows in its own transactions. If a file is
    // refused now, the confirmation says so and the case page takes it later.
    let mut evidence_failed = false;
    if let Some(upload) = evidence {
        let description = fields.optional("evidence_description");
        if register
            .add_evidence_file(
                &user.me.person,
                &registered.case,
                &upload.file_name,
                &upload.media_type,
                &upload.bytes,
                description.as_deref(),
            )
            .await
            .is_err()
        {
            evidence_failed = true;
        }
    }
    if let Some(online) = checked.online
        && register
            .add_online_evidence(&user.me.person, &registered.case, online)
            .await
            .is_err()
    {
        evidence_failed = true;
    }
    let mut query: Vec<String> = Vec::new();
    if evidence_failed {
        query.push(String::from("bewijs=mislukt"));
    }
    // Only where the protocol has guidance for that situation (§16.6) does the
    // confirmation need to know it.
    if let Some(situation) = situation.filter(|s| protocol.situation_guidance.contains_key(s)) {
        query.push(format!("situatie={situation}"));
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    Ok(Redirect::to(&format!("/melden/{}/ontvangen{query}", registered.case)).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct ReceivedQuery {
    bewijs: Option<String>,
    /// Where it happened (a code of PROTOCOL.md §16.6), for the guidance of that situation.
    situatie: Option<String>,
}

#[derive(Template)]
#[template(path = "report_received.html")]
struct ReceivedPage {
    layout: Layout,
    case: String,
    number: i64,
    category: String,
    category_description: String,
    handler: String,
    what_now: Vec<&'static str>,
    guidance: Vec<String>,
    contacts: Vec<weerbaar_protocol::Contact>,
    evidence_failed: bool,
}

async fn received(
    State(state): State<AppState>,
    user: SignedIn,
    Path(case): Path<String>,
    crate::form::Lenient(query): crate::form::Lenient<ReceivedQuery>,
) -> Result<Response, WebError> {
    let register = state.register();
    let case = CaseId(case);
    if matches!(
        register.case_access(&user.me.person, &case).await?,
        CaseAccess::None | CaseAccess::Informed
    ) {
        return Err(WebError::NotFound);
    }
    let summary = register.case_summary(&user.me.person, &case).await?;
    let protocol = register.protocol(&user.me.organisation).await?;
    let category = summary.category;
    let page = ReceivedPage {
        layout: user.layout("Melding ontvangen"),
        case: case.to_string(),
        number: summary.number,
        category: category
            .map(labels::category_label)
            .unwrap_or_default()
            .to_owned(),
        category_description: category
            .map(labels::category_description)
            .unwrap_or_default()
            .to_owned(),
        handler: summary
            .handler_role
            .map(labels::role_label)
            .unwrap_or("behandelaar")
            .to_owned(),
        what_now: category
            .map(labels::category_what_now)
            .unwrap_or_default()
            .to_vec(),
        guidance: category
            .map(|c| {
                let situation = query
                    .situatie
                    .as_deref()
                    .and_then(|s| Situation::parse(s).ok());
                protocol
                    .guidance_for(c, situation)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        contacts: protocol.contacts.clone(),
        evidence_failed: query.bewijs.is_some(),
    };
    Ok(html(&page))
}
