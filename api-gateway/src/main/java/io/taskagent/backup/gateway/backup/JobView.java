package io.taskagent.backup.gateway.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.scheduler.SchedulerCatalog;
import io.taskagent.backup.model.job.JobStatus;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One job ({@code GET /api/backup/jobs/{id}}, {@code GET /api/backup/jobs}): a worker job (backup, restore, verify,
 * cleanup), or a scheduler command (kind {@code scheduler}: applied or rejected with its problems), or a command the
 * broker confirmed that nobody has picked up yet ({@code QUEUED} with a {@code detail}).
 *
 * @param jobId        the job's id
 * @param kind         backup, restore, verify, cleanup or scheduler
 * @param type         backup type (manual, daily...), restore type (restore, dry_run), or the scheduler command
 * @param status       QUEUED, RUNNING, SUCCEEDED or FAILED
 * @param errorMessage why it failed
 * @param backupId     the backup a verify or restore works on, or the backup a backup job made
 * @param progress     rows done and estimated, while and after it runs
 * @param result       what a verify, restore or cleanup found (its findings, counts, deletions)
 * @param backup       the file a backup job wrote
 * @param outcome      a scheduler command's outcome: APPLIED or REJECTED
 * @param problems     a rejected scheduler command's problems, by field
 * @param detail       a note, e.g. why it is still QUEUED
 */
public record JobView(UUID jobId, String kind, String type, String target, String status, String requestedBy,
                      Instant requestedAt, Instant startedAt, Instant finishedAt, Integer attempts,
                      String errorMessage,
                      @JsonInclude(JsonInclude.Include.NON_NULL) UUID backupId,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Progress progress,
                      @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode result,
                      @JsonInclude(JsonInclude.Include.NON_NULL) BackupFile backup,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String outcome,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> problems,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String detail) {

    /**
     * How far the job got: rows done of all (a backup's are the planner's estimate, a restore's and a verify's the
     * backup's row counts), tables done of all, and its phase (a backup's {@code dumping}; a restore's
     * {@code checking}, {@code safety_backup}, {@code schema}, {@code loading}, {@code keys}, {@code verifying}; a
     * verification's {@code reading}); null where not reported.
     */
    public record Progress(long rowsDone, long rowsEstimated, Integer tablesDone, Integer tableCount, String phase) {
    }

    /**
     * The file a backup job wrote.
     *
     * @param rowCounts       rows per table, in the backup's (foreign-key) order
     * @param durationSeconds how long the dump took
     */
    public record BackupFile(String fileName, long sizeBytes, String sha256, String compression,
                             Map<String, Long> rowCounts, double durationSeconds, Instant createdAt) {
    }

    /**
     * The outcome of settings commands (scheduler, alert service) as a job of kind {@code scheduler}: SUCCEEDED once
     * every published command was applied, FAILED as soon as one was rejected, RUNNING while some are handled and
     * others not yet, QUEUED while none is.
     */
    static JobView ofCommands(UUID jobId, SchedulerCatalog.CommandOutcome outcome, AuditLog.AcceptedCommand first) {
        String type = String.join("+", outcome.published());
        if (!outcome.applied()) {
            return new JobView(jobId, AuditLog.SCHEDULER_KIND, type, first.target(), JobStatus.FAILED.name(),
                    first.tokenName(), first.at(), outcome.receivedAt(), outcome.finishedAt(), 1,
                    "rejected: " + outcome.problems(), null, null, null, null, "REJECTED", outcome.problems(), null);
        }
        if (outcome.handled().isEmpty()) {
            return queued(jobId, AuditLog.SCHEDULER_KIND, type, first.target(), first.tokenName(), first.at(),
                    "accepted by the broker, not yet applied");
        }
        boolean complete = outcome.complete();
        return new JobView(jobId, AuditLog.SCHEDULER_KIND, type, first.target(),
                (complete ? JobStatus.SUCCEEDED : JobStatus.RUNNING).name(), first.tokenName(), first.at(),
                outcome.receivedAt(), complete ? outcome.finishedAt() : null, 1, null, null, null, null, null,
                complete ? SchedulerCatalog.APPLIED : null, null,
                complete ? null : "applied so far: " + String.join(", ", outcome.handled()));
    }

    /** A command the broker confirmed that no worker or scheduler has recorded yet. */
    public static JobView queued(UUID jobId, String kind, String type, String target, String requestedBy,
                                 Instant requestedAt, String detail) {
        return new JobView(jobId, kind, type, target, JobStatus.QUEUED.name(), requestedBy, requestedAt, null, null, 0,
                null, null, null, null, null, null, null, detail);
    }
}
