//! The protocol as a Dutch document for everyone who must live by it (PROTOCOL.md §16:
//! "the protocol file is also the protocol's readable text"): rendered from the same
//! checked protocol that `evaluate` executes, so that the two can never disagree. No code,
//! no TOML, no English on it.

use crate::code::Code;
use crate::deadline::{Deadline, Length};
use crate::document::{Block, Document, Section, Table};
use crate::labels::{
    aangifte_by_label, behaviour_explanation, behaviour_label, body_label, category_label,
    channel_label, role_label, situation_label, task_label,
};
use crate::protocol::{Actor, Condition, Protocol, RiseWhen};
use crate::vocabulary::{Abcd, Behaviour, Category, ReportObligation, Task};

/// Shown where the protocol does not regulate something (§16.7).
pub const NOT_REGULATED: &str = "Niet geregeld in het protocol.";

/// The whole protocol as a document.
pub fn document(protocol: &Protocol) -> Document {
    let mut intro = vec![format!("Versie {}.", protocol.version)];
    if let Some(source) = &protocol.source {
        intro.push(format!("Gebaseerd op: {source}."));
    }
    intro.push(String::from(
        "Dit is het protocol zoals Weerbaar het uitvoert: dezelfde regels bepalen wat er \
         na een melding gebeurt.",
    ));
    Document {
        title: format!("Agressieprotocol {}", protocol.name),
        intro,
        sections: vec![
            norm(protocol),
            reporting(protocol),
            routing(protocol),
            tasks(protocol),
            measures(),
            police(protocol),
            aftercare(protocol),
            guidance(protocol),
            contacts(protocol),
        ],
    }
}

fn section(id: &str, heading: &str, blocks: Vec<Block>) -> Section {
    Section {
        id: id.to_owned(),
        heading: heading.to_owned(),
        blocks,
    }
}

fn norm(protocol: &Protocol) -> Section {
    let mut blocks = vec![Block::Paragraph(String::from(
        "Emotie mag, agressie niet. Het gaat om de richting van het gedrag, niet om hoe \
         heftig het is. Bij meer soorten gedrag telt de zwaarste categorie.",
    ))];
    for category in Category::ALL {
        blocks.push(Block::Heading(format!(
            "{} ({})",
            category_label(*category),
            letter(category.abcd())
        )));
        blocks.push(Block::Paragraph(
            crate::labels::category_description(*category).to_owned(),
        ));
        let mut items: Vec<String> = Behaviour::ALL
            .iter()
            .filter(|b| protocol.category_of(**b) == *category)
            .map(|b| format!("{}: {}", behaviour_label(*b), behaviour_explanation(*b)))
            .collect();
        items.extend(
            protocol
                .own_behaviours
                .iter()
                .filter(|b| b.category == *category)
                .map(|b| format!("{}: {}", b.label, b.explanation)),
        );
        if !items.is_empty() {
            blocks.push(Block::List(items));
        }
    }
    for rise in &protocol.rises {
        let from: Vec<&str> = rise.from.iter().map(|c| category_label(*c)).collect();
        let when: Vec<&str> = rise
            .when
            .iter()
            .map(|w| match w {
                RiseWhen::Persistent => "als het aanhoudt",
                RiseWhen::Unchanged => "als het niet verandert nadat iemand erop is aangesproken",
            })
            .collect();
        blocks.push(Block::Paragraph(format!(
            "{} telt als {}, {}.",
            sentence_list(&from, "en"),
            category_label(rise.to).to_lowercase(),
            sentence_list(&when, "of")
        )));
    }
    section("norm", "Wat over de grens gaat", blocks)
}

fn reporting(protocol: &Protocol) -> Section {
    let rules = &protocol.report;
    let row = |what: &str, obligation: ReportObligation| {
        vec![what.to_owned(), obligation_words(obligation).to_owned()]
    };
    let mut blocks = vec![Block::Table(Table {
        caption: String::from("Wanneer u meldt"),
        head: vec![String::from("Gedrag"), String::from("Melden")],
        rows: vec![
            row("Emotioneel gedrag (A en B)", rules.emotional),
            row(
                "Emotioneel gedrag dat aanhoudt (A en B)",
                rules.emotional_persistent,
            ),
            row(
                "Verbale agressie die stopte nadat u de persoon erop aansprak (C)",
                rules.verbal_corrected,
            ),
            row("Verbale agressie (C)", rules.verbal),
            row("Bedreiging en intimidatie (D)", rules.threat),
            row("Fysiek geweld (D)", rules.physical),
        ],
    })];
    let always: Vec<&str> = rules
        .always_required
        .iter()
        .map(|b| behaviour_label(*b))
        .collect();
    if !always.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "Altijd melden: {}.",
            sentence_list(&always, "en").to_lowercase()
        )));
    }
    blocks.push(Block::Paragraph(String::from(
        "Twijfelt u? Stel dan eerst een vraag aan wie uw meldingen ontvangt. Het maakt niet \
         uit hoe het gebeurde: in persoon, per telefoon, brief of e-mail, of online.",
    )));
    section("melden", "Wanneer u meldt", blocks)
}

fn routing(protocol: &Protocol) -> Section {
    let rows = protocol
        .routes
        .iter()
        .map(|(role, route)| {
            let receiver = if route.choices.is_empty() {
                let mut text = format!("de {}", role_label(route.handler));
                if !route.alternates.is_empty() {
                    let alternates: Vec<String> = route
                        .alternates
                        .iter()
                        .map(|r| format!("de {}", role_label(*r)))
                        .collect();
                    text.push_str(&format!(
                        " (of {})",
                        sentence_list(&refs(&alternates), "of")
                    ));
                }
                text
            } else {
                let choices: Vec<String> = route
                    .choices
                    .iter()
                    .map(|r| format!("de {}", role_label(*r)))
                    .collect();
                format!("{}: u kiest zelf", sentence_list(&refs(&choices), "of"))
            };
            let informed: Vec<String> = route
                .informed
                .iter()
                .map(|r| format!("de {}", role_label(*r)))
                .collect();
            vec![
                capitalise(role_label(*role)),
                receiver,
                if informed.is_empty() {
                    String::from("niemand anders")
                } else {
                    sentence_list(&refs(&informed), "en")
                },
            ]
        })
        .collect();
    let mut blocks = vec![Block::Table(Table {
        caption: String::from("Bij wie u meldt en wie het hoort"),
        head: vec![
            String::from("Als u dit bent"),
            String::from("meldt u bij"),
            String::from("en die informeert"),
        ],
        rows,
    })];
    if !protocol.always_informed.is_empty() {
        let always: Vec<String> = protocol
            .always_informed
            .iter()
            .map(|r| format!("de {}", role_label(*r)))
            .collect();
        blocks.push(Block::Paragraph(format!(
            "Bij elk incident wordt ook {} geïnformeerd.",
            sentence_list(&refs(&always), "en")
        )));
    }
    blocks.push(Block::Paragraph(String::from(
        "Wie geïnformeerd wordt, hoort dát er iets gebeurd is en hoe zwaar het is. De \
         details leest alleen wie de melding behandelt, en wie daar toestemming voor krijgt.",
    )));
    let bodies: Vec<&str> = protocol.bodies.iter().map(|b| body_label(*b)).collect();
    blocks.push(Block::Paragraph(format!(
        "Dit protocol geldt voor de politieke ambtsdragers van de {}.",
        sentence_list(&bodies, "en")
    )));
    section("wie", "Bij wie u meldt", blocks)
}

fn tasks(protocol: &Protocol) -> Section {
    let target = |code| protocol.targets.contains(&code);
    let mut rows: Vec<Vec<String>> = protocol
        .tasks
        .iter()
        .filter(|(task, _)| !task.arises_later())
        .map(|(task, deadline)| {
            vec![
                task_label(*task).to_owned(),
                when_spec_task(*task).to_owned(),
                deadline_words(*deadline, target(crate::own::TaskCode::Spec(*task))),
            ]
        })
        .collect();
    rows.extend(protocol.own_tasks.iter().map(|own| {
        let by = match own.by {
            None => String::new(),
            Some(Actor::Role(role)) => format!(" (door de {})", role_label(role)),
            Some(Actor::Staff(code)) => protocol
                .staff
                .iter()
                .find(|s| s.code == code)
                .map(|s| format!(" (door: {})", s.label.to_lowercase()))
                .unwrap_or_default(),
        };
        vec![
            format!("{}{by}", own.label),
            condition_words(&own.when, protocol),
            deadline_words(own.deadline, own.target),
        ]
    }));
    let later: Vec<String> = protocol
        .tasks
        .keys()
        .filter(|task| task.arises_later())
        .map(|task| format!("{}: {}", task_label(*task), when_spec_task(*task)))
        .collect();
    let mut blocks = vec![
        Block::Paragraph(String::from(
            "Na een melding maakt Weerbaar deze taken voor wie de melding behandelt. Een \
             termijn in uren of dagen telt vanaf het incident, een termijn in werkdagen vanaf \
             de dag van de melding; zaterdag, zondag en de feestdagen tellen niet mee.",
        )),
        Block::Table(Table {
            caption: String::from("Taken na een melding"),
            head: vec![
                String::from("Taak"),
                String::from("Wanneer"),
                String::from("Termijn"),
            ],
            rows,
        }),
    ];
    if !later.is_empty() {
        blocks.push(Block::Heading(String::from("Later in de zaak")));
        blocks.push(Block::List(later));
    }
    section("taken", "Wat er moet gebeuren, en wanneer", blocks)
}

fn measures() -> Section {
    section(
        "maatregelen",
        "Maatregelen tegen de pleger",
        vec![
            Block::Paragraph(String::from(
                "Op elke melding volgt een reactie naar de pleger. Wie de melding behandelt \
                 beslist; Weerbaar stelt voor, als melden verplicht is:",
            )),
            Block::List(vec![
                String::from(
                    "bij verbale agressie een schriftelijke waarschuwing, en een incidentgesprek als de pleger al eerder een incident had;",
                ),
                String::from(
                    "bij bedreiging of intimidatie een schriftelijke waarschuwing, een incidentgesprek en een melding of aangifte bij de politie;",
                ),
                String::from(
                    "bij fysiek geweld aangifte, een schriftelijke waarschuwing, een incidentgesprek en een toegangsverbod;",
                ),
                String::from("bij schade door een bekende pleger: de schade verhalen."),
            ]),
            Block::Paragraph(String::from(
                "Een toegangs- of contactverbod heeft een einddatum. Daarna volgt een \
                 herstelgesprek.",
            )),
        ],
    )
}

fn police(protocol: &Protocol) -> Section {
    let mut blocks = vec![Block::Paragraph(match protocol.aangifte_by {
        Some(by) => format!("{}.", aangifte_by_label(by)),
        None => format!("Wie aangifte doet: {}", NOT_REGULATED.to_lowercase()),
    })];
    if let Some(note) = &protocol.aangifte_note {
        blocks.push(Block::Paragraph(note.clone()));
    }
    blocks.push(Block::Paragraph(String::from(
        "Uw huisadres komt nooit in een aangifte. Vertel de politie dat u een publieke \
         functie hebt. Over een aangifte wordt niets openbaar gemaakt zonder uw toestemming.",
    )));
    section("politie", "Melding en aangifte bij de politie", blocks)
}

fn aftercare(protocol: &Protocol) -> Section {
    let care = &protocol.aftercare;
    let mut blocks = Vec::new();
    if !care.regulated {
        blocks.push(Block::Paragraph(format!(
            "Wie opvang en nazorg geeft: {}",
            NOT_REGULATED.to_lowercase()
        )));
    } else if care.tailored {
        blocks.push(Block::Paragraph(String::from(
            "Opvang en nazorg worden na elk incident aangeboden en op maat afgesproken.",
        )));
    } else {
        blocks.push(Block::Paragraph(String::from(
            "Na agressie volgen drie gesprekken: het eerste over veiligheid en steun, het \
             tweede om te horen hoe het gaat, het derde om terug te kijken.",
        )));
    }
    if let Some(coordinator) = care.coordinator {
        blocks.push(Block::Paragraph(format!(
            "De {} kan helpen de nazorg te regelen.",
            role_label(coordinator)
        )));
    }
    let rows: Vec<Vec<String>> = care
        .by
        .iter()
        .map(|(role, givers)| {
            let givers: Vec<String> = givers
                .iter()
                .map(|r| format!("de {}", role_label(*r)))
                .collect();
            vec![
                capitalise(role_label(*role)),
                sentence_list(&refs(&givers), "en"),
            ]
        })
        .collect();
    if !rows.is_empty() {
        blocks.push(Block::Table(Table {
            caption: String::from("Wie opvang en nazorg geeft"),
            head: vec![String::from("Voor"), String::from("door")],
            rows,
        }));
    }
    section("nazorg", "Opvang en nazorg", blocks)
}

fn guidance(protocol: &Protocol) -> Section {
    let mut blocks = Vec::new();
    for (category, text) in &protocol.guidance {
        blocks.push(Block::Heading(category_label(*category).to_owned()));
        blocks.push(Block::Paragraph(text.clone()));
    }
    for (situation, text) in &protocol.situation_guidance {
        blocks.push(Block::Heading(situation_label(*situation).to_owned()));
        blocks.push(Block::Paragraph(text.clone()));
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(NOT_REGULATED.to_owned()));
    }
    blocks.insert(
        0,
        Block::Paragraph(String::from(
            "Bent u in gevaar? Bel 112. Dit is wat u doet, na het gedrag dat u meemaakte:",
        )),
    );
    section("wat-nu", "Wat u doet", blocks)
}

fn contacts(protocol: &Protocol) -> Section {
    let items: Vec<String> = protocol
        .contacts
        .iter()
        .map(|c| {
            let mut parts = vec![c.name.clone()];
            parts.extend(c.about.clone());
            parts.extend(c.phone.as_ref().map(|p| format!("telefoon {p}")));
            parts.extend(c.email.as_ref().map(|e| format!("e-mail {e}")));
            parts.extend(c.url.clone());
            parts.extend(c.hours.as_ref().map(|h| format!("bereikbaar: {h}")));
            parts.join(". ")
        })
        .collect();
    let blocks = if items.is_empty() {
        vec![Block::Paragraph(String::from(
            "Het protocol noemt geen hulpdiensten.",
        ))]
    } else {
        vec![Block::List(items)]
    };
    section("hulp", "Hulp en contact", blocks)
}

/// A deadline in words: "binnen 24 uur", "binnen 2 werkdagen na de melding".
pub fn deadline_words(deadline: Deadline, target: bool) -> String {
    let words = match deadline {
        Deadline::None => return String::from("geen vaste termijn"),
        Deadline::After(length) => format!("binnen {}", length_words(length)),
        Deadline::Window { from, due } => match (from, due) {
            (Length::Weeks(a), Length::Weeks(b)) => {
                format!("tussen {a} en {b} weken na het incident")
            }
            (Length::Days(a), Length::Days(b)) => {
                format!("tussen {a} en {b} dagen na het incident")
            }
            (Length::Hours(a), Length::Hours(b)) => {
                format!("tussen {a} en {b} uur na het incident")
            }
            _ => format!(
                "tussen {} en {} na het incident",
                length_words(from),
                length_words(due)
            ),
        },
        Deadline::WorkingDays(n) => format!(
            "binnen {n} {} na de melding",
            if n == 1 { "werkdag" } else { "werkdagen" }
        ),
        Deadline::SameDay => String::from("op de dag zelf"),
    };
    if target {
        format!("{words} (streefdatum)")
    } else {
        words
    }
}

fn length_words(length: Length) -> String {
    match length {
        Length::Hours(n) => format!("{n} uur"),
        Length::Days(1) => String::from("1 dag"),
        Length::Days(n) => format!("{n} dagen"),
        Length::Weeks(1) => String::from("1 week"),
        Length::Weeks(n) => format!("{n} weken"),
    }
}

/// When a task of PROTOCOL.md §5 arises, in words.
fn when_spec_task(task: Task) -> &'static str {
    match task {
        Task::NazorgGesprek1
        | Task::NazorgGesprek2
        | Task::NazorgGesprek3
        | Task::NazorgAanbieden => "na agressie (C- of D-gedrag)",
        Task::MaatregelBesluit => "na agressie die gemeld moet worden",
        Task::Incidentgesprek => {
            "na bedreiging of geweld, of na verbale agressie van iemand die al eerder een \
             incident had"
        }
        Task::AfspraakPolitie => "als er mogelijk een strafbaar feit is gepleegd",
        Task::MeldingInspectie => "bij letsel",
        Task::InformerenCdk => "als de burgemeester het slachtoffer is",
        Task::VastleggenBewijs => "bij e-mail, sociale media of een berichtenapp",
        Task::MeldenPlatform => "bij sociale media",
        Task::Schadeverhaal => "bij schade en een bekende pleger",
        Task::Herstelgesprek => "als een toegangs- of contactverbod afloopt",
        Task::Terugkoppeling => "als er aangifte is gedaan",
        Task::ControleAangifte => "na een melding of aangifte bij de politie",
    }
}

/// An own task's condition in words: "bij bedreiging of fysiek geweld, in persoon".
fn condition_words(condition: &Condition, protocol: &Protocol) -> String {
    let mut parts: Vec<String> = Vec::new();
    let lower =
        |texts: Vec<&str>| -> Vec<String> { texts.iter().map(|t| t.to_lowercase()).collect() };
    if !condition.categories.is_empty() {
        let words = lower(
            condition
                .categories
                .iter()
                .map(|c| category_label(*c))
                .collect(),
        );
        parts.push(format!("bij {}", sentence_list(&refs(&words), "of")));
    }
    if !condition.behaviours.is_empty() {
        let words: Vec<String> = condition
            .behaviours
            .iter()
            .map(|b| match b {
                crate::own::BehaviourCode::Spec(spec) => behaviour_label(*spec).to_lowercase(),
                crate::own::BehaviourCode::Own(own) => protocol
                    .own_behaviour(*own)
                    .map(|b| b.label.to_lowercase())
                    .unwrap_or_default(),
            })
            .collect();
        parts.push(format!("bij {}", sentence_list(&refs(&words), "of")));
    }
    if !condition.channels.is_empty() {
        let words = lower(
            condition
                .channels
                .iter()
                .map(|c| channel_label(*c))
                .collect(),
        );
        parts.push(format!("via: {}", sentence_list(&refs(&words), "of")));
    }
    if !condition.victims.is_empty() {
        let words: Vec<String> = condition
            .victims
            .iter()
            .map(|r| format!("de {}", role_label(*r)))
            .collect();
        parts.push(format!(
            "als het {} betreft",
            sentence_list(&refs(&words), "of")
        ));
    }
    if !condition.situations.is_empty() {
        let words = lower(
            condition
                .situations
                .iter()
                .map(|s| situation_label(*s))
                .collect(),
        );
        parts.push(sentence_list(&refs(&words), "of"));
    }
    let flags: [(Option<bool>, &str, &str); 6] = [
        (condition.injury, "bij letsel", "zonder letsel"),
        (
            condition.criminal_offence_suspected,
            "bij een mogelijk strafbaar feit",
            "zonder strafbaar feit",
        ),
        (
            condition.perpetrator_known,
            "als de pleger bekend is",
            "als de pleger onbekend is",
        ),
        (condition.damage, "bij schade", "zonder schade"),
        (
            condition.recidive,
            "als de pleger al eerder een incident had",
            "bij een eerste incident van de pleger",
        ),
        (
            condition.report_required,
            "als melden verplicht is",
            "als melden niet verplicht is",
        ),
    ];
    for (flag, yes, no) in flags {
        if let Some(value) = flag {
            parts.push(String::from(if value { yes } else { no }));
        }
    }
    if parts.is_empty() {
        String::from("na elke melding")
    } else {
        parts.join(", ")
    }
}

fn obligation_words(obligation: ReportObligation) -> &'static str {
    match obligation {
        ReportObligation::NotRequired => "hoeft niet",
        ReportObligation::Optional => "mag",
        ReportObligation::Recommended => "is aan te raden",
        ReportObligation::Required => "altijd melden",
    }
}

fn letter(abcd: Abcd) -> &'static str {
    match abcd {
        Abcd::A => "A",
        Abcd::B => "B",
        Abcd::C => "C",
        Abcd::D => "D",
    }
}

fn refs(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

/// "a", "a en b", "a, b en c".
pub(crate) fn sentence_list(items: &[&str], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::preset;

    #[test]
    fn deadlines_read_as_words() {
        assert_eq!(
            deadline_words(Deadline::After(Length::Hours(24)), false),
            "binnen 24 uur"
        );
        assert_eq!(
            deadline_words(Deadline::After(Length::Days(3)), false),
            "binnen 3 dagen"
        );
        assert_eq!(
            deadline_words(Deadline::WorkingDays(2), false),
            "binnen 2 werkdagen na de melding"
        );
        assert_eq!(
            deadline_words(
                Deadline::Window {
                    from: Length::Weeks(4),
                    due: Length::Weeks(6)
                },
                false
            ),
            "tussen 4 en 6 weken na het incident"
        );
        assert_eq!(
            deadline_words(Deadline::SameDay, true),
            "op de dag zelf (streefdatum)"
        );
        assert_eq!(deadline_words(Deadline::None, false), "geen vaste termijn");
    }

    #[test]
    fn every_preset_reads_without_codes() {
        for name in crate::presets::preset_names() {
            let protocol = preset(name).unwrap();
            let text = document(protocol).to_markdown();
            assert!(text.contains("binnen 24 uur"), "{name}");
            // No code of the vocabulary shows through.
            for word in [
                "nazorg_gesprek",
                "bedreiging_intimidatie",
                "adviseur_vpt",
                "_",
            ] {
                assert!(!text.contains(word), "{name}: {word} in\n{text}");
            }
        }
        let leiden = document(preset("leiden").unwrap()).to_markdown();
        assert!(leiden.contains("| Raadslid | de griffier |"), "{leiden}");
        let utrecht = document(preset("utrecht").unwrap()).to_markdown();
        assert!(
            utrecht.contains("binnen 2 werkdagen na de melding"),
            "{utrecht}"
        );
    }
}
