//! `evaluate`: PROTOCOL.md §2 to §7 applied to one incident. Pure: no I/O, no clock.

use std::collections::BTreeSet;

use crate::calendar::in_amsterdam;
use crate::code::Code;
use crate::deadline::rfc3339;
use crate::error::Error;
use crate::facts::{Facts, SUPPORTED_YEARS};
use crate::own::TaskCode;
use crate::plan::{Plan, PlannedTask};
use crate::protocol::{Condition, Protocol, RiseWhen, Route};
use crate::vocabulary::{
    Abcd, Addressed, Behaviour, Category, Channel, Escalation, Injury, Measure, ReportObligation,
    Role, Task,
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
    facts.check_behaviours(|b| protocol.knows_behaviour(b), &protocol.behaviour_codes())?;
    facts.check_addressed()?;
    let route = route_for(protocol, facts.victim.role)?;
    let handler = handler_for(route, facts)?;

    let categories: BTreeSet<Category> = facts
        .behaviours
        .iter()
        .filter_map(|b| protocol.category_of_code(*b))
        .map(|category| risen(protocol, category, facts))
        .collect();
    let Some(&category) = categories.last() else {
        return Err(no_behaviours());
    };
    let report = report_obligation(protocol, facts, &categories);

    let apply = |deadline: &crate::deadline::Deadline| {
        deadline
            .apply(&occurred, &reported)
            .map_err(|_| Error::OutOfCalendar {
                field: "occurred_at",
            })
    };
    let mut tasks = Vec::new();
    for (code, deadline) in &protocol.tasks {
        if arises(*code, category, report, facts) {
            let code = TaskCode::Spec(*code);
            tasks.push(PlannedTask {
                code,
                due: apply(deadline)?,
                target: protocol.targets.contains(&code),
            });
        }
    }
    for own in &protocol.own_tasks {
        if holds(&own.when, category, report, facts) {
            tasks.push(PlannedTask {
                code: TaskCode::Own(own.code),
                due: apply(&own.deadline)?,
                target: own.target,
            });
        }
    }

    Ok(Plan {
        preset: protocol.id.clone(),
        category,
        abcd: category.abcd(),
        report,
        handler,
        handler_choices: (!route.choices.is_empty()).then(|| route.choices.clone()),
        informed: informed(protocol, route, handler),
        aangifte_by: protocol.aangifte_by,
        recidive: facts.recidive(),
        tasks,
        escalations: escalations(category, facts),
        measures: measures(category, report, facts),
    })
}

/// §16.3: the recipient the reporter chose, or the first the protocol lists; a choice
/// where the protocol gives none, or of a recipient it does not list, is refused.
fn handler_for(route: &Route, facts: &Facts) -> Result<Role, Error> {
    let Some(chosen) = facts.report_to else {
        return Ok(route.handler);
    };
    let role = facts.victim.role;
    if route.choices.is_empty() {
        return Err(Error::InvalidFacts {
            field: String::from("report_to"),
            reason: format!(
                "the protocol gives no choice of recipient for `{role}`: leave report_to out \
                 (the report goes to `{}`)",
                route.handler
            ),
        });
    }
    if !route.choices.contains(&chosen) {
        return Err(Error::InvalidFacts {
            field: String::from("report_to"),
            reason: format!(
                "`{chosen}` is not a recipient the protocol allows for `{role}`; allowed: {}",
                route
                    .choices
                    .iter()
                    .map(|role| role.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(chosen)
}

/// §16.2: the heaviest category this one rises to under the facts, or itself.
fn risen(protocol: &Protocol, category: Category, facts: &Facts) -> Category {
    let holds = |when: &RiseWhen| match when {
        RiseWhen::Persistent => facts.persistent,
        RiseWhen::Unchanged => facts.addressed() == Addressed::Unchanged,
    };
    protocol
        .rises
        .iter()
        .filter(|rise| rise.from.contains(&category) && rise.when.iter().any(holds))
        .map(|rise| rise.to)
        .fold(category, Category::max)
}

/// §16.5: whether an own task's condition holds for this incident.
fn holds(
    condition: &Condition,
    category: Category,
    report: ReportObligation,
    facts: &Facts,
) -> bool {
    fn any_of<T: PartialEq>(allowed: &[T], value: &T) -> bool {
        allowed.is_empty() || allowed.contains(value)
    }
    fn is<T: PartialEq>(wanted: Option<T>, value: T) -> bool {
        wanted.is_none_or(|wanted| wanted == value)
    }
    any_of(&condition.categories, &category)
        && (condition.behaviours.is_empty()
            || facts
                .behaviours
                .iter()
                .any(|b| condition.behaviours.contains(b)))
        && any_of(&condition.channels, &facts.channel)
        && any_of(&condition.victims, &facts.victim.role)
        && (condition.situations.is_empty()
            || facts
                .situation
                .is_some_and(|s| condition.situations.contains(&s)))
        && is(condition.injury, facts.injury != Injury::Geen)
        && is(
            condition.criminal_offence_suspected,
            facts.criminal_offence_suspected,
        )
        && is(condition.perpetrator_known, facts.perpetrator_known)
        && is(condition.damage, facts.damage)
        && is(condition.recidive, facts.recidive())
        && is(
            condition.report_required,
            report == ReportObligation::Required,
        )
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
        .filter_map(|b| b.spec())
        .any(|b| rules.always_required.contains(&b));
    let per_category = categories.iter().map(|category| match category {
        Category::EmotioneelIk | Category::EmotioneelJullie if facts.persistent => {
            rules.emotional_persistent
        }
        Category::EmotioneelIk | Category::EmotioneelJullie => rules.emotional,
        Category::VerbaleAgressie
            if facts.addressed() == Addressed::Changed && !facts.persistent =>
        {
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

/// The route's informed roles and those informed of every incident, without the
/// handler itself.
fn informed(protocol: &Protocol, route: &Route, handler: Role) -> Vec<Role> {
    let set: BTreeSet<Role> = route
        .informed
        .iter()
        .chain(&protocol.always_informed)
        .copied()
        .filter(|role| *role != handler)
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
