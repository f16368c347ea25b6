//! A checked protocol: one organisation's rules, ready to evaluate.

use std::collections::{BTreeMap, BTreeSet};

use crate::deadline::Deadline;
use crate::own::{BehaviourCode, OwnCode, TaskCode};
use crate::vocabulary::{
    AangifteBy, Behaviour, Body, Category, Channel, ReportObligation, Role, Situation, Task,
};

/// An organisation's agressieprotocol, as loaded from its protocol file. Every field has
/// passed the loader's checks: every office of its bodies is routed, every deadline
/// opens before it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    /// Names the protocol in plans (`"preset": "leiden"`).
    pub id: String,
    pub name: String,
    pub bodies: Vec<Body>,
    pub version: String,
    /// The document the rules come from.
    pub source: Option<String>,
    /// The category of every behaviour, after the file's overrides.
    pub classification: BTreeMap<Behaviour, Category>,
    /// Behaviours of the organisation's own (§16.1), in the file's order.
    pub own_behaviours: Vec<OwnBehaviour>,
    /// Categories that count as heavier ones when behaviour persists or does not change
    /// after being addressed (§16.2).
    pub rises: Vec<Rise>,
    pub report: ReportRules,
    /// Informed of every incident, whoever the victim (e.g. `adviseur_vpt`).
    pub always_informed: Vec<Role>,
    /// A route for every office-holder role of the protocol's bodies.
    pub routes: BTreeMap<Role, Route>,
    /// `None` where the protocol does not regulate it (`niet_geregeld`, §16.7).
    pub aangifte_by: Option<AangifteBy>,
    pub aangifte_note: Option<String>,
    pub aftercare: Aftercare,
    /// The tasks this protocol uses, with their deadlines; a task not listed never arises.
    pub tasks: BTreeMap<Task, Deadline>,
    /// Tasks whose deadline is a target, not a firm one (§16.4).
    pub targets: BTreeSet<TaskCode>,
    /// Tasks of the organisation's own, with when they arise (§16.5), in the file's order.
    pub own_tasks: Vec<OwnTask>,
    /// What to do now, per category, shown to the reporter right after reporting.
    pub guidance: BTreeMap<Category, String>,
    /// What to do now in a situation (§16.6), shown beside the category's guidance.
    pub situation_guidance: BTreeMap<Situation, String>,
    /// The building's own staff (§16.9): never victims, only doers and contacts.
    pub staff: Vec<Staff>,
    pub contacts: Vec<Contact>,
}

/// A behaviour an organisation's file defines (§16.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnBehaviour {
    pub code: OwnCode,
    pub label: String,
    pub explanation: String,
    /// The category whose group it is shown in on the report form.
    pub group: Category,
    pub category: Category,
}

/// Behaviour of these categories counts as `to` when one of `when` holds (§16.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rise {
    pub from: Vec<Category>,
    pub to: Category,
    pub when: Vec<RiseWhen>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RiseWhen {
    /// The behaviour persists (`persistent`).
    Persistent,
    /// The behaviour did not change after the person was addressed (`addressed: unchanged`).
    Unchanged,
}

/// Who does an own task: one of the vocabulary's roles or one of the file's own staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    Role(Role),
    Staff(OwnCode),
}

/// A task an organisation's file defines (§16.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnTask {
    pub code: OwnCode,
    pub label: String,
    /// Who does it; `None`: the case's handler.
    pub by: Option<Actor>,
    pub deadline: Deadline,
    pub target: bool,
    pub when: Condition,
}

/// When an own task arises: every condition given holds; a list holds when any of its
/// values does. An empty condition always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    pub categories: Vec<Category>,
    pub behaviours: Vec<BehaviourCode>,
    pub channels: Vec<Channel>,
    pub victims: Vec<Role>,
    pub situations: Vec<Situation>,
    /// `true`: some injury; `false`: none.
    pub injury: Option<bool>,
    pub criminal_offence_suspected: Option<bool>,
    pub perpetrator_known: Option<bool>,
    pub damage: Option<bool>,
    pub recidive: Option<bool>,
    /// Only when the report is required (`true`) or not (`false`).
    pub report_required: Option<bool>,
}

/// A staff role of the organisation's own building (§16.9): bode, beveiliging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub code: OwnCode,
    pub label: String,
}

/// The report obligation per row of PROTOCOL.md §3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRules {
    /// A and B, not persistent.
    pub emotional: ReportObligation,
    /// A and B that persist into a pattern.
    pub emotional_persistent: ReportObligation,
    /// C, corrected after being addressed and not persistent.
    pub verbal_corrected: ReportObligation,
    /// C otherwise.
    pub verbal: ReportObligation,
    /// D, threat or intimidation.
    pub threat: ReportObligation,
    /// D, physical violence.
    pub physical: ReportObligation,
    /// Behaviours that are always reported (`ordeverstoring`, Leiden §6.1 step 9).
    pub always_required: Vec<Behaviour>,
}

/// Who receives a victim's report and who is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub handler: Role,
    /// Who may receive it instead ("de griffier of de plaatsvervangend griffier").
    pub alternates: Vec<Role>,
    pub informed: Vec<Role>,
    /// Set when this role is routed like another (explicitly or by the default).
    pub like: Option<Role>,
    /// The recipients the reporter chooses from, in the file's order (§16.3); empty when
    /// there is no choice. The handler is the first of them.
    pub choices: Vec<Role>,
}

/// Who gives aftercare (PROTOCOL.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aftercare {
    /// `false` where the protocol does not say who gives aftercare (`niet_geregeld`,
    /// §16.7): no aftercare tasks arise.
    pub regulated: bool,
    /// Aftercare is arranged per case (Utrecht, model).
    pub tailored: bool,
    /// Who can help organise it (`coordinator_vpt` in Utrecht).
    pub coordinator: Option<Role>,
    pub by: BTreeMap<Role, Vec<Role>>,
}

/// A support service (PROTOCOL.md §9): organisation data, never code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub about: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub hours: Option<String>,
    /// The role or own staff role this contact is (§16.9), where the file names one.
    pub role: Option<Actor>,
}

impl Protocol {
    /// Reads and checks a protocol file (TOML).
    pub fn from_toml(text: &str) -> Result<Protocol, crate::file::FileError> {
        crate::file::parse(text)
    }

    pub fn category_of(&self, behaviour: Behaviour) -> Category {
        self.classification
            .get(&behaviour)
            .copied()
            .unwrap_or_else(|| behaviour.default_category())
    }

    /// The category of a spec or own behaviour; `None` for an own code this file does not
    /// define.
    pub fn category_of_code(&self, behaviour: BehaviourCode) -> Option<Category> {
        match behaviour {
            BehaviourCode::Spec(spec) => Some(self.category_of(spec)),
            BehaviourCode::Own(own) => self.own_behaviour(own).map(|b| b.category),
        }
    }

    pub fn own_behaviour(&self, code: OwnCode) -> Option<&OwnBehaviour> {
        self.own_behaviours.iter().find(|b| b.code == code)
    }

    pub fn own_task(&self, code: OwnCode) -> Option<&OwnTask> {
        self.own_tasks.iter().find(|t| t.code == code)
    }

    /// Whether a behaviour code is one a report under this protocol may name.
    pub fn knows_behaviour(&self, behaviour: BehaviourCode) -> bool {
        self.category_of_code(behaviour).is_some()
    }

    /// Every behaviour code a report may name: §2's, then the file's own.
    pub fn behaviour_codes(&self) -> Vec<BehaviourCode> {
        use crate::code::Code;
        Behaviour::ALL
            .iter()
            .map(|b| BehaviourCode::Spec(*b))
            .chain(
                self.own_behaviours
                    .iter()
                    .map(|b| BehaviourCode::Own(b.code)),
            )
            .collect()
    }

    /// The guidance for the reporter: the category's, then the situation's.
    pub fn guidance_for(&self, category: Category, situation: Option<Situation>) -> Vec<&str> {
        let by_category = self.guidance.get(&category);
        let by_situation = situation.and_then(|s| self.situation_guidance.get(&s));
        by_category
            .into_iter()
            .chain(by_situation)
            .map(String::as_str)
            .collect()
    }

    /// The office-holder roles this protocol routes, in the order of the vocabulary.
    pub fn routable_roles(&self) -> Vec<Role> {
        self.routes.keys().copied().collect()
    }

    /// The roles that handle cases under this protocol (as handler or alternate of a
    /// route), sorted and without repeats.
    pub fn handler_roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .routes
            .values()
            .flat_map(|route| {
                std::iter::once(route.handler).chain(route.alternates.iter().copied())
            })
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }
}
