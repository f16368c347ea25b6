-- The register, version 3 (SQLite): what administration needs — a log of every
-- administrative change, and retention periods per organisation.
-- migrations/postgres/0003_administration.sql is the same in PostgreSQL's types.

-- Every administrative change (a person added, roles or duties changed, a password set,
-- an account switched off or on, a second factor reset, the protocol or its contacts
-- replaced, retention changed), written in the same transaction as the change. The
-- detail holds ids and codes only, never a name, an address or a password: the log may
-- be shown to every administrator and the privacy officer.
CREATE TABLE admin_events (
    id              TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    -- NULL: the change came from the command line on the server.
    actor_id        TEXT REFERENCES people(id),
    at              INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    subject_id      TEXT,
    detail_json     TEXT NOT NULL
);
CREATE INDEX admin_events_organisation ON admin_events(organisation_id, at, id);

-- An organisation's own retention period per closed status, in days. A status without a
-- row here takes the installation's default (`[retention]` in weerbaar.toml).
CREATE TABLE retention_periods (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    status          TEXT NOT NULL,
    days            INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, status)
);
