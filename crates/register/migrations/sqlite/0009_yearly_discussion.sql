-- The register, version 9 (SQLite): the text of the yearly discussion of an
-- organisation's figures (PROTOCOL.md §17; Leiden §5.2, Westerveld §3.2), written by who
-- handles cases before the yearly report goes to the council.
-- migrations/postgres/0009_yearly_discussion.sql is the same in PostgreSQL's types.

-- One row per organisation and year. While `finalised_at` is NULL the row is a draft and
-- its texts may be saved again; once it is set the row is the final version and the
-- register never changes it again (every UPDATE is conditional on `finalised_at IS NULL`).
-- The three texts are sealed with the organisation's data key: a dilemma can describe a
-- case. `figures_json` holds the published figures (§17: small cells already hidden) of
-- the year and the year before as they were when the version was made final, so that the
-- final document can be made again exactly as it was.
CREATE TABLE yearly_discussions (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    year            INTEGER NOT NULL,
    dilemmas_enc    BLOB NOT NULL,
    conclusions_enc BLOB NOT NULL,
    changes_enc     BLOB NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES people(id),
    updated_at      INTEGER NOT NULL,
    figures_json    TEXT,
    finalised_by    TEXT REFERENCES people(id),
    finalised_at    INTEGER,
    PRIMARY KEY (organisation_id, year)
);
