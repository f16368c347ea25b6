//! Who was recently given a role with which they handle, and so read, cases (issue 14):
//! read from the administration log, for the start page of the people who handle cases
//! and of the privacy officers. Together with the mail queued at the change
//! (`announce_new_handler!` in admin.rs) this is how an administrator who makes someone,
//! or an account of their own making, a handler is seen at once by the people who know
//! who should be one.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::Value;
use weerbaar_protocol::{Code, Role};

use crate::admin::{AdminEventKind, handler_roles_given};
use crate::error::RegisterError;
use crate::model::{OrganisationId, PersonId, redacted_debug};
use crate::register::Register;

/// At most this many entries of the window are read (a window of weeks holds a few).
const LOG_ENTRIES: u32 = 500;

/// Someone given one or more roles that handle cases.
#[derive(Clone, PartialEq, Eq)]
pub struct NewHandler {
    pub at: Timestamp,
    pub person: Option<PersonId>,
    pub person_name: Option<String>,
    /// The administrator; `None` for the command line on the server.
    pub by: Option<PersonId>,
    pub by_name: Option<String>,
    /// The handling roles given, in the protocol's order.
    pub roles: Vec<Role>,
}

redacted_debug!(NewHandler {
    show: [at, person, by, roles],
    hide: [person_name, by_name],
});

/// The roles of an entry's `[[code, current], …]` list.
fn roles_of(list: &Value) -> Result<BTreeSet<(Role, bool)>, RegisterError> {
    let Some(entries) = list.as_array() else {
        return Ok(BTreeSet::new());
    };
    entries
        .iter()
        .map(|entry| {
            let code = entry.get(0).and_then(Value::as_str);
            let current = entry.get(1).and_then(Value::as_bool);
            match (code.map(Role::parse), current) {
                (Some(Ok(role)), Some(current)) => Ok((role, current)),
                _ => Err(RegisterError::Corrupt(format!(
                    "a role in the administration log: {entry}"
                ))),
            }
        })
        .collect()
}

impl Register {
    /// The people of `organisation` given a role that handles cases (under its protocol
    /// now) since `since`, newest first: added with one, or given one they did not hold.
    pub async fn new_handlers(
        &self,
        organisation: &OrganisationId,
        since: Timestamp,
    ) -> Result<Vec<NewHandler>, RegisterError> {
        let handler_roles = self.protocol(organisation).await?.handler_roles();
        let mut found = Vec::new();
        for event in self
            .admin_events_since(organisation, Some(since), LOG_ENTRIES)
            .await?
        {
            let (from, to) = match event.kind {
                AdminEventKind::PersonAdded => (BTreeSet::new(), roles_of(&event.detail["roles"])?),
                AdminEventKind::RolesChanged => (
                    roles_of(&event.detail["from"])?,
                    roles_of(&event.detail["to"])?,
                ),
                _ => continue,
            };
            let roles = handler_roles_given(&handler_roles, &from, &to);
            if roles.is_empty() {
                continue;
            }
            found.push(NewHandler {
                at: event.at,
                person: event.subject,
                person_name: event.subject_name,
                by: event.actor,
                by_name: event.actor_name,
                roles,
            });
        }
        Ok(found)
    }
}
