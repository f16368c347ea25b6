//! Realistic generated data for demonstrations and benchmarks (`weerbaar demo seed`).
//!
//! Everything here is invented: the names are a random mix of common Dutch first names and
//! surnames, the narratives come from sentence templates, the e-mail addresses end in the
//! reserved `.example` domain. Nothing describes a real person or a real event.
//!
//! The mix follows what the Monitor Integriteit en Veiligheid reports for political office
//! holders: mostly verbal aggression and intimidation, far less physical violence; most of
//! it online or by e-mail, in the evening; reported within a few days; about a third of the
//! known perpetrators come back. Older cases are worked off as a handler would: their tasks
//! are completed, so a handler's list of open tasks holds what is recent plus a small
//! backlog.
//!
//! The same seed and options give the same cases (category, behaviours, victims, narrative
//! …), as long as the years lie in the past: a span that reaches into the present stops at
//! today, so that no case lies in the future.
//!
//! Only the register's public operations write: `add_person`, `register_report`,
//! `complete_task`. The people an organisation already has are read (ids and roles,
//! which are stored in the clear) through [`Register::db`], without opening their names.

use std::collections::{BTreeSet, HashSet};

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;
use weerbaar_protocol::{Behaviour, Channel, Code, Facts, Injury, Role, Victim};

use crate::db::on_db;
use crate::error::RegisterError;
use crate::model::{
    NewPerpetrator, NewPerson, NewReport, NewVictim, OrganisationId, PerpetratorDetails,
    PerpetratorKind, PersonId, Registered, Relation,
};
use crate::register::Register;

/// What `seed` generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedOptions {
    /// How many reports to register.
    pub cases: u64,
    /// The seed of the random generator: the same seed gives the same cases.
    pub seed: u64,
    /// The first and last year (inclusive) the incidents are spread over.
    pub first_year: i16,
    pub last_year: i16,
}

/// What `seed` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// People added to the organisation (0 when it had them already).
    pub people: u64,
    /// Reports registered.
    pub cases: u64,
    /// Reports whose perpetrator the register recognised from an earlier case.
    pub perpetrators_reused: u64,
    /// Tasks completed on older cases.
    pub tasks_done: u64,
}

/// The municipal roles a demo victim can hold, with how often each is hit.
const VICTIM_ROLES: [(Role, u32); 5] = [
    (Role::Raadslid, 42),
    (Role::Duolid, 8),
    (Role::Wethouder, 22),
    (Role::Burgemeester, 18),
    (Role::Fractiemedewerker, 10),
];

/// Cases that occurred this long before the end of the span are worked off.
const WORKED_OFF_AFTER_DAYS: i64 = 60;

/// At most this many earlier perpetrators per trace are kept to come back.
const PERPETRATOR_POOL: usize = 2_500;

/// Creates the people of a municipality (a burgemeester, 4 wethouders, ~35 raadsleden and
/// duoleden, some former, fractiemedewerkers, griffier, gemeentesecretaris, adviseur_vpt, a
/// few ambtenaren) for each of those roles the organisation has nobody in yet, then
/// registers `options.cases` reports spread over the years, calling `on_committed` after
/// each report is committed (acknowledged) with the number of reports committed so far
/// (1, 2, 3 …) and what the register answered.
///
/// Victims only hold roles the organisation's protocol routes; a protocol that routes none
/// of the municipal roles is an error.
pub async fn seed(
    register: &Register,
    organisation: &OrganisationId,
    options: &SeedOptions,
    on_committed: impl FnMut(u64, &Registered),
) -> Result<SeedSummary, RegisterError> {
    seed_in_batches(register, organisation, options, 1, on_committed).await
}

/// As `seed`, registering `batch` reports per transaction (and completing their tasks
/// per handler in one more): for filling a register with a million cases for benchmarks,
/// where a commit per report would take hours. `on_committed` is called once the batch
/// holding the report has committed.
pub async fn seed_in_batches(
    register: &Register,
    organisation: &OrganisationId,
    options: &SeedOptions,
    batch: usize,
    mut on_committed: impl FnMut(u64, &Registered),
) -> Result<SeedSummary, RegisterError> {
    if options.first_year > options.last_year {
        return Err(RegisterError::invalid(
            "first_year",
            format!(
                "the first year ({}) lies after the last year ({})",
                options.first_year, options.last_year
            ),
        ));
    }
    for (field, year) in [
        ("first_year", options.first_year),
        ("last_year", options.last_year),
    ] {
        if !(1900..=2999).contains(&year) {
            return Err(RegisterError::invalid(
                field,
                format!("{year} is not a year from 1900 to 2999"),
            ));
        }
    }
    let summary_row = register
        .organisations()
        .await?
        .into_iter()
        .find(|o| &o.id == organisation)
        .ok_or_else(|| RegisterError::NotFound {
            what: "organisation",
            id: organisation.to_string(),
        })?;
    let amsterdam = TimeZone::get("Europe/Amsterdam")
        .map_err(|error| RegisterError::Config(format!("time zone Europe/Amsterdam: {error}")))?;
    let span = Span::new(options.first_year, options.last_year, &amsterdam)?;

    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut summary = SeedSummary::default();

    // The people: those the organisation has, plus a group for each role nobody holds.
    let existing = existing_people(register, organisation).await?;
    let mut roster = existing.clone();
    let domain = format!("{}.example", org_slug(&summary_row.name));
    let mut emails = HashSet::new();
    let mut names = HashSet::new();
    for group in ROSTER {
        if existing.iter().any(|m| m.holds(group.role)) {
            continue;
        }
        for index in 0..group.current + group.former {
            let name = unique_name(&mut rng, &mut names);
            let mut roles = vec![(group.role, index < group.current)];
            // A wethouder who sat in the council before.
            if group.role == Role::Wethouder && index == 0 {
                roles.push((Role::Raadslid, false));
            }
            let email = unique_email(&name, &domain, &mut emails);
            let id = add_person(register, organisation, &name, email, roles.clone()).await?;
            summary.people += 1;
            roster.push(Member {
                id,
                name: Some(name),
                roles,
            });
        }
    }

    // The victim roles: those the protocol routes, if it is a preset; otherwise the
    // register says which when a report is refused.
    let mut routable: Vec<Role> = VICTIM_ROLES.iter().map(|(role, _)| *role).collect();
    if let Some(preset) = weerbaar_protocol::preset(&summary_row.protocol_id)
        && preset.version == summary_row.protocol_version
    {
        let routes = preset.routable_roles();
        routable.retain(|role| routes.contains(role));
    }

    let mut pool = Pool::default();
    let batch = batch.max(1) as u64;
    let mut index = 0;
    while index < options.cases {
        let size = batch.min(options.cases - index);
        // A batch is registered in one transaction; a role the protocol cannot route
        // narrows the roles and the batch is generated again.
        let mut attempts = 0;
        let (registered, cases) = loop {
            attempts += 1;
            let mut cases = Vec::new();
            for offset in 0..size {
                let mut case = generate_case(
                    &mut rng,
                    &span,
                    index + offset,
                    options.cases,
                    &roster,
                    &routable,
                    &pool,
                )?;
                case.report.organisation = organisation.clone();
                cases.push(case);
            }
            let reports = cases.iter().map(|case| case.report.clone()).collect();
            match register.register_reports(reports).await {
                Ok(registered) => break (registered, cases),
                Err(RegisterError::Protocol(weerbaar_protocol::Error::UnroutableRole {
                    allowed,
                    ..
                })) if attempts < 3 => {
                    routable.retain(|role| allowed.contains(role));
                }
                Err(error) => return Err(error),
            }
        };
        index += size;

        let mut work: Vec<(PersonId, TaskList)> = Vec::new();
        for (registered, case) in registered.iter().zip(cases) {
            if let Some((trace, identity)) = case.new_identity {
                pool.keep(&mut rng, trace, identity);
            }
            summary.cases += 1;
            if registered.prior_incidents > 0 {
                summary.perpetrators_reused += 1;
            }
            on_committed(summary.cases, registered);

            // Older cases are worked off by the handler; a few keep their last task open.
            // Only a current holder of the handler role may (see `access`).
            if case.report.facts.occurred_at >= span.worked_off_before {
                continue;
            }
            let actor = roster
                .iter()
                .find(|m| m.holds_current(registered.plan.handler))
                .map(|m| m.id.clone());
            let Some(actor) = actor else { continue };
            let mut codes: Vec<_> = registered.plan.tasks.iter().map(|t| t.code).collect();
            if chance(&mut rng, 5) {
                codes.pop();
            }
            let items = codes.into_iter().map(|code| {
                (
                    registered.case.clone(),
                    code,
                    Some(pick(&mut rng, &REMARKS).to_string()),
                )
            });
            match work.iter_mut().find(|(who, _)| *who == actor) {
                Some((_, list)) => list.extend(items),
                None => work.push((actor, items.collect())),
            }
        }
        for (actor, items) in work {
            summary.tasks_done += items.len() as u64;
            register
                .complete_tasks(&actor, organisation, &items)
                .await?;
        }
    }
    Ok(summary)
}

/// Tasks to complete, with a remark each.
type TaskList = Vec<(
    crate::model::CaseId,
    weerbaar_protocol::TaskCode,
    Option<String>,
)>;

/// The moments cases are spread over.
struct Span {
    tz: TimeZone,
    start: i64,
    end: i64,
    worked_off_before: Timestamp,
}

impl Span {
    fn new(first_year: i16, last_year: i16, tz: &TimeZone) -> Result<Span, RegisterError> {
        let new_year = |year: i16| -> Result<Timestamp, RegisterError> {
            Date::new(year, 1, 1)
                .and_then(|date| date.to_datetime(Time::midnight()).to_zoned(tz.clone()))
                .map(|zoned| zoned.timestamp())
                .map_err(|error| RegisterError::invalid("years", error.to_string()))
        };
        let start = new_year(first_year)?;
        let end = new_year(last_year.saturating_add(1))?.min(Timestamp::now());
        if end <= start {
            return Err(RegisterError::invalid(
                "first_year",
                format!("{first_year} lies in the future"),
            ));
        }
        let worked_off_before = end
            .checked_sub(SignedDuration::from_hours(24 * WORKED_OFF_AFTER_DAYS))
            .map_err(|error| RegisterError::invalid("years", error.to_string()))?;
        Ok(Span {
            tz: tz.clone(),
            start: start.as_second(),
            end: end.as_second(),
            worked_off_before,
        })
    }

    /// The moment of case `index` of `count`: cases follow each other through the span, at
    /// an hour of the day drawn from `hours`.
    fn moment(
        &self,
        rng: &mut StdRng,
        index: u64,
        count: u64,
        hours: &[(i8, u32)],
    ) -> Result<Timestamp, RegisterError> {
        let fraction = (index as f64 + rng.random::<f64>()) / count.max(1) as f64;
        let second =
            self.start + ((self.end - self.start) as f64 * fraction.clamp(0.0, 1.0)) as i64;
        let bad = |error: jiff::Error| RegisterError::invalid("years", error.to_string());
        let date = Timestamp::from_second(second)
            .map_err(bad)?
            .to_zoned(self.tz.clone())
            .date();
        let hour = weighted(rng, hours).unwrap_or(20);
        let minute = rng.random_range(0..60i8);
        let time = Time::new(hour, minute, 0, 0).map_err(bad)?;
        let moment = date
            .to_datetime(time)
            .to_zoned(self.tz.clone())
            .map_err(bad)?
            .timestamp();
        Ok(moment.min(self.end_timestamp()?))
    }

    fn end_timestamp(&self) -> Result<Timestamp, RegisterError> {
        Timestamp::from_second(self.end)
            .map_err(|error| RegisterError::invalid("years", error.to_string()))
    }
}

/// The hour of an incident: evenings most (debates, social media after dinner).
const HOURS: [(i8, u32); 24] = [
    (0, 3),
    (1, 1),
    (2, 1),
    (3, 0),
    (4, 0),
    (5, 0),
    (6, 1),
    (7, 2),
    (8, 3),
    (9, 4),
    (10, 4),
    (11, 4),
    (12, 4),
    (13, 4),
    (14, 4),
    (15, 4),
    (16, 5),
    (17, 6),
    (18, 8),
    (19, 11),
    (20, 13),
    (21, 13),
    (22, 10),
    (23, 6),
];

/// Council meetings and evening gatherings.
const MEETING_HOURS: [(i8, u32); 4] = [(19, 3), (20, 5), (21, 4), (22, 2)];

/// A person of the organisation, as the demo knows them.
#[derive(Debug, Clone)]
struct Member {
    id: PersonId,
    /// Known for the people the demo created; the others' names are encrypted.
    name: Option<String>,
    roles: Vec<(Role, bool)>,
}

impl Member {
    fn holds(&self, role: Role) -> bool {
        self.roles.iter().any(|(r, _)| *r == role)
    }

    fn holds_current(&self, role: Role) -> bool {
        self.roles.iter().any(|(r, current)| *r == role && *current)
    }
}

/// One group of people of a municipality.
struct Group {
    role: Role,
    current: u32,
    former: u32,
}

const ROSTER: [Group; 9] = [
    Group {
        role: Role::Burgemeester,
        current: 1,
        former: 0,
    },
    Group {
        role: Role::Wethouder,
        current: 4,
        former: 1,
    },
    Group {
        role: Role::Raadslid,
        current: 27,
        former: 3,
    },
    Group {
        role: Role::Duolid,
        current: 5,
        former: 1,
    },
    Group {
        role: Role::Fractiemedewerker,
        current: 3,
        former: 0,
    },
    Group {
        role: Role::Griffier,
        current: 1,
        former: 0,
    },
    Group {
        role: Role::Gemeentesecretaris,
        current: 1,
        former: 0,
    },
    Group {
        role: Role::AdviseurVpt,
        current: 1,
        former: 0,
    },
    Group {
        role: Role::Ambtenaar,
        current: 4,
        former: 0,
    },
];

/// The people of the organisation with their roles, oldest first.
async fn existing_people(
    register: &Register,
    organisation: &OrganisationId,
) -> Result<Vec<Member>, RegisterError> {
    let rows: Vec<(String, String, bool)> = on_db!(register.db(), pool => {
        sqlx::query(
            "SELECT p.id, r.role, r.current FROM people p JOIN person_roles r ON r.person_id = p.id \
             WHERE p.organisation_id = $1 ORDER BY p.created_at, p.id, r.role",
        )
        .bind(organisation.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("role")?, row.try_get("current")?)))
        .collect::<Result<_, sqlx::Error>>()?
    });
    let mut members: Vec<Member> = Vec::new();
    for (id, role, current) in rows {
        // A role this version does not know plays no part in the demo.
        let Ok(role) = <Role as Code>::parse(&role) else {
            continue;
        };
        match members.last_mut() {
            Some(last) if last.id.as_str() == id => last.roles.push((role, current)),
            _ => members.push(Member {
                id: PersonId(id),
                name: None,
                roles: vec![(role, current)],
            }),
        }
    }
    Ok(members)
}

/// Adds a person; an e-mail address someone already has is numbered, or left out.
async fn add_person(
    register: &Register,
    organisation: &OrganisationId,
    name: &str,
    email: String,
    roles: Vec<(Role, bool)>,
) -> Result<PersonId, RegisterError> {
    let (local, domain) = email.split_once('@').unwrap_or((email.as_str(), "example"));
    let mut candidates: Vec<Option<String>> = vec![Some(email.clone())];
    candidates.extend((2..6).map(|n| Some(format!("{local}{n}@{domain}"))));
    candidates.push(None);
    let mut last_error = None;
    for email in candidates {
        let person = NewPerson {
            name: name.to_owned(),
            email,
            roles: roles.clone(),
        };
        match register.add_person(organisation, person).await {
            Ok(id) => return Ok(id),
            Err(RegisterError::Invalid { field, reason }) if field == "email" => {
                last_error = Some(RegisterError::Invalid { field, reason });
            }
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| RegisterError::invalid("email", "no free e-mail address")))
}

const FEMALE_NAMES: [&str; 24] = [
    "Anna", "Sanne", "Lotte", "Eva", "Fleur", "Iris", "Noor", "Femke", "Marieke", "Ingrid",
    "Fatma", "Yasmina", "Amira", "Priya", "Esther", "Hanneke", "Joyce", "Mirjam", "Wendy", "Linda",
    "Sevda", "Naima", "Karin", "Judith",
];

const MALE_NAMES: [&str; 24] = [
    "Jan", "Pieter", "Daan", "Bram", "Thijs", "Ruben", "Sander", "Kees", "Henk", "Mohamed",
    "Youssef", "Mehmet", "Rachid", "Erik", "Maarten", "Jeroen", "Gert-Jan", "Wim", "Koen",
    "Stefan", "Anand", "Tjeerd", "Hamza", "Vincent",
];

const SURNAMES: [&str; 48] = [
    "de Vries",
    "Jansen",
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van den Berg",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Postma",
    "Kuipers",
    "Veenstra",
    "Yilmaz",
    "Kaya",
    "El Idrissi",
    "Bouzid",
    "Benali",
    "Demir",
    "Öztürk",
    "Ramdin",
    "Wijnands",
    "Terpstra",
    "van Dam",
    "Koster",
    "Prins",
    "Huisman",
    "Verbeek",
    "Zwart",
];

/// A first name and a surname; `female` picks the list of first names.
fn person_name(rng: &mut StdRng, female: bool) -> (&'static str, &'static str) {
    let first = if female {
        pick(rng, &FEMALE_NAMES)
    } else {
        pick(rng, &MALE_NAMES)
    };
    (first, pick(rng, &SURNAMES))
}

/// A name no one else in the roster has (tries a few times, then accepts a namesake).
fn unique_name(rng: &mut StdRng, taken: &mut HashSet<String>) -> String {
    let mut name = String::new();
    for _ in 0..20 {
        let female = chance(rng, 50);
        let (first, last) = person_name(rng, female);
        name = format!("{first} {last}");
        if !taken.contains(&name) {
            break;
        }
    }
    taken.insert(name.clone());
    name
}

/// `j.devries@leiden.example`, numbered when taken.
fn unique_email(name: &str, domain: &str, taken: &mut HashSet<String>) -> String {
    let (first, last) = name.split_once(' ').unwrap_or(("", name));
    let initial: String = slug(first).chars().take(1).collect();
    let local = if initial.is_empty() {
        slug(last)
    } else {
        format!("{initial}.{}", slug(last))
    };
    let mut email = format!("{local}@{domain}");
    let mut n = 2u32;
    while taken.contains(&email) {
        email = format!("{local}{n}@{domain}");
        n = n.saturating_add(1);
    }
    taken.insert(email.clone());
    email
}

/// Lower-case ASCII letters and digits only: "van der Meer" → "vandermeer".
fn slug(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            'ö' | 'ó' | 'ô' => Some('o'),
            'ü' | 'ú' => Some('u'),
            'é' | 'è' | 'ë' | 'ê' => Some('e'),
            'ı' | 'ï' | 'í' => Some('i'),
            'ş' => Some('s'),
            'ç' => Some('c'),
            'á' | 'à' | 'ä' => Some('a'),
            _ => None,
        })
        .collect()
}

/// "Gemeente Leiden" → "leiden".
fn org_slug(name: &str) -> String {
    let name = name.trim();
    let name = name.strip_prefix("Gemeente ").unwrap_or(name);
    let slug = slug(name);
    if slug.is_empty() {
        String::from("gemeente")
    } else {
        slug
    }
}

/// Who the perpetrator of a scenario is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// A person, identified as far as the channel allows.
    Person,
    /// Nobody knows who (an anonymous letter, a smashed window).
    Unknown,
    /// A group of people.
    Group,
    /// Someone acting for an action group or organisation.
    Organisation,
}

/// One kind of incident, with what goes with it.
struct Scenario {
    weight: u32,
    behaviours: &'static [Behaviour],
    /// One of these is added half of the time.
    optional: &'static [Behaviour],
    channels: &'static [(Channel, u32)],
    meeting: bool,
    relation: Relation,
    /// More victims than one can be named (a mail to the whole council).
    group: bool,
    who: Who,
    injuries: &'static [(Injury, u32)],
    damage: bool,
    /// Percent chance the reporter suspects a criminal offence.
    criminal: u32,
    /// Percent chance the behaviour persists.
    persistent: u32,
    /// Percent chance the perpetrator corrected themselves after a warning.
    corrected: u32,
    templates: &'static [&'static str],
}

const NO_INJURY: &[(Injury, u32)] = &[(Injury::Geen, 1)];
const SHAKEN: &[(Injury, u32)] = &[(Injury::Geen, 75), (Injury::GeestelijkLetsel, 25)];
const ONLINE: &[(Channel, u32)] = &[
    (Channel::SocialeMedia, 70),
    (Channel::Berichtenapp, 15),
    (Channel::Email, 15),
];
const IN_PERSON: &[(Channel, u32)] = &[(Channel::InPersoon, 1)];

use Behaviour as B;

const SCENARIOS: &[Scenario] = &[
    // Verbal aggression: about half of all reports.
    Scenario {
        weight: 13,
        behaviours: &[B::Schelden],
        optional: &[B::Beledigen, B::BelachelijkMaken],
        channels: ONLINE,
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 10,
        persistent: 15,
        corrected: 0,
        templates: &[
            "Onder mijn bericht over {onderwerp} plaatste {account} een reeks reacties waarin ik werd uitgemaakt voor '{woord}'.",
            "Na het debat over {onderwerp} kreeg ik {aantal} berichten van {account}, vol scheldwoorden; ik werd onder meer '{woord}' genoemd.",
            "{account} reageerde op de livestream van de raadsvergadering over {onderwerp} met scheldwoorden aan mijn adres en noemde mij '{woord}'.",
        ],
    },
    Scenario {
        weight: 9,
        behaviours: &[B::Beledigen],
        optional: &[B::Schelden, B::Treiteren],
        channels: &[(Channel::Email, 80), (Channel::Brief, 20)],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 10,
        persistent: 10,
        corrected: 0,
        templates: &[
            "In een lange {bericht} over {onderwerp} werd ik door {account} persoonlijk beledigd en '{woord}' genoemd. De afzender eiste dat ik zou aftreden.",
            "Ik ontving een {bericht} over {onderwerp} waarin mijn werk als volksvertegenwoordiger werd weggezet als 'zakkenvullerij' en ik een '{woord}' werd genoemd.",
        ],
    },
    Scenario {
        weight: 3,
        behaviours: &[B::Beledigen, B::Schelden],
        optional: &[B::SchandeSpreken],
        channels: &[(Channel::Email, 1)],
        meeting: false,
        relation: Relation::Zelf,
        group: true,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 10,
        persistent: 20,
        corrected: 0,
        templates: &[
            "Alle raadsleden ontvingen een e-mail over {onderwerp} waarin de raad werd uitgemaakt voor '{woord}'; enkele collega's en ik werden daarin bij naam genoemd.",
        ],
    },
    Scenario {
        weight: 6,
        behaviours: &[B::Treiteren, B::Pesten],
        optional: &[B::BelachelijkMaken],
        channels: &[
            (Channel::SocialeMedia, 60),
            (Channel::Berichtenapp, 20),
            (Channel::Email, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 5,
        persistent: 70,
        corrected: 0,
        templates: &[
            "Al weken stuurt {account} mij vrijwel dagelijks berichten over {onderwerp}. Ik word belachelijk gemaakt en het houdt niet op, ook niet nadat ik heb gevraagd ermee te stoppen.",
            "{account} reageert op alles wat ik plaats met spottende opmerkingen over {onderwerp} en roept anderen op hetzelfde te doen.",
        ],
    },
    Scenario {
        weight: 6,
        behaviours: &[B::Laster],
        optional: &[B::Smaad, B::Desinformatie],
        channels: &[
            (Channel::SocialeMedia, 80),
            (Channel::Email, 10),
            (Channel::Brief, 10),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 70,
        persistent: 30,
        corrected: 0,
        templates: &[
            "{account} verspreidt een bewerkte foto van mij met de bewering dat ik bij {onderwerp} steekpenningen heb aangenomen. Het bericht is honderden keren gedeeld.",
            "Er gaat een filmpje rond waarin ten onrechte wordt beweerd dat ik {onderwerp} heb gebruikt om mijzelf te verrijken.",
        ],
    },
    Scenario {
        weight: 2,
        behaviours: &[B::Desinformatie],
        optional: &[B::Laster],
        channels: &[(Channel::SocialeMedia, 70), (Channel::Email, 30)],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Organisation,
        injuries: NO_INJURY,
        damage: false,
        criminal: 20,
        persistent: 60,
        corrected: 0,
        templates: &[
            "Een actiegroep tegen {onderwerp} publiceert steeds opnieuw onjuiste beweringen over mij en roept volgers op mij 'eens aan te spreken'.",
        ],
    },
    Scenario {
        weight: 4,
        behaviours: &[B::Discriminatie],
        optional: &[B::Beledigen],
        channels: &[
            (Channel::SocialeMedia, 60),
            (Channel::Email, 20),
            (Channel::InPersoon, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 80,
        persistent: 10,
        corrected: 0,
        templates: &[
            "Naar aanleiding van mijn inbreng over {onderwerp} kreeg ik van {account} reacties over mijn afkomst; er werd gezegd dat ik 'hier niets te zeggen heb'.",
            "Bij een bijeenkomst over {onderwerp} in {plaats} maakte {dader} openlijk kwetsende opmerkingen over mijn geloof.",
        ],
    },
    Scenario {
        weight: 5,
        behaviours: &[B::Ordeverstoring],
        optional: &[B::Schelden, B::Beledigen],
        channels: IN_PERSON,
        meeting: true,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 0,
        persistent: 10,
        corrected: 20,
        templates: &[
            "Tijdens de raadsvergadering over {onderwerp} werd vanaf de publieke tribune herhaaldelijk door mijn spreektijd heen geroepen. De voorzitter heeft de vergadering geschorst.",
            "Bij de behandeling van {onderwerp} in de raadzaal werd ik vanaf de tribune uitgescholden voor '{woord}'; de bode heeft de persoon verwijderd.",
        ],
    },
    Scenario {
        weight: 3,
        behaviours: &[B::Schelden],
        optional: &[B::Uitlokken],
        channels: &[(Channel::InPersoon, 75), (Channel::Telefoon, 25)],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 5,
        persistent: 10,
        corrected: 30,
        templates: &[
            "Bij {plaats} werd ik door {dader} aangesproken over {onderwerp}. Het gesprek liep uit de hand en ik werd luidkeels uitgescholden voor '{woord}'.",
            "Aan de telefoon schreeuwde {account} dat ik een '{woord}' ben en dat het er met {onderwerp} niet bij zou blijven.",
        ],
    },
    // Threats and intimidation: about a third.
    Scenario {
        weight: 12,
        behaviours: &[B::DreigenMetGeweld],
        optional: &[B::Intimidatie, B::Schelden],
        channels: &[
            (Channel::SocialeMedia, 55),
            (Channel::Berichtenapp, 20),
            (Channel::Email, 25),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 100,
        persistent: 15,
        corrected: 0,
        templates: &[
            "{account} schreef mij over {onderwerp}: 'als je zo doorgaat, weet je wat er gebeurt'. Later volgde een bericht dat ik 'een lesje verdien'.",
            "Ik kreeg een {bericht} van {account} waarin stond dat ik 'het niet zal navertellen' als {onderwerp} doorgaat.",
            "Na mijn stem over {onderwerp} schreef {account} dat 'mensen zoals ik een keer iets overkomt'.",
        ],
    },
    Scenario {
        weight: 6,
        behaviours: &[B::Doxing],
        optional: &[B::Intimidatie, B::DreigenMetGeweld],
        channels: &[(Channel::SocialeMedia, 70), (Channel::Berichtenapp, 30)],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 90,
        persistent: 10,
        corrected: 0,
        templates: &[
            "{account} plaatste mijn huisadres en een foto van mijn voordeur online, met de oproep om vanwege {onderwerp} 'eens langs te gaan'.",
        ],
    },
    Scenario {
        weight: 4,
        behaviours: &[B::Stalking],
        optional: &[B::Intimidatie],
        channels: &[
            (Channel::InPersoon, 50),
            (Channel::Berichtenapp, 30),
            (Channel::Telefoon, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 90,
        persistent: 100,
        corrected: 0,
        templates: &[
            "De afgelopen weken staat er 's avonds regelmatig een auto bij mijn huis. De bestuurder, {dader}, volgde mij na de fractievergadering over {onderwerp} naar huis.",
            "Ik word al weken dagelijks benaderd door {account}, die het niet eens is met mijn standpunt over {onderwerp}; in het laatste bericht stond dat hij weet waar ik 's avonds sport.",
        ],
    },
    Scenario {
        weight: 4,
        behaviours: &[B::DreigenMetGeweld, B::Intimidatie],
        optional: &[],
        channels: &[
            (Channel::Brief, 30),
            (Channel::Berichtenapp, 30),
            (Channel::SocialeMedia, 40),
        ],
        meeting: false,
        relation: Relation::Gezin,
        group: false,
        who: Who::Person,
        injuries: &[(Injury::Geen, 50), (Injury::GeestelijkLetsel, 50)],
        damage: false,
        criminal: 100,
        persistent: 10,
        corrected: 0,
        templates: &[
            "Er kwam een {bericht} binnen waarin mijn kinderen bij naam werden genoemd, met de opmerking dat 'ze goed moeten opletten op weg naar school'.",
            "Mijn partner kreeg een {bericht} met de boodschap dat wij 'niet veilig zijn' zolang ik mij met {onderwerp} bezighoud.",
        ],
    },
    Scenario {
        weight: 4,
        behaviours: &[B::Intimidatie],
        optional: &[B::DreigenMetGeweld],
        channels: IN_PERSON,
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 60,
        persistent: 10,
        corrected: 10,
        templates: &[
            "Na afloop van de informatieavond over {onderwerp} in {plaats} ging {dader} dreigend vlak voor mij staan en zei te weten waar ik woon.",
            "Bij {plaats} werd ik door {dader} de weg versperd en toegesproken over {onderwerp}; ik kon pas weg toen omstanders ingrepen.",
        ],
    },
    Scenario {
        weight: 2,
        behaviours: &[B::Intimidatie, B::Ordeverstoring],
        optional: &[B::Schelden],
        channels: IN_PERSON,
        meeting: true,
        relation: Relation::Zelf,
        group: true,
        who: Who::Group,
        injuries: SHAKEN,
        damage: false,
        criminal: 30,
        persistent: 0,
        corrected: 0,
        templates: &[
            "Bij de ingang van het stadhuis stond voor de raadsvergadering een groep van zo'n {aantal} demonstranten tegen {onderwerp}. Raadsleden die naar binnen wilden, werden omsingeld en gefilmd.",
        ],
    },
    Scenario {
        weight: 1,
        behaviours: &[B::DreigingGebouw],
        optional: &[],
        channels: &[
            (Channel::Email, 50),
            (Channel::Telefoon, 30),
            (Channel::SocialeMedia, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Unknown,
        injuries: NO_INJURY,
        damage: false,
        criminal: 100,
        persistent: 0,
        corrected: 0,
        templates: &[
            "In een {bericht} werd gedreigd het stadhuis 'in de fik te steken' als het besluit over {onderwerp} niet wordt teruggedraaid.",
        ],
    },
    Scenario {
        weight: 2,
        behaviours: &[B::SeksueleIntimidatie],
        optional: &[],
        channels: &[
            (Channel::Berichtenapp, 50),
            (Channel::SocialeMedia, 30),
            (Channel::InPersoon, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: SHAKEN,
        damage: false,
        criminal: 70,
        persistent: 40,
        corrected: 0,
        templates: &[
            "Ik ontving ongevraagd seksueel getinte berichten van {account}; ze begonnen na mijn optreden in het debat over {onderwerp}.",
            "Na de bijeenkomst over {onderwerp} in {plaats} maakte {dader} seksueel getinte opmerkingen en bleef mij ongevraagd te dicht naderen.",
        ],
    },
    // Physical violence: under a tenth.
    Scenario {
        weight: 4,
        behaviours: &[B::Beetpakken],
        optional: &[B::Spugen, B::Trekken, B::Schelden],
        channels: IN_PERSON,
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: &[
            (Injury::Geen, 60),
            (Injury::LichamelijkLetsel, 25),
            (Injury::GeestelijkLetsel, 15),
        ],
        damage: false,
        criminal: 100,
        persistent: 0,
        corrected: 0,
        templates: &[
            "Bij het verlaten van {plaats} na de bijeenkomst over {onderwerp} werd ik door {dader} bij mijn arm gegrepen en tegen de deur geduwd.",
            "Tijdens een werkbezoek bij {plaats} werd ik na een woordenwisseling over {onderwerp} door {dader} vastgepakt en aan mijn jas getrokken.",
        ],
    },
    Scenario {
        weight: 2,
        behaviours: &[B::Slaan],
        optional: &[B::Schoppen],
        channels: IN_PERSON,
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: &[
            (Injury::LichamelijkLetsel, 60),
            (Injury::Ziekenhuisopname, 10),
            (Injury::Geen, 20),
            (Injury::GeestelijkLetsel, 10),
        ],
        damage: false,
        criminal: 100,
        persistent: 0,
        corrected: 0,
        templates: &[
            "{dader} liep bij {plaats} op mij af, begon over {onderwerp} en sloeg mij in het gezicht. Omstanders hebben de politie gebeld.",
        ],
    },
    Scenario {
        weight: 2,
        behaviours: &[B::Vernieling],
        optional: &[],
        channels: &[(Channel::Overig, 1)],
        meeting: false,
        relation: Relation::Eigendommen,
        group: false,
        who: Who::Unknown,
        injuries: NO_INJURY,
        damage: true,
        criminal: 100,
        persistent: 0,
        corrected: 0,
        templates: &[
            "De banden van mijn auto zijn lek gestoken en op de motorkap is '{woord}' gekrast, de avond na het besluit over {onderwerp}.",
            "Bij mijn huis is een ruit ingegooid; er lag een steen met een briefje over {onderwerp}.",
        ],
    },
    Scenario {
        weight: 1,
        behaviours: &[B::VoorwerpenGooien, B::Ordeverstoring],
        optional: &[],
        channels: IN_PERSON,
        meeting: true,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 60,
        persistent: 0,
        corrected: 0,
        templates: &[
            "Tijdens de raadsvergadering over {onderwerp} werd vanaf de tribune een flesje naar de sprekers gegooid.",
        ],
    },
    // Emotion and criticism: reported now and then.
    Scenario {
        weight: 4,
        behaviours: &[B::Boosheid],
        optional: &[B::Klagen, B::UitzonderingVragen],
        channels: &[
            (Channel::Telefoon, 40),
            (Channel::Email, 30),
            (Channel::InPersoon, 30),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 0,
        persistent: 30,
        corrected: 0,
        templates: &[
            "Een inwoner was zeer boos over {onderwerp} en bleef aandringen op een uitzondering. Het gesprek was onaangenaam maar bleef binnen de grenzen.",
            "Bij {plaats} sprak {dader} mij zeer boos aan over {onderwerp} en bleef aandringen op een uitzondering. Het gesprek was onaangenaam maar bleef binnen de grenzen.",
        ],
    },
    Scenario {
        weight: 4,
        behaviours: &[B::KritiekOpBeleid],
        optional: &[B::SchandeSpreken, B::TerVerantwoordingRoepen],
        channels: &[
            (Channel::SocialeMedia, 50),
            (Channel::Email, 30),
            (Channel::InPersoon, 20),
        ],
        meeting: false,
        relation: Relation::Zelf,
        group: false,
        who: Who::Person,
        injuries: NO_INJURY,
        damage: false,
        criminal: 0,
        persistent: 30,
        corrected: 0,
        templates: &[
            "Na het besluit over {onderwerp} kreeg ik veel felle kritiek; {account} sprak er schande van en eiste dat ik mij zou verantwoorden.",
            "Bij {plaats} sprak {dader} mij aan over {onderwerp}, sprak er luid schande van en eiste dat ik mij zou verantwoorden.",
        ],
    },
];

const SUBJECTS: [&str; 14] = [
    "het windpark",
    "de nieuwe parkeertarieven",
    "de opvang van asielzoekers",
    "de sluiting van het zwembad",
    "het nieuwe bestemmingsplan",
    "de verhoging van de OZB",
    "de herinrichting van het centrum",
    "de komst van een zonnepark",
    "de bezuinigingen op het jongerenwerk",
    "de bomenkap in het stadspark",
    "het afvalbeleid",
    "de nieuwe woonwijk",
    "het verkeersplan",
    "de begroting",
];

const INSULTS: [&str; 7] = [
    "zakkenvuller",
    "landverrader",
    "leugenaar",
    "clown",
    "volksverrader",
    "oplichter",
    "marionet",
];

/// How a reporter describes someone they met in person.
const MALE_LOOKS: [&str; 5] = [
    "een man van middelbare leeftijd",
    "een jongeman in trainingspak",
    "een oudere man met pet",
    "een man met capuchon",
    "een lange man met baard",
];
const FEMALE_LOOKS: [&str; 3] = [
    "een vrouw van rond de zestig",
    "een vrouw van rond de veertig",
    "een jonge vrouw met zonnebril",
];

/// Where in-person incidents happen: as the narrative says it, and as the place field.
const PLACES: [(&str, &str); 6] = [
    ("het stadhuis", "Stadhuis"),
    ("het buurthuis", "Buurthuis"),
    ("het wijkcentrum", "Wijkcentrum"),
    ("de bibliotheek", "Bibliotheek"),
    ("de supermarkt", "Supermarkt in de wijk"),
    ("de sporthal", "Sporthal"),
];

const REMARKS: [&str; 6] = [
    "Gesprek gevoerd met betrokkene.",
    "Afgehandeld; zie het verslag in het dossier.",
    "Besproken met de wijkagent.",
    "Schermafbeeldingen opgeslagen in het dossier.",
    "Afgestemd met de burgemeester.",
    "Betrokkene geeft aan dat het goed gaat.",
];

const HANDLE_PREFIXES: [&str; 7] = [
    "boze",
    "echte",
    "wakkere",
    "trotse",
    "kritische",
    "eerlijke",
    "stille",
];
const HANDLE_NOUNS: [&str; 7] = [
    "burger",
    "inwoner",
    "belastingbetaler",
    "buurman",
    "kiezer",
    "stadjer",
    "waarheid",
];
const MAIL_DOMAINS: [&str; 4] = [
    "mail.example",
    "post.example",
    "webmail.example",
    "inbox.example",
];
const GROUPS: [&str; 4] = ["Stop", "Red", "Burgers tegen", "Platform"];

/// A generated report, and the perpetrator's identity if it is new and can come back.
struct GeneratedCase {
    report: NewReport,
    new_identity: Option<(Trace, PerpetratorDetails)>,
}

/// The detail by which a perpetrator is recognised when they come back, by channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trace {
    Account,
    Email,
    Phone,
    /// Seen in person: a name with a date of birth, or a licence plate.
    Face,
}

impl Trace {
    const ALL: [Trace; 4] = [Trace::Account, Trace::Email, Trace::Phone, Trace::Face];

    fn of(channel: Channel) -> Trace {
        match channel {
            Channel::SocialeMedia => Trace::Account,
            Channel::Email => Trace::Email,
            Channel::Telefoon | Channel::Berichtenapp => Trace::Phone,
            Channel::InPersoon | Channel::Brief | Channel::Overig => Trace::Face,
        }
    }

    fn index(self) -> usize {
        match self {
            Trace::Account => 0,
            Trace::Email => 1,
            Trace::Phone => 2,
            Trace::Face => 3,
        }
    }

    /// Whether `details` carry this trace, so that the register can match them.
    fn found_in(self, details: &PerpetratorDetails) -> bool {
        match self {
            Trace::Account => !details.accounts.is_empty(),
            Trace::Email => details.email.is_some(),
            Trace::Phone => details.phone.is_some(),
            Trace::Face => {
                details.licence_plate.is_some()
                    || (details.name.is_some() && details.date_of_birth.is_some())
            }
        }
    }
}

/// Earlier perpetrators who can come back, per trace, each list at most
/// `PERPETRATOR_POOL` long.
#[derive(Default)]
struct Pool {
    by_trace: [Vec<PerpetratorDetails>; 4],
}

impl Pool {
    fn get(&self, trace: Trace) -> &[PerpetratorDetails] {
        self.by_trace.get(trace.index()).map_or(&[], Vec::as_slice)
    }

    fn keep(&mut self, rng: &mut StdRng, trace: Trace, identity: PerpetratorDetails) {
        let Some(list) = self.by_trace.get_mut(trace.index()) else {
            return;
        };
        if list.len() < PERPETRATOR_POOL {
            list.push(identity);
        } else if let Some(slot) = list.get_mut(rng.random_range(0..PERPETRATOR_POOL)) {
            *slot = identity;
        }
    }
}

/// Case `index` of `count`; the organisation is left empty for the caller to fill in.
fn generate_case(
    rng: &mut StdRng,
    span: &Span,
    index: u64,
    count: u64,
    roster: &[Member],
    routable: &[Role],
    pool: &Pool,
) -> Result<GeneratedCase, RegisterError> {
    let weights: Vec<(usize, u32)> = SCENARIOS
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.weight))
        .collect();
    let scenario = weighted(rng, &weights)
        .and_then(|i| SCENARIOS.get(i))
        .ok_or_else(|| RegisterError::invalid("scenario", "no scenarios"))?;

    // The victims.
    let roles: Vec<(Role, u32)> = VICTIM_ROLES
        .iter()
        .copied()
        .filter(|(role, _)| routable.contains(role))
        .filter(|(role, _)| roster.iter().any(|m| m.holds(*role)))
        .collect();
    let role = weighted(rng, &roles).ok_or_else(|| {
        RegisterError::invalid(
            "organisation",
            "the organisation has nobody in a role its protocol routes \
             (raadslid, duolid, wethouder, burgemeester, fractiemedewerker)",
        )
    })?;
    let holders: Vec<&Member> = roster.iter().filter(|m| m.holds(role)).collect();
    let current: Vec<&Member> = holders
        .iter()
        .copied()
        .filter(|m| m.holds_current(role))
        .collect();
    let former: Vec<&Member> = holders
        .iter()
        .copied()
        .filter(|m| !m.holds_current(role))
        .collect();
    let victim = if !former.is_empty() && (current.is_empty() || chance(rng, 7)) {
        pick_slice(rng, &former)
    } else {
        pick_slice(rng, &current)
    }
    .copied()
    .ok_or_else(|| RegisterError::invalid("victims", "nobody to name as victim"))?;
    let mut victims = vec![NewVictim {
        person: victim.id.clone(),
        role,
        relation: scenario.relation,
    }];
    if scenario.group {
        let extra = rng.random_range(1..=3usize);
        let mut colleagues: Vec<(&Member, Role)> = roster
            .iter()
            .filter(|m| m.id != victim.id)
            .filter_map(|m| {
                [Role::Raadslid, Role::Duolid]
                    .into_iter()
                    .find(|r| routable.contains(r) && m.holds_current(*r))
                    .map(|r| (m, r))
            })
            .collect();
        for _ in 0..extra {
            if colleagues.is_empty() {
                break;
            }
            let (colleague, role) = colleagues.swap_remove(rng.random_range(0..colleagues.len()));
            victims.push(NewVictim {
                person: colleague.id.clone(),
                role,
                relation: Relation::Zelf,
            });
        }
    }

    // Who reports: mostly the victim, sometimes someone on their behalf.
    let mut reporter = victim;
    let mut on_behalf = false;
    if chance(rng, 15) {
        let helpers: &[Role] = match role {
            Role::Wethouder | Role::Burgemeester => &[Role::AdviseurVpt, Role::Gemeentesecretaris],
            _ => &[Role::Fractiemedewerker, Role::Griffier],
        };
        let candidates: Vec<&Member> = roster
            .iter()
            .filter(|m| m.id != victim.id)
            .filter(|m| helpers.iter().any(|r| m.holds_current(*r)))
            .collect();
        if let Some(helper) = pick_slice(rng, &candidates) {
            reporter = helper;
            on_behalf = true;
        }
    }

    // What happened, where and when.
    let mut behaviours: BTreeSet<Behaviour> = scenario.behaviours.iter().copied().collect();
    if chance(rng, 50)
        && let Some(extra) = pick_slice(rng, scenario.optional)
    {
        behaviours.insert(*extra);
    }
    let channel = weighted(rng, scenario.channels).unwrap_or(Channel::Overig);
    let hours: &[(i8, u32)] = if scenario.meeting {
        &MEETING_HOURS
    } else {
        &HOURS
    };
    let occurred = span.moment(rng, index, count, hours)?;
    let delay_days = weighted(rng, &[(0i64, 50), (1, 30), (2, 12), (3, 8)]).unwrap_or(0);
    let delay = SignedDuration::from_mins(delay_days * 24 * 60 + rng.random_range(20..=720i64));
    let reported = occurred
        .checked_add(delay)
        .map_err(|error| RegisterError::invalid("years", error.to_string()))?
        .min(span.end_timestamp()?)
        .max(occurred);
    let (place_phrase, place_field) = pick(rng, &PLACES);

    // The perpetrator; someone met in person is described as they looked.
    let (perpetrator, new_identity) = perpetrator(rng, scenario, channel, pool);
    let fallback_looks = pick(rng, &MALE_LOOKS);
    let looks = match (&perpetrator.kind, &perpetrator.details.description) {
        (PerpetratorKind::Persoon, Some(description)) if channel == Channel::InPersoon => {
            description.as_str()
        }
        _ => fallback_looks,
    };
    let known = perpetrator.kind != PerpetratorKind::Onbekend
        && (perpetrator.kind != PerpetratorKind::Persoon
            || perpetrator.details.name.is_some()
            || Trace::ALL.iter().any(|t| t.found_in(&perpetrator.details)));

    // The account, from a template that fits the channel.
    let in_person = channel == Channel::InPersoon;
    let on_the_spot = |t: &&&str| t.contains("{dader}") || t.contains("{plaats}");
    let fitting: Vec<&str> = scenario
        .templates
        .iter()
        .filter(|t| on_the_spot(t) == in_person)
        .copied()
        .collect();
    let template = pick_slice(rng, &fitting)
        .or_else(|| pick_slice(rng, scenario.templates))
        .copied()
        .unwrap_or("Er gebeurde iets rond {onderwerp}.");
    let body = template
        .replace("{onderwerp}", pick(rng, &SUBJECTS))
        .replace("{woord}", pick(rng, &INSULTS))
        .replace("{dader}", looks)
        .replace("{plaats}", place_phrase)
        .replace("{aantal}", &rng.random_range(5..=40u32).to_string())
        .replace("{bericht}", message_word(channel))
        .replace("{account}", &sender(&perpetrator.details, channel));
    let body = capitalise(&body);
    let narrative = if on_behalf {
        let who = victim.name.as_deref().unwrap_or("de betrokkene");
        format!("Namens {who} ({role}) geef ik het volgende door: \"{body}\"")
    } else {
        body
    };
    let place = if scenario.who == Who::Group {
        Some(String::from("Stadhuis, ingang"))
    } else if scenario.meeting {
        Some(String::from("Stadhuis, raadzaal"))
    } else {
        match channel {
            Channel::InPersoon if template.contains("{plaats}") => Some(String::from(place_field)),
            Channel::InPersoon | Channel::Overig if template.contains("huis") => {
                Some(String::from("Bij de woning van de betrokkene"))
            }
            Channel::Overig => Some(String::from("Bij de woning van de betrokkene")),
            _ => None,
        }
    };

    let facts = Facts {
        occurred_at: occurred,
        reported_at: Some(reported),
        victim: Victim {
            role,
            former: !victim.holds_current(role),
        },
        behaviours: behaviours.into_iter().map(Into::into).collect(),
        channel,
        persistent: chance(rng, scenario.persistent),
        corrected_after_warning: chance(rng, scenario.corrected),
        injury: weighted(rng, scenario.injuries).unwrap_or(Injury::Geen),
        criminal_offence_suspected: chance(rng, scenario.criminal),
        perpetrator_known: known,
        prior_incidents: 0,
        damage: scenario.damage,
        addressed: None,
        report_to: None,
        situation: None,
    };
    Ok(GeneratedCase {
        report: NewReport {
            organisation: OrganisationId(String::new()),
            reporter: reporter.id.clone(),
            on_behalf,
            victims,
            facts,
            narrative,
            place,
            during_meeting: scenario.meeting,
            perpetrator: Some(perpetrator),
        },
        new_identity,
    })
}

/// What a message by this channel is called.
fn message_word(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "e-mail",
        Channel::Brief => "brief",
        Channel::SocialeMedia => "reactie",
        Channel::Berichtenapp => "appbericht",
        Channel::Telefoon => "voicemail",
        Channel::InPersoon | Channel::Overig => "bericht",
    }
}

/// How the reporter names the sender: by account, address or number as far as known.
fn sender(details: &PerpetratorDetails, channel: Channel) -> String {
    let by = |what: &str| match &details.name {
        Some(name) => format!("{name} ({what})"),
        None => what.to_owned(),
    };
    match (
        channel,
        details.accounts.first(),
        &details.email,
        &details.phone,
    ) {
        (Channel::SocialeMedia, Some(account), _, _) => account.clone(),
        (Channel::Email, _, Some(email), _) => by(email),
        (Channel::Telefoon | Channel::Berichtenapp, _, _, Some(phone)) => {
            by(&format!("nummer {phone}"))
        }
        (_, Some(account), _, _) => account.clone(),
        _ => match (&details.name, channel) {
            (Some(name), _) => name.clone(),
            (None, Channel::SocialeMedia) => String::from("een anoniem account"),
            (None, _) => String::from("een onbekende afzender"),
        },
    }
}

/// The perpetrator of a scenario: someone who came before (about a third of the persons,
/// recognised by the trace this channel leaves), or someone new, identified as far as the
/// channel allows. The second value is a new identity that can come back.
fn perpetrator(
    rng: &mut StdRng,
    scenario: &Scenario,
    channel: Channel,
    pool: &Pool,
) -> (NewPerpetrator, Option<(Trace, PerpetratorDetails)>) {
    let plain = |kind, details| NewPerpetrator { kind, details };
    match scenario.who {
        Who::Unknown => {
            let what = match channel {
                Channel::Overig => "niet gezien; 's nachts gebeurd",
                Channel::Telefoon => "afgeschermd nummer",
                _ => "anoniem",
            };
            let details = PerpetratorDetails {
                description: Some(String::from(what)),
                ..PerpetratorDetails::default()
            };
            (plain(PerpetratorKind::Onbekend, details), None)
        }
        Who::Group => {
            let details = PerpetratorDetails {
                description: Some(String::from("groep demonstranten, deels gemaskerd")),
                on_behalf_of: chance(rng, 50).then(|| group_name(rng)),
                ..PerpetratorDetails::default()
            };
            (plain(PerpetratorKind::Collectief, details), None)
        }
        Who::Organisation => {
            let details = PerpetratorDetails {
                on_behalf_of: Some(group_name(rng)),
                accounts: vec![handle(rng)],
                description: Some(String::from("woordvoerder van een actiegroep")),
                ..PerpetratorDetails::default()
            };
            (plain(PerpetratorKind::NamensOrganisatie, details), None)
        }
        Who::Person => {
            let trace = Trace::of(channel);
            if chance(rng, 35)
                && let Some(known) = pick_slice(rng, pool.get(trace))
            {
                // The register keeps the details of the first report; so does the reporter.
                return (plain(PerpetratorKind::Persoon, known.clone()), None);
            }
            // Most perpetrators are men.
            let female = chance(rng, 25);
            let looks = if female {
                pick(rng, &FEMALE_LOOKS)
            } else {
                pick(rng, &MALE_LOOKS)
            };
            let (first, last) = person_name(rng, female);
            let name = format!("{first} {last}");
            let mut details = PerpetratorDetails::default();
            match channel {
                Channel::SocialeMedia => {
                    details.accounts.push(handle(rng));
                    details.name = chance(rng, 20).then(|| name.clone());
                }
                Channel::Email => {
                    details.email = Some(format!(
                        "{}.{}{}@{}",
                        slug(first),
                        slug(last),
                        rng.random_range(1..100u32),
                        pick(rng, &MAIL_DOMAINS)
                    ));
                    details.name = chance(rng, 70).then(|| name.clone());
                }
                Channel::Telefoon | Channel::Berichtenapp => {
                    if chance(rng, 75) {
                        // Fictitious numbers: 06-00 is not handed out.
                        details.phone =
                            Some(format!("06-00{:06}", rng.random_range(0..1_000_000u32)));
                        details.name = chance(rng, 30).then(|| name.clone());
                    } else {
                        details.description = Some(String::from("afgeschermd nummer"));
                    }
                }
                Channel::Brief => {
                    if chance(rng, 50) {
                        details.name = Some(name.clone());
                    } else {
                        details.description = Some(String::from("anonieme brief"));
                    }
                }
                Channel::InPersoon | Channel::Overig => {
                    details.description = Some(looks.to_owned());
                    if chance(rng, 35) {
                        details.name = Some(name.clone());
                        // Known to the police or the organisation.
                        if chance(rng, 40) {
                            // Born as old as they looked.
                            let born = if looks.contains("jong") {
                                1995..=2006u32
                            } else if looks.contains("oudere") || looks.contains("zestig") {
                                1950..=1966
                            } else {
                                1966..=1994
                            };
                            details.date_of_birth = Some(format!(
                                "{:04}-{:02}-{:02}",
                                rng.random_range(born),
                                rng.random_range(1..=12u32),
                                rng.random_range(1..=28u32)
                            ));
                        }
                    }
                    if scenario.behaviours.contains(&B::Stalking) && chance(rng, 50) {
                        details.licence_plate = Some(licence_plate(rng));
                    }
                }
            }
            let new = trace.found_in(&details).then(|| (trace, details.clone()));
            (plain(PerpetratorKind::Persoon, details), new)
        }
    }
}

/// `@boze_burger_1234`.
fn handle(rng: &mut StdRng) -> String {
    format!(
        "@{}_{}_{}",
        pick(rng, &HANDLE_PREFIXES),
        pick(rng, &HANDLE_NOUNS),
        rng.random_range(10..10_000u32)
    )
}

/// "Stop het windpark"-style names of invented action groups.
fn group_name(rng: &mut StdRng) -> String {
    let subject = pick(rng, &SUBJECTS);
    format!("Actiegroep {} {subject}", pick(rng, &GROUPS))
}

/// A Dutch-style plate (XX-999-X), made up.
fn licence_plate(rng: &mut StdRng) -> String {
    const LETTERS: [char; 20] = [
        'B', 'D', 'F', 'G', 'H', 'J', 'K', 'L', 'N', 'P', 'R', 'S', 'T', 'V', 'X', 'Z', 'G', 'K',
        'N', 'T',
    ];
    format!(
        "{}{}-{:03}-{}",
        pick(rng, &LETTERS),
        pick(rng, &LETTERS),
        rng.random_range(0..1000u32),
        pick(rng, &LETTERS)
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One of a non-empty array (the length is checked when compiling).
fn pick<T: Copy, const N: usize>(rng: &mut StdRng, items: &[T; N]) -> T {
    const { assert!(N > 0) };
    items[rng.random_range(0..N)]
}

/// One of a slice, if it has any.
fn pick_slice<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(rng.random_range(0..items.len()))
    }
}

/// One of the items, as often as its weight says; `None` when all weights are 0.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> Option<T> {
    let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut draw = rng.random_range(0..total);
    for (item, weight) in items {
        let weight = u64::from(*weight);
        if draw < weight {
            return Some(*item);
        }
        draw -= weight;
    }
    None
}

/// True `percent` times in a hundred.
fn chance(rng: &mut StdRng, percent: u32) -> bool {
    rng.random_range(0..100u32) < percent
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use weerbaar_protocol::{Category, preset_text};

    use super::*;
    use crate::crypto::MasterKey;

    async fn register_with(preset: &str) -> (tempfile::TempDir, Register, OrganisationId) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let register = Register::open(&url, MasterKey::generate()).await.unwrap();
        let organisation = register
            .create_organisation("Gemeente Voorbeeld", preset_text(preset).unwrap())
            .await
            .unwrap();
        (dir, register, organisation)
    }

    fn options(cases: u64, seed: u64) -> SeedOptions {
        SeedOptions {
            cases,
            seed,
            first_year: 2023,
            last_year: 2024,
        }
    }

    async fn seeded(
        preset: &str,
        options: &SeedOptions,
    ) -> (
        tempfile::TempDir,
        Register,
        OrganisationId,
        SeedSummary,
        BTreeMap<Category, u64>,
    ) {
        let (dir, register, organisation) = register_with(preset).await;
        let mut categories = BTreeMap::new();
        let mut numbers = Vec::new();
        let summary = seed(&register, &organisation, options, |n, registered| {
            *categories.entry(registered.plan.category).or_insert(0) += 1;
            numbers.push((n, registered.number));
        })
        .await
        .unwrap();
        assert_eq!(summary.cases, options.cases);
        let expected: Vec<(u64, i64)> = (1..=options.cases).map(|n| (n, n as i64)).collect();
        assert_eq!(
            numbers, expected,
            "called once per committed report, in order"
        );
        (dir, register, organisation, summary, categories)
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_cases_and_a_handler_has_open_tasks() {
        let (_dir, register, organisation, summary, first) =
            seeded("leiden", &options(30, 7)).await;
        let (_dir2, _, _, again, second) = seeded("leiden", &options(30, 7)).await;
        assert_eq!(first, second, "same seed, same category counts");
        assert_eq!(summary, again);
        assert_eq!(first.values().sum::<u64>(), 30);
        assert!(summary.people >= 40, "{summary:?}");
        assert!(
            summary.tasks_done > 0,
            "older cases are worked off: {summary:?}"
        );

        let open = register
            .open_tasks(&organisation, Role::Griffier)
            .await
            .unwrap();
        assert!(!open.is_empty(), "the griffier has open tasks");

        // Seeding again adds cases, not people.
        let more = seed(&register, &organisation, &options(3, 8), |_, _| {})
            .await
            .unwrap();
        assert_eq!((more.people, more.cases), (0, 3));
    }

    #[tokio::test]
    async fn perpetrators_come_back() {
        let (_dir, _register, _organisation, summary, categories) =
            seeded("leiden", &options(60, 1)).await;
        assert!(summary.perpetrators_reused > 0, "{summary:?}");
        // Mostly verbal aggression and intimidation.
        let verbal_or_threat = categories.get(&Category::VerbaleAgressie).unwrap_or(&0)
            + categories
                .get(&Category::BedreigingIntimidatie)
                .unwrap_or(&0);
        assert!(verbal_or_threat >= 40, "{categories:?}");
    }

    #[tokio::test]
    async fn victims_hold_only_roles_the_protocol_routes_even_of_an_own_protocol() {
        // An own protocol (no preset): the roles it routes come from the register.
        let own = preset_text("model")
            .unwrap()
            .replace("id = \"model\"", "id = \"eigen\"");
        let routed = weerbaar_protocol::Protocol::from_toml(&own)
            .unwrap()
            .routable_roles();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let register = Register::open(&url, MasterKey::generate()).await.unwrap();
        let organisation = register
            .create_organisation("Gemeente Eigen", &own)
            .await
            .unwrap();
        let mut cases = Vec::new();
        let summary = seed(
            &register,
            &organisation,
            &options(40, 3),
            |_, registered| {
                cases.push(registered.case.clone());
            },
        )
        .await
        .unwrap();
        assert_eq!(summary.cases, 40);
        let people = existing_people(&register, &organisation).await.unwrap();
        let mut seen = BTreeSet::new();
        for case in &cases {
            // Only the case's handler opens it in full.
            let mut handler = None;
            for member in &people {
                let access = register.case_access(&member.id, case).await.unwrap();
                if access == crate::access::CaseAccess::Handler {
                    handler = Some(member.id.clone());
                    break;
                }
            }
            let view = register
                .open_case(&handler.expect("every case has a handler"), case)
                .await
                .unwrap();
            assert!(routed.contains(&view.victim_role), "{:?}", view.victim_role);
            seen.insert(view.victim_role);
            let narrative = view.narrative.unwrap_or_default();
            assert!(
                !narrative.is_empty() && !narrative.contains('{'),
                "{narrative}"
            );
            assert_eq!(view.perpetrators.len(), 1);
        }
        assert!(seen.len() >= 3, "{seen:?}");
    }

    #[tokio::test]
    async fn a_protocol_without_municipal_offices_is_an_error() {
        // Utrecht's routes for the province only: the preset's id and version, so the demo
        // first believes the preset, then learns from the register's refusal.
        let mut own = String::new();
        let mut skip = false;
        for line in preset_text("utrecht").unwrap().lines() {
            if line.starts_with("[routing.victims.") {
                skip = [
                    "burgemeester",
                    "wethouder",
                    "raadslid",
                    "dijkgraaf",
                    "bestuurslid",
                ]
                .iter()
                .any(|role| line.contains(role));
            } else if line.starts_with('[') {
                skip = false;
            }
            if !skip {
                own.push_str(&line.replace(
                    "bodies = [\"gemeente\", \"provincie\", \"waterschap\"]",
                    "bodies = [\"provincie\"]",
                ));
                own.push('\n');
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let register = Register::open(&url, MasterKey::generate()).await.unwrap();
        let organisation = register
            .create_organisation("Provincie Voorbeeld", &own)
            .await
            .unwrap();
        let error = seed(&register, &organisation, &options(5, 0), |_, _| {})
            .await
            .unwrap_err();
        assert!(error.to_string().contains("routes"), "{error}");
    }

    #[tokio::test]
    async fn bad_options_are_errors() {
        let (_dir, register, organisation) = register_with("model").await;
        let backwards = SeedOptions {
            cases: 1,
            seed: 0,
            first_year: 2025,
            last_year: 2024,
        };
        let error = seed(&register, &organisation, &backwards, |_, _| {})
            .await
            .unwrap_err();
        assert!(error.to_string().contains("first_year"), "{error}");
        let outside = SeedOptions {
            first_year: 1800,
            last_year: 2024,
            ..backwards.clone()
        };
        assert!(
            seed(&register, &organisation, &outside, |_, _| {})
                .await
                .is_err()
        );
        let future = SeedOptions {
            first_year: 2990,
            last_year: 2991,
            ..backwards
        };
        assert!(
            seed(&register, &organisation, &future, |_, _| {})
                .await
                .is_err()
        );
        let unknown = OrganisationId(String::from("nope"));
        assert!(
            seed(&register, &unknown, &options(1, 0), |_, _| {})
                .await
                .is_err()
        );
    }
}
