package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: rows written so far by a running backup, at most once every few seconds.
 *
 * @param rowsDone rows written so far
 * @param rowsEstimated the planner's estimate of all rows (pg_class.reltuples), 0 when unknown
 * @param tablesDone tables finished
 * @param tableCount tables in the backup
 */
public record BackupProgress(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String backupType, long rowsDone, long rowsEstimated, int tablesDone, int tableCount) implements BackupMessage {

    public BackupProgress {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.require(rowsDone >= 0, "rowsDone must not be negative");
        MessageValidation.require(rowsEstimated >= 0, "rowsEstimated must not be negative");
        MessageValidation.require(tablesDone >= 0, "tablesDone must not be negative");
        MessageValidation.require(tableCount >= 0, "tableCount must not be negative");
    }

    public static BackupProgress of(UUID jobId, String target, String backupType, long rowsDone, long rowsEstimated, int tablesDone, int tableCount) {
        return new BackupProgress(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupType, rowsDone, rowsEstimated, tablesDone, tableCount);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_PROGRESS;
    }
}
