package io.taskagent.backup.gateway.status;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/backup/status}: the verdict and what it rests on.
 *
 * @param status                 {@code healthy} or {@code degraded}
 * @param problems               why it is degraded
 * @param lastBackup             the newest backup job, whatever its outcome
 * @param schedulerRunning       the scheduler's stored running state (null while it has stored none)
 * @param nextScheduled          the next backup fire (null while stopped)
 * @param diskUsageMb            MiB held by available backups
 */
public record StatusView(String status, List<String> problems, LastBackup lastBackup, long totalBackups,
                         long successfulBackups, long failedBackups, Instant lastSuccessfulBackupAt,
                         Boolean schedulerRunning, Instant nextScheduled, String backupDirectory,
                         BigDecimal diskUsageMb) {

    /** The newest backup job. */
    public record LastBackup(UUID jobId, String backupType, String target, String status, Instant requestedAt,
                             Instant finishedAt, String fileName, Long sizeBytes, String errorMessage) {
    }
}
