-- Where each backup is stored: one row per destination holding (or to hold) a copy of it. The primary's copy is
-- written by the backup itself; every configured copy destination gets a PENDING row in the same transaction, and
-- replication turns it AVAILABLE (checksum re-verified on the destination) or, after its attempts, FAILED. A copy a
-- verification found altered or missing is DAMAGED (never restored from, copied from or counted as a survivor). A
-- copy deleted by retention or a DeleteBackups command is DELETED (the row stays as history); a backup whose copies
-- are all gone is EXPIRED.
CREATE TABLE backup_copies (
    backup_id       uuid        NOT NULL REFERENCES backups (id),
    destination     text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('PENDING', 'AVAILABLE', 'FAILED', 'DAMAGED', 'DELETED')),
    is_primary      boolean     NOT NULL DEFAULT false,
    size_bytes      bigint,
    sha256          char(64),
    copied_at       timestamptz,
    verified_at     timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    error           text,
    deleted_at      timestamptz,
    deleted_by      uuid,
    PRIMARY KEY (backup_id, destination)
);
CREATE INDEX backup_copies_due_idx ON backup_copies (next_attempt_at) WHERE status = 'PENDING';

-- backups made before destinations existed live in the storage directory, the destination named "local"
INSERT INTO backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256, copied_at, deleted_at,
                           deleted_by)
SELECT id, 'local', CASE status WHEN 'AVAILABLE' THEN 'AVAILABLE' ELSE 'DELETED' END, true, size_bytes, sha256,
       created_at, expired_at, expired_by
FROM backups;

-- encryption at rest: the algorithm and the id of the keyset key a backup file is encrypted with (null: in the clear)
ALTER TABLE backups ADD COLUMN encryption text;
ALTER TABLE backups ADD COLUMN key_id bigint;

-- the read contract: the backups' new columns at the end of v1, and the copies
CREATE OR REPLACE VIEW v1_backups AS
SELECT id, job_id, target, backup_type, file_name, size_bytes, sha256, compression, format_version, row_counts,
       table_order, table_count, duration_ms, status, created_at, expired_at, expired_by, application_version,
       encryption, key_id
FROM backups;

CREATE VIEW v1_backup_copies AS
SELECT backup_id, destination, status, is_primary, size_bytes, sha256, copied_at, verified_at, attempts,
       next_attempt_at, error, deleted_at, deleted_by
FROM backup_copies;
