-- The register, version 5 (PostgreSQL): the outbox of mails, each person's mail preferences
-- and calendar feeds. migrations/sqlite/0005_outbox.sql is the same in SQLite's types.

-- One mail to send. It holds no content: only its kind and the ids it is about (the case,
-- and a task code or an aftercare item); the mail is rendered when it is sent, with no
-- case content at all (what kind of thing waits, and a link). Queued in the same
-- transaction as the event that causes it. `dedupe_key` is unique, so the same mail (a
-- reminder of one task to one person) is queued once, whoever queues it.
-- state: queued, sent or failed (after the last retry). A sender claims a mail by taking
-- its lease (`lease_owner` until `lease_until`); a failed attempt moves `next_attempt_at`
-- on (back-off). `last_error` names what went wrong, never the mail.
CREATE TABLE outbox (
    id              TEXT NOT NULL PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    person_id       TEXT NOT NULL REFERENCES people(id),
    kind            TEXT NOT NULL,
    case_id         TEXT,
    subject         TEXT,
    dedupe_key      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_organisation ON outbox(organisation_id, created_at);

-- A person's choice for one kind of mail; a kind without a row is sent.
CREATE TABLE mail_preferences (
    person_id  TEXT NOT NULL REFERENCES people(id),
    kind       TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, kind)
);

-- A person's secret calendar link (/agenda/{token}.ics): only the token's SHA-256 is
-- kept. One per person; making a new one replaces it, revoking deletes it.
CREATE TABLE calendar_feeds (
    person_id       TEXT NOT NULL PRIMARY KEY REFERENCES people(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    token_hash      BYTEA NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL
);
