package io.taskagent.backup.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Event (an alert): a restore drill found that a backup does not rebuild its database as recorded, or could not run
 * it; every difference or the cause is listed. The drill database is dropped either way.
 *
 * @param jobId    the drill job
 * @param backupId the backup drilled, null when none could be chosen
 * @param fileName its file, null when none could be chosen
 * @param problems every difference found, or why the drill could not run
 */
public record DrillFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version, UUID backupId,
        String fileName, List<String> problems) implements BackupMessage {

    public DrillFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(fileName == null || Names.isPlainFileName(fileName), "fileName must be a plain file name");
        MessageValidation.require(problems != null && !problems.isEmpty(), "problems is missing");
        problems = List.copyOf(problems);
    }

    public static DrillFailed of(UUID jobId, String target, UUID backupId, String fileName, List<String> problems) {
        return new DrillFailed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, fileName,
                problems);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_DRILL_FAILED;
    }
}
