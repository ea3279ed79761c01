package io.taskagent.backup.scheduler.retention;

import java.time.Instant;
import java.util.UUID;

/**
 * A successful, available backup as catalogued by the worker (read through {@code worker.v1_backups}).
 *
 * @param id         the backup (its job id)
 * @param fileName   its file
 * @param backupType its type
 * @param createdAt  when it was recorded
 * @param sizeBytes  its size
 */
record StoredBackup(UUID id, String fileName, String backupType, Instant createdAt, long sizeBytes) {
}
