-- Written only by alert-service (schema "alerts").
CREATE TABLE deliveries (
    message_id  uuid        NOT NULL,
    channel     text        NOT NULL,
    event_type  text        NOT NULL,
    job_id      uuid        NOT NULL,
    target      text        NOT NULL,
    recipients  text,
    subject     text,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, channel)
);
CREATE INDEX deliveries_sent_at_idx ON deliveries (sent_at DESC);
