package io.taskagent.backup.model;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.OptBoolean;

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
 * @param mode             {@code replace} (null: the default): into an existing database whose schema matches, rows
 *                         replaced; {@code create}: into an existing empty database, the schema created from the
 *                         backup (format 2)
 * @param createDatabase   a new database of this name to create on the target's server and restore into in
 *                         {@code create} mode (dropped again if anything fails); null: none
 * @param requestedBy      who asked
 */
public record RequestRestore(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
                             UUID backupId, String backupFileName, String database, boolean dryRun,
                             boolean skipSafetyBackup,
                             // absent from the JSON of older producers: read as null (replace, no new database)
                             @JacksonInject(value = "RequestRestore.mode", optional = OptBoolean.TRUE, useInput = OptBoolean.TRUE)
                             String mode,
                             @JacksonInject(value = "RequestRestore.createDatabase", optional = OptBoolean.TRUE,
                                     useInput = OptBoolean.TRUE) String createDatabase,
                             // absent from the JSON of older producers: the first verified copy
                             @JacksonInject(value = "RequestRestore.destination", optional = OptBoolean.TRUE,
                                     useInput = OptBoolean.TRUE) String destination,
                             String requestedBy) implements BackupMessage {

    /** Restore into an existing database whose schema matches; the default. */
    public static final String REPLACE = "replace";
    /** Restore into an existing empty database, creating the schema from the backup. */
    public static final String CREATE = "create";

    public RequestRestore {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(backupId != null || backupFileName != null,
                "backupId or backupFileName is required");
        MessageValidation.require(database == null || MessageValidation.TARGET.matcher(database).matches(),
                "database must match " + MessageValidation.TARGET.pattern() + " but was "
                        + MessageValidation.quote(database));
        MessageValidation.require(mode == null || REPLACE.equals(mode) || CREATE.equals(mode),
                "mode must be replace or create but was " + MessageValidation.quote(mode));
        MessageValidation.require(createDatabase == null || Names.isDatabase(createDatabase),
                "createDatabase must match " + Names.DATABASE_REGEX + " but was " + MessageValidation.quote(createDatabase));
        MessageValidation.require(createDatabase == null || !REPLACE.equals(mode),
                "createDatabase restores in create mode, not replace");
        MessageValidation.require(destination == null || Names.isDestination(destination),
                "destination must match " + Names.DESTINATION_REGEX + " but was " + MessageValidation.quote(destination));
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
    }

    /** The mode in effect: {@code create} with a new database, else as asked (default {@code replace}). */
    public String effectiveMode() {
        return createDatabase != null ? CREATE : mode == null ? REPLACE : mode;
    }

    public static RequestRestore of(UUID jobId, String target, UUID backupId, String backupFileName, String database,
                                    boolean dryRun, boolean skipSafetyBackup, String requestedBy) {
        return of(jobId, target, backupId, backupFileName, database, dryRun, skipSafetyBackup, null, null, requestedBy);
    }

    public static RequestRestore of(UUID jobId, String target, UUID backupId, String backupFileName, String database,
                                    boolean dryRun, boolean skipSafetyBackup, String mode, String createDatabase,
                                    String requestedBy) {
        return of(jobId, target, backupId, backupFileName, database, dryRun, skipSafetyBackup, mode, createDatabase,
                null, requestedBy);
    }

    public static RequestRestore of(UUID jobId, String target, UUID backupId, String backupFileName, String database,
                                    boolean dryRun, boolean skipSafetyBackup, String mode, String createDatabase,
                                    String destination, String requestedBy) {
        return new RequestRestore(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, backupId,
                backupFileName, database, dryRun, skipSafetyBackup, mode, createDatabase, destination, requestedBy);
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
