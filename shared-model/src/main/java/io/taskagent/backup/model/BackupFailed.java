package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: the backup did not produce a file. No partial file is left under a final name.
 *
 * @param reason  what went wrong, for a person (never a secret)
 * @param attempt the attempt that failed
 */
public record BackupFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                           String backupType, String reason, int attempt) implements BackupMessage {

    public BackupFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.require(reason != null && !reason.isBlank(), "reason is missing");
        MessageValidation.require(attempt >= 0, "attempt must not be negative");
    }

    public static BackupFailed of(UUID jobId, String target, String backupType, String reason, int attempt) {
        return new BackupFailed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupType,
                reason, attempt);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_FAILED;
    }
}
