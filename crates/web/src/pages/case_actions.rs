//! What a handler does on the case page: each form posts to `/zaken/{case}/{action}`,
//! is checked here with Dutch messages naming the field, and becomes one register action
//! (one event, one transaction). Only the case's handler may act; the register checks
//! that again.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use weerbaar_protocol::{Code, Measure, TaskCode};
use weerbaar_register::access::CaseAccess;
use weerbaar_register::{
    Action, AftercareConversation, Audience, CaseId, CaseStatus, ImprovementAction, ItemId,
    PersonId, PoliceContactKind, RegisterError, Risk,
};

use crate::dates;
use crate::error::WebError;
use crate::form::{Errors, Fields, Posted};
use crate::render::html;
use crate::state::AppState;

/// What a form asks for: a register action, or a task marked done.
enum Request {
    Act(Action),
    TaskDone {
        task: TaskCode,
        remark: Option<String>,
    },
}

/// An amount in euros as people type it ("12,50", "€ 1.250", "7") in cents.
pub(crate) fn parse_euros(text: &str) -> Option<i64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '€')
        .collect();
    if cleaned.is_empty() {
        return Some(0);
    }
    // A comma is the decimal sign and dots group thousands ("1.250,05"); without a
    // comma, a dot before exactly three digits groups thousands ("1.250") and any other
    // is a decimal point ("12.50", as a phone keyboard may give it).
    let groups_thousands = cleaned
        .rsplit_once('.')
        .is_some_and(|(_, tail)| tail.len() == 3);
    let normal = if cleaned.contains(',') {
        cleaned.replace('.', "").replace(',', ".")
    } else if groups_thousands {
        cleaned.replace('.', "")
    } else {
        cleaned
    };
    let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let euros: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    euros.checked_mul(100)?.checked_add(cents)
}

fn item(fields: &Fields) -> ItemId {
    ItemId(fields.get("item").to_owned())
}

fn required(fields: &Fields, name: &str, message: &str, errors: &mut Errors) -> String {
    let value = fields.get(name);
    if value.is_empty() {
        errors.add(name, message);
    }
    value.to_owned()
}

fn read(action: &str, fields: &Fields, errors: &mut Errors) -> Option<Request> {
    match action {
        "taak" => {
            let task = TaskCode::parse(fields.get("taak_code")).ok();
            if task.is_none() {
                errors.add("taak_code", "Kies de taak die gedaan is.");
            }
            Some(Request::TaskDone {
                task: task?,
                remark: fields.optional("taak_opmerking"),
            })
        }
        "status" => match CaseStatus::parse(fields.get("status_naar")) {
            Some(to) => Some(Request::Act(Action::ChangeStatus { to })),
            None => {
                errors.add("status_naar", "Kies de nieuwe stand.");
                None
            }
        },
        "maatregel" => {
            let measure = Measure::parse(fields.get("maatregel_soort")).ok();
            if measure.is_none() {
                errors.add("maatregel_soort", "Kies de maatregel.");
            }
            let starts_on = dates::parse_date(fields.get("maatregel_vanaf"));
            if starts_on.is_none() {
                errors.add(
                    "maatregel_vanaf",
                    "Vul in vanaf wanneer de maatregel geldt.",
                );
            }
            let ends_on = match fields.optional("maatregel_tot") {
                None => None,
                Some(text) => match dates::parse_date(&text) {
                    Some(date) if starts_on.is_some_and(|s| date >= s) => Some(date),
                    _ => {
                        errors.add(
                            "maatregel_tot",
                            "De einddatum is een datum op of na de begindatum, of leeg.",
                        );
                        None
                    }
                },
            };
            Some(Request::Act(Action::DecideMeasure {
                measure: measure?,
                starts_on: starts_on?,
                ends_on,
                note: fields.optional("maatregel_toelichting"),
            }))
        }
        "wederhoor" => {
            let id = item(fields);
            let name = format!("reactie_{id}");
            let account = required(fields, &name, "Vul de reactie van de dader in.", errors);
            errors
                .is_empty()
                .then_some(Request::Act(Action::RecordPerpetratorAccount {
                    item: id,
                    account,
                }))
        }
        "maatregel-einde" => {
            let id = item(fields);
            let name = format!("einde_{id}");
            match dates::parse_date(fields.get(&name)) {
                Some(on) => Some(Request::Act(Action::EndMeasure { item: id, on })),
                None => {
                    errors.add(&name, "Vul de datum in waarop de maatregel eindigde.");
                    None
                }
            }
        }
        "nazorg" => {
            let conversation = AftercareConversation::parse(fields.get("nazorg_gesprek"));
            if conversation.is_none() {
                errors.add("nazorg_gesprek", "Kies welk gesprek.");
            }
            let at = dates::parse_input(fields.get("nazorg_op"));
            if at.is_none() {
                errors.add("nazorg_op", "Vul datum en tijd van het gesprek in.");
            }
            let by = fields.get("nazorg_door");
            if by.is_empty() {
                errors.add("nazorg_door", "Kies wie het gesprek voert.");
            }
            Some(Request::Act(Action::PlanAftercare {
                conversation: conversation?,
                at: at?,
                by: PersonId(by.to_owned()),
            }))
            .filter(|_| errors.is_empty())
        }
        "nazorg-gehouden" => {
            let id = item(fields);
            let name = format!("gehouden_{id}");
            match dates::parse_input(fields.get(&name)) {
                Some(held_at) => Some(Request::Act(Action::HoldAftercare {
                    held_at,
                    referral: fields.optional(&format!("verwijzing_{id}")),
                    notes: fields.optional(&format!("aantekeningen_{id}")),
                    item: id,
                })),
                None => {
                    errors.add(&name, "Vul in wanneer het gesprek werd gehouden.");
                    None
                }
            }
        }
        "politie" => {
            let kind = PoliceContactKind::parse(fields.get("politie_soort"));
            if kind.is_none() {
                errors.add("politie_soort", "Kies melding of aangifte.");
            }
            let at = dates::parse_input(fields.get("politie_op"));
            if at.is_none() {
                errors.add(
                    "politie_op",
                    "Vul datum en tijd van het contact met de politie in.",
                );
            }
            Some(Request::Act(Action::PoliceContact {
                kind: kind?,
                at: at?,
                reference: fields.optional("politie_kenmerk"),
                victim_consent: fields.ticked("politie_toestemming"),
            }))
        }
        "politie-uitkomst" => {
            let id = item(fields);
            let name = format!("uitkomst_{id}");
            let outcome = required(fields, &name, "Vul de uitkomst in.", errors);
            let feedback_given = fields.ticked(&format!("teruggekoppeld_{id}"));
            errors
                .is_empty()
                .then_some(Request::Act(Action::PoliceOutcome {
                    item: id,
                    outcome,
                    feedback_given,
                }))
        }
        "schade" => {
            let description = required(
                fields,
                "schade_omschrijving",
                "Beschrijf de schade.",
                errors,
            );
            let mut amount = |name: &str| {
                parse_euros(fields.get(name)).unwrap_or_else(|| {
                    errors.add(name, "Vul een bedrag in euro’s in, bijvoorbeeld 125,50.");
                    0
                })
            };
            let amount_cents = amount("schade_bedrag");
            let paid_to_victim_cents = amount("schade_betaald");
            let recovered_cents = amount("schade_verhaald");
            errors.is_empty().then_some(Request::Act(Action::Damage {
                description,
                amount_cents,
                paid_to_victim_cents,
                recovered_cents,
            }))
        }
        "communicatie" => {
            let audience = Audience::parse(fields.get("communicatie_publiek"));
            if audience.is_none() {
                errors.add("communicatie_publiek", "Kies met wie er is gecommuniceerd.");
            }
            let said = required(
                fields,
                "communicatie_tekst",
                "Vul in wat er is gecommuniceerd.",
                errors,
            );
            let victim_consent = fields.ticked("communicatie_toestemming");
            if audience.is_some_and(|a| a != Audience::Vertrouwelijk) && !victim_consent {
                errors.add(
                    "communicatie_toestemming",
                    "Buiten de vertrouwelijke kring wordt alleen gecommuniceerd met toestemming van het slachtoffer.",
                );
            }
            match (audience, errors.is_empty()) {
                (Some(audience), true) => Some(Request::Act(Action::Communication {
                    audience,
                    victim_consent,
                    said,
                })),
                _ => None,
            }
        }
        "evaluatie" => {
            let risk = Risk::parse(fields.get("evaluatie_risico"));
            if risk.is_none() {
                errors.add("evaluatie_risico", "Kies het risico.");
            }
            let cause = required(
                fields,
                "evaluatie_oorzaak",
                "Vul de vermoedelijke oorzaak in.",
                errors,
            );
            let actions = improvement_actions(fields, errors);
            Some(Request::Act(Action::Evaluation {
                risk: risk?,
                likely_to_recur: fields.ticked("evaluatie_herhaling"),
                cause,
                trend: fields.get("evaluatie_trend").to_owned(),
                improvement: fields.get("evaluatie_verbetering").to_owned(),
                actions,
            }))
            .filter(|_| errors.is_empty())
        }
        "toegang" => {
            let person = fields.get("toegang_persoon");
            if person.is_empty() {
                errors.add("toegang_persoon", "Kies wie de gegevens mag inzien.");
                return None;
            }
            Some(Request::Act(Action::GrantAccess {
                person: PersonId(person.to_owned()),
            }))
        }
        "toegang-intrekken" => Some(Request::Act(Action::RevokeAccess {
            person: PersonId(fields.get("persoon").to_owned()),
        })),
        _ => None,
    }
}

/// How many improvement actions the evaluation form offers at once; more can follow in a
/// later evaluation.
pub(crate) const ACTION_ROWS: usize = 3;

/// The form's names of improvement action `n`'s what, who and by when.
pub(crate) fn action_fields(n: usize) -> [String; 3] {
    [
        format!("actie_{n}_wat"),
        format!("actie_{n}_wie"),
        format!("actie_{n}_datum"),
    ]
}

/// The improvement actions of the evaluation form: a row left empty is no action; a row
/// begun must say what, who and by when, with a date from today on.
fn improvement_actions(fields: &Fields, errors: &mut Errors) -> Vec<ImprovementAction> {
    let today = dates::local_date(jiff::Timestamp::now());
    let mut actions = Vec::new();
    for n in 1..=ACTION_ROWS {
        let [what_name, who_name, by_name] = action_fields(n);
        let (what, who, by) = (
            fields.get(&what_name),
            fields.get(&who_name),
            fields.get(&by_name),
        );
        if what.is_empty() && who.is_empty() && by.is_empty() {
            continue;
        }
        if what.is_empty() {
            errors.add(
                &what_name,
                format!("Vul bij verbeteractie {n} in wat er moet gebeuren."),
            );
        }
        if who.is_empty() {
            errors.add(
                &who_name,
                format!("Kies bij verbeteractie {n} wie het doet."),
            );
        }
        let date = match dates::parse_date(by) {
            Some(date) if date >= today => Some(date),
            Some(_) => {
                errors.add(&by_name, format!("De datum bij verbeteractie {n} ligt in het verleden. Kies vandaag of later."));
                None
            }
            None => {
                errors.add(
                    &by_name,
                    format!("Vul bij verbeteractie {n} in wanneer het klaar moet zijn."),
                );
                None
            }
        };
        if let (false, false, Some(by)) = (what.is_empty(), who.is_empty(), date) {
            actions.push(ImprovementAction {
                what: what.to_owned(),
                who: PersonId(who.to_owned()),
                by,
            });
        }
    }
    actions
}

/// A refusal of the register as a message beside the field it concerns.
fn place_error(action: &str, error: &RegisterError, fields: &Fields, errors: &mut Errors) {
    let RegisterError::Invalid { field, .. } = error else {
        return;
    };
    let id = fields.get("item");
    let (name, message): (String, &str) = match (action, field.as_str()) {
        ("politie", "victim_consent") => (
            "politie_toestemming".into(),
            "Volgens het protocol doet de organisatie aangifte alleen met toestemming van het slachtoffer.",
        ),
        ("communicatie", _) => (
            "communicatie_toestemming".into(),
            "Buiten de vertrouwelijke kring wordt alleen gecommuniceerd met toestemming van het slachtoffer.",
        ),
        ("status", _) => (
            "status_naar".into(),
            "Deze overgang kan niet vanuit de huidige stand.",
        ),
        ("taak", _) => (
            "taak_code".into(),
            "Deze taak is al gedaan of hoort niet bij deze melding.",
        ),
        ("toegang", _) => (
            "toegang_persoon".into(),
            "Deze persoon heeft al toegang of hoort niet bij uw organisatie.",
        ),
        ("maatregel-einde", _) => (
            format!("einde_{id}"),
            "De maatregel is al beëindigd, of de datum ligt voor het begin.",
        ),
        ("maatregel", _) => (
            "maatregel_vanaf".into(),
            "Controleer de data van de maatregel.",
        ),
        ("nazorg", _) => (
            "nazorg_door".into(),
            "Kies iemand van uw organisatie voor het gesprek.",
        ),
        ("nazorg-gehouden", _) => (format!("gehouden_{id}"), "Dit gesprek is al gehouden."),
        ("politie-uitkomst", _) => (
            format!("uitkomst_{id}"),
            "De uitkomst kon niet worden vastgelegd.",
        ),
        ("schade", "paid_to_victim_cents") => (
            "schade_betaald".into(),
            "Aan het slachtoffer is niet meer te betalen dan de schade zelf.",
        ),
        ("schade", "recovered_cents") => (
            "schade_verhaald".into(),
            "Er is niet meer te verhalen dan de schade zelf.",
        ),
        ("schade", _) => (
            "schade_bedrag".into(),
            "Controleer de bedragen: betaald en verhaald zijn niet hoger dan de schade en niet negatief.",
        ),
        ("evaluatie", field) if field.starts_with("actions[") => {
            // "actions[0].who": the person is not of this organisation.
            let n = field
                .trim_start_matches("actions[")
                .split(']')
                .next()
                .and_then(|index| index.parse::<usize>().ok())
                .map_or(1, |index| index + 1);
            let [_, who_name, _] = action_fields(n);
            (who_name, "Kies iemand van uw organisatie.")
        }
        ("evaluatie", _) => ("evaluatie_oorzaak".into(), "Controleer de evaluatie."),
        ("wederhoor", _) => (
            format!("reactie_{id}"),
            "De reactie kon niet worden vastgelegd.",
        ),
        _ => (
            "status_naar".into(),
            "Deze handeling kon niet worden uitgevoerd.",
        ),
    };
    errors.add(&name, message);
}

pub(crate) async fn act(
    State(state): State<AppState>,
    Path((case, action)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { user, fields } = posted;
    let case = CaseId(case);
    let register = state.register();
    match register.case_access(&user.me.person, &case).await? {
        CaseAccess::Handler => {}
        CaseAccess::None => return Err(WebError::NotFound),
        _ => return Err(WebError::Forbidden),
    }
    let mut errors = Errors::default();
    let request = read(&action, &fields, &mut errors);
    if request.is_none() && errors.is_empty() {
        return Err(WebError::NotFound);
    }
    if let (Some(request), true) = (request, errors.is_empty()) {
        let done = match request {
            Request::Act(action) => register
                .act(&user.me.person, &case, action)
                .await
                .map(|_| ()),
            Request::TaskDone { task, remark } => {
                register
                    .complete_task(&user.me.person, &case, task, remark.as_deref())
                    .await
            }
        };
        match done {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/zaken/{case}#{}", anchor(&action))).into_response()
                );
            }
            Err(error @ RegisterError::Invalid { .. }) => {
                place_error(&action, &error, &fields, &mut errors)
            }
            Err(other) => return Err(other.into()),
        }
    }
    let (view, can_act) = match super::case::open_for(&state, &user, &case).await? {
        Ok(opened) => opened,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let page = super::case::case_page(&state, &user, view, can_act, fields, errors).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html(&page)).into_response())
}

/// The section of the case page an action belongs to.
fn anchor(action: &str) -> &'static str {
    match action {
        "taak" => "taken",
        "status" => "stand",
        "maatregel" | "wederhoor" | "maatregel-einde" => "maatregelen",
        "nazorg" | "nazorg-gehouden" => "nazorg",
        "politie" | "politie-uitkomst" => "politie",
        "schade" => "schade",
        "communicatie" => "communicatie",
        "evaluatie" => "evaluatie",
        _ => "toegang",
    }
}

#[cfg(test)]
mod tests {
    use super::parse_euros;

    #[test]
    fn euros_are_read_as_dutch_people_type_them() {
        assert_eq!(parse_euros("12,50"), Some(1250));
        assert_eq!(parse_euros("€ 1.250"), Some(125_000));
        assert_eq!(parse_euros("€ 1.250,05"), Some(125_005));
        assert_eq!(parse_euros("7"), Some(700));
        assert_eq!(parse_euros("12.50"), Some(1250));
        assert_eq!(parse_euros("1.000.000"), Some(100_000_000));
        assert_eq!(parse_euros(""), Some(0));
        assert_eq!(parse_euros("12,555"), None);
        assert_eq!(parse_euros("-5"), None);
        assert_eq!(parse_euros("twaalf"), None);
    }
}
