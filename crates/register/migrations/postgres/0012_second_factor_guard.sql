-- The second factor's guards in the database, so that they hold across sign-ins,
-- instances and restarts (issue 14): wrong codes counted per account, with a lockout
-- like the password's, and the last time step a code was accepted for, so that a code
-- is used once. Before this migration the guards lived in one process's memory; every
-- account starts with no failures, no lock and no step used.
ALTER TABLE accounts ADD COLUMN code_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN code_locked_until BIGINT;
ALTER TABLE accounts ADD COLUMN last_code_step BIGINT;
