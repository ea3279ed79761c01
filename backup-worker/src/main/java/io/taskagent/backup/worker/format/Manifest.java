package io.taskagent.backup.worker.format;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The manifest beside a backup file ({@code <file>}{@value BackupFormat#MANIFEST_SUFFIX}): the file as stored (name,
 * size, SHA-256, compression, encryption and key id), the backup it holds, and, for a file in the clear, its row
 * counts and table digests. The manifest of an encrypted file holds only what retention and a quick verify need: no
 * table name, no count (a full verify reads them from the file's own summary, decrypted).
 *
 * @param encryption {@value Encryption#ALGORITHM}, or null for a file in the clear
 * @param keyId      the id of the keyset's key the file was encrypted with
 */
public record Manifest(String format, int formatVersion, String fileName, long sizeBytes, String sha256,
                       Compression compression, UUID backupId, String target, String backupType, Instant createdAt,
                       Map<String, Long> rowCounts, Map<String, String> tableSha256, String encryption,
                       Integer keyId) {

    public Manifest {
        rowCounts = rowCounts == null ? Map.of() : rowCounts;
        tableSha256 = tableSha256 == null ? Map.of() : tableSha256;
    }

    /** The manifest of a finished file. */
    public static Manifest of(BackupMetadata metadata, String fileName, long sizeBytes, String sha256,
                              Map<String, Long> rowCounts, Map<String, String> tableSha256, Encryption encryption) {
        boolean encrypted = encryption.enabled();
        return new Manifest(BackupFormat.FORMAT_NAME, BackupFormat.FORMAT_VERSION, fileName, sizeBytes, sha256,
                metadata.compression(), metadata.backupId(), metadata.target(), metadata.backupType(),
                metadata.createdAt(), encrypted ? Map.of() : rowCounts, encrypted ? Map.of() : tableSha256,
                encrypted ? Encryption.ALGORITHM : null,
                encrypted ? encryption.primaryKeyId().getAsInt() : null);
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
