-- progress of every long job beyond rows: tables finished of all, and the phase it is in (a restore's checking,
-- safety_backup, loading, keys, verifying; a verification's reading; a backup's dumping). Added to the end of the
-- read contract v1_jobs (columns added, none lost or renamed: still v1).
ALTER TABLE jobs ADD COLUMN tables_done integer, ADD COLUMN table_count integer, ADD COLUMN phase text;

CREATE OR REPLACE VIEW v1_jobs AS
SELECT id, kind, type, target, status, requested_by, requested_at, started_at, finished_at, attempts,
       lease_owner, lease_until, error, rows_done, rows_estimated, subject_id, result, updated_at,
       tables_done, table_count, phase
FROM jobs;
