package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: a backup finished but is larger than the configured limit; the file is kept.
 *
 * @param fileName the file name inside the storage directory
 * @param sizeBytes its size
 * @param limitBytes the configured limit (max_backup_size_mb)
 */
public record BackupOversized(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String backupType, String fileName, long sizeBytes, long limitBytes) implements BackupMessage {

    public BackupOversized {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.fileName(fileName);
        MessageValidation.require(sizeBytes >= 0, "sizeBytes must not be negative");
        MessageValidation.require(limitBytes > 0, "limitBytes must be positive");
    }

    public static BackupOversized of(UUID jobId, String target, String backupType, String fileName, long sizeBytes, long limitBytes) {
        return new BackupOversized(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupType, fileName, sizeBytes, limitBytes);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_OVERSIZED;
    }
}
