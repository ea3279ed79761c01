-- Written only by scheduler-service (schema "scheduler").
CREATE TABLE fires (
    schedule      text        NOT NULL,
    fire_at       timestamptz NOT NULL,
    job_id        uuid,
    status        text        NOT NULL CHECK (status IN ('BASELINE', 'PENDING', 'PUBLISHED')),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    PRIMARY KEY (schedule, fire_at)
);
