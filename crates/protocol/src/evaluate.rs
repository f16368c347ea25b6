//! `evaluate`: PROTOCOL.md §2 to §7 applied to one incident. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use crate::calendar::in_amsterdam;
use crate::code::Code;
use crate::deadline::rfc3339;
use crate::error::Error;
use crate::facts::{Facts, SUPPORTED_YEARS};
use crate::plan::{Plan, PlannedTask};
use crate::protocol::{Protocol, Route};
use crate::vocabulary::{
    Abcd, Behaviour, Category, Channel, Escalation, Injury, Measure, ReportObligation, Role, Task,
};

/// Turns the facts of one incident into the protocol's plan.
pub fn evaluate(protocol: &Protocol, facts: &Facts) -> Result<Plan, Error> {
    let no_behaviours = || Error::NoBehaviours {
        allowed: all_codes::<Behaviour>(),
    };
    if facts.behaviours.is_empty() {
        return Err(no_behaviours());
    }
    let occurred = in_amsterdam(facts.occurred_at);
    let reported = in_amsterdam(facts.reported_at());
    for (field, moment) in [("occurred_at", &occurred), ("reported_at", &reported)] {
        if !SUPPORTED_YEARS.contains(&moment.year()) {
            return Err(Error::OutOfCalendar { field });
        }
    }
    if reported.timestamp() < occurred.timestamp() {
        return Err(Error::ReportedBeforeOccurred {
            occurred: rfc3339(&occurred),
            reported: rfc3339(&reported),
        });
    }
    let route = route_for(protocol, facts.victim.role)?;

    let categories: BTreeSet<Category> = facts
        .behaviours
        .iter()
        .map(|b| protocol.category_of(*b))
        .collect();
    let Some(&category) = categories.last() else {
        return Err(no_behaviours());
    };
    let report = report_obligation(protocol, facts, &categories);

    let mut tasks = Vec::new();
    for (code, deadline) in &protocol.tasks {
        if arises(*code, category, report, facts) {
            let due = deadline
                .apply(&occurred, &reported)
                .map_err(|_| Error::OutOfCalendar {
                    field: "occurred_at",
                })?;
            tasks.push(PlannedTask { code: *code, due });
        }
    }

    Ok(Plan {
        preset: protocol.id.clone(),
        category,
        abcd: category.abcd(),
        report,
        handler: route.handler,
        informed: informed(protocol, route),
        aangifte_by: protocol.aangifte_by,
        recidive: facts.recidive(),
        tasks,
        escalations: escalations(category, facts),
        measures: measures(category, report, facts),
    })
}

fn route_for(protocol: &Protocol, role: Role) -> Result<&Route, Error> {
    protocol
        .routes
        .get(&role)
        .ok_or_else(|| Error::UnroutableRole {
            protocol: protocol.id.clone(),
            role,
            why: match role.office_of() {
                None => " (not a political office holder)",
                Some(_) => " (an office of another kind of body than this protocol covers)",
            },
            allowed: protocol.routable_roles(),
        })
}

/// PROTOCOL.md §3. Each category present brings its own obligation and the strongest
/// counts, so that adding a behaviour never weakens it: in Westerveld a complaint may be
/// reported (`optional`), and an insult that was corrected next to it does not turn that
/// into `not_required`, the row of a corrected insult alone.
fn report_obligation(
    protocol: &Protocol,
    facts: &Facts,
    categories: &BTreeSet<Category>,
) -> ReportObligation {
    let rules = &protocol.report;
    let always = facts
        .behaviours
        .iter()
        .any(|b| rules.always_required.contains(b));
    let per_category = categories.iter().map(|category| match category {
        Category::EmotioneelIk | Category::EmotioneelJullie if facts.persistent => {
            rules.emotional_persistent
        }
        Category::EmotioneelIk | Category::EmotioneelJullie => rules.emotional,
        Category::VerbaleAgressie if facts.corrected_after_warning && !facts.persistent => {
            rules.verbal_corrected
        }
        Category::VerbaleAgressie => rules.verbal,
        Category::BedreigingIntimidatie => rules.threat,
        Category::FysiekGeweld => rules.physical,
    });
    let strongest = per_category.max().unwrap_or(ReportObligation::NotRequired);
    if always {
        ReportObligation::Required
    } else {
        strongest
    }
}

/// PROTOCOL.md §5: when each task arises.
fn arises(task: Task, category: Category, report: ReportObligation, facts: &Facts) -> bool {
    let aggression = category.is_aggression();
    match task {
        Task::NazorgGesprek1
        | Task::NazorgGesprek2
        | Task::NazorgGesprek3
        | Task::NazorgAanbieden => aggression,
        Task::MaatregelBesluit => aggression && report == ReportObligation::Required,
        Task::Incidentgesprek => {
            category.abcd() == Abcd::D
                || (category == Category::VerbaleAgressie && facts.recidive())
        }
        Task::AfspraakPolitie => facts.criminal_offence_suspected,
        Task::MeldingInspectie => facts.injury != Injury::Geen,
        Task::InformerenCdk => facts.victim.role == Role::Burgemeester,
        Task::VastleggenBewijs => facts.channel.leaves_digital_trace(),
        Task::MeldenPlatform => facts.channel == Channel::SocialeMedia,
        Task::Schadeverhaal => facts.damage && facts.perpetrator_known,
        // These arise from events in the case's life, never from the report.
        Task::Herstelgesprek | Task::Terugkoppeling | Task::ControleAangifte => false,
    }
}

/// The handler's informed roles and those informed of every incident, without the
/// handler itself.
fn informed(protocol: &Protocol, route: &Route) -> Vec<Role> {
    let set: BTreeSet<Role> = route
        .informed
        .iter()
        .chain(&protocol.always_informed)
        .copied()
        .filter(|role| *role != route.handler)
        .collect();
    set.into_iter().collect()
}

/// PROTOCOL.md §6 and §15 ("Escalations, precisely").
fn escalations(category: Category, facts: &Facts) -> Vec<Escalation> {
    let role = facts.victim.role;
    let threat_or_violence = category.abcd() == Abcd::D;
    let mut escalations = BTreeSet::new();
    if facts.injury != Injury::Geen {
        escalations.insert(Escalation::InspectieSzw);
    }
    if role == Role::Burgemeester {
        escalations.insert(Escalation::CommissarisVanDeKoning);
        if threat_or_violence {
            escalations.insert(Escalation::Nctv);
        }
    }
    if threat_or_violence && facts.criminal_offence_suspected {
        escalations.insert(Escalation::OpenbaarMinisterie);
    }
    if role == Role::CommissarisVanDeKoning {
        escalations.insert(Escalation::MinisterBzk);
    }
    escalations.into_iter().collect()
}

/// PROTOCOL.md §7: the suggested measures, advice to the handler; only for reports
/// that are required (behaviour that corrected itself needs no measure).
fn measures(category: Category, report: ReportObligation, facts: &Facts) -> Vec<Measure> {
    use Measure::*;
    if report != ReportObligation::Required {
        return Vec::new();
    }
    let mut measures: BTreeSet<Measure> = match category {
        Category::EmotioneelIk | Category::EmotioneelJullie => BTreeSet::new(),
        Category::VerbaleAgressie if facts.recidive() => {
            [SchriftelijkeWaarschuwing, Incidentgesprek].into()
        }
        Category::VerbaleAgressie => [SchriftelijkeWaarschuwing].into(),
        Category::BedreigingIntimidatie => {
            let police = if facts.criminal_offence_suspected {
                Aangifte
            } else {
                MeldingPolitie
            };
            [SchriftelijkeWaarschuwing, Incidentgesprek, police].into()
        }
        Category::FysiekGeweld => [
            Aangifte,
            SchriftelijkeWaarschuwing,
            Incidentgesprek,
            Toegangsverbod,
        ]
        .into(),
    };
    if facts.damage && facts.perpetrator_known {
        measures.insert(Schadeverhaal);
    }
    measures.into_iter().collect()
}

fn all_codes<C: Code>() -> String {
    C::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
