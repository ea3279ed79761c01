package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Command: restore a catalogued backup into a database. {@code jobId} is the restore job.
 *
 * @param backupId         the backup to restore (its job id); or null with {@code backupFileName}
 * @param backupFileName   the backup's file name, which must resolve to a catalogued file; or null with
 *                         {@code backupId}
 * @param database         the configured restore target to write into; null means the protected source database
 * @param dryRun           check everything and report row counts, write nothing
 * @param skipSafetyBackup do not take the pre-restore safety backup of the target first
 * @param requestedBy      who asked
 */
public record RequestRestore(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                             UUID backupId, String backupFileName, String database, boolean dryRun,
                             boolean skipSafetyBackup, String requestedBy) implements BackupMessage {

    public RequestRestore {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null || backupFileName != null,
                "backupId or backupFileName is required");
        MessageValidation.require(database == null || MessageValidation.TARGET.matcher(database).matches(),
                "database must match " + MessageValidation.TARGET.pattern() + " but was "
                        + MessageValidation.quote(database));
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    public static RequestRestore of(UUID jobId, String target, UUID backupId, String backupFileName, String database,
                                    boolean dryRun, boolean skipSafetyBackup, String requestedBy) {
        return new RequestRestore(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId,
                backupFileName, database, dryRun, skipSafetyBackup, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_RESTORE_REQUEST;
    }
}
