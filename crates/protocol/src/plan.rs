//! The plan: what the protocol decides for one incident (PROTOCOL.md §15, output).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::deadline::{Due, rfc3339};
use crate::vocabulary::{
    AangifteBy, Abcd, Category, Escalation, Measure, ReportObligation, Role, Task,
};

/// Facts in, plan out. Field order follows §15; `informed`, `escalations` and
/// `measures` are sets, kept sorted so that the same facts always print the same plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The protocol the plan came from (a preset's name, or an own file's id).
    pub preset: String,
    pub category: Category,
    pub abcd: Abcd,
    pub report: ReportObligation,
    pub handler: Role,
    pub informed: Vec<Role>,
    pub aangifte_by: AangifteBy,
    pub recidive: bool,
    pub tasks: Vec<PlannedTask>,
    pub escalations: Vec<Escalation>,
    pub measures: Vec<Measure>,
}

/// A task with its deadline for this incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    pub code: Task,
    pub due: Due,
}

impl Plan {
    pub fn task(&self, code: Task) -> Option<&PlannedTask> {
        self.tasks.iter().find(|task| task.code == code)
    }
}

impl Serialize for PlannedTask {
    /// `due` for moments, `due_date` for working-day dates, `"due": null` for no fixed
    /// deadline, and `from` before `due` where a window opens later.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", &self.code)?;
        match &self.due {
            Due::None => map.serialize_entry("due", &None::<String>)?,
            Due::At(moment) => map.serialize_entry("due", &rfc3339(moment))?,
            Due::Window { from, due } => {
                map.serialize_entry("from", &rfc3339(from))?;
                map.serialize_entry("due", &rfc3339(due))?;
            }
            Due::Date(date) => map.serialize_entry("due_date", &date.to_string())?,
        }
        map.end()
    }
}
