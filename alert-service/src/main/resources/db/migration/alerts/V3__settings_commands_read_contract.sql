-- Written only by alert-service (schema "alerts"); the api-gateway reads v1_settings and v1_commands.

-- The alert settings set through the API (ConfigureAlerts), one row. A null column was never set through the API:
-- the service's configuration applies (ALERT_MAIL_RECIPIENTS, ALERT_MAIL_ENABLED, ALERT_ON_FAILURE).
-- email_recipients is a JSON array of addresses ([] = nobody); version counts the applied commands (0: none yet).
CREATE TABLE settings (
    id                   smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    email_recipients     jsonb       CHECK (email_recipients IS NULL OR jsonb_typeof(email_recipients) = 'array'),
    email_alerts_enabled boolean,
    alert_on_failure     boolean,
    version              bigint      NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at           timestamptz,
    updated_by           text,
    CHECK ((version = 0) = (updated_at IS NULL) AND (version = 0) = (updated_by IS NULL))
);
INSERT INTO settings (id) VALUES (1);

-- alert commands handled, by message id: a redelivered command is not applied twice; a REJECTED one names its
-- problems by field (emailRecipients[0]...) and changed nothing
CREATE TABLE commands (
    message_id    uuid        PRIMARY KEY,
    job_id        uuid        NOT NULL,
    command       text        NOT NULL,
    requested_by  text        NOT NULL,
    received_at   timestamptz NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('APPLIED', 'REJECTED')),
    problems      jsonb
);
CREATE INDEX commands_job_idx ON commands (job_id);

-- why an event was suppressed: 'throttled', or 'alert_on_failure is off' for a failure event while that is off
ALTER TABLE alert_events ADD COLUMN suppressed_reason text;
UPDATE alert_events SET suppressed_reason = 'throttled' WHERE outcome = 'SUPPRESSED';
ALTER TABLE alert_events ADD CONSTRAINT alert_events_suppressed_reason_check
    CHECK ((outcome = 'SUPPRESSED') = (suppressed_reason IS NOT NULL));

-- The alert service's read contract, version 1: the only relations of schema "alerts" that other services may read
-- (api-gateway: the alert settings set through the API, and the outcome of each ConfigureAlerts by job id).
-- Columns are listed, never "*": a column added to a table is not part of the contract until a view lists it; v1
-- never loses or renames a column (a breaking change is a new v2_* view beside it). In v1_settings a null column
-- means "not set through the API, the service's configuration applies"; the settings in force are announced with
-- AlertSettingsChanged.
CREATE VIEW v1_settings AS
SELECT email_recipients, email_alerts_enabled, alert_on_failure, version, updated_at, updated_by
FROM settings
WHERE id = 1;

CREATE VIEW v1_commands AS
SELECT message_id, job_id, command, requested_by, received_at, outcome, problems
FROM commands;
