-- Sign-in attempts per client address in a fixed window (issue 14): in the database, so
-- that several servers behind a load balancer share one limit and a restart forgets
-- nothing. The address is kept as a SHA-256 digest, not as written; rows of ended windows
-- are purged with the expired sessions.
CREATE TABLE sign_in_attempts (
    address_digest BLOB PRIMARY KEY,
    window_start   INTEGER NOT NULL,
    attempts       INTEGER NOT NULL
);
