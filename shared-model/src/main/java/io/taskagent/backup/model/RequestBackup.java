package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: take a backup of {@code target}. Published by the api-gateway (on-demand) and the scheduler.
 *
 * @param backupType  {@code manual}, {@code urgent}, {@code pre_migration}, {@code interval}, ... or a schedule's name
 * @param requestedBy who asked: a token name, or {@code scheduler:<schedule>}
 */
public record RequestBackup(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                            String backupType, String requestedBy) implements BackupMessage {

    public RequestBackup {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.backupType(backupType);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    /** A new request for a new job. */
    public static RequestBackup newJob(String target, String backupType, String requestedBy) {
        return new RequestBackup(UUID.randomUUID(), UUID.randomUUID(), target, Instant.now(),
                CURRENT_VERSION, backupType, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_REQUEST;
    }
}
