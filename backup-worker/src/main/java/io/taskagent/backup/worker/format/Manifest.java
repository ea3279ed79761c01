package io.taskagent.backup.worker.format;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The manifest beside a backup file ({@code <file>}{@value BackupFormat#MANIFEST_SUFFIX}): the file as stored (name,
 * size, SHA-256, compression), the backup it holds, and its row counts and table digests.
 */
public record Manifest(String format, int formatVersion, String fileName, long sizeBytes, String sha256,
                       Compression compression, UUID backupId, String target, String backupType, Instant createdAt,
                       Map<String, Long> rowCounts, Map<String, String> tableSha256) {

    public Manifest {
        rowCounts = rowCounts == null ? Map.of() : rowCounts;
        tableSha256 = tableSha256 == null ? Map.of() : tableSha256;
    }

    /** The manifest of a finished file. */
    public static Manifest of(BackupMetadata metadata, String fileName, long sizeBytes, String sha256,
                              Map<String, Long> rowCounts, Map<String, String> tableSha256) {
        return new Manifest(BackupFormat.FORMAT_NAME, BackupFormat.FORMAT_VERSION, fileName, sizeBytes, sha256,
                metadata.compression(), metadata.backupId(), metadata.target(), metadata.backupType(),
                metadata.createdAt(), rowCounts, tableSha256);
    }

    /** As stored: pretty-printed JSON. */
    public byte[] toJson() {
        return BackupFormat.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }

    /** Reads a manifest; a malformed one is an error naming the problem. */
    public static Manifest parse(byte[] json) {
        return BackupFormat.json().readValue(json, Manifest.class);
    }
}
