-- the last DrillOverdue per target (like stale_alerts for BackupStale): one alert per overdue period across instances
CREATE TABLE drill_alerts (
    target          text        PRIMARY KEY,
    last_passed_at  timestamptz,
    alerted_at      timestamptz NOT NULL
);
