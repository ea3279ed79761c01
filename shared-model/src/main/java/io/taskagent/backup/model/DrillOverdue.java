package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: no restore drill of the target passed within the drill window ({@code scheduler.drill.max-age}): nothing has
 * proved lately that its backups rebuild the database. {@code jobId} identifies the watchdog check.
 *
 * @param lastPassedAt  when a drill of the target last passed, null when none ever did
 * @param windowSeconds the drill window
 */
public record DrillOverdue(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        Instant lastPassedAt, long windowSeconds) implements BackupMessage {

    public DrillOverdue {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(windowSeconds > 0, "windowSeconds must be positive");
    }

    public static DrillOverdue of(UUID jobId, String target, Instant lastPassedAt, long windowSeconds) {
        return new DrillOverdue(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, lastPassedAt,
                windowSeconds);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_DRILL_OVERDUE;
    }
}
