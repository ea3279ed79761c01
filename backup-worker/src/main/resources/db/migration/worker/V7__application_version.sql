-- the application's version marker found in each backup's snapshot (its newest migration, e.g. 'flyway 42'), and in
-- the read contract (a column added at the end of v1: v1 never loses or renames one)
ALTER TABLE backups ADD COLUMN application_version text;

CREATE OR REPLACE VIEW v1_backups AS
SELECT id, job_id, target, backup_type, file_name, size_bytes, sha256, compression, format_version, row_counts,
       table_order, table_count, duration_ms, status, created_at, expired_at, expired_by, application_version
FROM backups;
