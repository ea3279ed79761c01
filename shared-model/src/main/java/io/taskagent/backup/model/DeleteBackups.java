package io.taskagent.backup.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Command: delete backups the retention policy let go (the scheduler decides, the worker that owns the files
 * executes). {@code jobId} is the cleanup job. The worker checks each again and keeps the target's newest backup and
 * any backup a running verify or restore uses; it removes the file and manifest, marks the catalog row expired,
 * removes leftovers of failed jobs and publishes {@link CleanupCompleted}.
 *
 * @param deletions   the backups to delete, each with the reason
 * @param keptCount   backups the policy keeps
 * @param requestedBy who asked: a token name, or {@code scheduler:cleanup}
 */
public record DeleteBackups(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        List<Deletion> deletions, int keptCount, String requestedBy) implements BackupMessage {

    /**
     * One backup to delete.
     *
     * @param backupId the backup (its job id)
     * @param fileName its file, as catalogued
     * @param reason   why the policy lets it go
     * @param destination only the copy on this destination goes (its own retention rules let it go, the backup is
     *                    kept elsewhere); null: the whole backup, every copy
     */
    public record Deletion(UUID backupId, String fileName, String reason,
                           // absent from the JSON of older producers: the whole backup
                           @com.fasterxml.jackson.annotation.JacksonInject(value = "Deletion.destination",
                                   optional = com.fasterxml.jackson.annotation.OptBoolean.TRUE,
                                   useInput = com.fasterxml.jackson.annotation.OptBoolean.TRUE)
                           String destination) {

        public Deletion(UUID backupId, String fileName, String reason) {
            this(backupId, fileName, reason, null);
        }

        public Deletion {
            MessageValidation.require(backupId != null, "deletion backupId is missing");
            MessageValidation.fileName(fileName);
            MessageValidation.require(reason != null && !reason.isBlank(), "deletion reason is missing");
            MessageValidation.require(destination == null || Names.isDestination(destination),
                    "deletion destination must match " + Names.DESTINATION_REGEX + " but was "
                            + MessageValidation.quote(destination));
        }
    }

    public DeleteBackups {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(deletions != null, "deletions is missing");
        MessageValidation.require(keptCount >= 0, "keptCount must not be negative");
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
        deletions = List.copyOf(deletions);
    }

    public static DeleteBackups of(UUID jobId, String target, List<Deletion> deletions, int keptCount,
                                   String requestedBy) {
        return new DeleteBackups(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, deletions,
                keptCount, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_CLEANUP_EXECUTE;
    }
}
