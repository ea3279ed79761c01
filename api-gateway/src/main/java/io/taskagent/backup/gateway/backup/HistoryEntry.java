package io.taskagent.backup.gateway.backup;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One backup job in {@code GET /api/backup/history}, in the seed's shape.
 *
 * @param jobId           the backup job (also the {@code backup_id} to verify or restore it by)
 * @param timestamp       when it was requested
 * @param fileName        the file, when it succeeded
 * @param sizeMb          size in MiB, two decimals
 * @param durationSeconds from start to finish
 * @param errorMessage    why it failed
 * @param tablesBackedUp  the tables it holds, in restore (foreign-key) order
 * @param applicationVersion the application's version marker in the backup (its newest migration, e.g.
 *                           {@code flyway 42}), when one was found
 * @param copies          where the backup is stored: each destination with the copy's status
 * @param drillPassed     a restore drill of this backup passed (it rebuilt its database exactly)
 */
public record HistoryEntry(UUID jobId, Instant timestamp, String fileName, Long sizeBytes, BigDecimal sizeMb,
                           String status, String backupType, String target, Double durationSeconds,
                           String errorMessage, List<String> tablesBackedUp, String applicationVersion,
                           List<CopyView> copies, boolean drillPassed) {
}
