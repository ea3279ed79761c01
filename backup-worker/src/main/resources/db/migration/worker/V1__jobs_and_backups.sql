-- Written only by backup-worker (schema "worker"); other services read.
CREATE TABLE jobs (
    id            uuid PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('backup', 'restore', 'verify', 'cleanup')),
    type          text        NOT NULL,
    target        text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    requested_by  text,
    requested_at  timestamptz NOT NULL,
    started_at    timestamptz,
    finished_at   timestamptz,
    attempts      integer     NOT NULL DEFAULT 0,
    lease_owner   text,
    lease_until   timestamptz,
    error         text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_requested_at_idx ON jobs (requested_at DESC);
CREATE INDEX jobs_status_idx ON jobs (status);

CREATE TABLE backups (
    id              uuid PRIMARY KEY,
    job_id          uuid        NOT NULL UNIQUE REFERENCES jobs (id),
    target          text        NOT NULL,
    backup_type     text        NOT NULL,
    file_name       text        NOT NULL UNIQUE,
    size_bytes      bigint      NOT NULL,
    sha256          char(64)    NOT NULL,
    compression     text        NOT NULL,
    format_version  integer     NOT NULL,
    row_counts      jsonb       NOT NULL,
    table_count     integer     NOT NULL,
    duration_ms     bigint      NOT NULL,
    status          text        NOT NULL DEFAULT 'AVAILABLE' CHECK (status IN ('AVAILABLE', 'EXPIRED')),
    created_at      timestamptz NOT NULL
);
CREATE INDEX backups_target_created_idx ON backups (target, created_at DESC);
