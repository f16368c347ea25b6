//! The Dutch words the pages show for the protocol's and the register's codes.
//!
//! The codes (`nazorg_gesprek_1`, `in_behandeling`) are for files and the API; a griffier
//! or raadslid reads these labels instead. Every function matches exhaustively, without a
//! catch-all arm, so that a code added to the vocabulary does not compile until it has
//! words here.
//!
//! Roles and bodies are lower case ("gemeld bij de griffier") because the pages put them
//! inside sentences; everything that stands on its own (an option, a badge, a timeline
//! entry) starts with a capital. The behaviour groups, explanations and guidance follow
//! the seeds' own tables (`shared/seeds/`); the spec's category table fills in what the
//! seeds do not place.

pub use weerbaar_protocol::labels::*;
use weerbaar_register::{
    AftercareConversation, Audience, CaseKind, CaseStatus, EventKind, EvidenceKind, ItemKind,
    PerpetratorKind, PoliceContactKind, Relation, Risk,
};

pub fn case_status_label(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Gemeld => "Gemeld",
        CaseStatus::InBehandeling => "In behandeling",
        CaseStatus::Afgerond => "Afgerond",
        CaseStatus::Heropend => "Heropend",
        CaseStatus::Gearchiveerd => "Gearchiveerd",
    }
}

pub fn case_kind_label(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Melding => "Melding",
        CaseKind::Consult => "Overleg bij twijfel",
        CaseKind::AmbtenaarIncident => "Incident tegen een ambtenaar",
    }
}

/// Answers to "Wie is getroffen?".
pub fn relation_label(relation: Relation) -> &'static str {
    match relation {
        Relation::Zelf => "De ambtsdrager zelf",
        Relation::Gezin => "Gezin",
        Relation::Familie => "Familie",
        Relation::Vrienden => "Vrienden",
        Relation::Huisdieren => "Huisdieren",
        Relation::Eigendommen => "Eigendommen",
    }
}

pub fn perpetrator_kind_label(kind: PerpetratorKind) -> &'static str {
    match kind {
        PerpetratorKind::Persoon => "Eén persoon",
        PerpetratorKind::Collectief => "Een groep of collectief",
        PerpetratorKind::NamensOrganisatie => {
            "Iemand namens een bedrijf, organisatie of groepering"
        }
        PerpetratorKind::Onbekend => "Onbekend",
    }
}

/// Entries on a case's timeline.
pub fn event_kind_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Reported => "Gemeld",
        EventKind::Classified => "Ingedeeld volgens het protocol",
        EventKind::PerpetratorLinked => "Pleger gekoppeld",
        EventKind::Viewed => "Dossier geopend",
        EventKind::TaskDone => "Taak afgerond",
        EventKind::StatusChanged => "Status gewijzigd",
        EventKind::MeasureDecided => "Maatregel besloten",
        // Hoor en wederhoor: the perpetrator's own account was recorded.
        EventKind::PerpetratorHeard => "Pleger gehoord",
        EventKind::MeasureEnded => "Maatregel beëindigd",
        EventKind::AftercarePlanned => "Nazorggesprek gepland",
        EventKind::AftercareHeld => "Nazorggesprek gevoerd",
        EventKind::PoliceContacted => "Melding of aangifte bij de politie",
        EventKind::PoliceOutcome => "Uitkomst politie vastgelegd",
        EventKind::DamageRecorded => "Schade vastgelegd",
        EventKind::Communicated => "Communicatie vastgelegd",
        EventKind::Evaluated => "Incident geëvalueerd",
        EventKind::AccessGranted => "Inzage gegeven",
        EventKind::AccessRevoked => "Inzage ingetrokken",
        EventKind::TaskRaised => "Taak toegevoegd",
        EventKind::ConsultPromoted => "Overleg omgezet in melding",
        EventKind::EvidenceAdded => "Bewijs toegevoegd",
        EventKind::Anonymised => "Geanonimiseerd",
    }
}

pub fn item_kind_label(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Measure => "Maatregel",
        ItemKind::Aftercare => "Nazorg",
        ItemKind::Police => "Politie",
        ItemKind::Damage => "Schade",
        ItemKind::Communication => "Communicatie",
        ItemKind::Evaluation => "Evaluatie",
        ItemKind::Improvement => "Verbeteractie",
    }
}

pub fn aftercare_conversation_label(conversation: AftercareConversation) -> &'static str {
    match conversation {
        AftercareConversation::Eerste => "Eerste nazorggesprek",
        AftercareConversation::Tweede => "Tweede nazorggesprek",
        AftercareConversation::Derde => "Derde nazorggesprek",
        AftercareConversation::Maatwerk => "Nazorg op maat",
    }
}

pub fn police_contact_kind_label(kind: PoliceContactKind) -> &'static str {
    match kind {
        PoliceContactKind::Melding => "Melding bij de politie",
        PoliceContactKind::Aangifte => "Aangifte",
    }
}

/// Who was told about the incident (PROTOCOL.md §11).
pub fn audience_label(audience: Audience) -> &'static str {
    match audience {
        Audience::Vertrouwelijk => "Vertrouwelijk, zoals het protocol voorschrijft",
        Audience::AndereAmbtsdragers => "Andere ambtsdragers",
        // The code says raad, but a province has Staten and a water board an algemeen bestuur.
        Audience::Raad => "Raad, Staten of algemeen bestuur",
        Audience::Pers => "Pers",
    }
}

pub fn risk_label(risk: Risk) -> &'static str {
    match risk {
        Risk::Laag => "Laag",
        Risk::Midden => "Midden",
        Risk::Hoog => "Hoog",
    }
}

pub fn evidence_kind_label(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::File => "Bestand",
        EvidenceKind::Online => "Online gezien",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fmt::Debug;

    use weerbaar_protocol::{
        AangifteBy, Abcd, Behaviour, Body, Category, Channel, Code, Escalation, Injury, Measure,
        ReportObligation, Role, Task,
    };

    use super::*;

    /// Every code has a label, labels of one set differ, and no code's spelling leaks.
    fn check<T: Copy + Debug>(kind: &str, all: &[T], label: fn(T) -> &'static str) {
        assert!(!all.is_empty(), "{kind}: no codes");
        let mut seen: BTreeMap<&str, T> = BTreeMap::new();
        for &code in all {
            let text = label(code);
            assert!(
                !text.trim().is_empty(),
                "{kind} {code:?} has an empty label"
            );
            assert_eq!(
                text,
                text.trim(),
                "{kind} {code:?}: stray spaces in {text:?}"
            );
            assert!(
                !text.contains('_'),
                "{kind} {code:?}: label {text:?} looks like a code"
            );
            if let Some(other) = seen.insert(text, code) {
                panic!("{kind} {code:?} and {other:?} share the label {text:?}");
            }
        }
    }

    #[test]
    fn every_protocol_code_has_its_own_label() {
        check("body", Body::ALL, body_label);
        check("role", Role::ALL, role_label);
        check("category", Category::ALL, category_label);
        check("abcd", &[Abcd::A, Abcd::B, Abcd::C, Abcd::D], abcd_label);
        check("behaviour", Behaviour::ALL, behaviour_label);
        check("channel", Channel::ALL, channel_label);
        check("injury", Injury::ALL, injury_label);
        check(
            "report obligation",
            ReportObligation::ALL,
            report_obligation_label,
        );
        check("task", Task::ALL, task_label);
        check("escalation", Escalation::ALL, escalation_label);
        check("measure", Measure::ALL, measure_label);
        check("aangifte_by", AangifteBy::ALL, aangifte_by_label);
    }

    #[test]
    fn every_register_code_has_its_own_label() {
        check("case status", CaseStatus::ALL, case_status_label);
        check("case kind", CaseKind::ALL, case_kind_label);
        check("relation", Relation::ALL, relation_label);
        check(
            "perpetrator kind",
            PerpetratorKind::ALL,
            perpetrator_kind_label,
        );
        check("event kind", EventKind::ALL, event_kind_label);
        check("item kind", ItemKind::ALL, item_kind_label);
        check(
            "aftercare",
            AftercareConversation::ALL,
            aftercare_conversation_label,
        );
        check(
            "police contact",
            PoliceContactKind::ALL,
            police_contact_kind_label,
        );
        check("audience", Audience::ALL, audience_label);
        check("risk", Risk::ALL, risk_label);
        check("evidence kind", EvidenceKind::ALL, evidence_kind_label);
    }

    #[test]
    fn the_groups_hold_every_behaviour_exactly_once() {
        let mut seen = BTreeSet::new();
        for group in behaviour_groups() {
            assert!(!group.title.is_empty() && !group.hint.is_empty());
            assert!(!group.behaviours.is_empty(), "{} is empty", group.title);
            for behaviour in group.behaviours {
                assert!(seen.insert(*behaviour), "{behaviour:?} is in two groups");
            }
        }
        let missing: Vec<_> = Behaviour::ALL
            .iter()
            .filter(|b| !seen.contains(b))
            .collect();
        assert!(missing.is_empty(), "in no group: {missing:?}");
    }

    #[test]
    fn each_group_is_one_default_category_in_order_light_to_heavy() {
        let categories: Vec<Category> = behaviour_groups()
            .iter()
            .map(|group| {
                let first = group.behaviours[0].default_category();
                for behaviour in group.behaviours {
                    assert_eq!(
                        behaviour.default_category(),
                        first,
                        "{behaviour:?} in {}",
                        group.title
                    );
                }
                first
            })
            .collect();
        assert_eq!(categories, Category::ALL);
    }

    #[test]
    fn every_behaviour_is_explained_in_one_sentence() {
        for &behaviour in Behaviour::ALL {
            let text = behaviour_explanation(behaviour);
            assert!(text.ends_with('.'), "{behaviour:?}: {text:?}");
            assert_eq!(
                text.matches(". ").count(),
                0,
                "{behaviour:?}: more than one sentence"
            );
            assert!(!text.contains('_'));
        }
    }

    #[test]
    fn every_category_has_a_description_and_something_to_do() {
        for &category in Category::ALL {
            let description = category_description(category);
            assert!(description.ends_with('.') && !description.contains('_'));
            let lines = category_what_now(category);
            assert!(!lines.is_empty(), "{category:?}: nothing to do");
            for line in lines {
                assert!(
                    !line.trim().is_empty() && !line.contains('_'),
                    "{category:?}: {line:?}"
                );
                // A `\` continuation keeps the next line's indent out of the text; a slip
                // would show as a run of spaces on the page.
                assert!(
                    !line.contains("  "),
                    "{category:?}: double space in {line:?}"
                );
            }
        }
        assert!(
            category_what_now(Category::FysiekGeweld)
                .iter()
                .any(|l| l.contains("112"))
        );
        assert!(
            category_what_now(Category::BedreigingIntimidatie)
                .iter()
                .any(|l| l.contains("112"))
        );
    }

    #[test]
    fn no_text_has_a_broken_continuation() {
        let mut texts: Vec<&str> = Behaviour::ALL
            .iter()
            .map(|b| behaviour_explanation(*b))
            .collect();
        texts.extend(Category::ALL.iter().map(|c| category_description(*c)));
        texts.extend(behaviour_groups().iter().map(|g| g.hint));
        for text in texts {
            assert!(!text.contains("  "), "double space in {text:?}");
        }
    }

    #[test]
    fn dates_have_seven_days_and_twelve_months() {
        assert_eq!(WEEKDAYS_SHORT[0], "ma");
        assert_eq!(WEEKDAYS_SHORT[6], "zo");
        assert_eq!(MONTHS_SHORT[2], "mrt");
        assert_eq!(MONTHS[2], "maart");
        for (short, long) in MONTHS_SHORT.iter().zip(MONTHS) {
            assert_eq!(short[..1], long[..1], "{short} / {long}");
        }
        assert_eq!(BTreeSet::from(MONTHS_SHORT).len(), 12);
        assert_eq!(BTreeSet::from(WEEKDAYS_SHORT).len(), 7);
    }
}
