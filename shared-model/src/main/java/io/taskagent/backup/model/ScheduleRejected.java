package io.taskagent.backup.model;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Event: the scheduler refused a command; nothing changed. {@code jobId} is the refused command's job.
 *
 * @param command  the refused command's type, e.g. ConfigureSchedule
 * @param problems what is wrong, keyed by the command's field name (e.g. {@code keepDaily})
 */
public record ScheduleRejected(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String command, Map<String, String> problems) implements BackupMessage {

    public ScheduleRejected {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(command != null && !command.isBlank(), "command is missing");
        MessageValidation.require(problems != null && !problems.isEmpty(), "problems is missing");
        problems = Collections.unmodifiableMap(new TreeMap<>(problems));
    }

    public static ScheduleRejected of(UUID jobId, String target, String command, Map<String, String> problems) {
        return new ScheduleRejected(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, command, problems);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_SCHEDULE_REJECTED;
    }
}
