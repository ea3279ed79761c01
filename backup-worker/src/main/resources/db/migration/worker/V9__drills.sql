-- restore drills: jobs of kind 'drill', and the throw-away databases they create. A drill records its database here
-- before creating it and marks it dropped afterwards; a database recorded and not dropped (its worker died) is
-- dropped by the next drill. Nothing that is not recorded here is ever dropped by a drill.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('backup', 'restore', 'verify', 'cleanup', 'drill'));

CREATE TABLE drill_databases (
    job_id      uuid        PRIMARY KEY REFERENCES jobs (id),
    database    text        NOT NULL,
    server      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    dropped_at  timestamptz
);
CREATE INDEX drill_databases_not_dropped_idx ON drill_databases (created_at) WHERE dropped_at IS NULL;
