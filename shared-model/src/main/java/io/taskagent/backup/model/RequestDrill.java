package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: a restore drill. The worker restores a backup into a throw-away database on the drill server, compares
 * rows, schema and the configured smoke checks with what the backup recorded, measures the recovery time, drops the
 * database and announces {@link DrillPassed} or {@link DrillFailed}.
 *
 * @param backupId the backup to drill (its job id); null: the newest available backup of the target
 */
public record RequestDrill(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        UUID backupId, String requestedBy) implements BackupMessage {

    public RequestDrill {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static RequestDrill of(UUID jobId, String target, UUID backupId, String requestedBy) {
        return new RequestDrill(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_DRILL_REQUEST;
    }
}
