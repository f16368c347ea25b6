-- The privacy officer's overview (privacy_view.rs) lists the reads of an organisation's
-- cases, and the access its handlers gave and took, newest first: partial indexes over
-- those events alone, by moment, so that the page reads no other event. The kinds are
-- literals, as the queries' must be for the indexes to apply.
CREATE INDEX events_viewed_at ON events(at) WHERE kind = 'viewed';
CREATE INDEX events_access_at ON events(at) WHERE kind IN ('access_granted', 'access_revoked');
