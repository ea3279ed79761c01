-- Written only by scheduler-service (schema "scheduler"); the api-gateway reads settings, schedules and cleanup_runs.

-- every schedule kind uses the fire log; a fire noticed too late while catch-up is off is recorded as SKIPPED
ALTER TABLE fires DROP CONSTRAINT fires_status_check;
ALTER TABLE fires ADD CONSTRAINT fires_status_check
    CHECK (status IN ('BASELINE', 'PENDING', 'PUBLISHED', 'SKIPPED'));
CREATE INDEX fires_pending_idx ON fires (recorded_at) WHERE status = 'PENDING';

-- the one row of settings: running state, schedules, retention rules (from configuration on the first start,
-- changed by StartScheduler / StopScheduler / ConfigureSchedule); the bounds are those of ConfigureSchedule
CREATE TABLE settings (
    id                     smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    running                boolean     NOT NULL,
    time_zone              text        NOT NULL,
    interval_hours         integer     NOT NULL CHECK (interval_hours BETWEEN 1 AND 168),
    interval_enabled       boolean     NOT NULL,
    daily_time             text        NOT NULL CHECK (daily_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    daily_enabled          boolean     NOT NULL,
    weekly_day             integer     NOT NULL CHECK (weekly_day BETWEEN 0 AND 6),
    weekly_enabled         boolean     NOT NULL,
    monthly_enabled        boolean     NOT NULL,
    cleanup_time           text        NOT NULL CHECK (cleanup_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    keep_hourly            integer     NOT NULL CHECK (keep_hourly BETWEEN 1 AND 168),
    keep_daily             integer     NOT NULL CHECK (keep_daily BETWEEN 1 AND 365),
    keep_weekly            integer     NOT NULL CHECK (keep_weekly BETWEEN 1 AND 52),
    keep_monthly           integer     NOT NULL CHECK (keep_monthly BETWEEN 1 AND 60),
    keep_manual            integer     NOT NULL CHECK (keep_manual BETWEEN 1 AND 1000),
    keep_pre_restore_days  integer     NOT NULL CHECK (keep_pre_restore_days BETWEEN 1 AND 365),
    max_backup_size_mb     integer     NOT NULL CHECK (max_backup_size_mb BETWEEN 1 AND 10000),
    version                bigint      NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    updated_by             text        NOT NULL
);

-- every schedule the settings define (cron ones only here: spec is their expression); only fires after "since"
-- (created, changed, re-enabled, or the scheduler started) are due; next_fire_at is kept current for readers
CREATE TABLE schedules (
    name          text        PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('interval', 'daily', 'weekly', 'monthly', 'cron', 'cleanup')),
    spec          text        NOT NULL,
    enabled       boolean     NOT NULL,
    since         timestamptz NOT NULL,
    next_fire_at  timestamptz,
    updated_at    timestamptz NOT NULL
);

-- scheduler commands handled, by message id: a redelivered command is not applied twice
CREATE TABLE commands (
    message_id    uuid        PRIMARY KEY,
    job_id        uuid        NOT NULL,
    command       text        NOT NULL,
    requested_by  text        NOT NULL,
    received_at   timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('APPLIED', 'REJECTED')),
    problems      jsonb
);

-- retention decisions of each cleanup (dry or real), by cleanup job id
CREATE TABLE cleanup_runs (
    job_id        uuid        PRIMARY KEY,
    target        text        NOT NULL,
    dry_run       boolean     NOT NULL,
    requested_by  text        NOT NULL,
    decided_at    timestamptz NOT NULL,
    kept_count    integer     NOT NULL,
    delete_count  integer     NOT NULL,
    delete_bytes  bigint      NOT NULL,
    decisions     jsonb       NOT NULL,
    published_at  timestamptz
);
CREATE INDEX cleanup_runs_decided_idx ON cleanup_runs (decided_at DESC);

-- the staleness watchdog's last alert per target: one BackupStale per stale period across replicas
CREATE TABLE stale_alerts (
    target           text        PRIMARY KEY,
    last_success_at  timestamptz,
    alerted_at       timestamptz NOT NULL
);
