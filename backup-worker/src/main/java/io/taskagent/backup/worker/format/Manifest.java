package io.taskagent.backup.worker.format;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * The fields every manifest holds, of any format version: the identity of the stored file, on which a quick
     * verification rests.
     */
    public static final List<String> IDENTITY = List.of("format", "format_version", "file_name", "size_bytes",
            "sha256");

    /** The fields a manifest of format 2 holds besides its {@link #IDENTITY}: the backup it holds. */
    public static final List<String> DESCRIPTION = List.of("compression", "backup_id", "target", "backup_type",
            "created_at");

    /**
     * The fields a manifest of format 2 of a file in the clear holds too: its rows. An encrypted file's manifest
     * names no table, and without them it reads the same (empty), so it need not hold them.
     */
    public static final List<String> ROWS = List.of("row_counts", "table_sha256");

    /**
     * The fields an encrypted file's manifest holds besides the others. Encryption at rest came with them, within
     * format 2: the manifest of a file in the clear written before lacks them (and reads as in the clear).
     */
    public static final List<String> ENCRYPTION_FIELDS = List.of("encryption", "key_id");

    /**
     * The fields a manifest of a file of {@code formatVersion} must hold: each one whose absence would read as
     * something else than what such a manifest says. Any other field it holds is compared too, one it lacks is not
     * (an older worker wrote fewer: a format 1 manifest is held to its {@link #IDENTITY} only).
     */
    public static Set<String> required(int formatVersion, boolean encrypted) {
        Set<String> required = new LinkedHashSet<>(IDENTITY);
        if (formatVersion >= 2) {
            required.addAll(DESCRIPTION);
            if (!encrypted) {
                required.addAll(ROWS);
            }
        }
        if (encrypted) {
            required.addAll(ENCRYPTION_FIELDS);
        }
        return required;
    }

    /** The names of the fields the manifest {@code json} holds (none when it is not a JSON object). */
    public static Set<String> fieldsOf(byte[] json) {
        JsonNode tree = BackupFormat.json().readTree(json);
        Set<String> fields = new LinkedHashSet<>();
        if (tree != null && tree.isObject()) {
            tree.properties().forEach(e -> fields.add(e.getKey()));
        }
        return fields;
    }
}
