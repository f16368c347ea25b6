-- The register, version 1 (PostgreSQL). migrations/sqlite/0001_register.sql is the same
-- schema in PostgreSQL's types; a test keeps the two folders at the same versions.
-- Moments are microseconds since the Unix epoch (UTC); identifiers are UUID text.
-- Columns ending in _enc hold XChaCha20-Poly1305 ciphertext under the organisation's
-- data key; category, dates, roles and channel stay plain for statistics.

CREATE TABLE organisations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    protocol_id      TEXT NOT NULL,
    protocol_toml    TEXT NOT NULL,
    protocol_version TEXT NOT NULL,
    wrapped_key      BYTEA NOT NULL,
    master_key_id    TEXT NOT NULL,
    case_counter     BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

CREATE TABLE people (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name_enc        BYTEA NOT NULL,
    email_enc       BYTEA,
    email_index     BYTEA,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_email ON people(organisation_id, email_index);

-- A person holds roles, current or former.
CREATE TABLE person_roles (
    person_id TEXT NOT NULL REFERENCES people(id),
    role      TEXT NOT NULL,
    current   BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    organisation_id    TEXT NOT NULL REFERENCES organisations(id),
    number             BIGINT NOT NULL,
    kind               TEXT NOT NULL,
    status             TEXT NOT NULL,
    victim_role        TEXT NOT NULL,
    category           TEXT,
    report             TEXT,
    handler_role       TEXT,
    channel            TEXT NOT NULL,
    injury             TEXT NOT NULL,
    occurred_at        BIGINT NOT NULL,
    reported_at        BIGINT NOT NULL,
    reported_by        TEXT REFERENCES people(id),
    on_behalf          BOOLEAN NOT NULL,
    during_meeting     BOOLEAN NOT NULL,
    damage             BOOLEAN NOT NULL,
    facts_json         TEXT,
    plan_json          TEXT,
    protocol_version   TEXT,
    narrative_enc      BYTEA,
    place_enc          BYTEA,
    event_count        BIGINT NOT NULL DEFAULT 0,
    last_hash          BYTEA,
    -- When the status last changed (NULL: since the case was created); retention counts from here.
    status_since       BIGINT,
    anonymised_at      BIGINT,
    created_at         BIGINT NOT NULL,
    UNIQUE (organisation_id, number)
);
CREATE INDEX cases_org_status ON cases(organisation_id, status, reported_at);

CREATE TABLE case_victims (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    role      TEXT NOT NULL,
    former    BOOLEAN NOT NULL,
    relation  TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_victims_person ON case_victims(person_id);

CREATE TABLE case_behaviours (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    behaviour TEXT NOT NULL,
    PRIMARY KEY (case_id, behaviour)
);

CREATE TABLE perpetrators (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    kind            TEXT NOT NULL,
    details_enc     BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Keyed HMAC digests of identifying details, for exact matching without the clear text.
CREATE TABLE perpetrator_index (
    perpetrator_id  TEXT NOT NULL REFERENCES perpetrators(id),
    organisation_id TEXT NOT NULL,
    kind            TEXT NOT NULL,
    digest          BYTEA NOT NULL,
    PRIMARY KEY (perpetrator_id, kind, digest)
);
CREATE INDEX perpetrator_index_lookup ON perpetrator_index(organisation_id, kind, digest);

CREATE TABLE case_perpetrators (
    case_id        TEXT NOT NULL REFERENCES cases(id),
    perpetrator_id TEXT NOT NULL REFERENCES perpetrators(id),
    PRIMARY KEY (case_id, perpetrator_id)
);
CREATE INDEX case_perpetrators_perpetrator ON case_perpetrators(perpetrator_id);

-- The timeline: append-only, each event carrying the hash of the one before it. The
-- chain covers the SHA-256 of the sealed payload, so retention can erase a payload
-- without breaking the chain.
CREATE TABLE events (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    actor_id    TEXT,
    at          BIGINT NOT NULL,
    -- NULL once retention has anonymised the case; the digest keeps the chain whole.
    payload_enc    BYTEA,
    payload_digest BYTEA NOT NULL,
    prev_hash   BYTEA NOT NULL,
    hash        BYTEA NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- Query table: the tasks of a case as its events left them.
CREATE TABLE tasks (
    case_id       TEXT NOT NULL REFERENCES cases(id),
    organisation_id TEXT NOT NULL,
    code          TEXT NOT NULL,
    assignee_role TEXT NOT NULL,
    opens_at      BIGINT,
    due_at        BIGINT,
    due_date      TEXT,
    done_at       BIGINT,
    done_by       TEXT,
    PRIMARY KEY (case_id, code)
);
-- The inbox: a role's open tasks in an organisation, soonest first, read in index order.
CREATE INDEX tasks_inbox ON tasks(organisation_id, assignee_role, done_at, due_at, case_id, code);

-- Query table: what happened in the case's life after the report — measures, aftercare,
-- police contacts, damage, communication, the evaluation. Plain fields that lists and
-- statistics need (codes, dates, amounts) are in state_json; personal text is sealed in
-- content_enc. The events hold the full history; this holds the current state.
CREATE TABLE case_items (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    state_json  TEXT NOT NULL,
    content_enc BYTEA,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX case_items_case ON case_items(case_id, kind);

-- Who besides the handler may read a case's details: granted by the handler.
CREATE TABLE case_access (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    granted_by TEXT NOT NULL REFERENCES people(id),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_access_person ON case_access(person_id);

-- What the retention job did: one row per anonymised case, kept after the case's content
-- is gone, so the privacy officer can see that and when the policy was applied.
CREATE TABLE retention_log (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    at          BIGINT NOT NULL,
    status      TEXT NOT NULL,
    period_days BIGINT NOT NULL,
    PRIMARY KEY (case_id)
);

-- Evidence of a case: a file (screenshot, mail, letter, voicemail) or something seen
-- online. A file lives sealed in the evidence directory under stored_name, a random name
-- unrelated to the original. The hex SHA-256 of its plain content, the original file
-- name, the description and online evidence (platform, account, URL, moment) are sealed
-- in details_enc, bound to the case and the evidence id; no digest is kept in the clear,
-- as it would tell anyone with the database whether a known file is in the register.
CREATE TABLE evidence (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    kind        TEXT NOT NULL,
    media_type  TEXT,
    size        BIGINT,
    stored_name TEXT,
    details_enc BYTEA NOT NULL,
    added_by    TEXT NOT NULL REFERENCES people(id),
    added_at    BIGINT NOT NULL
);
CREATE INDEX evidence_case ON evidence(case_id);

-- Sign-in of a person: a local password (argon2id) and the second factor. A person without
-- an account row cannot sign in. Lockout is kept per login in login_failures.
CREATE TABLE accounts (
    person_id        TEXT PRIMARY KEY REFERENCES people(id),
    password_hash    TEXT,
    totp_secret_enc  BYTEA,
    totp_confirmed   BOOLEAN NOT NULL DEFAULT FALSE,
    recovery_codes   TEXT NOT NULL DEFAULT '[]',
    disabled         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Failed sign-ins per login as typed (the e-mail blind index of the organisation), whether
-- or not any account has that login: an unknown login locks exactly like a real one, so
-- the lockout does not tell who has an account. A row is removed by a right password.
CREATE TABLE login_failures (
    organisation_id  TEXT NOT NULL,
    login_digest     BYTEA NOT NULL,
    failed_attempts  BIGINT NOT NULL,
    locked_until     BIGINT,
    PRIMARY KEY (organisation_id, login_digest)
);
