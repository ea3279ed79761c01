-- The alert history in the read contract (version 1, the rules of V3 apply): every alertable event received and what
-- was decided about it, and the channels each alert reached. The api-gateway's dashboard shows them ("Alerts" page).
-- Recipients are left out: addresses and webhook names are the alert service's configuration, not history to publish.
-- An ALERT without a row in v1_deliveries was not delivered (yet): its channels are being retried, or it failed every
-- retry and was dead-lettered (counted by alerts.failed).
CREATE VIEW v1_alert_events AS
SELECT message_id, kind, severity, target, job_id, occurred_at, outcome, suppressed_reason, suppressed_count,
       suppressed_since, subject, decided_at
FROM alert_events;

CREATE VIEW v1_deliveries AS
SELECT message_id, channel, event_type, job_id, target, sent_at
FROM deliveries;
