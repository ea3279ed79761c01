-- The worker's read contract, version 1: the only relations of schema "worker" that other services may read
-- (api-gateway: history, jobs, backups, status; scheduler-service: retention). Columns are listed, never "*": a
-- column added to a table is not part of the contract until a view lists it; v1 never loses or renames a column
-- (a breaking change is a new v2_* view beside it). CatalogBoundaryTest fails when another service's SQL names
-- a table of this schema instead.
CREATE VIEW v1_jobs AS
SELECT id, kind, type, target, status, requested_by, requested_at, started_at, finished_at, attempts,
       lease_owner, lease_until, error, rows_done, rows_estimated, subject_id, result, updated_at
FROM jobs;

CREATE VIEW v1_backups AS
SELECT id, job_id, target, backup_type, file_name, size_bytes, sha256, compression, format_version, row_counts,
       table_order, table_count, duration_ms, status, created_at, expired_at, expired_by
FROM backups;
