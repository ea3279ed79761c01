package io.taskagent.backup.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Event: a retention cleanup finished. {@code jobId} is the cleanup job. A dry run (published by the scheduler)
 * lists every backup's decision and removed nothing; a real run (published by the worker) lists the decisions it
 * carried out, including deletions it refused, and every file it removed.
 *
 * @param dryRun       nothing was deleted
 * @param decisions    keep or delete, per backup, with the reasons
 * @param removedFiles files removed: backups, their manifests, and leftovers of failed jobs
 * @param bytesFreed   space freed on the storage
 * @param keptCount    backups kept
 */
public record CleanupCompleted(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        boolean dryRun, List<Decision> decisions, List<String> removedFiles, long bytesFreed, int keptCount)
        implements BackupMessage {

    /**
     * What the cleanup decided for one backup.
     *
     * @param backupId   the backup (its job id)
     * @param fileName   its file
     * @param backupType its type
     * @param createdAt  when it was taken
     * @param sizeBytes  its size
     * @param keep       kept (true) or deleted (false)
     * @param reasons    the rules that keep it (e.g. {@code hourly}, {@code daily}, {@code newest}), or why it goes
     * @param dropCopies destinations whose copy goes although the backup is kept (that destination's own retention
     *                   rules let it go there, e.g. kept monthly off-site but no longer daily locally)
     */
    public record Decision(UUID backupId, String fileName, String backupType, Instant createdAt, long sizeBytes,
                           boolean keep, List<String> reasons,
                           // absent from the JSON of older producers: no copy dropped
                           @com.fasterxml.jackson.annotation.JacksonInject(value = "Decision.dropCopies",
                                   optional = com.fasterxml.jackson.annotation.OptBoolean.TRUE,
                                   useInput = com.fasterxml.jackson.annotation.OptBoolean.TRUE)
                           List<String> dropCopies) {

        public Decision(UUID backupId, String fileName, String backupType, Instant createdAt, long sizeBytes,
                        boolean keep, List<String> reasons) {
            this(backupId, fileName, backupType, createdAt, sizeBytes, keep, reasons, List.of());
        }

        public Decision {
            MessageValidation.require(backupId != null, "decision backupId is missing");
            MessageValidation.fileName(fileName);
            MessageValidation.backupType(backupType);
            MessageValidation.require(createdAt != null, "decision createdAt is missing");
            MessageValidation.require(sizeBytes >= 0, "decision sizeBytes must not be negative");
            MessageValidation.require(reasons != null && !reasons.isEmpty(), "decision reasons is missing");
            reasons = List.copyOf(reasons);
            dropCopies = dropCopies == null ? List.of() : List.copyOf(dropCopies);
            MessageValidation.require(dropCopies.stream().allMatch(Names::isDestination),
                    "decision dropCopies must be destination names");
        }
    }

    public CleanupCompleted {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(decisions != null, "decisions is missing");
        MessageValidation.require(removedFiles != null, "removedFiles is missing");
        removedFiles.forEach(MessageValidation::fileName);
        MessageValidation.require(!dryRun || removedFiles.isEmpty(), "a dry run removes no file");
        MessageValidation.require(bytesFreed >= 0, "bytesFreed must not be negative");
        MessageValidation.require(keptCount >= 0, "keptCount must not be negative");
        decisions = List.copyOf(decisions);
        removedFiles = List.copyOf(removedFiles);
    }

    public static CleanupCompleted of(UUID jobId, String target, boolean dryRun, List<Decision> decisions,
                                      List<String> removedFiles, long bytesFreed, int keptCount) {
        return new CleanupCompleted(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, dryRun,
                decisions, removedFiles, bytesFreed, keptCount);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_CLEANUP_COMPLETED;
    }
}
