package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.job.JobKind;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The gateway's read side of the worker's catalog, through the worker's read contract ({@code worker.v1_jobs},
 * {@code worker.v1_backups}, {@code v1_backup_copies}, {@code v1_job_attempts}); each view record is mapped here, in one place. A view that cannot be read is a 503
 * naming it ({@link CatalogUnavailableException}), never an empty answer. The REST API and the dashboard read
 * through the same queries.
 */
@Repository
public class CatalogQueries {

    static final String JOBS = "worker.v1_jobs";
    static final String BACKUPS = "worker.v1_backups";
    static final String COPIES = "worker.v1_backup_copies";
    static final String ATTEMPTS = "worker.v1_job_attempts";

    private static final String SELECT = """
            SELECT j.id, j.kind, j.type, j.target, j.status, j.requested_by, j.requested_at, j.started_at,
                   j.finished_at, j.attempts, j.error, j.subject_id, j.rows_done, j.rows_estimated,
                   j.tables_done, j.table_count, j.phase, j.result::text AS result,
                   b.file_name, b.size_bytes, b.sha256, b.compression, b.row_counts::text AS row_counts,
                   b.table_order::text AS table_order,
                   b.table_count, b.duration_ms, b.created_at, b.application_version
            FROM worker.v1_jobs j LEFT JOIN worker.v1_backups b ON b.job_id = j.id
            """;

    private final JdbcClient jdbc;

    CatalogQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<JobView> job(UUID id) {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql(SELECT + " WHERE j.id = :id").param("id", id).query(CatalogQueries::jobView)
                .optional());
    }

    /** The attempts at a job, the first first (none for a job recorded before the worker kept them). */
    public List<JobAttempt> attempts(UUID jobId) {
        return CatalogUnavailableException.reading(ATTEMPTS, () -> jdbc.sql("""
                        SELECT attempt, worker, taken_over, started_at, ended_at, outcome, error
                        FROM worker.v1_job_attempts WHERE job_id = :id ORDER BY started_at, attempt""")
                .param("id", jobId)
                .query((rs, n) -> new JobAttempt(rs.getInt("attempt"), rs.getString("worker"),
                        rs.getBoolean("taken_over"), instant(rs.getTimestamp("started_at")),
                        instant(rs.getTimestamp("ended_at")), rs.getString("outcome"), rs.getString("error")))
                .list());
    }

    /** Jobs of any kind, newest first. */
    public List<JobView> jobs(int limit, String status, String kind) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE true");
        Map<String, Object> params = new LinkedHashMap<>();
        if (status != null) {
            sql.append(" AND j.status = :status");
            params.put("status", status);
        }
        if (kind != null) {
            sql.append(" AND j.kind = :kind");
            params.put("kind", kind);
        }
        sql.append(" ORDER BY j.requested_at DESC LIMIT :limit");
        params.put("limit", limit);
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql(sql.toString()).params(params).query(CatalogQueries::jobView).list());
    }

    /** One catalogued backup with its manifest fields. */
    public Optional<BackupView> backup(UUID id) {
        return CatalogUnavailableException.reading(BACKUPS, () -> jdbc.sql("""
                        SELECT job_id, target, backup_type, file_name, size_bytes, sha256, compression, format_version,
                               row_counts::text AS row_counts, table_order::text AS table_order, table_count,
                               duration_ms, status, created_at, expired_at, application_version, encryption, key_id
                        FROM worker.v1_backups WHERE job_id = :id""")
                .param("id", id)
                .query((rs, n) -> new BackupView(rs.getObject("job_id", UUID.class), rs.getString("target"),
                        rs.getString("backup_type"), rs.getString("status"), instant(rs.getTimestamp("created_at")),
                        instant(rs.getTimestamp("expired_at")), rs.getString("application_version"),
                        new BackupView.Manifest("taskagent-backup", rs.getInt("format_version"),
                                rs.getString("file_name"), rs.getLong("size_bytes"), rs.getString("sha256"),
                                rs.getString("compression"), rowCounts(rs), rs.getInt("table_count"),
                                seconds(rs.getLong("duration_ms")), rs.getString("encryption"),
                                (Long) rs.getObject("key_id")), List.of()))
                .optional()
                .map(b -> new BackupView(b.backupId(), b.target(), b.backupType(), b.status(), b.createdAt(),
                        b.expiredAt(), b.applicationVersion(), b.manifest(),
                        copies(List.of(b.backupId())).getOrDefault(b.backupId(), List.of()))));
    }

    /** The copies of each backup, the primary first. */
    Map<UUID, List<CopyView>> copies(List<UUID> backups) {
        Map<UUID, List<CopyView>> copies = new LinkedHashMap<>();
        if (backups.isEmpty()) {
            return copies;
        }
        CatalogUnavailableException.reading(COPIES, () -> {
            jdbc.sql("""
                        SELECT backup_id, destination, status, is_primary, size_bytes, copied_at, verified_at, attempts,
                               next_attempt_at, error
                        FROM worker.v1_backup_copies WHERE backup_id IN (:ids)
                        ORDER BY backup_id, is_primary DESC, destination""")
                .param("ids", backups)
                .query(rs -> {
                    copies.computeIfAbsent(rs.getObject(1, UUID.class), k -> new ArrayList<>())
                            .add(new CopyView(rs.getString(2), rs.getString(3), rs.getBoolean(4),
                                    (Long) rs.getObject(5), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)),
                                    rs.getInt(8), instant(rs.getTimestamp(9)), rs.getString(10)));
                });
            return null;
        });
        return copies;
    }

    /** Backup jobs, newest first. */
    List<HistoryEntry> history(int limit, String status, String backupType, String target) {
        return history(limit, 0, status, backupType, target);
    }

    /** Backup jobs, newest first, from the {@code offset}-th on (a page of the dashboard's history). */
    public List<HistoryEntry> history(int limit, int offset, String status, String backupType, String target) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE j.kind = :kind");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("kind", JobKind.BACKUP.label());
        if (status != null) {
            sql.append(" AND j.status = :status");
            params.put("status", status);
        }
        if (backupType != null) {
            sql.append(" AND j.type = :type");
            params.put("type", backupType);
        }
        if (target != null) {
            sql.append(" AND j.target = :target");
            params.put("target", target);
        }
        sql.append(" ORDER BY j.requested_at DESC, j.id LIMIT :limit OFFSET :offset");
        params.put("limit", limit);
        params.put("offset", offset);
        List<HistoryEntry> entries = CatalogUnavailableException.reading(JOBS,
                () -> jdbc.sql(sql.toString()).params(params).query(CatalogQueries::historyEntry).list());
        Map<UUID, List<CopyView>> copies = copies(entries.stream().filter(e -> e.fileName() != null)
                .map(HistoryEntry::jobId).toList());
        java.util.Set<String> drilled = drillPassed(entries.stream().filter(e -> e.fileName() != null)
                .map(e -> e.jobId().toString()).toList());
        return entries.stream().map(e -> new HistoryEntry(e.jobId(), e.timestamp(), e.fileName(), e.sizeBytes(),
                e.sizeMb(), e.status(), e.backupType(), e.target(), e.durationSeconds(), e.errorMessage(),
                e.tablesBackedUp(), e.applicationVersion(), copies.getOrDefault(e.jobId(), List.of()),
                drilled.contains(e.jobId().toString()))).toList();
    }

    /**
     * The jobs that worked on one backup (its verifications, restores, drills), newest first; not the backup job that
     * made it.
     */
    public List<JobView> jobsOn(UUID backupId, int limit) {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql(SELECT + """
                         WHERE j.kind <> :backup AND coalesce(j.subject_id::text, j.result->>'backup_id') = :id
                        ORDER BY j.requested_at DESC LIMIT :limit""")
                .param("backup", JobKind.BACKUP.label()).param("id", backupId.toString()).param("limit", limit)
                .query(CatalogQueries::jobView).list());
    }

    /** The types of every backup catalogued, sorted. */
    public List<String> backupTypes() {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql(
                        "SELECT DISTINCT type FROM worker.v1_jobs WHERE kind = :backup ORDER BY type")
                .param("backup", JobKind.BACKUP.label()).query(String.class).list());
    }

    /** Every database a job was recorded for (backed up, restored into, verified), sorted. */
    public List<String> jobTargets() {
        return CatalogUnavailableException.reading(JOBS, () -> jdbc.sql(
                "SELECT DISTINCT target FROM worker.v1_jobs ORDER BY target").query(String.class).list());
    }

    /**
     * The destinations holding an available copy of {@code backupId}, by name; of any backup when it is null (a
     * restore may read a named copy).
     */
    public List<String> destinations(UUID backupId) {
        return CatalogUnavailableException.reading(COPIES, () -> jdbc.sql("""
                        SELECT DISTINCT destination FROM worker.v1_backup_copies
                        WHERE status = 'AVAILABLE' AND (CAST(:id AS uuid) IS NULL OR backup_id = :id)
                        ORDER BY destination""")
                .param("id", backupId).query(String.class).list());
    }

    /** The backups among {@code backups} a drill passed for. */
    private java.util.Set<String> drillPassed(List<String> backups) {
        if (backups.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(CatalogUnavailableException.reading(JOBS, () -> jdbc.sql("""
                        SELECT DISTINCT coalesce(subject_id::text, result->>'backup_id') FROM worker.v1_jobs
                        WHERE kind = 'drill' AND status = 'SUCCEEDED'
                          AND coalesce(subject_id::text, result->>'backup_id') IN (:ids)""")
                .param("ids", backups).query(String.class).list()));
    }


    private static JobView jobView(ResultSet rs, int n) throws SQLException {
        boolean hasFile = rs.getString("file_name") != null;
        UUID subject = rs.getObject("subject_id", UUID.class);
        return new JobView(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("type"),
                rs.getString("target"), rs.getString("status"), rs.getString("requested_by"),
                instant(rs.getTimestamp("requested_at")), instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("finished_at")), rs.getInt("attempts"), rs.getString("error"),
                subject != null ? subject : hasFile ? rs.getObject("id", UUID.class) : null,
                rs.getObject("rows_estimated") == null ? null
                        : new JobView.Progress(rs.getLong("rows_done"), rs.getLong("rows_estimated"),
                        (Integer) rs.getObject("tables_done"), (Integer) rs.getObject("table_count"),
                        rs.getString("phase")),
                rs.getString("result") == null ? null : MessageJson.mapper().readTree(rs.getString("result")),
                hasFile ? new JobView.BackupFile(rs.getString("file_name"), rs.getLong("size_bytes"),
                        rs.getString("sha256"), rs.getString("compression"), rowCounts(rs),
                        seconds(rs.getLong("duration_ms")), instant(rs.getTimestamp("created_at"))) : null,
                null, null, null);
    }

    private static HistoryEntry historyEntry(ResultSet rs, int n) throws SQLException {
        Instant started = instant(rs.getTimestamp("started_at"));
        Instant finished = instant(rs.getTimestamp("finished_at"));
        long size = rs.getLong("size_bytes");
        boolean hasFile = rs.getString("file_name") != null;
        return new HistoryEntry(rs.getObject("id", UUID.class), instant(rs.getTimestamp("requested_at")),
                rs.getString("file_name"), hasFile ? size : null, hasFile ? CommandAccepted.mebibytes(size) : null,
                rs.getString("status"), rs.getString("type"), rs.getString("target"),
                started != null && finished != null ? Duration.between(started, finished).toMillis() / 1000.0 : null,
                rs.getString("error"), hasFile ? new ArrayList<>(rowCounts(rs).keySet()) : List.of(),
                rs.getString("application_version"), List.of(), false);
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    /** A backup's row counts per table, in the backup's (foreign-key) order where the worker recorded it. */
    private static Map<String, Long> rowCounts(ResultSet rs) throws SQLException {
        String json = rs.getString("row_counts");
        if (json == null) {
            return Map.of();
        }
        Map<String, Long> counts = MessageJson.mapper().readValue(json, new TypeReference<LinkedHashMap<String, Long>>() {
        });
        String order = rs.getString("table_order");
        if (order == null) {
            return counts;
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        for (String table : MessageJson.mapper().readValue(order, new TypeReference<List<String>>() {
        })) {
            if (counts.containsKey(table)) {
                ordered.put(table, counts.get(table));
            }
        }
        counts.forEach(ordered::putIfAbsent);
        return ordered;
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
