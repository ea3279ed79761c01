package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;
import java.util.Map;

/**
 * Event: a restore committed; row counts were checked against the manifest.
 *
 * @param backupId the restored backup
 * @param database the database restored into
 * @param dryRun true when nothing was written
 * @param rowCounts rows per table after the restore
 * @param durationMillis wall time
 */
public record RestoreCompleted(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String database, boolean dryRun, Map<String, Long> rowCounts, long durationMillis) implements BackupMessage {

    public RestoreCompleted {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null, "backupId is missing");
        MessageValidation.require(database != null && !database.isBlank(), "database is missing");
        MessageValidation.require(rowCounts != null, "rowCounts is missing");
        rowCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(rowCounts));
        MessageValidation.require(durationMillis >= 0, "durationMillis must not be negative");
    }

    public static RestoreCompleted of(UUID jobId, String target, UUID backupId, String database, boolean dryRun, Map<String, Long> rowCounts, long durationMillis) {
        return new RestoreCompleted(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, database, dryRun, rowCounts, durationMillis);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_RESTORE_COMPLETED;
    }
}
