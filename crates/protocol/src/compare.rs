//! What a new protocol changes, before it runs: two protocols evaluated side by side on a
//! fixed set of sample incidents (each victim role × each category × each channel, a
//! weekend and a holiday), and on facts a person gives, with every difference in the
//! plans said in Dutch. Samples whose plans change the same way are grouped, so that a
//! change of one deadline reads as one line and not as two hundred.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::code::Code;
use crate::deadline::Due;
use crate::document::{Block, Document, Section};
use crate::error::Error;
use crate::evaluate::evaluate;
use crate::facts::{Facts, Victim};
use crate::labels::{
    aangifte_by_label, behaviour_label, category_label, channel_label, date_words,
    escalation_label, measure_label, moment_words, report_obligation_label, role_label,
    task_code_label,
};
use crate::own::TaskCode;
use crate::plan::Plan;
use crate::protocol::Protocol;
use crate::readable::NOT_REGULATED;
use crate::vocabulary::{Behaviour, Category, Channel, Role};

/// An incident used to compare two protocols, with its description in Dutch.
#[derive(Debug, Clone)]
pub struct Sample {
    pub description: String,
    pub facts: Facts,
}

/// The differences two protocols give for one group of samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What differs, one line each ("Behandelaar: de griffier wordt de burgemeester").
    pub changes: Vec<String>,
    /// The samples it differs for.
    pub samples: Vec<String>,
}

/// The comparison of an old and a new protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub samples: usize,
    pub differences: Vec<Difference>,
}

impl Comparison {
    pub fn is_same(&self) -> bool {
        self.differences.is_empty()
    }

    pub fn document(&self, old: &Protocol, new: &Protocol) -> Document {
        let mut blocks = vec![Block::Paragraph(format!(
            "Vergeleken op {} voorbeelden: elke rol × elke categorie × elke manier waarop het \
             gebeurde, en een melding in het weekend en rond Koningsdag.",
            self.samples
        ))];
        if self.is_same() {
            blocks.push(Block::Paragraph(String::from(
                "Geen verschil: de twee protocollen geven bij elk voorbeeld hetzelfde plan.",
            )));
        } else if old.version == new.version {
            // Each case records the version it was planned under: two different rule sets
            // under one version number could not be told apart afterwards.
            blocks.push(Block::Paragraph(format!(
                "Let op: het nieuwe protocol heeft hetzelfde versienummer als het huidige \
                 ({}). Geef het een eigen versienummer, zodat elke zaak laat zien volgens welke \
                 versie ze gepland is.",
                new.version
            )));
        }
        for (index, difference) in self.differences.iter().enumerate() {
            blocks.push(Block::Heading(format!(
                "Verschil {} (bij {} {})",
                index + 1,
                difference.samples.len(),
                if difference.samples.len() == 1 {
                    "voorbeeld"
                } else {
                    "voorbeelden"
                }
            )));
            blocks.push(Block::List(difference.changes.clone()));
            blocks.push(Block::Paragraph(format!(
                "Bijvoorbeeld: {}.",
                examples(&difference.samples)
            )));
        }
        Document {
            title: String::from("Wat het nieuwe protocol verandert"),
            intro: vec![
                format!("Nu: {} (versie {}).", old.name, old.version),
                format!("Nieuw: {} (versie {}).", new.name, new.version),
            ],
            sections: vec![Section {
                id: String::from("verschillen"),
                heading: String::from("Verschillen in de plannen"),
                blocks,
            }],
        }
    }
}

/// "a, b en c" for the first few samples, and how many more.
fn examples(samples: &[String]) -> String {
    const SHOWN: usize = 3;
    let first: Vec<&str> = samples.iter().take(SHOWN).map(String::as_str).collect();
    let text = first.join("; ");
    match samples.len().saturating_sub(SHOWN) {
        0 => text,
        more => format!("{text}; en nog {more}"),
    }
}

/// Compares two protocols on the built-in samples.
pub fn compare(old: &Protocol, new: &Protocol) -> Comparison {
    let samples = samples(old, new);
    let mut differences: Vec<Difference> = Vec::new();
    for sample in &samples {
        let changes = differences_for(old, new, &sample.facts);
        if changes.is_empty() {
            continue;
        }
        match differences.iter_mut().find(|d| d.changes == changes) {
            Some(group) => group.samples.push(sample.description.clone()),
            None => differences.push(Difference {
                changes,
                samples: vec![sample.description.clone()],
            }),
        }
    }
    Comparison {
        samples: samples.len(),
        differences,
    }
}

/// Each difference between the plans of two protocols for one incident, in Dutch. A
/// protocol that refuses the facts says why.
pub fn differences_for(old: &Protocol, new: &Protocol, facts: &Facts) -> Vec<String> {
    match (evaluate(old, facts), evaluate(new, facts)) {
        (Ok(a), Ok(b)) => plan_differences(old, new, &a, &b),
        (Err(a), Err(b)) if a == b => Vec::new(),
        (Ok(_), Err(error)) => vec![format!(
            "Het nieuwe protocol weigert dit: {}",
            refusal(&error)
        )],
        (Err(error), Ok(_)) => vec![format!(
            "Het huidige protocol weigert dit ({}); het nieuwe maakt er een plan van",
            refusal(&error)
        )],
        (Err(_), Err(error)) => vec![format!(
            "Beide protocollen weigeren dit, het nieuwe om een andere reden: {}",
            refusal(&error)
        )],
    }
}

fn refusal(error: &Error) -> String {
    match error {
        Error::UnroutableRole { role, .. } => {
            format!("het regelt niet bij wie een {} meldt", role_label(*role))
        }
        other => format!("{} is niet juist", other.field()),
    }
}

fn plan_differences(old: &Protocol, new: &Protocol, a: &Plan, b: &Plan) -> Vec<String> {
    let mut changes = Vec::new();
    let mut changed = |what: &str, before: String, after: String| {
        if before != after {
            changes.push(format!("{what}: {before} wordt {after}"));
        }
    };
    changed(
        "Categorie",
        category_label(a.category).to_lowercase(),
        category_label(b.category).to_lowercase(),
    );
    changed(
        "Melden",
        report_obligation_label(a.report).to_lowercase(),
        report_obligation_label(b.report).to_lowercase(),
    );
    changed(
        "Behandelaar",
        format!("de {}", role_label(a.handler)),
        format!("de {}", role_label(b.handler)),
    );
    let choices = |plan: &Plan| match &plan.handler_choices {
        None => String::from("geen keuze"),
        Some(roles) => roles
            .iter()
            .map(|r| role_label(*r))
            .collect::<Vec<_>>()
            .join(" of "),
    };
    changed("Keuze bij wie te melden", choices(a), choices(b));
    let aangifte = |plan: &Plan| match plan.aangifte_by {
        Some(by) => aangifte_by_label(by).to_lowercase(),
        None => NOT_REGULATED.trim_end_matches('.').to_lowercase(),
    };
    changed("Aangifte", aangifte(a), aangifte(b));
    set_change(
        &mut changes,
        "Geïnformeerd",
        &a.informed,
        &b.informed,
        |r| format!("de {}", role_label(*r)),
    );
    set_change(
        &mut changes,
        "Escalaties",
        &a.escalations,
        &b.escalations,
        |e| escalation_label(*e).to_owned(),
    );
    set_change(
        &mut changes,
        "Voorgestelde maatregelen",
        &a.measures,
        &b.measures,
        |m| measure_label(*m).to_lowercase(),
    );
    task_changes(&mut changes, old, new, a, b);
    changes
}

fn set_change<T: Ord + Copy>(
    changes: &mut Vec<String>,
    what: &str,
    before: &[T],
    after: &[T],
    word: impl Fn(&T) -> String,
) {
    let before: BTreeSet<T> = before.iter().copied().collect();
    let after: BTreeSet<T> = after.iter().copied().collect();
    let added: Vec<String> = after.difference(&before).map(&word).collect();
    let removed: Vec<String> = before.difference(&after).map(&word).collect();
    if !added.is_empty() {
        changes.push(format!("{what}, erbij: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        changes.push(format!("{what}, vervalt: {}", removed.join(", ")));
    }
}

fn task_changes(changes: &mut Vec<String>, old: &Protocol, new: &Protocol, a: &Plan, b: &Plan) {
    let codes: BTreeSet<TaskCode> = a.tasks.iter().chain(&b.tasks).map(|t| t.code).collect();
    for code in codes {
        let label = task_code_label(code, new);
        match (a.task(code), b.task(code)) {
            (None, Some(task)) => changes.push(format!(
                "Nieuwe taak: {label} ({})",
                due_words(&task.due, task.target)
            )),
            (Some(_), None) => {
                changes.push(format!("Taak vervalt: {}", task_code_label(code, old)))
            }
            (Some(before), Some(after)) if before != after => changes.push(format!(
                "Termijn van {}: {} wordt {}",
                label.to_lowercase(),
                due_words(&before.due, before.target),
                due_words(&after.due, after.target)
            )),
            _ => {}
        }
    }
}

/// A due moment in words, the same for every sample: a deadline of the sample's dates.
fn due_words(due: &Due, target: bool) -> String {
    let words = match due {
        Due::None => String::from("geen vaste termijn"),
        Due::At(moment) => format!("uiterlijk {}", moment_words(moment.timestamp())),
        Due::Window { from, due } => format!(
            "vanaf {} tot {}",
            moment_words(from.timestamp()),
            moment_words(due.timestamp())
        ),
        Due::Date(date) => format!("uiterlijk {}", date_words(*date)),
    };
    if target {
        format!("{words}, als streefdatum")
    } else {
        words
    }
}

/// One behaviour per category, as a reporter would most often pick it.
const TYPICAL: [(Category, Behaviour); 5] = [
    (Category::EmotioneelIk, Behaviour::Klagen),
    (Category::EmotioneelJullie, Behaviour::KritiekOpBeleid),
    (Category::VerbaleAgressie, Behaviour::Beledigen),
    (Category::BedreigingIntimidatie, Behaviour::DreigenMetGeweld),
    (Category::FysiekGeweld, Behaviour::Slaan),
];

/// The built-in samples: every victim role either protocol routes × every category ×
/// every channel on a Monday evening, reported the next morning; per role and category
/// also one reported on a Friday evening (a weekend follows) and one on the Friday
/// before Koningsdag 2026 (a weekend and a holiday follow); and per role a persistent
/// emotion, a corrected insult and a threat with injury, a suspected offence, a known
/// perpetrator with earlier incidents, and damage.
pub fn samples(old: &Protocol, new: &Protocol) -> Vec<Sample> {
    let roles: BTreeSet<Role> = old
        .routes
        .keys()
        .chain(new.routes.keys())
        .copied()
        .collect();
    let at = |text: &str| -> Timestamp { text.parse().unwrap_or(Timestamp::UNIX_EPOCH) };
    let monday = (
        at("2026-03-02T20:15:00+01:00"),
        at("2026-03-03T09:00:00+01:00"),
    );
    let friday = (
        at("2026-03-06T21:00:00+01:00"),
        at("2026-03-06T22:00:00+01:00"),
    );
    let koningsdag = (
        at("2026-04-24T16:00:00+02:00"),
        at("2026-04-24T17:00:00+02:00"),
    );
    let mut samples = Vec::new();
    for role in roles {
        let who = format!("een {}", role_label(role));
        for (category, behaviour) in TYPICAL {
            let what = behaviour_label(behaviour).to_lowercase();
            let base = facts(role, behaviour, monday);
            for channel in Channel::ALL {
                samples.push(Sample {
                    description: format!(
                        "{who}, {what}, {}",
                        channel_label(*channel).to_lowercase()
                    ),
                    facts: Facts {
                        channel: *channel,
                        ..base.clone()
                    },
                });
            }
            samples.push(Sample {
                description: format!("{who}, {what}, op vrijdagavond gemeld"),
                facts: facts(role, behaviour, friday),
            });
            samples.push(Sample {
                description: format!("{who}, {what}, gemeld vlak voor Koningsdag"),
                facts: facts(role, behaviour, koningsdag),
            });
            let _ = category;
        }
        samples.push(Sample {
            description: format!("{who}, klagen dat aanhoudt"),
            facts: Facts {
                persistent: true,
                ..facts(role, Behaviour::Klagen, monday)
            },
        });
        samples.push(Sample {
            description: format!("{who}, beledigen dat stopte na aanspreken"),
            facts: Facts {
                corrected_after_warning: true,
                ..facts(role, Behaviour::Beledigen, monday)
            },
        });
        samples.push(Sample {
            description: format!(
                "{who}, bedreiging met letsel, schade en een bekende pleger die al eerder een \
                 incident had"
            ),
            facts: Facts {
                injury: crate::vocabulary::Injury::GeestelijkLetsel,
                criminal_offence_suspected: true,
                perpetrator_known: true,
                prior_incidents: 1,
                damage: true,
                ..facts(role, Behaviour::DreigenMetGeweld, monday)
            },
        });
    }
    samples
}

fn facts(role: Role, behaviour: Behaviour, (occurred, reported): (Timestamp, Timestamp)) -> Facts {
    Facts {
        occurred_at: occurred,
        reported_at: Some(reported),
        victim: Victim {
            role,
            former: false,
        },
        behaviours: vec![behaviour.into()],
        channel: Channel::InPersoon,
        persistent: false,
        corrected_after_warning: false,
        injury: crate::vocabulary::Injury::Geen,
        criminal_offence_suspected: false,
        perpetrator_known: false,
        prior_incidents: 0,
        damage: false,
        addressed: None,
        report_to: None,
        situation: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{preset, preset_text};

    #[test]
    fn a_protocol_compared_with_itself_has_no_differences() {
        let leiden = preset("leiden").unwrap();
        let comparison = compare(leiden, leiden);
        assert!(comparison.is_same());
        // 6 municipal roles × 5 categories × (7 channels + weekend + holiday) + 3 each.
        assert_eq!(comparison.samples, 6 * 5 * 9 + 6 * 3);
    }

    #[test]
    fn one_changed_deadline_reads_as_one_grouped_difference() {
        let old = preset("westerveld").unwrap();
        let text = preset_text("westerveld").unwrap().replace(
            "nazorg_gesprek_1 = { hours = 24 }",
            "nazorg_gesprek_1 = { hours = 48 }",
        );
        let new = Protocol::from_toml(&text).unwrap();
        let comparison = compare(old, &new);
        // One group per date the samples are reported on: Monday, Friday, before Koningsdag.
        assert_eq!(comparison.differences.len(), 3, "{comparison:#?}");
        let first = &comparison.differences[0];
        assert_eq!(first.changes.len(), 1);
        assert!(
            first.changes[0].starts_with("Termijn van eerste nazorggesprek: uiterlijk di 3 mrt 2026, 20:15 wordt uiterlijk wo 4 mrt 2026, 20:15"),
            "{first:?}"
        );
        // Every sample with aggression, whatever the role or channel.
        let affected: usize = comparison.differences.iter().map(|d| d.samples.len()).sum();
        assert!(affected > 100, "{affected}");
    }

    #[test]
    fn a_changed_handler_and_an_unroutable_role_are_said() {
        let old = preset("westerveld").unwrap();
        let text = preset_text("westerveld").unwrap().replace(
            "[routing.victims.raadslid]          # \"Raadsleden en fractieleden melden incidenten bij de griffier.\nhandler = \"griffier\"",
            "[routing.victims.raadslid]\nhandler = \"burgemeester\"",
        );
        let text = text.replace("informed = [\"burgemeester\"]", "informed = [\"griffier\"]");
        let new = Protocol::from_toml(&text).unwrap();
        let comparison = compare(old, &new);
        let all: Vec<&String> = comparison
            .differences
            .iter()
            .flat_map(|d| &d.changes)
            .collect();
        assert!(
            all.iter()
                .any(|c| *c == "Behandelaar: de griffier wordt de burgemeester"),
            "{all:?}"
        );
        let document = comparison.document(old, &new).to_markdown();
        assert!(document.contains("Verschil 1 (bij"), "{document}");
        // The same version number for other rules is pointed out.
        assert!(document.contains("hetzelfde versienummer"), "{document}");
        assert!(!document.contains('_'), "{document}");
    }
}
