package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: apply the retention policy to the target's backups now, or, as a dry run, only report each backup's
 * keep/delete decision. Consumed by the scheduler, which decides; a real run is carried out by the worker
 * ({@link DeleteBackups}). Both end with {@link CleanupCompleted} of the same {@code jobId}.
 *
 * @param dryRun      decide and report, delete nothing
 * @param requestedBy who asked
 */
public record RequestCleanup(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        boolean dryRun, String requestedBy) implements BackupMessage {

    public RequestCleanup {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static RequestCleanup of(UUID jobId, String target, boolean dryRun, String requestedBy) {
        return new RequestCleanup(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, dryRun, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_CLEANUP_REQUEST;
    }
}
