package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event (an alert): copying a backup to a destination failed; the backup stays good where it is.
 *
 * @param jobId       the backup's job (the backup's id)
 * @param attempt     the attempt that failed (1: the first)
 * @param nextAttemptAt when it is tried again, or null when it was the last attempt (the copy is given up)
 */
public record ReplicationFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String destination, String fileName, int attempt, Instant nextAttemptAt, String reason)
        implements BackupMessage {

    public ReplicationFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(Names.isDestination(destination), "destination must match "
                + Names.DESTINATION_REGEX + " but was " + MessageValidation.quote(destination));
        MessageValidation.fileName(fileName);
        MessageValidation.require(attempt >= 1, "attempt must be at least 1");
        MessageValidation.require(reason != null && !reason.isBlank(), "reason is missing");
    }

    public static ReplicationFailed of(UUID backupId, String target, String destination, String fileName, int attempt,
                                       Instant nextAttemptAt, String reason) {
        return new ReplicationFailed(UUID.randomUUID(), backupId, target, Instant.now(), CURRENT_VERSION, destination,
                fileName, attempt, nextAttemptAt, reason);
    }

    /** True when the copy is given up. */
    public boolean finalAttempt() {
        return nextAttemptAt == null;
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_REPLICATION_FAILED;
    }
}
