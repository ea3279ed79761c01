package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: let the scheduler fire its schedules again (the running state is kept in its catalog). Fires missed while
 * it was stopped are not caught up. Answered by {@link SchedulerStateChanged}.
 *
 * @param requestedBy who asked
 */
public record StartScheduler(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String requestedBy) implements BackupMessage {

    public StartScheduler {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static StartScheduler of(UUID jobId, String target, String requestedBy) {
        return new StartScheduler(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_SCHEDULER_START;
    }
}
