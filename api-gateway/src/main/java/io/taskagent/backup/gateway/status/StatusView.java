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
 * @param destinations           per destination: the copies it holds, their bytes, the last copy made, copies
 *                               pending and given up, and its free space as the worker last measured it
 * @param lastDrill              the newest finished restore drill: passed, its recovery time (RTO), the backup
 */
public record StatusView(String status, List<String> problems, LastBackup lastBackup, long totalBackups,
                         long successfulBackups, long failedBackups, Instant lastSuccessfulBackupAt,
                         Boolean schedulerRunning, Instant nextScheduled, String backupDirectory,
                         BigDecimal diskUsageMb, List<Destination> destinations, LastDrill lastDrill) {

    /** The newest finished restore drill. */
    public record LastDrill(UUID jobId, boolean passed, Instant finishedAt, Long recoveryMs, String backupId) {
    }

    /**
     * What one destination holds ({@code worker.v1_backup_copies}) and how much room it has left
     * ({@code worker.v1_destination_space}).
     *
     * @param freeBytes      free space (a local destination: the file system's, or what its quota leaves when that
     *                       is less) as the worker last measured it; null when unknown (an S3 bucket cannot tell, or
     *                       no worker has measured it)
     * @param quotaBytes     the destination's quota, null without one
     * @param spaceCheckedAt when the worker measured it, null when never
     */
    public record Destination(String name, long copies, long bytes, BigDecimal usageMb, Instant lastCopyAt,
                              long pending, long failed, Long freeBytes, Long quotaBytes, Instant spaceCheckedAt) {

        Destination withSpace(Space space) {
            return space == null ? this : new Destination(name, copies, bytes, usageMb, lastCopyAt, pending, failed,
                    space.freeBytes(), space.quotaBytes(), space.checkedAt());
        }
    }

    /** One destination's space as the worker last measured it ({@code worker.v1_destination_space}). */
    record Space(String destination, String target, Long freeBytes, Long quotaBytes, Instant checkedAt) {
    }

    /** The newest backup job. */
    public record LastBackup(UUID jobId, String backupType, String target, String status, Instant requestedAt,
                             Instant finishedAt, String fileName, Long sizeBytes, String errorMessage) {
    }
}
