-- The space of each backup destination as the worker last measured it: at start-up and at each periodic health check
-- (WorkerHealthCheck, DestinationSpace). One row per destination, the newest measurement winning (replicas sharing a
-- destination overwrite each other's row; worker_id says which one measured). free_bytes is null when the
-- destination cannot tell (an S3 bucket), or when it could not be measured (then error says why).
CREATE TABLE destination_space (
    destination  text        PRIMARY KEY,
    type         text        NOT NULL,
    -- the worker's source target (the overview shows a target's destinations)
    target       text        NOT NULL,
    free_bytes   bigint      CHECK (free_bytes >= 0),
    -- the destination's quota (backup.storage.quota / destinations.<name>.quota), null without one
    quota_bytes  bigint      CHECK (quota_bytes > 0),
    error        text,
    worker_id    text        NOT NULL,
    checked_at   timestamptz NOT NULL
);

-- In the read contract (version 1, the rules of V6 apply): the gateway shows free space per destination (overview,
-- GET /api/backup/status).
CREATE VIEW v1_destination_space AS
SELECT destination, type, target, free_bytes, quota_bytes, error, worker_id, checked_at
FROM destination_space;
