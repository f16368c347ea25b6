//! The protocol file: everything organisation-specific, in TOML
//! (`docs/protocol-format.md`). Parsing is strict and the loader refuses an
//! inconsistent file, naming the line, the key and the reason of every mistake.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::code::Code;
use crate::deadline::{Deadline, Length};
use crate::own::{BehaviourCode, OwnCode, TaskCode};
use crate::protocol::{
    Actor, Aftercare, Condition, Contact, OwnBehaviour, OwnTask, Protocol, ReportRules, Rise,
    RiseWhen, Route, Staff,
};
use crate::vocabulary::{
    AangifteBy, Behaviour, Body, Category, Channel, ReportObligation, Role, Situation, Task,
};

/// The word a protocol file writes where the protocol does not regulate something
/// (PROTOCOL.md §16.7).
pub const NIET_GEREGELD: &str = "niet_geregeld";

/// One mistake in a protocol file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    /// 1-based line, where the mistake has a place in the text.
    pub line: Option<usize>,
    /// The dotted key it is about (`routing.victims.raadslid.handler`).
    pub key: String,
    pub reason: String,
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.key, self.reason),
            None => write!(f, "{}: {}", self.key, self.reason),
        }
    }
}

/// Every mistake found in a protocol file; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    pub mistakes: Vec<Mistake>,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.mistakes.len();
        writeln!(
            f,
            "the protocol file has {count} {}:",
            if count == 1 { "mistake" } else { "mistakes" }
        )?;
        for mistake in &self.mistakes {
            writeln!(f, "  {mistake}")?;
        }
        Ok(())
    }
}

// ---- the shape of the file, as serde reads it -------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    organisation: RawOrganisation,
    #[serde(default)]
    classification: BTreeMap<Behaviour, Category>,
    report: RawReport,
    routing: RawRouting,
    aangifte: RawAangifte,
    aftercare: RawAftercare,
    tasks: BTreeMap<Task, Spanned<RawDeadline>>,
    #[serde(default)]
    guidance: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    contacts: Vec<Spanned<RawContact>>,
    #[serde(default)]
    behaviours: BTreeMap<String, Spanned<RawOwnBehaviour>>,
    #[serde(default)]
    rise: Vec<Spanned<RawRise>>,
    #[serde(default)]
    own_tasks: BTreeMap<String, Spanned<RawOwnTask>>,
    #[serde(default)]
    staff: BTreeMap<String, Spanned<RawStaff>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwnBehaviour {
    label: String,
    explanation: String,
    category: Category,
    #[serde(default)]
    group: Option<Category>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRise {
    from: Vec<Category>,
    to: Category,
    when: Vec<RawRiseWhen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawRiseWhen {
    Persistent,
    Unchanged,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwnTask {
    label: String,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    deadline: Option<RawDeadline>,
    #[serde(default)]
    when: RawCondition,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    behaviours: Vec<String>,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default)]
    victims: Vec<String>,
    #[serde(default)]
    situations: Vec<String>,
    injury: Option<bool>,
    criminal_offence_suspected: Option<bool>,
    perpetrator_known: Option<bool>,
    damage: Option<bool>,
    recidive: Option<bool>,
    report_required: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaff {
    label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    id: Spanned<String>,
    name: String,
    bodies: Spanned<Vec<Body>>,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    emotional: ReportObligation,
    emotional_persistent: Spanned<ReportObligation>,
    verbal_corrected: ReportObligation,
    verbal: Spanned<ReportObligation>,
    threat: ReportObligation,
    physical: ReportObligation,
    #[serde(default)]
    always_required: Vec<Behaviour>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRouting {
    #[serde(default)]
    always_informed: Vec<Role>,
    victims: BTreeMap<String, Spanned<RawRoute>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    #[serde(default)]
    handler: Option<Role>,
    #[serde(default)]
    alternates: Vec<Role>,
    #[serde(default)]
    informed: Vec<Role>,
    #[serde(default)]
    like: Option<Role>,
    #[serde(default)]
    report_to: Option<Spanned<Vec<Role>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAangifte {
    by: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAftercare {
    #[serde(default)]
    tailored: bool,
    #[serde(default)]
    coordinator: Option<Role>,
    #[serde(default)]
    by: RawAftercareBy,
}

/// `[aftercare.by]` as a table of givers per victim role, or `by = "niet_geregeld"`.
#[derive(Debug)]
enum RawAftercareBy {
    Givers(BTreeMap<Role, Spanned<Vec<Role>>>),
    NotRegulated,
    /// Another word than `niet_geregeld`: a mistake the checker names.
    Word(String),
}

impl Default for RawAftercareBy {
    fn default() -> Self {
        RawAftercareBy::Givers(BTreeMap::new())
    }
}

impl<'de> Deserialize<'de> for RawAftercareBy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawAftercareBy;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a table of roles, or \"{NIET_GEREGELD}\"")
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Self::Value, E> {
                Ok(if word == NIET_GEREGELD {
                    RawAftercareBy::NotRegulated
                } else {
                    RawAftercareBy::Word(word.to_owned())
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                let deserializer = serde::de::value::MapAccessDeserializer::new(map);
                BTreeMap::deserialize(deserializer).map(RawAftercareBy::Givers)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    #[serde(default)]
    same_day: bool,
    #[serde(default)]
    target: bool,
    hours: Option<u32>,
    days: Option<u32>,
    weeks: Option<u32>,
    working_days: Option<u32>,
    from: Option<RawLength>,
    due: Option<RawLength>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLength {
    hours: Option<u32>,
    days: Option<u32>,
    weeks: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: String,
    #[serde(default)]
    about: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    hours: Option<String>,
    /// The role or own staff role this contact is for (§16.9).
    #[serde(default)]
    role: Option<String>,
}

// ---- loading -----------------------------------------------------------------------

/// Reads and checks a protocol file.
pub fn parse(text: &str) -> Result<Protocol, FileError> {
    let raw: RawFile = toml::from_str(text).map_err(|error| FileError {
        mistakes: vec![syntax_mistake(text, &error)],
    })?;
    Checker {
        text,
        mistakes: Vec::new(),
    }
    .check(raw)
}

struct Checker<'a> {
    text: &'a str,
    mistakes: Vec<Mistake>,
}

impl Checker<'_> {
    fn mistake(&mut self, at: Option<usize>, key: impl Into<String>, reason: impl Into<String>) {
        self.mistakes.push(Mistake {
            line: at.map(|offset| line_of(self.text, offset)),
            key: key.into(),
            reason: reason.into(),
        });
    }

    fn check(mut self, raw: RawFile) -> Result<Protocol, FileError> {
        let id = self.check_id(&raw.organisation.id);
        let bodies = self.check_bodies(&raw.organisation.bodies);
        for (key, value) in [
            ("organisation.name", &raw.organisation.name),
            ("organisation.version", &raw.organisation.version),
        ] {
            if value.trim().is_empty() {
                self.mistake(None, key, "may not be empty");
            }
        }
        let report = self.check_report(&raw.report);
        let staff = self.check_staff(&raw.staff);
        let routes = self.check_routing(&raw.routing, &bodies, &staff);
        let aftercare = self.check_aftercare(&raw.aftercare, &bodies);
        let tasks = self.check_tasks(&raw.tasks, &aftercare, &bodies);
        let targets = raw
            .tasks
            .iter()
            .filter(|(_, deadline)| deadline.get_ref().target)
            .map(|(task, _)| TaskCode::Spec(*task))
            .collect();
        let contacts = self.check_contacts(&raw.contacts, &staff);
        let own_behaviours = self.check_own_behaviours(&raw.behaviours);
        let rises = self.check_rises(&raw.rise);
        let own_tasks = self.check_own_tasks(&raw.own_tasks, &own_behaviours, &staff, &bodies);
        let (guidance, situation_guidance) = self.check_guidance(&raw.guidance);
        let aangifte_by = self.check_aangifte_by(&raw.aangifte.by);
        let mut classification: BTreeMap<Behaviour, Category> = Behaviour::ALL
            .iter()
            .map(|b| (*b, b.default_category()))
            .collect();
        classification.extend(raw.classification);

        if !self.mistakes.is_empty() {
            return Err(FileError {
                mistakes: self.mistakes,
            });
        }
        Ok(Protocol {
            id,
            name: raw.organisation.name,
            bodies,
            version: raw.organisation.version,
            source: raw.organisation.source,
            classification,
            own_behaviours,
            rises,
            report,
            always_informed: raw.routing.always_informed,
            routes,
            aangifte_by,
            aangifte_note: raw.aangifte.note,
            aftercare,
            tasks,
            targets,
            own_tasks,
            guidance,
            situation_guidance,
            staff,
            contacts,
        })
    }

    /// §16.7: `organisatie`, `ambtsdrager`, or `niet_geregeld` (None).
    fn check_aangifte_by(&mut self, by: &Spanned<String>) -> Option<AangifteBy> {
        let word = by.get_ref();
        if word == NIET_GEREGELD {
            return None;
        }
        match AangifteBy::parse(word) {
            Ok(by) => Some(by),
            Err(error) => {
                self.mistake(
                    Some(by.span().start),
                    "aangifte.by",
                    format!("{error}, {NIET_GEREGELD}"),
                );
                None
            }
        }
    }

    /// §16.9: the building's own staff; a code that is one of the vocabulary's roles
    /// would make a role mean two things.
    fn check_staff(&mut self, staff: &BTreeMap<String, Spanned<RawStaff>>) -> Vec<Staff> {
        let mut checked = Vec::new();
        for (code, spanned) in ordered(staff) {
            let at = Some(spanned.span().start);
            let key = format!("staff.{code}");
            if Role::parse(code).is_ok() {
                self.mistake(
                    at,
                    &key,
                    format!("`{code}` is one of the vocabulary's roles; own staff need a code of their own"),
                );
                continue;
            }
            let Some(code) = self.own_code(code, at, &key) else {
                continue;
            };
            let label = spanned.get_ref().label.trim();
            if label.is_empty() {
                self.mistake(
                    at,
                    format!("{key}.label"),
                    "give the staff role a Dutch label",
                );
            }
            checked.push(Staff {
                code,
                label: label.to_owned(),
            });
        }
        checked
    }

    fn own_code(&mut self, text: &str, at: Option<usize>, key: &str) -> Option<OwnCode> {
        OwnCode::new(text)
            .map_err(|reason| self.mistake(at, key, reason))
            .ok()
    }

    /// §16.1: own behaviours, each a code of its own with a label, an explanation, a
    /// category and the group it is shown in.
    fn check_own_behaviours(
        &mut self,
        behaviours: &BTreeMap<String, Spanned<RawOwnBehaviour>>,
    ) -> Vec<OwnBehaviour> {
        let mut checked = Vec::new();
        for (code, spanned) in ordered(behaviours) {
            let at = Some(spanned.span().start);
            let key = format!("behaviours.{code}");
            if Behaviour::parse(code).is_ok() {
                self.mistake(
                    at,
                    &key,
                    format!(
                        "`{code}` is one of PROTOCOL.md's behaviours and cannot be defined again; \
                         to place it in another category write it under [classification]"
                    ),
                );
                continue;
            }
            let Some(code) = self.own_code(code, at, &key) else {
                continue;
            };
            let raw = spanned.get_ref();
            for (field, value) in [("label", &raw.label), ("explanation", &raw.explanation)] {
                if value.trim().is_empty() {
                    self.mistake(at, format!("{key}.{field}"), "may not be empty");
                }
            }
            checked.push(OwnBehaviour {
                code,
                label: raw.label.trim().to_owned(),
                explanation: raw.explanation.trim().to_owned(),
                group: raw.group.unwrap_or(raw.category),
                category: raw.category,
            });
        }
        checked
    }

    /// §16.2: a category rises only to a heavier one.
    fn check_rises(&mut self, rises: &[Spanned<RawRise>]) -> Vec<Rise> {
        let mut checked = Vec::new();
        for (index, spanned) in rises.iter().enumerate() {
            let at = Some(spanned.span().start);
            let key = format!("rise[{index}]");
            let raw = spanned.get_ref();
            let before = self.mistakes.len();
            if raw.from.is_empty() {
                self.mistake(at, format!("{key}.from"), "name the categories that rise");
            }
            if raw.when.is_empty() {
                self.mistake(
                    at,
                    format!("{key}.when"),
                    "say when they rise: \"persistent\", \"unchanged\" or both",
                );
            }
            for from in &raw.from {
                if *from >= raw.to {
                    self.mistake(
                        at,
                        format!("{key}.to"),
                        format!(
                            "`{from}` cannot rise to `{}`: a category only rises to a heavier one \
                             (light to heavy: {})",
                            raw.to,
                            join(Category::ALL)
                        ),
                    );
                }
            }
            if has_duplicates(&raw.from) {
                self.mistake(at, format!("{key}.from"), "lists a category twice");
            }
            if self.mistakes.len() == before {
                let mut when: Vec<RiseWhen> = raw
                    .when
                    .iter()
                    .map(|w| match w {
                        RawRiseWhen::Persistent => RiseWhen::Persistent,
                        RawRiseWhen::Unchanged => RiseWhen::Unchanged,
                    })
                    .collect();
                when.sort();
                when.dedup();
                checked.push(Rise {
                    from: raw.from.clone(),
                    to: raw.to,
                    when,
                });
            }
        }
        checked
    }

    /// §16.5: own tasks, with a label, who does it, a deadline and a condition whose
    /// every code is known.
    fn check_own_tasks(
        &mut self,
        tasks: &BTreeMap<String, Spanned<RawOwnTask>>,
        own_behaviours: &[OwnBehaviour],
        staff: &[Staff],
        bodies: &[Body],
    ) -> Vec<OwnTask> {
        let mut checked = Vec::new();
        for (code, spanned) in ordered(tasks) {
            let at = Some(spanned.span().start);
            let key = format!("own_tasks.{code}");
            if Task::parse(code).is_ok() {
                self.mistake(
                    at,
                    &key,
                    format!(
                        "`{code}` is one of PROTOCOL.md's tasks; give it a deadline under [tasks], \
                         or give your own task a code of its own"
                    ),
                );
                continue;
            }
            if code.starts_with(crate::own::IMPROVEMENT_TASK_PREFIX) {
                self.mistake(
                    at,
                    &key,
                    format!(
                        "`{code}`: codes beginning with `{}` are the improvement actions of an \
                         evaluation; give your own task another code",
                        crate::own::IMPROVEMENT_TASK_PREFIX
                    ),
                );
                continue;
            }
            let Some(code) = self.own_code(code, at, &key) else {
                continue;
            };
            let raw = spanned.get_ref();
            let before = self.mistakes.len();
            if raw.label.trim().is_empty() {
                self.mistake(at, format!("{key}.label"), "give the task a Dutch label");
            }
            let by = raw
                .by
                .as_deref()
                .and_then(|by| self.actor(by, staff, bodies, at, &format!("{key}.by")));
            let deadline = match &raw.deadline {
                None => Some((Deadline::None, false)),
                Some(deadline) => self
                    .check_deadline(deadline, at, &format!("{key}.deadline"))
                    .map(|d| (d, deadline.target)),
            };
            let when = self.check_condition(&raw.when, own_behaviours, at, &format!("{key}.when"));
            for role in &when.victims {
                self.office_of_these_bodies(*role, bodies, at, &format!("{key}.when.victims"));
            }
            if let (Some((deadline, target)), true) = (deadline, self.mistakes.len() == before) {
                checked.push(OwnTask {
                    code,
                    label: raw.label.trim().to_owned(),
                    by,
                    deadline,
                    target,
                    when,
                });
            }
        }
        checked
    }

    /// A role of the vocabulary (of this file's bodies) or one of the file's own staff.
    fn actor(
        &mut self,
        text: &str,
        staff: &[Staff],
        bodies: &[Body],
        at: Option<usize>,
        key: &str,
    ) -> Option<Actor> {
        if let Ok(role) = Role::parse(text) {
            if role == Role::Ambtenaar {
                self.mistake(at, key, "name the role, not `ambtenaar`");
                return None;
            }
            return self
                .role_of_these_bodies(role, bodies, at, key)
                .then_some(Actor::Role(role));
        }
        if let Some(own) = staff.iter().find(|s| s.code.as_str() == text) {
            return Some(Actor::Staff(own.code));
        }
        let own: Vec<&str> = staff.iter().map(|s| s.code.as_str()).collect();
        self.mistake(at, key, unknown_with_own::<Role>(text, &own, "own staff"));
        None
    }

    fn check_condition(
        &mut self,
        raw: &RawCondition,
        own_behaviours: &[OwnBehaviour],
        at: Option<usize>,
        key: &str,
    ) -> Condition {
        let behaviours = raw
            .behaviours
            .iter()
            .filter_map(|text| {
                let code = BehaviourCode::parse(text).ok().filter(|code| match code {
                    BehaviourCode::Spec(_) => true,
                    BehaviourCode::Own(own) => own_behaviours.iter().any(|b| b.code == *own),
                });
                if code.is_none() {
                    let own: Vec<&str> = own_behaviours.iter().map(|b| b.code.as_str()).collect();
                    let reason = unknown_with_own::<Behaviour>(text, &own, "own");
                    self.mistake(at, format!("{key}.behaviours"), reason);
                }
                code
            })
            .collect();
        Condition {
            categories: self.codes(&raw.categories, at, &format!("{key}.categories")),
            behaviours,
            channels: self.codes::<Channel>(&raw.channels, at, &format!("{key}.channels")),
            victims: self.codes(&raw.victims, at, &format!("{key}.victims")),
            situations: self.codes::<Situation>(&raw.situations, at, &format!("{key}.situations")),
            injury: raw.injury,
            criminal_offence_suspected: raw.criminal_offence_suspected,
            perpetrator_known: raw.perpetrator_known,
            damage: raw.damage,
            recidive: raw.recidive,
            report_required: raw.report_required,
        }
    }

    /// Parses a list of codes of one set, naming every unknown one with the allowed values.
    fn codes<C: Code>(&mut self, texts: &[String], at: Option<usize>, key: &str) -> Vec<C> {
        texts
            .iter()
            .filter_map(|text| {
                C::parse(text)
                    .map_err(|error| self.mistake(at, key, error.to_string()))
                    .ok()
            })
            .collect()
    }

    /// Guidance per category, and per situation (§16.6).
    fn check_guidance(
        &mut self,
        guidance: &BTreeMap<String, Spanned<String>>,
    ) -> (BTreeMap<Category, String>, BTreeMap<Situation, String>) {
        let mut by_category = BTreeMap::new();
        let mut by_situation = BTreeMap::new();
        for (key, text) in guidance {
            let at = Some(text.span().start);
            let value = text.get_ref().clone();
            if value.trim().is_empty() {
                self.mistake(at, format!("guidance.{key}"), "may not be empty");
            } else if let Ok(category) = Category::parse(key) {
                by_category.insert(category, value);
            } else if let Ok(situation) = Situation::parse(key) {
                by_situation.insert(situation, value);
            } else {
                self.mistake(
                    at,
                    format!("guidance.{key}"),
                    format!(
                        "unknown category or situation `{key}`; allowed: {}, {}",
                        join(Category::ALL),
                        join(Situation::ALL)
                    ),
                );
            }
        }
        (by_category, by_situation)
    }

    fn check_id(&mut self, id: &Spanned<String>) -> String {
        let value = id.get_ref();
        let well_formed = !value.is_empty()
            && value.len() <= 64
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !well_formed {
            self.mistake(
                Some(id.span().start),
                "organisation.id",
                "must be 1 to 64 characters of a-z, 0-9, '-' or '_' (it names the protocol in plans)",
            );
        }
        value.clone()
    }

    fn check_bodies(&mut self, bodies: &Spanned<Vec<Body>>) -> Vec<Body> {
        let list = bodies.get_ref();
        if list.is_empty() {
            self.mistake(
                Some(bodies.span().start),
                "organisation.bodies",
                "name at least one body: gemeente, provincie, waterschap",
            );
        }
        if has_duplicates(list) {
            self.mistake(
                Some(bodies.span().start),
                "organisation.bodies",
                "lists a body twice",
            );
        }
        list.clone()
    }

    fn check_report(&mut self, report: &RawReport) -> ReportRules {
        if *report.emotional_persistent.get_ref() < report.emotional {
            self.mistake(
                Some(report.emotional_persistent.span().start),
                "report.emotional_persistent",
                format!(
                    "`{}` is weaker than `emotional` (`{}`): behaviour that persists cannot \
                     need less reporting",
                    report.emotional_persistent.get_ref(),
                    report.emotional
                ),
            );
        }
        if *report.verbal.get_ref() < report.verbal_corrected {
            self.mistake(
                Some(report.verbal.span().start),
                "report.verbal",
                format!(
                    "`{}` is weaker than `verbal_corrected` (`{}`): uncorrected aggression \
                     cannot need less reporting",
                    report.verbal.get_ref(),
                    report.verbal_corrected
                ),
            );
        }
        for (name, obligation) in [("threat", report.threat), ("physical", report.physical)] {
            if obligation < *report.verbal.get_ref() {
                self.mistake(
                    None,
                    format!("report.{name}"),
                    format!(
                        "`{obligation}` is weaker than `verbal` (`{}`): a threat or violence cannot \
                         need less reporting than an insult",
                        report.verbal.get_ref()
                    ),
                );
            }
        }
        if !report.always_required.contains(&Behaviour::Ordeverstoring) {
            self.mistake(
                None,
                "report.always_required",
                "a disruption of a meeting is always registered (PROTOCOL.md §3, Leiden §6.1 \
                 step 9): include \"ordeverstoring\"",
            );
        }
        if has_duplicates(&report.always_required) {
            self.mistake(None, "report.always_required", "lists a behaviour twice");
        }
        ReportRules {
            emotional: report.emotional,
            emotional_persistent: *report.emotional_persistent.get_ref(),
            verbal_corrected: report.verbal_corrected,
            verbal: *report.verbal.get_ref(),
            threat: report.threat,
            physical: report.physical,
            always_required: report.always_required.clone(),
        }
    }

    fn check_routing(
        &mut self,
        routing: &RawRouting,
        bodies: &[Body],
        staff: &[Staff],
    ) -> BTreeMap<Role, Route> {
        let mut explicit: BTreeMap<Role, Route> = BTreeMap::new();
        let mut likes: Vec<(Role, Role, usize)> = Vec::new();

        let mut victims: Vec<(Role, &Spanned<RawRoute>)> = Vec::new();
        for (word, spanned) in &routing.victims {
            let at = Some(spanned.span().start);
            let key = format!("routing.victims.{word}");
            match Role::parse(word) {
                Ok(role) => victims.push((role, spanned)),
                Err(_) if staff.iter().any(|s| s.code.as_str() == word) => self.mistake(
                    at,
                    key,
                    format!(
                        "`{word}` is a staff role of this file; staff are never routed as victims"
                    ),
                ),
                Err(error) => self.mistake(at, key, error.to_string()),
            }
        }
        // Roles the file lists, even wrongly: their own mistakes say what is wrong, so no
        // second "routed to nobody" is added for them.
        let listed: BTreeSet<Role> = victims.iter().map(|(role, _)| *role).collect();
        for (role, spanned) in &victims {
            let at = Some(spanned.span().start);
            let key = format!("routing.victims.{role}");
            let raw = spanned.get_ref();
            if !self.office_of_these_bodies(*role, bodies, at, &key) {
                continue;
            }
            let handler = match (raw.handler, &raw.report_to) {
                (handler, None) => handler,
                (Some(_), Some(_)) => {
                    self.mistake(
                        at,
                        &key,
                        "give either `handler` or `report_to` (a choice whose first is the \
                         default), not both",
                    );
                    continue;
                }
                (None, Some(choices)) => {
                    let at = Some(choices.span().start);
                    let list = choices.get_ref();
                    if list.len() < 2 {
                        self.mistake(
                            at,
                            format!("{key}.report_to"),
                            "a choice needs at least two recipients; for one, write `handler`",
                        );
                        continue;
                    }
                    list.first().copied()
                }
            };
            match (handler, raw.like) {
                (Some(_), Some(_)) => {
                    self.mistake(at, &key, "give either `handler` or `like`, not both");
                }
                (None, None) => self.mistake(
                    at,
                    &key,
                    format!(
                        "`{role}` is routed to nobody: give a `handler`, or `like = \"<role>\"`"
                    ),
                ),
                (None, Some(like)) => {
                    if !raw.alternates.is_empty() || !raw.informed.is_empty() {
                        // (`report_to` with `like` is refused above, as `handler` with `like`.)
                        self.mistake(
                            at,
                            &key,
                            "a role routed `like` another takes that role's handler, alternates \
                             and informed; remove them here",
                        );
                    }
                    likes.push((*role, like, spanned.span().start));
                }
                (Some(handler), None) => {
                    if let Some(route) = self.check_route(*role, handler, raw, bodies, at, &key) {
                        explicit.insert(*role, route);
                    }
                }
            }
        }

        let mut routes = explicit.clone();
        for (role, like, offset) in likes {
            let key = format!("routing.victims.{role}.like");
            if like.office_of() != role.office_of() {
                self.mistake(
                    Some(offset),
                    key,
                    format!("`{role}` can only be routed like an office of the same body, not like `{like}`"),
                );
                continue;
            }
            match explicit.get(&like) {
                Some(route) => {
                    routes.insert(
                        role,
                        Route {
                            like: Some(like),
                            ..route.clone()
                        },
                    );
                }
                None => self.mistake(
                    Some(offset),
                    key,
                    format!(
                        "`{like}` has no handler of its own in this file to route `{role}` like"
                    ),
                ),
            }
        }

        // PROTOCOL.md §4, default not in the seeds: a role the file does not list is
        // routed like the nearest listed role of its body.
        for body in bodies {
            for role in Role::ALL.iter().filter(|r| r.office_of() == Some(*body)) {
                if routes.contains_key(role) || listed.contains(role) {
                    continue;
                }
                let nearest = nearest_roles(*role).iter().find_map(|n| {
                    explicit.get(n).map(|route| Route {
                        like: Some(*n),
                        ..route.clone()
                    })
                });
                match nearest {
                    Some(route) => {
                        routes.insert(*role, route);
                    }
                    None => self.mistake(
                        None,
                        format!("routing.victims.{role}"),
                        format!(
                            "`{role}` is an office of a {body}, which this protocol covers, but \
                             it is routed to nobody: add [routing.victims.{role}]"
                        ),
                    ),
                }
            }
        }

        self.check_role_list(&routing.always_informed, None, "routing.always_informed");
        self.check_roles_of_bodies(
            &routing.always_informed,
            bodies,
            true,
            None,
            "routing.always_informed",
        );
        routes
    }

    fn office_of_these_bodies(
        &mut self,
        role: Role,
        bodies: &[Body],
        at: Option<usize>,
        key: &str,
    ) -> bool {
        match role.office_of() {
            None => {
                self.mistake(
                    at,
                    key,
                    format!(
                        "`{role}` is not a political office holder; only office holders are victims this protocol covers"
                    ),
                );
                false
            }
            Some(body) if !bodies.contains(&body) => {
                self.mistake(
                    at,
                    key,
                    format!(
                        "`{role}` is an office of a {body}, but organisation.bodies is [{}]",
                        join(bodies)
                    ),
                );
                false
            }
            Some(_) => true,
        }
    }

    fn check_route(
        &mut self,
        role: Role,
        handler: Role,
        raw: &RawRoute,
        bodies: &[Body],
        at: Option<usize>,
        key: &str,
    ) -> Option<Route> {
        let before = self.mistakes.len();
        let choices = raw
            .report_to
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_default();
        if let Some(spanned) = &raw.report_to {
            let at = Some(spanned.span().start);
            let key = format!("{key}.report_to");
            self.check_role_list(&choices, at, &key);
            self.check_roles_of_bodies(&choices, bodies, false, at, &key);
            if choices.contains(&role) {
                self.mistake(
                    at,
                    &key,
                    format!("`{role}` cannot receive a report about itself"),
                );
            }
        } else {
            self.check_roles_of_bodies(&[handler], bodies, false, at, &format!("{key}.handler"));
        }
        self.check_roles_of_bodies(
            &raw.alternates,
            bodies,
            false,
            at,
            &format!("{key}.alternates"),
        );
        self.check_roles_of_bodies(&raw.informed, bodies, true, at, &format!("{key}.informed"));
        if handler == role && choices.is_empty() {
            self.mistake(
                at,
                format!("{key}.handler"),
                format!("`{role}` cannot handle a report about itself"),
            );
        }
        if handler == Role::Ambtenaar {
            self.mistake(
                at,
                format!("{key}.handler"),
                "name the handling role, not `ambtenaar`",
            );
        }
        if raw.alternates.contains(&handler) || raw.alternates.contains(&role) {
            self.mistake(
                at,
                format!("{key}.alternates"),
                "an alternate cannot be the handler or the victim's role",
            );
        }
        if raw.informed.contains(&handler) {
            self.mistake(
                at,
                format!("{key}.informed"),
                format!("`{handler}` handles the report; it need not be informed as well"),
            );
        }
        self.check_role_list(&raw.alternates, at, &format!("{key}.alternates"));
        self.check_role_list(&raw.informed, at, &format!("{key}.informed"));
        (self.mistakes.len() == before).then(|| Route {
            handler,
            alternates: raw.alternates.clone(),
            informed: raw.informed.clone(),
            like: None,
            choices,
        })
    }

    /// §16.8: every role belongs to a kind of body, and a role of a body the file does not
    /// cover is a mistake, with the code the file most likely meant. Informed lists may
    /// name the commissaris van de Koning and the minister, whom PROTOCOL.md §6 tells of
    /// incidents in every kind of body.
    fn check_roles_of_bodies(
        &mut self,
        roles: &[Role],
        bodies: &[Body],
        informed: bool,
        at: Option<usize>,
        key: &str,
    ) {
        for role in roles {
            let told_of_all = matches!(role, Role::CommissarisVanDeKoning | Role::MinisterBzk);
            if !(informed && told_of_all) {
                self.role_of_these_bodies(*role, bodies, at, key);
            }
        }
    }

    fn role_of_these_bodies(
        &mut self,
        role: Role,
        bodies: &[Body],
        at: Option<usize>,
        key: &str,
    ) -> bool {
        let Some(body) = role.body() else {
            return true;
        };
        if bodies.contains(&body) || bodies.is_empty() {
            return true;
        }
        let suggestion = bodies
            .iter()
            .find_map(|b| role.counterpart_in(*b))
            .map(|meant| format!("; did you mean `{meant}`?"))
            .unwrap_or_default();
        self.mistake(
            at,
            key,
            format!(
                "`{role}` is a role of a {body}, but organisation.bodies is [{}]{suggestion}",
                join(bodies)
            ),
        );
        false
    }

    /// A list of roles names each once, and never `ambtenaar`, who is not a role that
    /// receives or is told of reports.
    fn check_role_list(&mut self, roles: &[Role], at: Option<usize>, key: &str) {
        if has_duplicates(roles) {
            self.mistake(at, key, "lists a role twice");
        }
        if roles.contains(&Role::Ambtenaar) {
            self.mistake(at, key, "name the role, not `ambtenaar`");
        }
    }

    fn check_aftercare(&mut self, raw: &RawAftercare, bodies: &[Body]) -> Aftercare {
        let empty = BTreeMap::new();
        let by = match &raw.by {
            RawAftercareBy::Givers(by) => by,
            RawAftercareBy::NotRegulated => {
                if raw.tailored {
                    self.mistake(
                        None,
                        "aftercare.tailored",
                        format!(
                            "aftercare arranged per case is regulated aftercare: remove \
                             `tailored`, or `by = \"{NIET_GEREGELD}\"`"
                        ),
                    );
                }
                &empty
            }
            RawAftercareBy::Word(word) => {
                self.mistake(
                    None,
                    "aftercare.by",
                    format!(
                        "`{word}`: give a table of who gives aftercare per victim role, or \
                         \"{NIET_GEREGELD}\" where the protocol does not say"
                    ),
                );
                &empty
            }
        };
        let regulated = !matches!(raw.by, RawAftercareBy::NotRegulated);
        for (role, givers) in by {
            let at = Some(givers.span().start);
            let key = format!("aftercare.by.{role}");
            self.office_of_these_bodies(*role, bodies, at, &key);
            if givers.get_ref().is_empty() {
                self.mistake(
                    at,
                    &key,
                    "name who gives the aftercare, or leave the key out",
                );
            }
            self.check_role_list(givers.get_ref(), at, &key);
            self.check_roles_of_bodies(givers.get_ref(), bodies, false, at, &key);
            if givers.get_ref().contains(role) {
                self.mistake(
                    at,
                    &key,
                    format!("`{role}` cannot give aftercare to itself"),
                );
            }
        }
        if raw.coordinator == Some(Role::Ambtenaar) {
            self.mistake(
                None,
                "aftercare.coordinator",
                "name the coordinating role, not `ambtenaar`",
            );
        }
        if regulated && !raw.tailored && by.is_empty() {
            self.mistake(
                None,
                "aftercare",
                "say who gives aftercare (`by`), or set `tailored = true` when it is arranged per case",
            );
        }
        Aftercare {
            regulated,
            tailored: raw.tailored,
            coordinator: raw.coordinator,
            by: by.iter().map(|(r, g)| (*r, g.get_ref().clone())).collect(),
        }
    }

    fn check_tasks(
        &mut self,
        tasks: &BTreeMap<Task, Spanned<RawDeadline>>,
        aftercare: &Aftercare,
        bodies: &[Body],
    ) -> BTreeMap<Task, Deadline> {
        let mut checked = BTreeMap::new();
        for (task, spanned) in tasks {
            let at = Some(spanned.span().start);
            let key = format!("tasks.{task}");
            let Some(deadline) = self.check_deadline(spanned.get_ref(), at, &key) else {
                continue;
            };
            if task.arises_later() && deadline != Deadline::None {
                self.mistake(
                    at,
                    &key,
                    "this task arises during the case, not from the report; it has no deadline \
                     in the protocol file: write {}",
                );
            }
            checked.insert(*task, deadline);
        }
        self.check_aftercare_tasks(tasks, aftercare);
        if bodies.contains(&Body::Gemeente) && !tasks.contains_key(&Task::InformerenCdk) {
            self.mistake(
                None,
                "tasks.informeren_cdk",
                "when the burgemeester is the victim the commissaris van de Koning is told \
                 (PROTOCOL.md §6): add informeren_cdk = {}",
            );
        }
        if !tasks.contains_key(&Task::MeldingInspectie) {
            self.mistake(
                None,
                "tasks.melding_inspectie",
                "the employer must warn the Inspectie SZW within 24 hours of a serious injury, \
                 by law and even under a fictief dienstverband: add melding_inspectie = { hours = 24 }",
            );
        }
        checked
    }

    /// PROTOCOL.md §9: aftercare is always offered, either as the three conversations or
    /// tailored; `[aftercare] tailored` says which.
    fn check_aftercare_tasks(
        &mut self,
        tasks: &BTreeMap<Task, Spanned<RawDeadline>>,
        aftercare: &Aftercare,
    ) {
        let tailored = aftercare.tailored;
        let conversations = [
            Task::NazorgGesprek1,
            Task::NazorgGesprek2,
            Task::NazorgGesprek3,
        ];
        if !aftercare.regulated {
            // §16.7: no aftercare tasks arise where the protocol does not regulate it.
            let listed: Vec<Task> = conversations
                .into_iter()
                .chain([Task::NazorgAanbieden])
                .filter(|t| tasks.contains_key(t))
                .collect();
            if !listed.is_empty() {
                self.mistake(
                    None,
                    "tasks",
                    format!(
                        "aftercare.by is \"{NIET_GEREGELD}\": remove {}",
                        join(&listed)
                    ),
                );
            }
            return;
        }
        let listed = conversations
            .iter()
            .filter(|t| tasks.contains_key(t))
            .count();
        let offered = tasks.contains_key(&Task::NazorgAanbieden);
        let reason = match (tailored, offered, listed) {
            (true, true, 0) | (false, false, 3) => return,
            (_, true, 1..) => {
                "choose either tailored aftercare (nazorg_aanbieden) or the three \
                               conversations (nazorg_gesprek_1 to _3), not both"
            }
            (true, false, 0) => {
                "aftercare is always offered after an incident: list \
                                 nazorg_aanbieden = {} (aftercare.tailored is true)"
            }
            (true, false, _) => {
                "aftercare.tailored is true: list nazorg_aanbieden = {} instead of \
                                 the conversations"
            }
            (false, true, 0) => {
                "aftercare.tailored is false: list the three conversations \
                                 nazorg_gesprek_1 to _3 instead of nazorg_aanbieden"
            }
            (false, false, 0) => {
                "aftercare is always offered after an incident: list the three \
                                  conversations (nazorg_gesprek_1 to _3) or nazorg_aanbieden"
            }
            (false, false, _) => "list all three conversations, nazorg_gesprek_1 to _3",
        };
        self.mistake(None, "tasks", reason);
    }

    fn check_deadline(
        &mut self,
        raw: &RawDeadline,
        at: Option<usize>,
        key: &str,
    ) -> Option<Deadline> {
        let simple = [
            raw.hours.map(Length::Hours),
            raw.days.map(Length::Days),
            raw.weeks.map(Length::Weeks),
        ];
        let simple: Vec<Length> = simple.into_iter().flatten().collect();
        let forms = simple.len()
            + usize::from(raw.working_days.is_some())
            + usize::from(raw.same_day)
            + usize::from(raw.from.is_some() || raw.due.is_some());
        if forms > 1 {
            self.mistake(
                at,
                key,
                "give one of: hours, days, weeks, working_days, same_day, or a window (from \
                 and due); or {} for no fixed deadline",
            );
            return None;
        }
        if raw.target && forms == 0 {
            self.mistake(
                at,
                key,
                "`target = true` makes a deadline a target, but no deadline is given",
            );
            return None;
        }
        if raw.same_day {
            return Some(Deadline::SameDay);
        }
        if let Some(n) = raw.working_days {
            return self
                .in_range(n, MAX_WORKING_DAYS, at, key)
                .then_some(Deadline::WorkingDays(n));
        }
        if let Some(length) = simple.first() {
            return self
                .length_in_range(*length, at, key)
                .then_some(Deadline::After(*length));
        }
        match (&raw.from, &raw.due) {
            (None, None) => Some(Deadline::None),
            (Some(from), Some(due)) => {
                let from = self.check_length(from, at, &format!("{key}.from"))?;
                let due = self.check_length(due, at, &format!("{key}.due"))?;
                if std::mem::discriminant(&from) != std::mem::discriminant(&due) {
                    // Exact hours and calendar days differ by an hour across a clock
                    // change, so a mixed window could close when it opens.
                    self.mistake(at, key, "give `from` and `due` in the same unit");
                    return None;
                }
                if from.nominal_hours() >= due.nominal_hours() {
                    self.mistake(
                        at,
                        key,
                        "the window closes (`due`) before or when it opens (`from`)",
                    );
                    return None;
                }
                Some(Deadline::Window { from, due })
            }
            _ => {
                self.mistake(at, key, "a window needs both `from` and `due`");
                None
            }
        }
    }

    fn check_length(&mut self, raw: &RawLength, at: Option<usize>, key: &str) -> Option<Length> {
        let given: Vec<Length> = [
            raw.hours.map(Length::Hours),
            raw.days.map(Length::Days),
            raw.weeks.map(Length::Weeks),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [length] => self.length_in_range(*length, at, key).then_some(*length),
            _ => {
                self.mistake(at, key, "give exactly one of hours, days or weeks");
                None
            }
        }
    }

    fn length_in_range(&mut self, length: Length, at: Option<usize>, key: &str) -> bool {
        let (n, max) = match length {
            Length::Hours(n) => (n, MAX_DEADLINE_HOURS),
            Length::Days(n) => (n, MAX_DEADLINE_HOURS / 24),
            Length::Weeks(n) => (n, MAX_DEADLINE_HOURS / (24 * 7)),
        };
        self.in_range(n, max, at, key)
    }

    /// A deadline is at least 1 and at most a year: 0 ends when it starts, and a longer
    /// one is no protocol deadline (and would leave the supported calendar).
    fn in_range(&mut self, n: u32, max: u32, at: Option<usize>, key: &str) -> bool {
        let reason = match n {
            0 => "a deadline of 0 ends when it starts; give at least 1, or {} for none",
            n if n > max => "a deadline longer than a year is not a protocol deadline",
            _ => return true,
        };
        self.mistake(at, key, reason);
        false
    }

    fn check_contacts(
        &mut self,
        contacts: &[Spanned<RawContact>],
        staff: &[Staff],
    ) -> Vec<Contact> {
        let mut names = BTreeSet::new();
        contacts
            .iter()
            .enumerate()
            .map(|(index, spanned)| {
                let raw = spanned.get_ref();
                let at = Some(spanned.span().start);
                let key = format!("contacts[{index}]");
                if raw.name.trim().is_empty() {
                    self.mistake(at, format!("{key}.name"), "a contact needs a name");
                } else if !names.insert(raw.name.trim().to_owned()) {
                    self.mistake(
                        at,
                        format!("{key}.name"),
                        format!("`{}` is listed twice", raw.name),
                    );
                }
                if raw.phone.is_none()
                    && raw.url.is_none()
                    && raw.email.is_none()
                    && raw.about.is_none()
                {
                    self.mistake(
                        at,
                        &key,
                        "give a phone, url, email or `about` saying how to reach it",
                    );
                }
                let role = raw
                    .role
                    .as_deref()
                    .and_then(|text| self.actor(text, staff, &[], at, &format!("{key}.role")));
                Contact {
                    role,
                    name: raw.name.clone(),
                    about: raw.about.clone(),
                    phone: raw.phone.clone(),
                    url: raw.url.clone(),
                    email: raw.email.clone(),
                    hours: raw.hours.clone(),
                }
            })
            .collect()
    }
}

/// The longest deadline a protocol file may give, in hours (a leap year).
const MAX_DEADLINE_HOURS: u32 = 366 * 24;
/// The same for working days: the working days of a year.
const MAX_WORKING_DAYS: u32 = 262;

/// PROTOCOL.md §4 (default, not in the seeds): where a role is not listed, the nearest
/// listed role of its body routes it.
fn nearest_roles(role: Role) -> &'static [Role] {
    match role {
        Role::Duolid | Role::Fractiemedewerker | Role::AdviesorgaanLid => &[Role::Raadslid],
        _ => &[],
    }
}

fn syntax_mistake(text: &str, error: &toml::de::Error) -> Mistake {
    let reason = error.message().trim().to_owned();
    let offset = error.span().map(|span| span.start);
    let missing = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    // serde reports a missing key at the table that lacks it, or at the start of the file
    // for a missing table: name the key itself.
    let (line, key) = match (missing, offset) {
        (Some(name), Some(0) | None) => (None, name.to_owned()),
        (Some(name), Some(o)) => (
            Some(line_of(text, o)),
            format!("{}.{name}", key_at(text, o)),
        ),
        (None, Some(o)) => (Some(line_of(text, o)), key_at(text, o)),
        (None, None) => (None, String::from("(file)")),
    };
    Mistake { line, key, reason }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The dotted key written at `offset`: the table header above it and the key on its line.
fn key_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    let header = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(table_name);
    if line.starts_with('[') {
        return table_name(line);
    }
    let own = line.split('=').next().unwrap_or("").trim();
    match (header, own.is_empty()) {
        (Some(h), false) => format!("{h}.{own}"),
        (Some(h), true) => h,
        (None, false) => own.to_owned(),
        (None, true) => String::from("(file)"),
    }
}

/// `[a.b]  # comment` → `a.b`; `[[contacts]]` → `contacts`.
fn table_name(header: &str) -> String {
    let inner = header.trim_start_matches('[');
    inner.split(']').next().unwrap_or(inner).trim().to_owned()
}

/// "unknown role `x`; allowed: <the spec's codes>, and the file's own staff: <codes>".
fn unknown_with_own<C: Code>(text: &str, own: &[&str], what: &str) -> String {
    let mut reason = format!("unknown {} `{text}`; allowed: {}", C::KIND, join(C::ALL));
    if !own.is_empty() {
        reason.push_str(&format!(", and the file's {what}: {}", own.join(", ")));
    }
    reason
}

/// A table's entries in the order the file writes them (serde gives them sorted by key):
/// own behaviours and tasks are shown in the order their authors chose.
fn ordered<T>(table: &BTreeMap<String, Spanned<T>>) -> Vec<(&String, &Spanned<T>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(_, spanned)| spanned.span().start);
    entries
}

fn has_duplicates<T: Ord>(items: &[T]) -> bool {
    let mut seen = BTreeSet::new();
    items.iter().any(|item| !seen.insert(item))
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
