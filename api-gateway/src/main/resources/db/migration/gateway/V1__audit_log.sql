-- Written only by api-gateway (schema "gateway").
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    token_name  text        NOT NULL,
    action      text        NOT NULL,
    parameters  jsonb       NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('ACCEPTED', 'REJECTED', 'FAILED')),
    job_id      uuid,
    detail      text
);
CREATE INDEX audit_log_job_idx ON audit_log (job_id);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
