//! Weerbaar's protocol engine: the rules of an organisation's agressieprotocol held as
//! data (a protocol file), and one pure function that applies them to the facts of an
//! incident (`evaluate`). No I/O, no clock, no database.
//!
//! The rules are those of `shared/spec/PROTOCOL.md`; the five presets are the Dutch
//! protocols it was distilled from.

pub mod calendar;
pub mod code;
pub mod compare;
pub mod deadline;
pub mod document;
pub mod error;
pub mod evaluate;
pub mod facts;
pub mod file;
pub mod labels;
pub mod own;
pub mod plan;
pub mod presets;
pub mod protocol;
pub mod readable;
pub mod vocabulary;

pub use code::{Code, UnknownCode};
pub use deadline::{Deadline, Due, Length};
pub use error::Error;
pub use evaluate::evaluate;
pub use facts::{Facts, Victim};
pub use file::{FileError, Mistake};
pub use own::{BehaviourCode, IMPROVEMENT_TASK_PREFIX, OwnCode, TaskCode};
pub use plan::{Plan, PlannedTask};
pub use presets::{PRESETS, Preset, preset, preset_names, preset_text};
pub use protocol::{
    Actor, Aftercare, Condition, Contact, OwnBehaviour, OwnTask, Protocol, ReportRules, Rise,
    RiseWhen, Route, Staff,
};
pub use vocabulary::*;
