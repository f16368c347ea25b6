-- The register, version 6 (SQLite): sign-ins at the organisation's identity provider
-- (OpenID Connect) in progress, kept in the database so that any instance on one database
-- can finish a sign-in another began (no sticky sessions), and where a session came from.
-- migrations/postgres/0006_provider_sign_ins.sql is the same in PostgreSQL's types.

-- A sign-in in progress, between sending the browser to the provider and its return.
-- The state (also in a short-lived cookie of that browser) is kept only as its SHA-256,
-- so a copy of the database finishes no one's sign-in. The nonce and the PKCE verifier
-- are sealed with the organisation's data key (the associated data names the row).
-- `return_to` is the path on this site to go to afterwards. A row is taken once (deleted
-- as it is read) and is refused after ten minutes; older rows are purged with the
-- expired sessions.
CREATE TABLE provider_sign_ins (
    state_hash      BLOB NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    nonce_enc       BLOB NOT NULL,
    verifier_enc    BLOB NOT NULL,
    return_to       TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX provider_sign_ins_created ON provider_sign_ins(created_at);

-- How a session began: 'password' (e-mail address and password, then the second factor
-- where asked) or 'provider' (through the organisation's identity provider).
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'password';
