-- whether backups are compressed (the seed's BackupConfig.compression_enabled), set by ConfigureSchedule and read by
-- the worker through v1_settings
ALTER TABLE settings ADD COLUMN compression_enabled boolean NOT NULL DEFAULT true;

-- The scheduler's read contract, version 1: the only relations of schema "scheduler" that other services may read
-- (api-gateway: settings, next fires, cleanup decisions, command outcomes; backup-worker: the backup size limit
-- and compression). Columns are listed, never "*"; v1 never loses or renames a column (a breaking change is a new
-- v2_* view). CatalogBoundaryTest fails when another service's SQL names a table of this schema instead.
CREATE VIEW v1_settings AS
SELECT running, time_zone, interval_hours, interval_enabled, daily_time, daily_enabled, weekly_day, weekly_enabled,
       monthly_enabled, cleanup_time, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_manual,
       keep_pre_restore_days, max_backup_size_mb, compression_enabled, version, updated_at, updated_by
FROM settings
WHERE id = 1;

CREATE VIEW v1_schedules AS
SELECT name, kind, spec, enabled, next_fire_at, updated_at
FROM schedules;

CREATE VIEW v1_cleanup_runs AS
SELECT job_id, target, dry_run, requested_by, decided_at, kept_count, delete_count, delete_bytes, decisions
FROM cleanup_runs;

CREATE VIEW v1_commands AS
SELECT message_id, job_id, command, requested_by, received_at, outcome, problems
FROM commands;
