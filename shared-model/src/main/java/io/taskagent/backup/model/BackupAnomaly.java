package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;
import java.util.List;

/**
 * Event: a successful backup departs from the target's recent history (possible data loss). {@code jobId} is the backup's job.
 *
 * @param fileName the backup's file
 * @param findings each departure, e.g. "public.tasks: 20000 rows, median 200000 (10%)"
 */
public record BackupAnomaly(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String backupType, String fileName, List<String> findings) implements BackupMessage {

    public BackupAnomaly {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.fileName(fileName);
        MessageValidation.require(findings != null && !findings.isEmpty(), "findings is missing");
        findings = List.copyOf(findings);
    }

    public static BackupAnomaly of(UUID jobId, String target, String backupType, String fileName, List<String> findings) {
        return new BackupAnomaly(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupType, fileName, findings);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_ANOMALY;
    }
}
