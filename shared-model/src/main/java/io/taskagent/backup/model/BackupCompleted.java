package io.taskagent.backup.model;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Event: the backup file is complete, fsynced, renamed to its final name and recorded in the catalog.
 *
 * @param fileName       the file name inside the storage directory (never a path)
 * @param sizeBytes      the file's size on disk
 * @param sha256         hex SHA-256 of the whole file
 * @param rowCounts      rows per table, keyed by {@code schema.table}
 * @param durationMillis wall time of the dump
 */
public record BackupCompleted(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                              String backupType, String fileName, long sizeBytes, String sha256,
                              Map<String, Long> rowCounts, long durationMillis) implements BackupMessage {

    public BackupCompleted {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.fileName(fileName);
        MessageValidation.require(sizeBytes >= 0, "sizeBytes must not be negative");
        MessageValidation.require(sha256 != null && sha256.matches("[0-9a-f]{64}"),
                "sha256 must be 64 lowercase hex digits but was " + MessageValidation.quote(sha256));
        MessageValidation.require(rowCounts != null, "rowCounts is missing");
        rowCounts = java.util.Collections.unmodifiableMap(new TreeMap<>(rowCounts));
    }

    public static BackupCompleted of(UUID jobId, String target, String backupType, String fileName, long sizeBytes,
                                     String sha256, Map<String, Long> rowCounts, long durationMillis) {
        return new BackupCompleted(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupType,
                fileName, sizeBytes, sha256, rowCounts, durationMillis);
    }

    /** Rows over all tables. */
    public long totalRows() {
        return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_COMPLETED;
    }
}
