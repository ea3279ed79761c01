package io.taskagent.backup.worker.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Names and constants of the backup file format (see docs/backup-format.md); the layout itself is written by
 * {@link BackupFileWriter} and read by {@link BackupFileReader}.
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

    private BackupFormat() {
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
