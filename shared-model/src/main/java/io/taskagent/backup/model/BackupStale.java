package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: no successful backup of the target within the staleness window. {@code jobId} identifies the watchdog check.
 *
 * @param lastSuccessAt the last successful backup, null when there was none
 * @param windowSeconds the staleness window
 */
public record BackupStale(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        Instant lastSuccessAt, long windowSeconds) implements BackupMessage {

    public BackupStale {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(windowSeconds > 0, "windowSeconds must be positive");
    }

    public static BackupStale of(UUID jobId, String target, Instant lastSuccessAt, long windowSeconds) {
        return new BackupStale(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, lastSuccessAt, windowSeconds);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_STALE;
    }
}
