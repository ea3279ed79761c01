package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;
import java.util.Map;

/**
 * Event: the backup file matched its manifest: SHA-256, size, decompression, parse, row counts and table digests.
 *
 * @param backupId the verified backup
 * @param fileName its file
 * @param rowCounts rows per table as read back
 */
public record VerifyCompleted(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String fileName, Map<String, Long> rowCounts) implements BackupMessage {

    public VerifyCompleted {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null, "backupId is missing");
        MessageValidation.fileName(fileName);
        MessageValidation.require(rowCounts != null, "rowCounts is missing");
        rowCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(rowCounts));
    }

    public static VerifyCompleted of(UUID jobId, String target, UUID backupId, String fileName, Map<String, Long> rowCounts) {
        return new VerifyCompleted(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, fileName, rowCounts);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_VERIFY_COMPLETED;
    }
}
