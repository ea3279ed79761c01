package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: a restore was refused or rolled back; the target is as it was before.
 *
 * @param backupId the backup that was to be restored (null when it could not be resolved)
 * @param database the database that was to be restored into
 * @param reason why, for a person
 */
public record RestoreFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String database, String reason) implements BackupMessage {

    public RestoreFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(database != null && !database.isBlank(), "database is missing");
        MessageValidation.require(reason != null && !reason.isBlank(), "reason is missing");
    }

    public static RestoreFailed of(UUID jobId, String target, UUID backupId, String database, String reason) {
        return new RestoreFailed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, database, reason);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_RESTORE_FAILED;
    }
}
