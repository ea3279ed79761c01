-- Written only by alert-service (schema "alerts").

-- AlertSent is published for each delivery; a delivery whose AlertSent is not yet confirmed by the broker has no
-- announced_at and is announced again when the event is redelivered or replayed from the dead-letter queue.
ALTER TABLE deliveries ADD COLUMN announced_at timestamptz;
UPDATE deliveries SET announced_at = sent_at;

-- Every alertable event received, and what was decided about it (ALERT or SUPPRESSED by throttling), once per
-- message id: a redelivered event keeps its decision (a suppressed one stays suppressed).
CREATE TABLE alert_events (
    message_id       uuid        PRIMARY KEY,
    kind             text        NOT NULL,
    severity         text        NOT NULL,
    target           text        NOT NULL,
    job_id           uuid        NOT NULL,
    occurred_at      timestamptz NOT NULL,
    outcome          text        NOT NULL CHECK (outcome IN ('ALERT', 'SUPPRESSED')),
    -- for an ALERT: similar alerts suppressed since the previous one (reported in it), and since when
    suppressed_count integer     NOT NULL DEFAULT 0 CHECK (suppressed_count >= 0),
    suppressed_since timestamptz,
    subject          text        NOT NULL,
    decided_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_events_target_idx ON alert_events (target, decided_at DESC);

-- Throttling: the same alert (kind, target) at most once per window. The window is opened by an alert; events of
-- the same kind and target within it are counted, not sent, as long as that alert reached someone.
CREATE TABLE throttle (
    kind             text        NOT NULL,
    target           text        NOT NULL,
    window_start     timestamptz NOT NULL,
    alert_message_id uuid        NOT NULL,
    suppressed       integer     NOT NULL DEFAULT 0 CHECK (suppressed >= 0),
    PRIMARY KEY (kind, target)
);

-- Successful backups per target (from BackupCompleted), the baseline of anomaly detection. anomaly holds the
-- BackupAnomaly raised for the backup (JSON as published) until the broker confirmed it.
CREATE TABLE backup_history (
    job_id               uuid        PRIMARY KEY,
    message_id           uuid        NOT NULL,
    target               text        NOT NULL,
    backup_type          text        NOT NULL,
    file_name            text        NOT NULL,
    completed_at         timestamptz NOT NULL,
    size_bytes           bigint      NOT NULL,
    total_rows           bigint      NOT NULL,
    row_counts           jsonb       NOT NULL,
    anomaly              text,
    anomaly_published_at timestamptz,
    recorded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX backup_history_target_idx ON backup_history (target, completed_at DESC);
