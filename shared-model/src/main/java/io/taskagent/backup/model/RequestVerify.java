package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: re-read a stored backup and check it against its manifest and catalog record.
 *
 * @param backupId the backup to verify (its job id)
 * @param requestedBy who asked
 */
public record RequestVerify(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String requestedBy) implements BackupMessage {

    public RequestVerify {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null, "backupId is missing");
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static RequestVerify of(UUID jobId, String target, UUID backupId, String requestedBy) {
        return new RequestVerify(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_VERIFY_REQUEST;
    }
}
