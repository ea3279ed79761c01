-- events recorded in the same transaction as the job state they announce, published after the commit; a worker
-- that dies in between leaves them here and any worker's relay publishes them (consumers de-duplicate by message id)
CREATE TABLE outbox (
    message_id   uuid        PRIMARY KEY,
    job_id       uuid,
    message_type text        NOT NULL,
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE published_at IS NULL;
