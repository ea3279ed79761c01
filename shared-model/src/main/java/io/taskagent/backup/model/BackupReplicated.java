package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: a backup was copied to another destination and the copy's SHA-256, read back from there, is the one
 * written.
 *
 * @param jobId       the backup's job (the backup's id)
 * @param destination the destination now holding the copy
 * @param attempt     the attempt that succeeded (1: the first)
 */
public record BackupReplicated(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String destination, String fileName, long sizeBytes, String sha256, int attempt) implements BackupMessage {

    public BackupReplicated {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(Names.isDestination(destination), "destination must match "
                + Names.DESTINATION_REGEX + " but was " + MessageValidation.quote(destination));
        MessageValidation.fileName(fileName);
        MessageValidation.require(sizeBytes >= 0, "sizeBytes must not be negative");
        MessageValidation.require(sha256 != null && sha256.matches("[0-9a-f]{64}"), "sha256 must be 64 hex digits");
        MessageValidation.require(attempt >= 1, "attempt must be at least 1");
    }

    public static BackupReplicated of(UUID backupId, String target, String destination, String fileName,
                                      long sizeBytes, String sha256, int attempt) {
        return new BackupReplicated(UUID.randomUUID(), backupId, target, Instant.now(), CURRENT_VERSION, destination,
                fileName, sizeBytes, sha256, attempt);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_BACKUP_REPLICATED;
    }
}
