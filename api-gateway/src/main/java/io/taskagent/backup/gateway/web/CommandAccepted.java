package io.taskagent.backup.gateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;

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

    public static CommandAccepted queued(UUID jobId, String kind, String backupType, String target, Boolean dryRun) {
        return new CommandAccepted(jobId, "QUEUED", kind, backupType, target, dryRun,
                kind + " requested; follow it at /api/backup/jobs/" + jobId);
    }
}
