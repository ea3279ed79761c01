-- progress of running jobs, and the backup a verify (or restore) job works on
ALTER TABLE jobs ADD COLUMN rows_done bigint;
ALTER TABLE jobs ADD COLUMN rows_estimated bigint;
ALTER TABLE jobs ADD COLUMN subject_id uuid;
ALTER TABLE jobs ADD COLUMN result jsonb;
CREATE INDEX jobs_running_lease_idx ON jobs (lease_until) WHERE status = 'RUNNING';
