//! What the register holds and returns: identifiers, the input of a report, and the
//! views of a case. Personal and case content appears here in the clear only in memory.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use weerbaar_protocol::{Category, Facts, Role, TaskCode};

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// A new, random, time-ordered identifier.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use id;

id!(
    /// A municipality, province or water board.
    OrganisationId
);
id!(
    /// An office holder or a member of staff.
    PersonId
);
id!(
    /// One incident, consult or staff incident, with its timeline.
    CaseId
);
id!(
    /// Someone who crossed the line, known or unknown.
    PerpetratorId
);

/// Defines a small enum of stored words (status, kind, relation …).
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

pub(crate) use words;

words!(
    /// Where a case stands (issue #3).
    CaseStatus {
        Gemeld = "gemeld",
        InBehandeling = "in_behandeling",
        Afgerond = "afgerond",
        Heropend = "heropend",
        Gearchiveerd = "gearchiveerd",
    }
);

words!(
    /// What a case is.
    CaseKind {
        /// A report under the protocol.
        Melding = "melding",
        /// "Ik twijfel": a consult of the handler that can become a report.
        Consult = "consult",
        /// An incident against a civil servant, kept so that it counts for recidive.
        AmbtenaarIncident = "ambtenaar_incident",
    }
);

words!(
    /// Whom the incident hit: the office holder or their direct circle (Westerveld §2,
    /// Nijmegen §2).
    Relation {
        Zelf = "zelf",
        Gezin = "gezin",
        Familie = "familie",
        Vrienden = "vrienden",
        Huisdieren = "huisdieren",
        Eigendommen = "eigendommen",
    }
);

words!(
    /// Who the perpetrator is (PROTOCOL.md §1).
    PerpetratorKind {
        Persoon = "persoon",
        Collectief = "collectief",
        NamensOrganisatie = "namens_organisatie",
        Onbekend = "onbekend",
    }
);

words!(
    /// The kinds of event on a case's timeline.
    EventKind {
        Reported = "reported",
        Classified = "classified",
        PerpetratorLinked = "perpetrator_linked",
        Viewed = "viewed",
        TaskDone = "task_done",
        StatusChanged = "status_changed",
        MeasureDecided = "measure_decided",
        PerpetratorHeard = "perpetrator_heard",
        MeasureEnded = "measure_ended",
        AftercarePlanned = "aftercare_planned",
        AftercareHeld = "aftercare_held",
        PoliceContacted = "police_contacted",
        PoliceOutcome = "police_outcome",
        DamageRecorded = "damage_recorded",
        Communicated = "communicated",
        Evaluated = "evaluated",
        AccessGranted = "access_granted",
        AccessRevoked = "access_revoked",
        TaskRaised = "task_raised",
        ConsultPromoted = "consult_promoted",
        EvidenceAdded = "evidence_added",
        Anonymised = "anonymised",
    }
);

/// An organisation as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationSummary {
    pub id: OrganisationId,
    pub name: String,
    pub protocol_id: String,
    pub protocol_version: String,
}

/// A person to add to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    pub name: String,
    pub email: Option<String>,
    /// Roles with whether they are current (false: a former office).
    pub roles: Vec<(Role, bool)>,
}

/// Identifying details of a perpetrator; stored encrypted, matched by blind index.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerpetratorDetails {
    pub name: Option<String>,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(default)]
    pub accounts: Vec<String>,
    pub licence_plate: Option<String>,
    pub description: Option<String>,
    /// For someone acting for a company, organisation or group.
    pub on_behalf_of: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerpetrator {
    pub kind: PerpetratorKind,
    pub details: PerpetratorDetails,
}

/// One person hit by the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVictim {
    pub person: PersonId,
    pub role: Role,
    pub relation: Relation,
}

/// A report: the facts for the protocol and what the reporter told.
#[derive(Clone, PartialEq, Eq)]
pub struct NewReport {
    pub organisation: OrganisationId,
    pub reporter: PersonId,
    /// Reported by someone else on the victim's behalf.
    pub on_behalf: bool,
    /// The first victim is the one the protocol routes.
    pub victims: Vec<NewVictim>,
    /// The facts; `victim` must match the first victim, and `prior_incidents` is raised
    /// to what the register itself knows of the perpetrator.
    pub facts: Facts,
    pub narrative: String,
    pub place: Option<String>,
    pub during_meeting: bool,
    pub perpetrator: Option<NewPerpetrator>,
}

/// What registering a report gave.
#[derive(Debug, Clone)]
pub struct Registered {
    pub case: CaseId,
    /// The organisation's own case number: 1, 2, 3 …
    pub number: i64,
    pub plan: weerbaar_protocol::Plan,
    pub perpetrator: Option<PerpetratorId>,
    /// Earlier registered incidents of the same perpetrator.
    pub prior_incidents: u32,
}

/// A case as its handler opens it.
#[derive(Clone, PartialEq)]
pub struct CaseView {
    pub id: CaseId,
    pub organisation: OrganisationId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub victim_role: Role,
    pub category: Option<Category>,
    pub handler_role: Option<Role>,
    pub occurred_at: Timestamp,
    pub reported_at: Timestamp,
    /// Whether it happened during a meeting of the council or the board, as reported.
    pub during_meeting: bool,
    pub narrative: Option<String>,
    pub place: Option<String>,
    pub facts: Option<serde_json::Value>,
    pub plan: Option<serde_json::Value>,
    pub protocol_version: Option<String>,
    pub victims: Vec<(PersonId, Role, Relation)>,
    pub perpetrators: Vec<(PerpetratorId, PerpetratorKind, PerpetratorDetails)>,
    pub tasks: Vec<TaskView>,
    /// Measures, aftercare, police contacts … (see `case_life`).
    pub items: Vec<crate::case_life::CaseItem>,
    /// People the handler let read the details.
    pub access: Vec<PersonId>,
    pub events: Vec<EventView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskView {
    pub code: TaskCode,
    pub assignee_role: Role,
    pub opens_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub due_date: Option<Date>,
    pub done_at: Option<Timestamp>,
    pub done_by: Option<PersonId>,
    /// The deadline is a target, not a firm one (PROTOCOL.md §16.4): never overdue.
    pub target: bool,
}

#[derive(Clone, PartialEq)]
pub struct EventView {
    pub seq: i64,
    pub kind: EventKind,
    pub actor: Option<PersonId>,
    pub at: Timestamp,
    pub payload: serde_json::Value,
}

/// A perpetrator with every case of the organisation that names them: the dossier the
/// handler sees when a report matches an earlier perpetrator.
#[derive(Clone, PartialEq, Eq)]
pub struct PerpetratorDossier {
    pub id: PerpetratorId,
    pub kind: PerpetratorKind,
    pub details: PerpetratorDetails,
    pub cases: Vec<DossierCase>,
}

/// One case in a perpetrator's dossier: what it was, not what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierCase {
    pub case: CaseId,
    pub number: i64,
    pub kind: CaseKind,
    pub status: CaseStatus,
    pub victim_role: Role,
    pub category: Option<Category>,
    pub occurred_at: Timestamp,
}

/// An open task in a handler's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub case: CaseId,
    pub case_number: i64,
    pub code: TaskCode,
    pub opens_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub due_date: Option<Date>,
    /// The deadline is a target, not a firm one (PROTOCOL.md §16.4): never overdue.
    pub target: bool,
}

/// `Debug` that shows the shape of a value but none of its personal content: a `{:?}` in
/// a log line or a panic message must never print an account of a threat or a name.
macro_rules! redacted_debug {
    ($name:ident { show: [$($plain:ident),* $(,)?], hide: [$($secret:ident),* $(,)?] $(,)? }) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut out = f.debug_struct(stringify!($name));
                $( out.field(stringify!($plain), &self.$plain); )*
                $( out.field(stringify!($secret), &"<redacted>"); )*
                out.finish()
            }
        }
    };
}
pub(crate) use redacted_debug;

redacted_debug!(PerpetratorDetails {
    show: [],
    hide: [
        name,
        date_of_birth,
        email,
        phone,
        accounts,
        licence_plate,
        description,
        on_behalf_of
    ],
});
redacted_debug!(NewReport {
    show: [organisation, reporter, on_behalf, victims, during_meeting],
    hide: [facts, narrative, place, perpetrator],
});
redacted_debug!(CaseView {
    show: [
        id,
        organisation,
        number,
        kind,
        status,
        victim_role,
        category,
        handler_role,
        occurred_at,
        reported_at,
        during_meeting,
        protocol_version,
        victims,
        tasks,
        access
    ],
    hide: [narrative, place, facts, plan, perpetrators, items, events],
});
redacted_debug!(EventView {
    show: [seq, kind, actor, at],
    hide: [payload]
});
redacted_debug!(PerpetratorDossier {
    show: [id, kind, cases],
    hide: [details]
});
