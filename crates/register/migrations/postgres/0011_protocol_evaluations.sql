-- The yearly evaluation of the protocol itself (Leiden §5.2, Westerveld §3.2): when it
-- was held, under which protocol version, and what was said, sealed with the
-- organisation's data key (participants, what was discussed, what changes). When a new
-- protocol version is activated afterwards, the evaluation is linked to it, so that one
-- can see which evaluation led to which version.
CREATE TABLE protocol_evaluations (
    id                  TEXT PRIMARY KEY,
    organisation_id     TEXT NOT NULL REFERENCES organisations(id),
    held_on             TEXT NOT NULL,
    protocol_version    TEXT NOT NULL,
    content_enc         BYTEA NOT NULL,
    recorded_by         TEXT NOT NULL REFERENCES people(id),
    recorded_at         BIGINT NOT NULL,
    followed_by_version TEXT,
    followed_at         BIGINT
);
CREATE INDEX protocol_evaluations_by_organisation ON protocol_evaluations (organisation_id, held_on);
