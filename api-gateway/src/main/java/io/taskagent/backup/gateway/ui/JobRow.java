package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One job as the jobs table shows it, with its progress bar: rows done of the estimate where there is one, else
 * tables done of all ({@link JobView.Progress}); a running job without figures yet has an indeterminate bar. The
 * page's script moves the bar on each {@code BackupProgress} event by the same rule.
 *
 * @param progressMax   the bar's maximum; null: no bar (queued, or nothing to show), -1: indeterminate
 * @param progressValue the bar's value
 * @param progressText  e.g. {@code 12,345 / 200,000 rows · 3 / 7 tables · dumping}
 * @param href          the page of the job's subject: the backup made, verified or drilled; the restore
 */
public record JobRow(UUID jobId, String kind, String type, String target, String status, String requestedBy,
                     Instant requestedAt, Instant startedAt, Instant finishedAt, String errorMessage, UUID backupId,
                     Long progressMax, Long progressValue, String progressText, String href) {

    private static final Formats FORMATS = new Formats();

    public boolean active() {
        return !JobStatus.valueOf(status).isFinal();
    }

    static JobRow of(JobView job) {
        Long max = null;
        Long value = null;
        String text = null;
        JobView.Progress progress = job.progress();
        boolean succeeded = JobStatus.SUCCEEDED.name().equals(job.status());
        if (progress != null) {
            boolean byRows = progress.rowsEstimated() > 0;
            boolean byTables = progress.tableCount() != null && progress.tableCount() > 0;
            if (byRows || byTables) {
                max = byRows ? progress.rowsEstimated() : progress.tableCount().longValue();
                long done = byRows ? progress.rowsDone()
                        : progress.tablesDone() == null ? 0 : progress.tablesDone().longValue();
                value = succeeded ? max : Math.min(done, max);
            } else if (JobStatus.RUNNING.name().equals(job.status())) {
                max = -1L;
            }
            text = JobStatus.valueOf(job.status()).isFinal()
                    ? done(progress.rowsDone(), progress.tablesDone())
                    : text(progress.rowsDone(), progress.rowsEstimated(), progress.tablesDone(), progress.tableCount(),
                    progress.phase());
        } else if (JobStatus.RUNNING.name().equals(job.status())) {
            max = -1L;
            text = "starting";
        }
        return new JobRow(job.jobId(), job.kind(), job.type(), job.target(), job.status(), job.requestedBy(),
                job.requestedAt(), job.startedAt(), job.finishedAt(), job.errorMessage(), job.backupId(), max, value,
                text, href(job.jobId(), job.kind(), job.type(), job.status(), job.backupId()));
    }

    /** A job the broker confirmed that no worker has recorded yet. */
    static JobRow of(AuditLog.Pending pending, String source) {
        return new JobRow(pending.jobId(), pending.kind(), pending.type(),
                pending.target() == null ? source : pending.target(), JobStatus.QUEUED.name(), pending.tokenName(),
                pending.at(), null, null, null, null, null, null, "waiting for a worker", null);
    }

    /** A finished job's figures, e.g. {@code 226,000 rows · 4 tables}. */
    static String done(long rows, Integer tables) {
        return FORMATS.count(rows) + " rows" + (tables == null || tables == 0 ? "" : " · " + tables
                + (tables == 1 ? " table" : " tables"));
    }

    /** The progress text, as the page's script writes it too. */
    static String text(long rowsDone, long rowsEstimated, Integer tablesDone, Integer tableCount, String phase) {
        List<String> parts = new ArrayList<>();
        parts.add(rowsEstimated > 0 ? FORMATS.count(rowsDone) + " / " + FORMATS.count(rowsEstimated) + " rows"
                : FORMATS.count(rowsDone) + " rows");
        if (tableCount != null && tableCount > 0) {
            parts.add((tablesDone == null ? 0 : tablesDone) + " / " + tableCount + " tables");
        }
        if (phase != null) {
            parts.add(phase.replace('_', ' '));
        }
        return String.join(" · ", parts);
    }

    private static String href(UUID jobId, String kind, String type, String status, UUID backupId) {
        if (JobKind.BACKUP.label().equals(kind)) {
            return JobStatus.QUEUED.name().equals(status) ? null : "/ui/backups/" + jobId;
        }
        if (JobKind.RESTORE.label().equals(kind)) {
            return "/ui/restore/jobs/" + jobId;
        }
        return backupId == null ? null : "/ui/backups/" + backupId;
    }

    /** The status in words for the badge, e.g. {@code Succeeded}. */
    public String statusLabel() {
        return status.charAt(0) + status.substring(1).toLowerCase(Locale.ROOT);
    }
}
