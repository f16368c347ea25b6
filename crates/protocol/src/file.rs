//! The protocol file: everything organisation-specific, in TOML
//! (`docs/protocol-format.md`). Parsing is strict and the loader refuses an
//! inconsistent file, naming the line, the key and the reason of every mistake.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use toml::Spanned;

use crate::code::Code;
use crate::deadline::{Deadline, Length};
use crate::protocol::{Aftercare, Contact, Protocol, ReportRules, Route};
use crate::vocabulary::{AangifteBy, Behaviour, Body, Category, ReportObligation, Role, Task};

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
    guidance: BTreeMap<Category, String>,
    #[serde(default)]
    contacts: Vec<Spanned<RawContact>>,
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
    victims: BTreeMap<Role, Spanned<RawRoute>>,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAangifte {
    by: AangifteBy,
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
    by: BTreeMap<Role, Spanned<Vec<Role>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
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
        let routes = self.check_routing(&raw.routing, &bodies);
        let aftercare = self.check_aftercare(&raw.aftercare, &bodies);
        let tasks = self.check_tasks(&raw.tasks, raw.aftercare.tailored, &bodies);
        let contacts = self.check_contacts(&raw.contacts);
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
            report,
            always_informed: raw.routing.always_informed,
            routes,
            aangifte_by: raw.aangifte.by,
            aangifte_note: raw.aangifte.note,
            aftercare,
            tasks,
            guidance: raw.guidance,
            contacts,
        })
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

    fn check_routing(&mut self, routing: &RawRouting, bodies: &[Body]) -> BTreeMap<Role, Route> {
        let mut explicit: BTreeMap<Role, Route> = BTreeMap::new();
        let mut likes: Vec<(Role, Role, usize)> = Vec::new();

        // Roles the file lists, even wrongly: their own mistakes say what is wrong, so no
        // second "routed to nobody" is added for them.
        let listed: BTreeSet<Role> = routing.victims.keys().copied().collect();
        for (role, spanned) in &routing.victims {
            let at = Some(spanned.span().start);
            let key = format!("routing.victims.{role}");
            let raw = spanned.get_ref();
            if !self.office_of_these_bodies(*role, bodies, at, &key) {
                continue;
            }
            match (raw.handler, raw.like) {
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
                    if let Some(route) = self.check_route(*role, handler, raw, at, &key) {
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
        at: Option<usize>,
        key: &str,
    ) -> Option<Route> {
        let before = self.mistakes.len();
        if handler == role {
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
        })
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
        for (role, givers) in &raw.by {
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
        if !raw.tailored && raw.by.is_empty() {
            self.mistake(
                None,
                "aftercare",
                "say who gives aftercare (`by`), or set `tailored = true` when it is arranged per case",
            );
        }
        Aftercare {
            tailored: raw.tailored,
            coordinator: raw.coordinator,
            by: raw
                .by
                .iter()
                .map(|(r, g)| (*r, g.get_ref().clone()))
                .collect(),
        }
    }

    fn check_tasks(
        &mut self,
        tasks: &BTreeMap<Task, Spanned<RawDeadline>>,
        tailored: bool,
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
        self.check_aftercare_tasks(tasks, tailored);
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
        tailored: bool,
    ) {
        let conversations = [
            Task::NazorgGesprek1,
            Task::NazorgGesprek2,
            Task::NazorgGesprek3,
        ];
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
            + usize::from(raw.from.is_some() || raw.due.is_some());
        if forms > 1 {
            self.mistake(
                at,
                key,
                "give one of: hours, days, weeks, working_days, or a window (from and due); \
                 or {} for no fixed deadline",
            );
            return None;
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

    fn check_contacts(&mut self, contacts: &[Spanned<RawContact>]) -> Vec<Contact> {
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
                Contact {
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
