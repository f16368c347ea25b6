-- PROTOCOL.md §16.4: a protocol may make a deadline a target ("bij voorkeur op dezelfde
-- dag") rather than a firm one. A target task is shown with its streefdatum and never as
-- overdue, and the yearly figures count only firm deadlines. Tasks planned before this
-- migration all had firm deadlines.
ALTER TABLE tasks ADD COLUMN target BOOLEAN NOT NULL DEFAULT FALSE;
