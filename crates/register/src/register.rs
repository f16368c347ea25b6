//! The register's operations. Each one is a single transaction: a report is either
//! stored whole — case, victims, behaviours, perpetrator, events, tasks — or not at all.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use serde_json::json;
use sqlx::Row;
use weerbaar_protocol::{Code, Due, Facts, Protocol, Role, TaskCode, evaluate};

use crate::access::{ACT, READ_ALL, access_in, append_read, require};
use crate::crypto::{DataKey, IndexKind, MasterKey};
use crate::db::{BeginWrite, Db, on_db};
use crate::error::RegisterError;
use crate::model::*;
use crate::people::{SealedPerson, insert_person_in_tx};
use crate::time::{from_micros, now, to_micros};

/// The register of one installation: a database and the master key that unlocks each
/// organisation's data key.
pub struct Register {
    db: Db,
    master: MasterKey,
    protocols: Mutex<HashMap<String, Arc<Protocol>>>,
    /// Where evidence files are kept, sealed; `None` refuses evidence files.
    evidence_dir: Option<std::path::PathBuf>,
    /// The installation's retention periods, for organisations that set none of their own.
    retention_defaults: crate::retention::RetentionPolicy,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("backend", &self.db.backend())
            .finish_non_exhaustive()
    }
}

/// Associated data for each encrypted column: a ciphertext moved to another row or
/// column no longer decrypts.
pub(crate) fn aad(column: &str, row: &str) -> Vec<u8> {
    format!("{column}:{row}").into_bytes()
}

/// Appends one event to a case inside an open transaction: takes the next sequence
/// number and the last hash from the case row (which locks it on PostgreSQL, so
/// concurrent appends to one case queue up), seals the payload, chains the hash.
macro_rules! append_event {
    ($tx:expr, $key:expr, $case:expr, $kind:expr, $actor:expr, $at:expr, $payload:expr) => {{
        let case: &$crate::model::CaseId = $case;
        let row = sqlx::query(
            "UPDATE cases SET event_count = event_count + 1 WHERE id = $1 \
             RETURNING event_count, last_hash",
        )
        .bind(case.as_str())
        .fetch_one(&mut *$tx)
        .await?;
        let seq: i64 = sqlx::Row::try_get(&row, "event_count")?;
        let prev: Option<Vec<u8>> = sqlx::Row::try_get(&row, "last_hash")?;
        let prev = prev.unwrap_or_else(|| $crate::chain::GENESIS.to_vec());
        let kind: $crate::model::EventKind = $kind;
        let actor: Option<&$crate::model::PersonId> = $actor;
        let at: i64 = $at;
        let payload: serde_json::Value = $payload;
        let payload_enc = $key.seal(
            payload.to_string().as_bytes(),
            &$crate::register::aad("events.payload", &format!("{case}:{seq}")),
        );
        let digest = $crate::chain::payload_digest(&payload_enc);
        let hash = $crate::chain::ChainedEvent {
            case_id: case.as_str(),
            seq,
            kind: kind.as_str(),
            actor_id: actor.map($crate::model::PersonId::as_str),
            at,
            payload_digest: &digest,
            prev_hash: &prev,
        }
        .hash();
        sqlx::query(
            "INSERT INTO events (case_id, seq, kind, actor_id, at, payload_enc, payload_digest, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(case.as_str())
        .bind(seq)
        .bind(kind.as_str())
        .bind(actor.map($crate::model::PersonId::as_str))
        .bind(at)
        .bind(payload_enc)
        .bind(digest.to_vec())
        .bind(prev)
        .bind(hash.to_vec())
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE cases SET last_hash = $1 WHERE id = $2")
            .bind(hash.to_vec())
            .bind(case.as_str())
            .execute(&mut *$tx)
            .await?;
        seq
    }};
}
pub(crate) use append_event;

/// Registers reports inside an open write transaction `$tx` (see `register_reports`):
/// shared with `promote_consult`, which registers its report in the same transaction that
/// closes the consult.
macro_rules! register_in_tx {
    ($tx:ident, $reports:expr, $key:expr, $protocol:expr, $org:expr) => {{
        let key = &$key;
        let protocol = &$protocol;
        let org = &$org;
        let mut registered = Vec::with_capacity($reports.len());
        for report in $reports.iter() {
            let Some(main) = report.victims.first() else {
                return Err(RegisterError::invalid("victims", "a report names at least one victim"));
            };
            let case = CaseId::generate();
            let at = to_micros(now());
            let perpetrator_digests = report
                .perpetrator
                .as_ref()
                .map(|p| digests(key, &p.details))
                .unwrap_or_default();

                // Every person named must belong to this organisation and hold the role.
                let reporter = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                    .bind(report.reporter.as_str())
                    .bind(org.as_str())
                    .fetch_optional(&mut *$tx)
                    .await?;
                if reporter.is_none() {
                    return Err(RegisterError::NotFound { what: "reporter", id: report.reporter.to_string() });
                }
                let mut victims = Vec::new();
                for (index, victim) in report.victims.iter().enumerate() {
                    let row = sqlx::query(
                        "SELECT r.current FROM person_roles r JOIN people p ON p.id = r.person_id \
                         WHERE r.person_id = $1 AND r.role = $2 AND p.organisation_id = $3",
                    )
                    .bind(victim.person.as_str())
                    .bind(victim.role.as_str())
                    .bind(org.as_str())
                    .fetch_optional(&mut *$tx)
                    .await?;
                    let Some(row) = row else {
                        return Err(RegisterError::invalid(
                            format!("victims[{index}]"),
                            format!("person `{}` does not hold the role `{}` in this organisation", victim.person, victim.role),
                        ));
                    };
                    let current: bool = row.try_get("current")?;
                    victims.push((victim, !current));
                }

                // The case number first: on PostgreSQL this locks the organisation's row,
                // so that concurrent reports about one new perpetrator are matched one after
                // the other instead of each creating the perpetrator anew.
                let number: i64 = sqlx::query(
                    "UPDATE organisations SET case_counter = case_counter + 1 WHERE id = $1 RETURNING case_counter",
                )
                .bind(org.as_str())
                .fetch_one(&mut *$tx)
                .await?
                .try_get("case_counter")?;
                // The perpetrator's earlier cases, against office holders and staff alike.
                let matched = match_perpetrator(&mut $tx, &org, &perpetrator_digests).await?;
                let prior: u32 = match &matched {
                    Some(perpetrator) => {
                        let row = sqlx::query(
                            "SELECT COUNT(DISTINCT case_id) AS n FROM case_perpetrators WHERE perpetrator_id = $1",
                        )
                        .bind(perpetrator.as_str())
                        .fetch_one(&mut *$tx)
                        .await?;
                        u32::try_from(row.try_get::<i64, _>("n")?).unwrap_or(u32::MAX)
                    }
                    None => 0,
                };
                let mut facts: Facts = report.facts.clone();
                facts.victim.former = victims[0].1;
                facts.prior_incidents = facts.prior_incidents.max(prior);
                let plan = evaluate(&protocol, &facts)?;


                let facts_json = serde_json::to_string(&facts).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                let plan_json = serde_json::to_string(&plan).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
                sqlx::query(
                    "INSERT INTO cases (id, organisation_id, number, kind, status, victim_role, category, \
                     report, handler_role, channel, injury, occurred_at, reported_at, reported_by, on_behalf, \
                     during_meeting, damage, facts_json, plan_json, protocol_version, narrative_enc, place_enc, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     $16, $17, $18, $19, $20, $21, $22, $23)",
                )
                .bind(case.as_str())
                .bind(org.as_str())
                .bind(number)
                .bind(CaseKind::Melding.as_str())
                .bind(CaseStatus::Gemeld.as_str())
                .bind(main.role.as_str())
                .bind(plan.category.as_str())
                .bind(plan.report.as_str())
                .bind(plan.handler.as_str())
                .bind(facts.channel.as_str())
                .bind(facts.injury.as_str())
                .bind(to_micros(facts.occurred_at))
                .bind(to_micros(facts.reported_at()))
                .bind(report.reporter.as_str())
                .bind(report.on_behalf)
                .bind(report.during_meeting)
                .bind(facts.damage)
                .bind(facts_json)
                .bind(plan_json)
                .bind(&protocol.version)
                .bind(key.seal_str(report.narrative.trim(), &aad("cases.narrative", case.as_str())))
                .bind(report.place.as_deref().map(|p| key.seal_str(p, &aad("cases.place", case.as_str()))))
                .bind(at)
                .execute(&mut *$tx)
                .await?;

                for role in BTreeSet::from_iter(plan.informed.iter().copied()) {
                    sqlx::query("INSERT INTO case_informed (case_id, organisation_id, role) VALUES ($1, $2, $3)")
                        .bind(case.as_str())
                        .bind(org.as_str())
                        .bind(role.as_str())
                        .execute(&mut *$tx)
                        .await?;
                }
                for (victim, former) in &victims {
                    sqlx::query(
                        "INSERT INTO case_victims (case_id, person_id, role, former, relation) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(case.as_str())
                    .bind(victim.person.as_str())
                    .bind(victim.role.as_str())
                    .bind(*former)
                    .bind(victim.relation.as_str())
                    .execute(&mut *$tx)
                    .await
                    .map_err(|_| RegisterError::invalid("victims", format!("person `{}` is named twice", victim.person)))?;
                }
                for behaviour in BTreeSet::from_iter(facts.behaviours.iter().copied()) {
                    sqlx::query("INSERT INTO case_behaviours (case_id, behaviour) VALUES ($1, $2)")
                        .bind(case.as_str())
                        .bind(behaviour.as_str())
                        .execute(&mut *$tx)
                        .await?;
                }

                append_event!($tx, key, &case, EventKind::Reported, Some(&report.reporter), at, json!({
                    "reporter": report.reporter,
                    "on_behalf": report.on_behalf,
                    "victims": victims.iter().map(|(v, former)| json!({
                        "person": v.person, "role": v.role, "relation": v.relation.as_str(), "former": former,
                    })).collect::<Vec<_>>(),
                    "during_meeting": report.during_meeting,
                    "facts": facts,
                }));

                let perpetrator = match &report.perpetrator {
                    None => None,
                    Some(new) => {
                        let (id, is_match) =
                            store_perpetrator(&mut $tx, key, &org, &case, new, &perpetrator_digests, matched.as_ref(), at)
                                .await?;
                        append_event!($tx, key, &case, EventKind::PerpetratorLinked, Some(&report.reporter), at, json!({
                            "perpetrator": id,
                            "kind": new.kind.as_str(),
                            "details": new.details,
                            "matched_earlier_cases": is_match,
                            "prior_incidents": prior,
                        }));
                        Some(id)
                    }
                };

                append_event!($tx, key, &case, EventKind::Classified, None, at, json!({
                    "plan": plan,
                    "protocol": protocol.id,
                    "protocol_version": protocol.version,
                }));

                for task in &plan.tasks {
                    let (opens_at, due_at, due_date) = due_columns(&task.due);
                    sqlx::query(
                        "INSERT INTO tasks (case_id, code, assignee_role, opens_at, due_at, due_date, organisation_id, target) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(case.as_str())
                    .bind(task.code.as_str())
                    .bind(plan.handler.as_str())
                    .bind(opens_at)
                    .bind(due_at)
                    .bind(due_date)
                    .bind(org.as_str())
                    .bind(task.target)
                    .execute(&mut *$tx)
                    .await?;
                }

                // The mails the report causes, queued with it: the handler's role, and
                // the informed roles (never to the reporter, who knows).
                $crate::outbox::enqueue_for_role!($tx, org.as_str(), plan.handler.as_str(), None,
                    $crate::outbox::MailKind::NieuweMelding, Some(case.as_str()), None, at);
                for role in BTreeSet::from_iter(plan.informed.iter().copied()) {
                    $crate::outbox::enqueue_for_role!($tx, org.as_str(), role.as_str(), Some(report.reporter.as_str()),
                        $crate::outbox::MailKind::IncidentGemeld, Some(case.as_str()), None, at);
                }

            registered.push(Registered { case, number, plan, perpetrator, prior_incidents: prior });
            }
        registered
    }};
}
pub(crate) use register_in_tx;

impl Register {
    /// Opens the register at `url`, bringing the schema up to date.
    pub async fn open(url: &str, master: MasterKey) -> Result<Register, RegisterError> {
        Ok(Register {
            db: Db::connect(url).await?,
            master,
            protocols: Mutex::new(HashMap::new()),
            evidence_dir: None,
            retention_defaults: crate::retention::RetentionPolicy::default(),
        })
    }

    /// Uses `policy` for every organisation that has no retention periods of its own
    /// (the configuration's `[retention]`).
    pub fn with_retention_defaults(
        mut self,
        policy: crate::retention::RetentionPolicy,
    ) -> Register {
        self.retention_defaults = policy;
        self
    }

    pub fn retention_defaults(&self) -> &crate::retention::RetentionPolicy {
        &self.retention_defaults
    }

    /// Drops every parsed protocol, after a protocol file changed: the cache key holds
    /// the version and length, which an edited file may keep.
    pub(crate) fn forget_protocols(&self) {
        if let Ok(mut cache) = self.protocols.lock() {
            cache.clear();
        }
    }

    /// Keeps evidence files in `dir` (created when needed).
    pub fn with_evidence_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Register {
        self.evidence_dir = Some(dir.into());
        self
    }

    pub fn evidence_dir(&self) -> Option<&std::path::Path> {
        self.evidence_dir.as_deref()
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn master_key(&self) -> &MasterKey {
        &self.master
    }

    /// Adds an organisation with its protocol file and a fresh data key.
    pub async fn create_organisation(
        &self,
        name: &str,
        protocol_toml: &str,
    ) -> Result<OrganisationId, RegisterError> {
        if name.trim().is_empty() {
            return Err(RegisterError::invalid(
                "name",
                "an organisation needs a name",
            ));
        }
        let protocol = Protocol::from_toml(protocol_toml)
            .map_err(|error| RegisterError::invalid("protocol", error.to_string()))?;
        let id = OrganisationId::generate();
        let wrapped = self.master.wrap(&DataKey::generate());
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO organisations (id, name, protocol_id, protocol_toml, protocol_version, \
                 wrapped_key, master_key_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.as_str())
            .bind(name.trim())
            .bind(&protocol.id)
            .bind(protocol_toml)
            .bind(&protocol.version)
            .bind(wrapped)
            .bind(self.master.fingerprint())
            .bind(to_micros(now()))
            .execute(pool)
            .await?;
        });
        Ok(id)
    }

    /// Every organisation in the register: id, name and protocol id.
    pub async fn organisations(&self) -> Result<Vec<OrganisationSummary>, RegisterError> {
        on_db!(&self.db, pool => {
            sqlx::query("SELECT id, name, protocol_id, protocol_version FROM organisations ORDER BY name, id")
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(OrganisationSummary {
                        id: OrganisationId(row.try_get("id")?),
                        name: row.try_get("name")?,
                        protocol_id: row.try_get("protocol_id")?,
                        protocol_version: row.try_get("protocol_version")?,
                    })
                })
                .collect()
        })
    }

    /// Re-wraps every organisation's data key under `new`, in one transaction: either
    /// all organisations move to the new master key or none does. Data and blind indexes
    /// stay as they are, because the data keys themselves do not change.
    pub async fn rotate_master_key(&self, new: &MasterKey) -> Result<usize, RegisterError> {
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let rows = sqlx::query("SELECT id, wrapped_key, master_key_id FROM organisations ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
            for row in &rows {
                let id: String = row.try_get("id")?;
                let key_id: String = row.try_get("master_key_id")?;
                if key_id != self.master.fingerprint() {
                    return Err(RegisterError::WrongMasterKey {
                        organisation: id,
                        given: self.master.fingerprint(),
                        expected: key_id,
                    });
                }
                let data_key = self.master.unwrap(&row.try_get::<Vec<u8>, _>("wrapped_key")?)?;
                sqlx::query("UPDATE organisations SET wrapped_key = $1, master_key_id = $2 WHERE id = $3")
                    .bind(new.wrap(&data_key))
                    .bind(new.fingerprint())
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(rows.len())
        })
    }

    /// The protocol in force for an organisation.
    pub async fn protocol(
        &self,
        organisation: &OrganisationId,
    ) -> Result<Arc<Protocol>, RegisterError> {
        Ok(self.organisation(organisation).await?.1)
    }

    /// The organisation's data key and protocol.
    pub(crate) async fn organisation(
        &self,
        organisation: &OrganisationId,
    ) -> Result<(DataKey, Arc<Protocol>), RegisterError> {
        let row = on_db!(&self.db, pool => {
            sqlx::query(
                "SELECT protocol_toml, protocol_version, wrapped_key, master_key_id \
                 FROM organisations WHERE id = $1",
            )
            .bind(organisation.as_str())
            .fetch_optional(pool)
            .await?
            .map(|row| -> Result<(String, String, Vec<u8>, String), sqlx::Error> {
                Ok((
                    row.try_get("protocol_toml")?,
                    row.try_get("protocol_version")?,
                    row.try_get("wrapped_key")?,
                    row.try_get("master_key_id")?,
                ))
            })
            .transpose()?
        });
        let Some((toml, version, wrapped, key_id)) = row else {
            return Err(RegisterError::NotFound {
                what: "organisation",
                id: organisation.to_string(),
            });
        };
        if key_id != self.master.fingerprint() {
            return Err(RegisterError::WrongMasterKey {
                organisation: organisation.to_string(),
                given: self.master.fingerprint(),
                expected: key_id,
            });
        }
        let key = self.master.unwrap(&wrapped)?;
        let cache_key = format!("{organisation}:{version}:{}", toml.len());
        let cached = self
            .protocols
            .lock()
            .ok()
            .and_then(|cache| cache.get(&cache_key).cloned());
        let protocol = match cached {
            Some(protocol) => protocol,
            None => {
                let protocol = Arc::new(Protocol::from_toml(&toml).map_err(|error| {
                    RegisterError::BrokenProtocol {
                        organisation: organisation.to_string(),
                        reason: error.to_string(),
                    }
                })?);
                if let Ok(mut cache) = self.protocols.lock() {
                    cache.insert(cache_key, Arc::clone(&protocol));
                }
                protocol
            }
        };
        Ok((key, protocol))
    }

    /// Adds an office holder or member of staff.
    pub async fn add_person(
        &self,
        organisation: &OrganisationId,
        person: NewPerson,
    ) -> Result<PersonId, RegisterError> {
        if person.name.trim().is_empty() {
            return Err(RegisterError::invalid("name", "a person needs a name"));
        }
        if person.roles.is_empty() {
            return Err(RegisterError::invalid(
                "roles",
                "a person holds at least one role",
            ));
        }
        let (key, _) = self.organisation(organisation).await?;
        let id = PersonId::generate();
        let sealed = SealedPerson::new(&key, &id, person.name.trim(), person.email.as_deref());
        let roles = BTreeSet::from_iter(person.roles.iter().copied());
        let at = to_micros(now());
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            insert_person_in_tx!(tx, organisation, &id, sealed, &roles, at);
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Registers a report: evaluates the protocol, matches the perpetrator against
    /// earlier cases, and stores the case, its events and its tasks in one transaction.
    pub async fn register_report(&self, report: NewReport) -> Result<Registered, RegisterError> {
        self.register_reports(vec![report])
            .await?
            .pop()
            .ok_or_else(|| RegisterError::Corrupt(String::from("the report was not registered")))
    }

    /// Registers several reports of one organisation in one transaction: all or none.
    /// For imports and bulk seeding, where a commit per report would dominate.
    pub async fn register_reports(
        &self,
        reports: Vec<NewReport>,
    ) -> Result<Vec<Registered>, RegisterError> {
        let Some(first) = reports.first() else {
            return Ok(Vec::new());
        };
        let org = first.organisation.clone();
        for report in &reports {
            check_report(report, &org)?;
        }
        let (key, protocol) = self.organisation(&org).await?;

        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let registered = register_in_tx!(tx, &reports, key, protocol, org);
            tx.commit().await?;
            Ok(registered)
        })
    }

    /// Opens a case for `actor`, recording the read as an event first: every read is on
    /// the timeline.
    pub async fn open_case(
        &self,
        actor: &PersonId,
        case: &CaseId,
    ) -> Result<CaseView, RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            // Only the handler and whom they let in read the full case; a person of
            // another organisation learns nothing, not even that it exists.
            require(access_in(&mut tx, actor, case).await?, READ_ALL, case)?;
            append_read!(tx, key, case, actor, json!({ "scope": "case" }));

            let row = sqlx::query(
                "SELECT number, kind, status, victim_role, category, handler_role, occurred_at, reported_at, \
                 during_meeting, narrative_enc, place_enc, facts_json, plan_json, protocol_version FROM cases WHERE id = $1",
            )
            .bind(case.as_str())
            .fetch_one(&mut *tx)
            .await?;
            let text = |column: &str, value: Option<Vec<u8>>| -> Result<Option<String>, RegisterError> {
                value.map(|sealed| key.open_string(&sealed, &aad(column, case.as_str()))).transpose().map_err(Into::into)
            };
            let json_column = |value: Option<String>| -> Result<Option<serde_json::Value>, RegisterError> {
                value.map(|v| serde_json::from_str(&v).map_err(|e| RegisterError::Corrupt(e.to_string()))).transpose()
            };
            let mut view = CaseView {
                id: case.clone(),
                organisation: organisation.clone(),
                number: row.try_get("number")?,
                kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
                status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
                victim_role: parse_code(row.try_get("victim_role")?)?,
                category: row.try_get::<Option<String>, _>("category")?.map(parse_code).transpose()?,
                handler_role: row.try_get::<Option<String>, _>("handler_role")?.map(parse_code).transpose()?,
                occurred_at: from_micros(row.try_get("occurred_at")?)?,
                reported_at: from_micros(row.try_get("reported_at")?)?,
                during_meeting: row.try_get("during_meeting")?,
                narrative: text("cases.narrative", row.try_get("narrative_enc")?)?,
                place: text("cases.place", row.try_get("place_enc")?)?,
                facts: json_column(row.try_get("facts_json")?)?,
                plan: json_column(row.try_get("plan_json")?)?,
                protocol_version: row.try_get("protocol_version")?,
                victims: Vec::new(),
                perpetrators: Vec::new(),
                tasks: Vec::new(),
                items: Vec::new(),
                access: Vec::new(),
                events: Vec::new(),
            };

            for row in sqlx::query("SELECT person_id, role, relation FROM case_victims WHERE case_id = $1 ORDER BY person_id")
                .bind(case.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                view.victims.push((
                    PersonId(row.try_get("person_id")?),
                    parse_code(row.try_get("role")?)?,
                    parse_word(Relation::parse, row.try_get("relation")?)?,
                ));
            }
            for row in sqlx::query(
                "SELECT p.id, p.kind, p.details_enc FROM perpetrators p \
                 JOIN case_perpetrators c ON c.perpetrator_id = p.id WHERE c.case_id = $1 ORDER BY p.id",
            )
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                let id = PerpetratorId(row.try_get("id")?);
                let details = open_details(&key, &id, &row.try_get::<Vec<u8>, _>("details_enc")?)?;
                view.perpetrators.push((id, parse_word(PerpetratorKind::parse, row.try_get("kind")?)?, details));
            }
            for row in sqlx::query(
                "SELECT code, assignee_role, opens_at, due_at, due_date, done_at, done_by, target FROM tasks \
                 WHERE case_id = $1 ORDER BY code",
            )
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                view.tasks.push(TaskView {
                    code: parse_task(row.try_get("code")?)?,
                    assignee_role: parse_code(row.try_get("assignee_role")?)?,
                    opens_at: row.try_get::<Option<i64>, _>("opens_at")?.map(from_micros).transpose()?,
                    due_at: row.try_get::<Option<i64>, _>("due_at")?.map(from_micros).transpose()?,
                    due_date: row.try_get::<Option<String>, _>("due_date")?.map(parse_date).transpose()?,
                    done_at: row.try_get::<Option<i64>, _>("done_at")?.map(from_micros).transpose()?,
                    done_by: row.try_get::<Option<String>, _>("done_by")?.map(PersonId),
                    target: row.try_get("target")?,
                });
            }
            view.tasks.sort_by_key(|task| task.code);
            for row in sqlx::query(
                "SELECT id, kind, state_json, content_enc FROM case_items WHERE case_id = $1 ORDER BY created_at, id",
            )
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                let id = crate::case_life::ItemId(row.try_get("id")?);
                let state: String = row.try_get("state_json")?;
                let content = match row.try_get::<Option<Vec<u8>>, _>("content_enc")? {
                    Some(sealed) => crate::case_life::open_content(&key, &id, &sealed)?,
                    None => json!({}),
                };
                view.items.push(crate::case_life::CaseItem {
                    kind: parse_word(crate::case_life::ItemKind::parse, row.try_get("kind")?)?,
                    state: serde_json::from_str(&state).map_err(|e| RegisterError::Corrupt(e.to_string()))?,
                    content,
                    id,
                });
            }
            for row in sqlx::query("SELECT person_id FROM case_access WHERE case_id = $1 ORDER BY person_id")
                .bind(case.as_str())
                .fetch_all(&mut *tx)
                .await?
            {
                view.access.push(PersonId(row.try_get("person_id")?));
            }
            for row in sqlx::query(
                "SELECT seq, kind, actor_id, at, payload_enc FROM events WHERE case_id = $1 ORDER BY seq",
            )
            .bind(case.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                let seq: i64 = row.try_get("seq")?;
                let payload = match row.try_get::<Option<Vec<u8>>, _>("payload_enc")? {
                    Some(sealed) => {
                        let bytes = key.open(&sealed, &aad("events.payload", &format!("{case}:{seq}")))?;
                        serde_json::from_slice(&bytes).map_err(|e| RegisterError::Corrupt(e.to_string()))?
                    }
                    // Erased by retention: the event's kind, actor and moment remain.
                    None => json!({ "anonymised": true }),
                };
                view.events.push(EventView {
                    seq,
                    kind: parse_word(EventKind::parse, row.try_get("kind")?)?,
                    actor: row.try_get::<Option<String>, _>("actor_id")?.map(PersonId),
                    at: from_micros(row.try_get("at")?)?,
                    payload,
                });
            }
            tx.commit().await?;
            Ok(view)
        })
    }

    pub(crate) async fn organisation_of_case(
        &self,
        case: &CaseId,
    ) -> Result<OrganisationId, RegisterError> {
        let row = on_db!(&self.db, pool => {
            sqlx::query("SELECT organisation_id FROM cases WHERE id = $1")
                .bind(case.as_str())
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<String, _>("organisation_id"))
                .transpose()?
        });
        row.map(OrganisationId)
            .ok_or_else(|| RegisterError::NotFound {
                what: "case",
                id: case.to_string(),
            })
    }

    /// The dossier of a perpetrator: their details and every case of the organisation
    /// that names them, against office holders and staff alike. Opening it is a read of
    /// `from_case` (the case whose handler looks), recorded on that case's timeline.
    pub async fn perpetrator_dossier(
        &self,
        actor: &PersonId,
        from_case: &CaseId,
        perpetrator: &PerpetratorId,
    ) -> Result<PerpetratorDossier, RegisterError> {
        let organisation = self.organisation_of_case(from_case).await?;
        let (key, _) = self.organisation(&organisation).await?;
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            // Only the handler of the case looks from it: a dossier spans other cases,
            // which a granted reader of this one may not see.
            require(access_in(&mut tx, actor, from_case).await?, ACT, from_case)?;
            // The actor must be of the organisation, and the perpetrator named in the case
            // the actor looks from: no fishing for dossiers by guessed ids.
            let allowed = sqlx::query(
                "SELECT p.kind, p.details_enc FROM perpetrators p \
                 JOIN case_perpetrators c ON c.perpetrator_id = p.id \
                 JOIN people a ON a.id = $3 AND a.organisation_id = p.organisation_id \
                 WHERE p.id = $1 AND c.case_id = $2 AND p.organisation_id = $4",
            )
            .bind(perpetrator.as_str())
            .bind(from_case.as_str())
            .bind(actor.as_str())
            .bind(organisation.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = allowed else {
                return Err(RegisterError::NotFound { what: "perpetrator", id: perpetrator.to_string() });
            };
            let kind = parse_word(PerpetratorKind::parse, row.try_get("kind")?)?;
            let details = open_details(&key, perpetrator, &row.try_get::<Vec<u8>, _>("details_enc")?)?;
            let mut cases = Vec::new();
            for row in sqlx::query(
                "SELECT c.id, c.number, c.kind, c.status, c.victim_role, c.category, c.occurred_at FROM cases c \
                 JOIN case_perpetrators p ON p.case_id = c.id WHERE p.perpetrator_id = $1 ORDER BY c.occurred_at, c.number",
            )
            .bind(perpetrator.as_str())
            .fetch_all(&mut *tx)
            .await?
            {
                cases.push(DossierCase {
                    case: CaseId(row.try_get("id")?),
                    number: row.try_get("number")?,
                    kind: parse_word(CaseKind::parse, row.try_get("kind")?)?,
                    status: parse_word(CaseStatus::parse, row.try_get("status")?)?,
                    victim_role: parse_code(row.try_get("victim_role")?)?,
                    category: row.try_get::<Option<String>, _>("category")?.map(parse_code).transpose()?,
                    occurred_at: from_micros(row.try_get("occurred_at")?)?,
                });
            }
            append_read!(tx, key, from_case, actor, json!({
                "perpetrator_dossier": perpetrator,
            }));
            tx.commit().await?;
            Ok(PerpetratorDossier { id: perpetrator.clone(), kind, details, cases })
        })
    }

    /// Marks a task done, with an optional remark, as an event of the case.
    pub async fn complete_task(
        &self,
        actor: &PersonId,
        case: &CaseId,
        code: impl Into<TaskCode>,
        remark: Option<&str>,
    ) -> Result<(), RegisterError> {
        let organisation = self.organisation_of_case(case).await?;
        self.complete_tasks(
            actor,
            &organisation,
            &[(case.clone(), code.into(), remark.map(str::to_owned))],
        )
        .await
    }

    /// Marks several tasks of an organisation's cases done in one transaction: all or
    /// none. The actor must be a person of that organisation and the handler of every
    /// case named.
    pub async fn complete_tasks(
        &self,
        actor: &PersonId,
        organisation: &OrganisationId,
        tasks: &[(CaseId, TaskCode, Option<String>)],
    ) -> Result<(), RegisterError> {
        let (key, _) = self.organisation(organisation).await?;
        let at = to_micros(now());
        on_db!(&self.db, pool => {
            let mut tx = pool.begin_write().await?;
            let known = sqlx::query("SELECT id FROM people WHERE id = $1 AND organisation_id = $2")
                .bind(actor.as_str())
                .bind(organisation.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(RegisterError::NotFound { what: "person", id: actor.to_string() });
            }
            let mut handled: BTreeSet<&CaseId> = BTreeSet::new();
            for (case, code, remark) in tasks {
                if !handled.contains(case) {
                    require(access_in(&mut tx, actor, case).await?, ACT, case)?;
                    handled.insert(case);
                }
                let updated = sqlx::query(
                    "UPDATE tasks SET done_at = $1, done_by = $2 WHERE case_id = $3 AND code = $4 \
                     AND done_at IS NULL AND EXISTS (SELECT 1 FROM cases c WHERE c.id = tasks.case_id \
                     AND c.organisation_id = $5 AND c.anonymised_at IS NULL)",
                )
                .bind(at)
                .bind(actor.as_str())
                .bind(case.as_str())
                .bind(code.as_str())
                .bind(organisation.as_str())
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() != 1 {
                    return Err(RegisterError::invalid("task", format!("case {case} has no open task `{code}`")));
                }
                append_event!(tx, key, case, EventKind::TaskDone, Some(actor), at, json!({
                    "task": code, "remark": remark,
                }));
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The open tasks of the cases a role handles in an organisation, soonest first
    /// (tasks without a deadline last).
    pub async fn open_tasks(
        &self,
        organisation: &OrganisationId,
        role: Role,
    ) -> Result<Vec<OpenTask>, RegisterError> {
        self.open_tasks_first(organisation, role, u32::MAX).await
    }

    /// The first `limit` open tasks, as an inbox page shows them.
    pub async fn open_tasks_first(
        &self,
        organisation: &OrganisationId,
        role: Role,
        limit: u32,
    ) -> Result<Vec<OpenTask>, RegisterError> {
        // Two passes that each read an index of the open tasks in order and stop at the
        // limit: tasks with a deadline, soonest first; then those without, oldest case
        // first. One ORDER BY over both would sort every open task of the role.
        let mut tasks = Vec::new();
        for (sql, room) in [
            (OPEN_TASKS_DATED, i64::from(limit)),
            (OPEN_TASKS_UNDATED, 0),
        ] {
            let room = if room > 0 {
                room
            } else {
                i64::from(limit) - tasks.len() as i64
            };
            if room <= 0 {
                break;
            }
            let page: Vec<OpenTask> = on_db!(&self.db, pool => {
                sqlx::query(sql)
                    .bind(organisation.as_str())
                    .bind(role.as_str())
                    .bind(room)
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(|row| {
                        Ok(OpenTask {
                            case: CaseId(row.try_get("case_id")?),
                            case_number: row.try_get("number")?,
                            code: parse_task(row.try_get("code")?)?,
                            opens_at: row.try_get::<Option<i64>, _>("opens_at")?.map(from_micros).transpose()?,
                            due_at: row.try_get::<Option<i64>, _>("due_at")?.map(from_micros).transpose()?,
                            due_date: row.try_get::<Option<String>, _>("due_date")?.map(parse_date).transpose()?,
                            target: row.try_get("target")?,
                        })
                    })
                    .collect::<Result<_, RegisterError>>()?
            });
            tasks.extend(page);
        }
        Ok(tasks)
    }
}

/// The open tasks of a role with a deadline, soonest first: read in order from the
/// partial index `tasks_open_due` (migration 0007), never sorted (a test checks the plan).
const OPEN_TASKS_DATED: &str = "SELECT t.case_id, c.number, t.code, t.opens_at, t.due_at, t.due_date, t.target FROM tasks t \
     JOIN cases c ON c.id = t.case_id \
     WHERE t.organisation_id = $1 AND t.assignee_role = $2 AND t.done_at IS NULL \
     AND t.due_at IS NOT NULL ORDER BY t.due_at, t.case_id, t.code LIMIT $3";

/// The open tasks of a role without a deadline, oldest case first: from
/// `tasks_open_undated` (migration 0007), never sorted.
const OPEN_TASKS_UNDATED: &str = "SELECT t.case_id, c.number, t.code, t.opens_at, t.due_at, t.due_date, t.target FROM tasks t \
     JOIN cases c ON c.id = t.case_id \
     WHERE t.organisation_id = $1 AND t.assignee_role = $2 AND t.done_at IS NULL \
     AND t.due_at IS NULL ORDER BY t.case_id, t.code LIMIT $3";

/// What a report must satisfy before the database is touched.
pub(crate) fn check_report(
    report: &NewReport,
    organisation: &OrganisationId,
) -> Result<(), RegisterError> {
    if &report.organisation != organisation {
        return Err(RegisterError::invalid(
            "organisation",
            "the reports of one batch belong to one organisation",
        ));
    }
    let Some(main) = report.victims.first() else {
        return Err(RegisterError::invalid(
            "victims",
            "a report names at least one victim",
        ));
    };
    if report.facts.victim.role != main.role {
        return Err(RegisterError::invalid(
            "facts.victim.role",
            format!(
                "`{}` is not the role of the first victim (`{}`)",
                report.facts.victim.role, main.role
            ),
        ));
    }
    if report.narrative.trim().is_empty() {
        return Err(RegisterError::invalid(
            "narrative",
            "say in a few words what happened",
        ));
    }
    Ok(())
}

/// The blind-index digests of a perpetrator's identifying details.
pub(crate) fn digests(key: &DataKey, details: &PerpetratorDetails) -> Vec<(IndexKind, [u8; 32])> {
    let single = [
        (IndexKind::Name, &details.name),
        (IndexKind::DateOfBirth, &details.date_of_birth),
        (IndexKind::Email, &details.email),
        (IndexKind::Phone, &details.phone),
        (IndexKind::LicencePlate, &details.licence_plate),
    ];
    let values = single
        .into_iter()
        .filter_map(|(kind, value)| value.as_deref().map(|v| (kind, v)))
        .chain(
            details
                .accounts
                .iter()
                .map(|a| (IndexKind::Account, a.as_str())),
        );
    values
        .into_iter()
        .filter_map(|(kind, value)| key.blind_index(kind, value).map(|digest| (kind, digest)))
        .collect()
}

/// The earlier perpetrator these details identify, if any. An e-mail address, phone
/// number, account or licence plate identifies on its own; a name only together with the
/// date of birth, because names are shared.
pub(crate) async fn match_perpetrator<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    organisation: &OrganisationId,
    digests: &[(IndexKind, [u8; 32])],
) -> Result<Option<PerpetratorId>, RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    let mut candidates: Vec<(IndexKind, BTreeSet<String>)> = Vec::new();
    for (kind, digest) in digests {
        let rows = sqlx::query(
            "SELECT perpetrator_id FROM perpetrator_index WHERE organisation_id = $1 AND kind = $2 AND digest = $3",
        )
        .bind(organisation.as_str())
        .bind(kind.as_str())
        .bind(digest.to_vec())
        .fetch_all(&mut **tx)
        .await?;
        let ids = rows
            .iter()
            .map(|row| row.try_get::<String, _>("perpetrator_id"))
            .collect::<Result<BTreeSet<_>, _>>()?;
        candidates.push((*kind, ids));
    }
    let strong = candidates
        .iter()
        .filter(|(kind, _)| !matches!(kind, IndexKind::Name | IndexKind::DateOfBirth))
        .flat_map(|(_, ids)| ids.iter().cloned());
    let by = |wanted: IndexKind| -> BTreeSet<String> {
        candidates
            .iter()
            .filter(|(kind, _)| *kind == wanted)
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect()
    };
    let name_and_birth = by(IndexKind::Name)
        .intersection(&by(IndexKind::DateOfBirth))
        .cloned()
        .collect::<Vec<_>>();
    // The oldest matching perpetrator (ids are time-ordered) keeps the dossier together.
    Ok(strong.chain(name_and_birth).min().map(PerpetratorId))
}

/// Links a case to its perpetrator: the matched earlier one, or a new one; records any
/// identifying detail not yet indexed. Returns the perpetrator and whether it was known.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn store_perpetrator<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    key: &DataKey,
    organisation: &OrganisationId,
    case: &CaseId,
    new: &NewPerpetrator,
    digests: &[(IndexKind, [u8; 32])],
    matched: Option<&PerpetratorId>,
    at: i64,
) -> Result<(PerpetratorId, bool), RegisterError>
where
    DB: sqlx::Database,
    for<'a> &'a mut DB::Connection: sqlx::Executor<'a, Database = DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'r> Vec<u8>: sqlx::Decode<'r, DB>,
    for<'a> &'a str: sqlx::ColumnIndex<DB::Row>,
{
    let (id, is_match) = match matched {
        Some(id) => {
            // What this report adds to what was known of them is kept: the dossier grows.
            let row = sqlx::query("SELECT details_enc FROM perpetrators WHERE id = $1")
                .bind(id.as_str())
                .fetch_one(&mut **tx)
                .await?;
            let known = open_details(key, id, &row.try_get::<Vec<u8>, _>("details_enc")?)?;
            let merged = merge_details(known, &new.details);
            sqlx::query("UPDATE perpetrators SET details_enc = $1 WHERE id = $2")
                .bind(seal_details(key, id, &merged)?)
                .bind(id.as_str())
                .execute(&mut **tx)
                .await?;
            (id.clone(), true)
        }
        None => {
            let id = PerpetratorId::generate();
            sqlx::query(
                "INSERT INTO perpetrators (id, organisation_id, kind, details_enc, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.as_str())
            .bind(organisation.as_str())
            .bind(new.kind.as_str())
            .bind(seal_details(key, &id, &new.details)?)
            .bind(at)
            .execute(&mut **tx)
            .await?;
            (id, false)
        }
    };
    for (kind, digest) in digests {
        // A detail already known is kept once.
        let known = sqlx::query(
            "SELECT 1 AS one FROM perpetrator_index WHERE perpetrator_id = $1 AND kind = $2 AND digest = $3",
        )
        .bind(id.as_str())
        .bind(kind.as_str())
        .bind(digest.to_vec())
        .fetch_optional(&mut **tx)
        .await?;
        if known.is_none() {
            sqlx::query(
                "INSERT INTO perpetrator_index (perpetrator_id, organisation_id, kind, digest) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.as_str())
            .bind(organisation.as_str())
            .bind(kind.as_str())
            .bind(digest.to_vec())
            .execute(&mut **tx)
            .await?;
        }
    }
    sqlx::query("INSERT INTO case_perpetrators (case_id, perpetrator_id) VALUES ($1, $2)")
        .bind(case.as_str())
        .bind(id.as_str())
        .execute(&mut **tx)
        .await?;
    Ok((id, is_match))
}

/// Known details completed with new ones: empty fields filled, new accounts added, and a
/// new description appended to the old one.
fn merge_details(mut known: PerpetratorDetails, new: &PerpetratorDetails) -> PerpetratorDetails {
    let fill = |slot: &mut Option<String>, value: &Option<String>| {
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            slot.clone_from(value);
        }
    };
    fill(&mut known.name, &new.name);
    fill(&mut known.date_of_birth, &new.date_of_birth);
    fill(&mut known.email, &new.email);
    fill(&mut known.phone, &new.phone);
    fill(&mut known.licence_plate, &new.licence_plate);
    fill(&mut known.on_behalf_of, &new.on_behalf_of);
    for account in &new.accounts {
        if !known.accounts.contains(account) {
            known.accounts.push(account.clone());
        }
    }
    match (&mut known.description, &new.description) {
        (Some(old), Some(add)) if !old.contains(add.as_str()) => {
            old.push('\n');
            old.push_str(add);
        }
        (None, Some(add)) => known.description = Some(add.clone()),
        _ => {}
    }
    known
}

fn seal_details(
    key: &DataKey,
    id: &PerpetratorId,
    details: &PerpetratorDetails,
) -> Result<Vec<u8>, RegisterError> {
    let json = serde_json::to_vec(details).map_err(|e| RegisterError::Corrupt(e.to_string()))?;
    Ok(key.seal(&json, &aad("perpetrators.details", id.as_str())))
}

pub(crate) fn open_details(
    key: &DataKey,
    id: &PerpetratorId,
    sealed: &[u8],
) -> Result<PerpetratorDetails, RegisterError> {
    let json = key.open(sealed, &aad("perpetrators.details", id.as_str()))?;
    serde_json::from_slice(&json).map_err(|e| RegisterError::Corrupt(e.to_string()))
}

/// The task columns for a due moment: (opens_at, due_at, due_date).
pub(crate) fn due_columns(due: &Due) -> (Option<i64>, Option<i64>, Option<String>) {
    match due {
        Due::None => (None, None, None),
        Due::At(moment) => (None, Some(to_micros(moment.timestamp())), None),
        Due::Window { from, due } => (
            Some(to_micros(from.timestamp())),
            Some(to_micros(due.timestamp())),
            None,
        ),
        Due::Date(date) => (None, None, Some(date.to_string())),
    }
}

pub(crate) fn parse_code<C: Code>(text: String) -> Result<C, RegisterError> {
    C::parse(&text).map_err(|error| RegisterError::Corrupt(error.to_string()))
}

/// A stored task code: one of PROTOCOL.md's, or an own task of the protocol the case was
/// planned under (§16.5).
pub(crate) fn parse_task(text: String) -> Result<TaskCode, RegisterError> {
    TaskCode::parse(&text).map_err(|error| RegisterError::Corrupt(error.to_string()))
}

pub(crate) fn parse_word<T>(
    parse: fn(&str) -> Option<T>,
    text: String,
) -> Result<T, RegisterError> {
    parse(&text).ok_or_else(|| RegisterError::Corrupt(format!("unknown stored word `{text}`")))
}

pub(crate) fn parse_date(text: String) -> Result<Date, RegisterError> {
    text.parse()
        .map_err(|_| RegisterError::Corrupt(format!("stored date `{text}` is not a date")))
}

#[cfg(test)]
mod inbox_plans {
    use super::{OPEN_TASKS_DATED, OPEN_TASKS_UNDATED};
    use crate::db::Db;

    /// The inbox's task lists are read from an index in order and stop at the page: a
    /// plan that sorts reads every open task of the role first (45 ms a request at 20,000
    /// cases on PostgreSQL before migration 0007). With sorting made as dear as the
    /// planner allows, a plan that still sorts has no index to read in order.
    #[tokio::test]
    async fn the_inbox_reads_open_tasks_in_index_order_on_postgres() {
        let Some(cluster) = crate::transfer::postgres::TestCluster::start() else {
            return;
        };
        let db = Db::connect(&cluster.fresh_database()).await.unwrap();
        let Db::Postgres(pool) = &db else {
            panic!("not PostgreSQL")
        };
        let mut conn = pool.acquire().await.unwrap();
        sqlx::query("SET enable_sort = off")
            .execute(&mut *conn)
            .await
            .unwrap();
        for sql in [OPEN_TASKS_DATED, OPEN_TASKS_UNDATED] {
            let explain = sql
                .replace("$1", "'org'")
                .replace("$2", "'griffier'")
                .replace("$3", "50");
            let plan: Vec<String> =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("EXPLAIN {explain}")))
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
            assert!(
                !plan.iter().any(|line| line.contains("Sort")),
                "{sql}\n{}",
                plan.join("\n")
            );
        }
        // The connection goes back to the pool first: closing waits for every one.
        drop(conn);
        db.close().await;
    }

    #[tokio::test]
    async fn the_inbox_reads_open_tasks_in_index_order_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite(pool) = &db else {
            panic!("not SQLite")
        };
        for sql in [OPEN_TASKS_DATED, OPEN_TASKS_UNDATED] {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .bind("org")
                    .bind("griffier")
                    .bind(50_i64)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let plan: Vec<&str> = rows.iter().map(|row| row.3.as_str()).collect();
            assert!(
                !plan.iter().any(|line| line.contains("TEMP B-TREE")),
                "{sql}\n{}",
                plan.join("\n")
            );
        }
        db.close().await;
    }
}
