package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.math.BigDecimal;
import java.math.RoundingMode;
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

/** The gateway's read side of the catalog: jobs and backups written by the worker (schema {@code worker}). */
@Repository
class CatalogQueries {

    private static final String SELECT = """
            SELECT j.id, j.kind, j.type, j.target, j.status, j.requested_by, j.requested_at, j.started_at,
                   j.finished_at, j.attempts, j.error, j.subject_id, j.rows_done, j.rows_estimated,
                   j.result::text AS result,
                   b.file_name, b.size_bytes, b.sha256, b.compression, b.row_counts::text AS row_counts,
                   b.table_order::text AS table_order,
                   b.table_count, b.duration_ms, b.created_at
            FROM worker.jobs j LEFT JOIN worker.backups b ON b.job_id = j.id
            """;

    private final JdbcClient jdbc;

    CatalogQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Map<String, Object>> job(UUID id) {
        return jdbc.sql(SELECT + " WHERE j.id = :id").param("id", id).query(CatalogQueries::jobRow).optional();
    }

    /** Jobs of any kind, newest first. */
    List<Map<String, Object>> jobs(int limit, String status, String kind) {
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
        return jdbc.sql(sql.toString()).params(params).query(CatalogQueries::jobRow).list();
    }

    /** One catalogued backup with its manifest fields. */
    Optional<Map<String, Object>> backup(UUID id) {
        return jdbc.sql("""
                        SELECT job_id, target, backup_type, file_name, size_bytes, sha256, compression, format_version,
                               row_counts::text AS row_counts, table_order::text AS table_order, table_count,
                               duration_ms, status, created_at
                        FROM worker.backups WHERE job_id = :id""")
                .param("id", id)
                .query((rs, n) -> {
                    Map<String, Object> backup = new LinkedHashMap<>();
                    backup.put("id", rs.getObject("job_id", UUID.class));
                    backup.put("target", rs.getString("target"));
                    backup.put("backup_type", rs.getString("backup_type"));
                    backup.put("status", rs.getString("status"));
                    backup.put("created_at", instant(rs.getTimestamp("created_at")));
                    Map<String, Object> manifest = new LinkedHashMap<>();
                    manifest.put("format", "taskagent-backup");
                    manifest.put("format_version", rs.getInt("format_version"));
                    manifest.put("file_name", rs.getString("file_name"));
                    manifest.put("size_bytes", rs.getLong("size_bytes"));
                    manifest.put("sha256", rs.getString("sha256"));
                    manifest.put("compression", rs.getString("compression"));
                    manifest.put("row_counts", rowCounts(rs));
                    manifest.put("table_count", rs.getInt("table_count"));
                    manifest.put("duration_ms", rs.getLong("duration_ms"));
                    backup.put("manifest", manifest);
                    return backup;
                })
                .optional();
    }

    /** Backup jobs, newest first. */
    List<Map<String, Object>> history(int limit, String status, String backupType, String target) {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE j.kind = 'backup'");
        Map<String, Object> params = new LinkedHashMap<>();
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
        sql.append(" ORDER BY j.requested_at DESC LIMIT :limit");
        params.put("limit", limit);
        return jdbc.sql(sql.toString()).params(params).query(CatalogQueries::historyRow).list();
    }

    private static Map<String, Object> jobRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", rs.getObject("id", UUID.class));
        job.put("kind", rs.getString("kind"));
        job.put("type", rs.getString("type"));
        job.put("target", rs.getString("target"));
        job.put("status", rs.getString("status"));
        job.put("requested_by", rs.getString("requested_by"));
        job.put("requested_at", instant(rs.getTimestamp("requested_at")));
        job.put("started_at", instant(rs.getTimestamp("started_at")));
        job.put("finished_at", instant(rs.getTimestamp("finished_at")));
        job.put("attempts", rs.getInt("attempts"));
        job.put("error", rs.getString("error"));
        if (rs.getObject("subject_id") != null) {
            job.put("backup_id", rs.getObject("subject_id", UUID.class));
        }
        if (rs.getObject("rows_estimated") != null) {
            job.put("progress", Map.of("rows_done", rs.getLong("rows_done"), "rows_estimated", rs.getLong("rows_estimated")));
        }
        if (rs.getString("result") != null) {
            job.put("result", MessageJson.mapper().readTree(rs.getString("result")));
        }
        if (rs.getString("file_name") != null) {
            Map<String, Object> backup = new LinkedHashMap<>();
            backup.put("file_name", rs.getString("file_name"));
            backup.put("size_bytes", rs.getLong("size_bytes"));
            backup.put("sha256", rs.getString("sha256"));
            backup.put("compression", rs.getString("compression"));
            backup.put("row_counts", rowCounts(rs));
            backup.put("duration_ms", rs.getLong("duration_ms"));
            backup.put("created_at", instant(rs.getTimestamp("created_at")));
            job.put("backup", backup);
        }
        return job;
    }

    private static Map<String, Object> historyRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        Instant requested = instant(rs.getTimestamp("requested_at"));
        Instant started = instant(rs.getTimestamp("started_at"));
        Instant finished = instant(rs.getTimestamp("finished_at"));
        long size = rs.getLong("size_bytes");
        boolean hasFile = rs.getString("file_name") != null;
        row.put("id", rs.getObject("id", UUID.class));
        row.put("timestamp", requested);
        row.put("file_name", rs.getString("file_name"));
        row.put("size_bytes", hasFile ? size : null);
        row.put("size_mb", hasFile ? BigDecimal.valueOf(size).divide(BigDecimal.valueOf(1024L * 1024), 2,
                RoundingMode.HALF_UP) : null);
        row.put("status", rs.getString("status"));
        row.put("backup_type", rs.getString("type"));
        row.put("target", rs.getString("target"));
        row.put("duration_seconds", started != null && finished != null
                ? Duration.between(started, finished).toMillis() / 1000.0 : null);
        row.put("error_message", rs.getString("error"));
        row.put("tables_backed_up", hasFile ? new ArrayList<>(rowCounts(rs).keySet()) : List.of());
        return row;
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

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
