//! Why facts could not become a plan. Every error names the field it is about.

use crate::vocabulary::Role;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The facts are not of the contract's shape, or hold an unknown code.
    #[error("{field}: {reason}")]
    InvalidFacts { field: String, reason: String },

    /// The victim's role is a known code that this protocol does not route.
    #[error(
        "victim.role: protocol `{protocol}` cannot route `{role}`{why}; allowed: {}",
        allowed.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
    )]
    UnroutableRole {
        protocol: String,
        role: Role,
        why: &'static str,
        allowed: Vec<Role>,
    },

    #[error("reported_at: the report ({reported}) cannot lie before the incident ({occurred})")]
    ReportedBeforeOccurred { occurred: String, reported: String },

    #[error("behaviours: at least one behaviour is needed; allowed: {allowed}")]
    NoBehaviours { allowed: String },

    /// A moment, or a deadline computed from it, outside the years Weerbaar handles.
    #[error("{field}: must lie in the years 1900 to 2999 (Amsterdam time)")]
    OutOfCalendar { field: &'static str },
}

impl Error {
    /// The field of the facts the error is about, as a path (`victim.role`).
    pub fn field(&self) -> &str {
        match self {
            Error::InvalidFacts { field, .. } => field,
            Error::UnroutableRole { .. } => "victim.role",
            Error::ReportedBeforeOccurred { .. } => "reported_at",
            Error::NoBehaviours { .. } => "behaviours",
            Error::OutOfCalendar { field } => field,
        }
    }
}
