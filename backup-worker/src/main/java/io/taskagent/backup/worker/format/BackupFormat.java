package io.taskagent.backup.worker.format;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Names and constants of the backup file format (see docs/backup-format.md). Its layout is defined once, as records:
 * the header line ({@link #FORMAT_NAME}, {@link #FORMAT_VERSION}), {@link BackupMetadata}, {@link SchemaSections}, the
 * data section (tables of rows, {@link BackupFileReader.Data}), {@link Summary}, and the {@link Manifest} beside the
 * file; {@link BackupFileWriter} writes them and {@link BackupFileReader} reads them, with {@link #json()}.
 */
public final class BackupFormat {

    public static final String FORMAT_NAME = "taskagent-backup";
    /** The version written: 2 holds the schema ({@link SchemaSections}); 1 held rows only, and is still read. */
    public static final int FORMAT_VERSION = 2;

    /** The oldest version still read (verified, and restored into an existing schema). */
    public static final int OLDEST_READ_VERSION = 1;
    public static final String MANIFEST_SUFFIX = ".manifest.json";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")
            .withZone(ZoneOffset.UTC);

    /** The line that opens the data section, and the one that closes it. */
    static final String DATA_OPEN = "\"data\":{";
    static final String DATA_CLOSE = "},";

    /**
     * The JSON of the format's records: snake_case names, unknown fields tolerated (a newer worker may add some) and
     * missing ones left null (an older file may lack some).
     */
    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private BackupFormat() {
    }

    public static JsonMapper json() {
        return JSON;
    }

    /** {@code {type}_backup_{yyyyMMdd_HHmmss}_{short id}.json[.gz|.zst]}, the time in UTC. */
    public static String fileName(String backupType, Instant createdAt, UUID jobId, Compression compression) {
        return backupType + "_backup_" + STAMP.format(createdAt) + "_" + jobId.toString().substring(0, 8)
                + compression.extension();
    }

    /** The digest of the format: of the file, of each row, and of each table (over its rows' digests). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
