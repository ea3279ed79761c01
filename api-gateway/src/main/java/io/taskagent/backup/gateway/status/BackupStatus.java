package io.taskagent.backup.gateway.status;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.scheduler.SchedulerCatalog;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The backup status verdict and what it rests on, computed once for {@code GET /api/backup/status} (every target) and
 * the dashboard's overview (one target each): backup counts and the newest backup from the worker's read contract
 * ({@code worker.v1_jobs}, {@code v1_backups}, {@code v1_backup_copies}), the scheduler's running state and next fire
 * from its own ({@link SchedulerCatalog}), and a verdict: {@code degraded} when the newest finished backup failed,
 * none succeeded within {@code gateway.stale-after}, or the scheduler's state cannot be read; else {@code healthy}.
 */
@Component
public class BackupStatus {

    private static final Logger log = LoggerFactory.getLogger(BackupStatus.class);
    private static final String JOBS = "worker.v1_jobs";
    private static final String COPIES = "worker.v1_backup_copies";
    private static final String SPACE = "worker.v1_destination_space";

    /** The problem saying that the newest finished backup failed (the dashboard shows it red). */
    public static final String LAST_FAILED = "the last finished backup failed";

    private final JdbcClient jdbc;
    private final SchedulerCatalog scheduler;
    private final OperationsProperties properties;
    private final String source;
    private final Clock clock = Clock.systemUTC();

    BackupStatus(JdbcClient jdbc, SchedulerCatalog scheduler, OperationsProperties properties,
                 GatewayProperties gateway) {
        this.jdbc = jdbc;
        this.scheduler = scheduler;
        this.properties = properties;
        this.source = gateway.target();
    }

    private record Counts(long total, long successful, long failed, Instant lastSuccess, String lastFinishedStatus,
                          long usedBytes) {
    }

    /** {@code AND <column> = :target} when a target is given, else nothing. */
    private static String targetFilter(String target, String column) {
        return target == null ? "" : " AND " + column + " = :target";
    }

    /**
     * The verdict over the backups of {@code target}, or of every target when null (as {@code GET /status} answers).
     * The scheduler's state is the one scheduler's, whatever the target.
     */
    public StatusView status(String target) {
        Counts counts = CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT count(*) AS total,
                               count(*) FILTER (WHERE status = :succeeded) AS successful,
                               count(*) FILTER (WHERE status = :failed) AS failed,
                               max(finished_at) FILTER (WHERE status = :succeeded) AS last_success,
                               (SELECT status FROM worker.v1_jobs WHERE kind = :backup
                                  AND status IN (:succeeded, :failed)%s
                                ORDER BY finished_at DESC NULLS LAST LIMIT 1) AS last_finished_status,
                               (SELECT coalesce(sum(size_bytes), 0) FROM worker.v1_backups
                                WHERE status = 'AVAILABLE'%s) AS used_bytes
                        FROM worker.v1_jobs WHERE kind = :backup%s"""
                        .formatted(targetFilter(target, "target"), targetFilter(target, "target"),
                                targetFilter(target, "target")))
                .param("succeeded", JobStatus.SUCCEEDED.name()).param("failed", JobStatus.FAILED.name())
                .param("backup", JobKind.BACKUP.label()).params(targetParam(target))
                .query((rs, n) -> new Counts(rs.getLong("total"), rs.getLong("successful"), rs.getLong("failed"),
                        instant(rs.getTimestamp("last_success")), rs.getString("last_finished_status"),
                        rs.getLong("used_bytes")))
                .single());

        List<String> problems = new ArrayList<>();
        if (JobStatus.FAILED.name().equals(counts.lastFinishedStatus())) {
            problems.add(LAST_FAILED);
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
        return new StatusView(problems.isEmpty() ? "healthy" : "degraded", problems,
                lastBackup(target, false).orElse(null), counts.total(), counts.successful(), counts.failed(),
                counts.lastSuccess(), state.map(SchedulerCatalog.State::running).orElse(null),
                state.map(SchedulerCatalog.State::nextBackupAt).orElse(null), properties.backupDirectory(),
                CommandAccepted.mebibytes(counts.usedBytes()), destinations(target), lastDrill(target).orElse(null));
    }

    /** Backups of {@code target} (every target when null) that failed since {@code since}. */
    public long failedSince(String target, Instant since) {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT count(*) FROM worker.v1_jobs
                        WHERE kind = :backup AND status = :failed AND finished_at >= :since%s"""
                        .formatted(targetFilter(target, "target")))
                .param("backup", JobKind.BACKUP.label()).param("failed", JobStatus.FAILED.name())
                .param("since", Timestamp.from(since)).params(targetParam(target))
                .query(Long.class).single());
    }

    /**
     * The newest finished backup of {@code target} (succeeded or failed), e.g. to say why the last one failed.
     */
    public Optional<StatusView.LastBackup> lastFinished(String target) {
        return lastBackup(target, true);
    }

    /**
     * The targets that are backed up: this gateway's source first, then every other target a backup other than a
     * restore's safety backup was made of.
     */
    public List<String> targets() {
        LinkedHashSet<String> targets = new LinkedHashSet<>();
        targets.add(source);
        targets.addAll(CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT DISTINCT target FROM worker.v1_jobs WHERE kind = :backup AND type <> :preRestore
                        ORDER BY target""")
                .param("backup", JobKind.BACKUP.label()).param("preRestore", ScheduleBounds.PRE_RESTORE_TYPE)
                .query(String.class).list()));
        return List.copyOf(targets);
    }

    /** The database scheduled backups are taken of (the gateway's source). */
    public String source() {
        return source;
    }

    private Optional<StatusView.LastDrill> lastDrill(String target) {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT id, status, finished_at, (result->>'recovery_ms')::bigint AS recovery_ms,
                               coalesce(subject_id::text, result->>'backup_id') AS backup_id
                        FROM worker.v1_jobs WHERE kind = :drill AND status IN (:succeeded, :failed)%s
                        ORDER BY finished_at DESC NULLS LAST LIMIT 1""".formatted(targetFilter(target, "target")))
                .param("drill", JobKind.DRILL.label()).param("succeeded", JobStatus.SUCCEEDED.name())
                .param("failed", JobStatus.FAILED.name()).params(targetParam(target))
                .query((rs, n) -> new StatusView.LastDrill(rs.getObject("id", UUID.class),
                        JobStatus.SUCCEEDED.name().equals(rs.getString("status")), instant(rs.getTimestamp("finished_at")),
                        (Long) rs.getObject("recovery_ms"), rs.getString("backup_id")))
                .optional());
    }

    private List<StatusView.Destination> destinations(String target) {
        // per target: the copies of that target's backups (a copy names its backup by the backup's id)
        String join = target == null ? ""
                : " JOIN worker.v1_backups b ON b.id = c.backup_id WHERE b.target = :target";
        List<StatusView.Destination> held = CatalogUnavailableException.reading(COPIES, () -> jdbc.sql("""
                        SELECT c.destination, count(*) FILTER (WHERE c.status = 'AVAILABLE') AS copies,
                               coalesce(sum(c.size_bytes) FILTER (WHERE c.status = 'AVAILABLE'), 0) AS bytes,
                               max(c.copied_at) AS last_copy_at,
                               count(*) FILTER (WHERE c.status = 'PENDING') AS pending,
                               count(*) FILTER (WHERE c.status = 'FAILED') AS failed
                        FROM worker.v1_backup_copies c%s
                        GROUP BY c.destination ORDER BY c.destination""".formatted(join))
                .params(targetParam(target))
                .query((rs, n) -> new StatusView.Destination(rs.getString("destination"), rs.getLong("copies"),
                        rs.getLong("bytes"), CommandAccepted.mebibytes(rs.getLong("bytes")),
                        instant(rs.getTimestamp("last_copy_at")), rs.getLong("pending"), rs.getLong("failed"),
                        null, null, null))
                .list());
        return withSpace(held, space(), target);
    }

    /** Every destination's space as the worker last measured it. */
    private List<StatusView.Space> space() {
        return CatalogUnavailableException.reading(SPACE, () -> jdbc.sql("""
                        SELECT destination, target, free_bytes, quota_bytes, checked_at
                        FROM worker.v1_destination_space ORDER BY destination""")
                .query((rs, n) -> new StatusView.Space(rs.getString("destination"), rs.getString("target"),
                        (Long) rs.getObject("free_bytes"), (Long) rs.getObject("quota_bytes"),
                        instant(rs.getTimestamp("checked_at"))))
                .list());
    }

    /**
     * The destinations holding copies, each with its space; then those measured that hold none of the target's
     * copies yet (a worker of that target measured them; every one when no target is given), sorted by name.
     */
    static List<StatusView.Destination> withSpace(List<StatusView.Destination> held, List<StatusView.Space> space,
                                                  String target) {
        Map<String, StatusView.Space> byName = new java.util.HashMap<>();
        space.forEach(s -> byName.put(s.destination(), s));
        List<StatusView.Destination> all = new java.util.ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (StatusView.Destination d : held) {
            all.add(d.withSpace(byName.get(d.name())));
            names.add(d.name());
        }
        for (StatusView.Space s : space) {
            if (!names.contains(s.destination()) && (target == null || target.equals(s.target()))) {
                all.add(new StatusView.Destination(s.destination(), 0, 0, CommandAccepted.mebibytes(0), null, 0, 0,
                        s.freeBytes(), s.quotaBytes(), s.checkedAt()));
            }
        }
        all.sort(java.util.Comparator.comparing(StatusView.Destination::name));
        return all;
    }

    private Optional<StatusView.LastBackup> lastBackup(String target, boolean finished) {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT j.id, j.type, j.target, j.status, j.requested_at, j.finished_at, j.error,
                               b.file_name, b.size_bytes
                        FROM worker.v1_jobs j LEFT JOIN worker.v1_backups b ON b.job_id = j.id
                        WHERE j.kind = :backup%s%s ORDER BY %s LIMIT 1"""
                        .formatted(targetFilter(target, "j.target"),
                                finished ? " AND j.status IN (:succeeded, :failed)" : "",
                                finished ? "j.finished_at DESC NULLS LAST" : "j.requested_at DESC"))
                .param("backup", JobKind.BACKUP.label()).param("succeeded", JobStatus.SUCCEEDED.name())
                .param("failed", JobStatus.FAILED.name()).params(targetParam(target))
                .query((rs, n) -> new StatusView.LastBackup(rs.getObject("id", UUID.class), rs.getString("type"),
                        rs.getString("target"), rs.getString("status"), instant(rs.getTimestamp("requested_at")),
                        instant(rs.getTimestamp("finished_at")), rs.getString("file_name"),
                        rs.getObject("size_bytes") == null ? null : rs.getLong("size_bytes"), rs.getString("error")))
                .optional());
    }

    private static Map<String, Object> targetParam(String target) {
        return target == null ? Map.of() : Map.of("target", target);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
