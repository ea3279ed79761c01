package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: stop firing schedules (backups and the daily cleanup) until {@link StartScheduler}; the state is kept in
 * the scheduler's catalog, so it survives restarts. Answered by {@link SchedulerStateChanged}.
 *
 * @param requestedBy who asked
 */
public record StopScheduler(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String requestedBy) implements BackupMessage {

    public StopScheduler {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static StopScheduler of(UUID jobId, String target, String requestedBy) {
        return new StopScheduler(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_SCHEDULER_STOP;
    }
}
