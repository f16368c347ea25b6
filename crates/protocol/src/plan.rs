//! The plan: what the protocol decides for one incident (PROTOCOL.md §15, output).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::deadline::{Due, rfc3339};
use crate::own::TaskCode;
use crate::vocabulary::{AangifteBy, Abcd, Category, Escalation, Measure, ReportObligation, Role};

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
    /// The recipients the reporter could choose from, in the file's order; only where the
    /// protocol gives a choice (§16.3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler_choices: Option<Vec<Role>>,
    pub informed: Vec<Role>,
    /// `null` where the protocol does not regulate who files (§16.7).
    pub aangifte_by: Option<AangifteBy>,
    pub recidive: bool,
    pub tasks: Vec<PlannedTask>,
    pub escalations: Vec<Escalation>,
    pub measures: Vec<Measure>,
}

/// A task with its deadline for this incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    pub code: TaskCode,
    pub due: Due,
    /// The deadline is a target, not a firm one (§16.4): never shown as overdue.
    pub target: bool,
}

impl Plan {
    pub fn task(&self, code: impl Into<TaskCode>) -> Option<&PlannedTask> {
        let code = code.into();
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
        if self.target {
            map.serialize_entry("target", &true)?;
        }
        map.end()
    }
}
