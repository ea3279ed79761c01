package io.taskagent.backup.gateway.backup;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One catalogued backup ({@code GET /api/backup/backups/{backup_id}}) with its manifest fields.
 *
 * @param backupId the backup's id (that of the job that made it)
 * @param status   AVAILABLE, or EXPIRED once retention removed its file
 * @param applicationVersion the application's version marker in the backup, when one was found
 * @param copies   every destination holding (or that held) a copy, the primary first
 */
public record BackupView(UUID backupId, String target, String backupType, String status, Instant createdAt,
                         Instant expiredAt, String applicationVersion, Manifest manifest,
                         java.util.List<CopyView> copies) {

    /**
     * The manifest: what the file is and holds.
     *
     * @param rowCounts       rows per table, in restore (foreign-key) order
     * @param durationSeconds how long the dump took
     * @param encryption      the algorithm the file is encrypted with ({@code tink-streaming-aead}), null in the clear
     * @param keyId           the id of the keyset's key it is encrypted with
     */
    public record Manifest(String format, int formatVersion, String fileName, long sizeBytes, String sha256,
                           String compression, Map<String, Long> rowCounts, int tableCount, double durationSeconds,
                           String encryption, Long keyId) {
    }
}
