//! A checked protocol: one organisation's rules, ready to evaluate.

use std::collections::BTreeMap;

use crate::deadline::Deadline;
use crate::vocabulary::{AangifteBy, Behaviour, Body, Category, ReportObligation, Role, Task};

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
    pub report: ReportRules,
    /// Informed of every incident, whoever the victim (e.g. `adviseur_vpt`).
    pub always_informed: Vec<Role>,
    /// A route for every office-holder role of the protocol's bodies.
    pub routes: BTreeMap<Role, Route>,
    pub aangifte_by: AangifteBy,
    pub aangifte_note: Option<String>,
    pub aftercare: Aftercare,
    /// The tasks this protocol uses, with their deadlines; a task not listed never arises.
    pub tasks: BTreeMap<Task, Deadline>,
    /// What to do now, per category, shown to the reporter right after reporting.
    pub guidance: BTreeMap<Category, String>,
    pub contacts: Vec<Contact>,
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
}

/// Who gives aftercare (PROTOCOL.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aftercare {
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

    /// The office-holder roles this protocol routes, in the order of the vocabulary.
    pub fn routable_roles(&self) -> Vec<Role> {
        self.routes.keys().copied().collect()
    }
}
