package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: free space of the backup storage is below the threshold. {@code jobId} identifies the check.
 *
 * @param path the storage location
 * @param freeBytes free space
 * @param thresholdBytes the threshold
 */
public record DiskSpaceLow(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String path, long freeBytes, long thresholdBytes) implements BackupMessage {

    public DiskSpaceLow {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(path != null && !path.isBlank(), "path is missing");
        MessageValidation.require(freeBytes >= 0, "freeBytes must not be negative");
        MessageValidation.require(thresholdBytes >= 0, "thresholdBytes must not be negative");
    }

    public static DiskSpaceLow of(UUID jobId, String target, String path, long freeBytes, long thresholdBytes) {
        return new DiskSpaceLow(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, path, freeBytes, thresholdBytes);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_DISK_SPACE_LOW;
    }
}
