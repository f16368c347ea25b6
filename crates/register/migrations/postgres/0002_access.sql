-- The register, version 2 (PostgreSQL): what the web layer needs — application duties,
-- sessions, the plan's informed roles as a query table, and indexes for the lists of
-- cases. migrations/sqlite/0002_access.sql is the same in SQLite's types.

-- Duties in the application, apart from the protocol's roles: an administrator
-- (beheerder) or the privacy officer (privacy). They give no access to case content.
CREATE TABLE person_duties (
    person_id TEXT NOT NULL REFERENCES people(id),
    duty      TEXT NOT NULL,
    PRIMARY KEY (person_id, duty)
);

-- Signed-in browsers. The cookie holds a random token; only its SHA-256 is kept, so a
-- copy of the database signs no one in.
CREATE TABLE sessions (
    token_hash      BYTEA NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    person_id       TEXT NOT NULL REFERENCES people(id),
    csrf            TEXT NOT NULL,
    -- The second factor was given in this session.
    verified        BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen       BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions(person_id);

-- Query table: the roles the plan says are informed of a case, so that "the cases I am
-- informed of" is an index lookup instead of reading every plan. Written with the case.
CREATE TABLE case_informed (
    case_id         TEXT NOT NULL REFERENCES cases(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    role            TEXT NOT NULL,
    PRIMARY KEY (case_id, role)
);
CREATE INDEX case_informed_role ON case_informed(organisation_id, role, case_id);
INSERT INTO case_informed (case_id, organisation_id, role)
    SELECT DISTINCT c.id, c.organisation_id, j.value FROM cases c
    CROSS JOIN LATERAL jsonb_array_elements_text(c.plan_json::jsonb -> 'informed') AS j(value)
    WHERE c.plan_json IS NOT NULL;

-- A handler's inbox reads its cases newest report first, with or without a status, in
-- index order; "my cases" finds what a person reported.
CREATE INDEX cases_handler ON cases(organisation_id, handler_role, reported_at, number);
CREATE INDEX cases_handler_status ON cases(organisation_id, handler_role, status, reported_at, number);
CREATE INDEX cases_reported_by ON cases(reported_by);
