package io.taskagent.backup.gateway.status;

import io.taskagent.backup.gateway.scheduler.SchedulerCatalog;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /api/backup/status}: backup counts and the newest backup from the worker's read contract
 * ({@code worker.v1_jobs}, {@code v1_backups}), the scheduler's running state and next fire from its own
 * ({@link SchedulerCatalog}), and a verdict: {@code degraded} when the newest finished backup failed, none succeeded
 * within {@code gateway.stale-after}, or the scheduler's state cannot be read; else {@code healthy}.
 */
@RestController
class StatusController {

    private static final Logger log = LoggerFactory.getLogger(StatusController.class);
    private static final String JOBS = "worker.v1_jobs";

    private final JdbcClient jdbc;
    private final SchedulerCatalog scheduler;
    private final OperationsProperties properties;
    private final Clock clock = Clock.systemUTC();

    StatusController(JdbcClient jdbc, SchedulerCatalog scheduler, OperationsProperties properties) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.properties = properties;
    }

    private record Counts(long total, long successful, long failed, Instant lastSuccess, String lastFinishedStatus,
                          long usedBytes) {
    }

    @GetMapping("/api/backup/status")
    StatusView status(Caller caller) {
        Counts counts = CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT count(*) AS total,
                               count(*) FILTER (WHERE status = :succeeded) AS successful,
                               count(*) FILTER (WHERE status = :failed) AS failed,
                               max(finished_at) FILTER (WHERE status = :succeeded) AS last_success,
                               (SELECT status FROM worker.v1_jobs WHERE kind = :backup
                                  AND status IN (:succeeded, :failed)
                                ORDER BY finished_at DESC NULLS LAST LIMIT 1) AS last_finished_status,
                               (SELECT coalesce(sum(size_bytes), 0) FROM worker.v1_backups
                                WHERE status = 'AVAILABLE') AS used_bytes
                        FROM worker.v1_jobs WHERE kind = :backup""")
                .param("succeeded", JobStatus.SUCCEEDED.name()).param("failed", JobStatus.FAILED.name())
                .param("backup", JobKind.BACKUP.label())
                .query((rs, n) -> new Counts(rs.getLong("total"), rs.getLong("successful"), rs.getLong("failed"),
                        instant(rs.getTimestamp("last_success")), rs.getString("last_finished_status"),
                        rs.getLong("used_bytes")))
                .single());

        List<String> problems = new ArrayList<>();
        if (JobStatus.FAILED.name().equals(counts.lastFinishedStatus())) {
            problems.add("the last finished backup failed");
        }
        if (counts.lastSuccess() == null) {
            problems.add("no successful backup yet");
        } else if (counts.lastSuccess().isBefore(clock.instant().minus(properties.staleAfter()))) {
            problems.add("no successful backup within " + properties.staleAfter());
        }
        Optional<SchedulerCatalog.State> state = Optional.empty();
        try {
            state = scheduler.state();
            if (state.isEmpty()) {
                problems.add("the scheduler has stored no settings yet");
            }
        } catch (CatalogUnavailableException e) {
            log.warn("{}: {}", e.getMessage(), e.reason());
            problems.add(e.getMessage());
        }
        return new StatusView(problems.isEmpty() ? "healthy" : "degraded", problems, lastBackup().orElse(null),
                counts.total(), counts.successful(), counts.failed(), counts.lastSuccess(),
                state.map(SchedulerCatalog.State::running).orElse(null),
                state.map(SchedulerCatalog.State::nextBackupAt).orElse(null), properties.backupDirectory(),
                CommandAccepted.mebibytes(counts.usedBytes()), destinations(), lastDrill().orElse(null));
    }

    private Optional<StatusView.LastDrill> lastDrill() {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT id, status, finished_at, (result->>'recovery_ms')::bigint AS recovery_ms,
                               coalesce(subject_id::text, result->>'backup_id') AS backup_id
                        FROM worker.v1_jobs WHERE kind = :drill AND status IN (:succeeded, :failed)
                        ORDER BY finished_at DESC NULLS LAST LIMIT 1""")
                .param("drill", JobKind.DRILL.label()).param("succeeded", JobStatus.SUCCEEDED.name())
                .param("failed", JobStatus.FAILED.name())
                .query((rs, n) -> new StatusView.LastDrill(rs.getObject("id", UUID.class),
                        JobStatus.SUCCEEDED.name().equals(rs.getString("status")), instant(rs.getTimestamp("finished_at")),
                        (Long) rs.getObject("recovery_ms"), rs.getString("backup_id")))
                .optional());
    }

    private List<StatusView.Destination> destinations() {
        return CatalogUnavailableException.reading("worker.v1_backup_copies", () -> jdbc.sql("""
                        SELECT destination, count(*) FILTER (WHERE status = 'AVAILABLE') AS copies,
                               coalesce(sum(size_bytes) FILTER (WHERE status = 'AVAILABLE'), 0) AS bytes,
                               max(copied_at) AS last_copy_at,
                               count(*) FILTER (WHERE status = 'PENDING') AS pending,
                               count(*) FILTER (WHERE status = 'FAILED') AS failed
                        FROM worker.v1_backup_copies GROUP BY destination ORDER BY destination""")
                .query((rs, n) -> new StatusView.Destination(rs.getString("destination"), rs.getLong("copies"),
                        rs.getLong("bytes"), CommandAccepted.mebibytes(rs.getLong("bytes")),
                        instant(rs.getTimestamp("last_copy_at")), rs.getLong("pending"), rs.getLong("failed")))
                .list());
    }

    private Optional<StatusView.LastBackup> lastBackup() {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT j.id, j.type, j.target, j.status, j.requested_at, j.finished_at, j.error,
                               b.file_name, b.size_bytes
                        FROM worker.v1_jobs j LEFT JOIN worker.v1_backups b ON b.job_id = j.id
                        WHERE j.kind = :backup ORDER BY j.requested_at DESC LIMIT 1""")
                .param("backup", JobKind.BACKUP.label())
                .query((rs, n) -> new StatusView.LastBackup(rs.getObject("id", UUID.class), rs.getString("type"),
                        rs.getString("target"), rs.getString("status"), instant(rs.getTimestamp("requested_at")),
                        instant(rs.getTimestamp("finished_at")), rs.getString("file_name"),
                        rs.getObject("size_bytes") == null ? null : rs.getLong("size_bytes"), rs.getString("error")))
                .optional());
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
