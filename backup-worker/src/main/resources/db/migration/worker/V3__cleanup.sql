-- retention cleanups (jobs of kind 'cleanup'): the deletions a cleanup job was asked for, so that the job can be
-- carried out again after a take-over; when, and by which cleanup job, a backup expired (the row stays as history)
ALTER TABLE backups ADD COLUMN expired_at timestamptz;
ALTER TABLE backups ADD COLUMN expired_by uuid;

CREATE TABLE cleanup_requests (
    job_id      uuid    PRIMARY KEY REFERENCES jobs (id),
    kept_count  integer NOT NULL,
    deletions   jsonb   NOT NULL
);

-- the verify and restore jobs that pin a backup
CREATE INDEX jobs_active_subject_idx ON jobs (subject_id) WHERE status IN ('QUEUED', 'RUNNING');
