package io.taskagent.backup.gateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.taskagent.backup.model.job.JobStatus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.UUID;

/**
 * The answer to every write ({@code 202 Accepted}): the broker confirmed the command. {@code job_id} is where to
 * follow it ({@code GET /api/backup/jobs/{job_id}}, also the {@code Location} header).
 *
 * @param jobId      the command's job
 * @param status     {@code QUEUED}: confirmed by the broker, not yet picked up
 * @param kind       what the job is: backup, restore, verify, cleanup or scheduler
 * @param backupType for a backup: its type
 * @param target     the database it concerns
 * @param dryRun     for a restore or cleanup: whether it only reports
 * @param message    a human-readable summary
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandAccepted(UUID jobId, String status, String kind, String backupType, String target,
                              Boolean dryRun, String message) {

    /** Bytes as MiB with two decimals, as sizes are shown in the API ({@code size_mb}, {@code disk_usage_mb}). */
    public static BigDecimal mebibytes(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1024L * 1024), 2, RoundingMode.HALF_UP);
    }

    public static CommandAccepted queued(UUID jobId, String kind, String backupType, String target, Boolean dryRun) {
        return new CommandAccepted(jobId, JobStatus.QUEUED.name(), kind, backupType, target, dryRun,
                kind + " requested; follow it at /api/backup/jobs/" + jobId);
    }
}
