package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;
import java.util.List;

/**
 * Event: the backup file does not match its manifest; {@code problems} names every difference found.
 *
 * @param backupId the backup that failed verification
 * @param fileName its file (may be missing on disk)
 * @param problems what differs, one line each
 */
public record VerifyFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String fileName, List<String> problems) implements BackupMessage {

    public VerifyFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null, "backupId is missing");
        MessageValidation.fileName(fileName);
        MessageValidation.require(problems != null && !problems.isEmpty(), "problems is missing");
        problems = List.copyOf(problems);
    }

    public static VerifyFailed of(UUID jobId, String target, UUID backupId, String fileName, List<String> problems) {
        return new VerifyFailed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, fileName, problems);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_VERIFY_FAILED;
    }
}
