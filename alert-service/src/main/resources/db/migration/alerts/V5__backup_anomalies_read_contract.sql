-- The anomalies the alert service detected (AnomalyDetector: a backup that departs from its target's recent history,
-- e.g. a table with a tenth of its usual rows) in the read contract (version 1, the rules of V3 apply): the
-- api-gateway's dashboard marks them on the backups chart. One row per backup found anomalous, with the backup's
-- figures as received (BackupCompleted) and the anomaly parsed out of the BackupAnomaly kept in backup_history.anomaly
-- (JSON as published): its findings, one text each, in the order found; when it was detected; when the broker
-- confirmed its publication (null until then).
CREATE VIEW v1_backup_anomalies AS
SELECT job_id, target, backup_type, file_name, completed_at, size_bytes, total_rows,
       ARRAY(SELECT jsonb_array_elements_text(anomaly::jsonb -> 'findings')) AS findings,
       (anomaly::jsonb ->> 'occurredAt')::timestamptz AS detected_at,
       anomaly_published_at AS published_at
FROM backup_history
WHERE anomaly IS NOT NULL;
