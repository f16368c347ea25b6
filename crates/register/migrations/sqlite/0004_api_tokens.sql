-- The register, version 4 (SQLite): personal API tokens for the JSON API, and a record
-- of every use. migrations/postgres/0004_api_tokens.sql is the same in PostgreSQL's types.

-- A person's API token. The token itself (`wbr_` and 43 random characters) is shown
-- once, when it is made; only its SHA-256 is kept, so a copy of the database signs no one
-- in. `prefix` is the token's first characters, shown in the list so a person can tell
-- their tokens apart. Scope: read, write or admin. Every token expires (at most a year
-- after it was made) and may be revoked earlier.
CREATE TABLE api_tokens (
    id              TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    person_id       TEXT NOT NULL REFERENCES people(id),
    name            TEXT NOT NULL,
    prefix          TEXT NOT NULL,
    token_hash      BLOB NOT NULL UNIQUE,
    scope           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    revoked_at      INTEGER
);
CREATE INDEX api_tokens_person ON api_tokens(person_id, created_at);

-- Every use of a token: when, and which route (its template, `/cases/{case}`, never the
-- ids in it). What was read of a case is on the case's own timeline (a Viewed event of
-- the token's person), as for the pages.
CREATE TABLE api_token_uses (
    id       TEXT NOT NULL PRIMARY KEY,
    token_id TEXT NOT NULL REFERENCES api_tokens(id),
    at       INTEGER NOT NULL,
    method   TEXT NOT NULL,
    route    TEXT NOT NULL
);
CREATE INDEX api_token_uses_token ON api_token_uses(token_id, at);
