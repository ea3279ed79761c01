package io.taskagent.backup.gateway.status;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /api/backup/status}: backup counts and the newest backup from the worker's catalog, the scheduler's
 * running state and next fire from its tables (null while the scheduler has not created its schema), and a verdict:
 * {@code degraded} when the newest finished backup failed or none succeeded within {@code gateway.stale-after},
 * else {@code healthy}.
 */
@RestController
class StatusController {

    private static final Logger log = LoggerFactory.getLogger(StatusController.class);

    private final JdbcClient jdbc;
    private final OperationsProperties properties;
    private final Clock clock = Clock.systemUTC();

    StatusController(JdbcClient jdbc, OperationsProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @GetMapping("/api/backup/status")
    Map<String, Object> status(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller) {
        caller.require(Scopes.BACKUP_READ);
        Map<String, Object> counts = jdbc.sql("""
                        SELECT count(*) AS total,
                               count(*) FILTER (WHERE status = 'SUCCEEDED') AS successful,
                               count(*) FILTER (WHERE status = 'FAILED') AS failed,
                               max(finished_at) FILTER (WHERE status = 'SUCCEEDED') AS last_success
                        FROM worker.jobs WHERE kind = 'backup'""")
                .query((rs, n) -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("total", rs.getLong("total"));
                    c.put("successful", rs.getLong("successful"));
                    c.put("failed", rs.getLong("failed"));
                    c.put("last_success", instant(rs.getTimestamp("last_success")));
                    return c;
                }).single();
        Optional<Map<String, Object>> lastBackup = lastBackup();
        Optional<String> lastFinishedStatus = jdbc.sql("""
                        SELECT status FROM worker.jobs WHERE kind = 'backup' AND status IN ('SUCCEEDED', 'FAILED')
                        ORDER BY finished_at DESC NULLS LAST LIMIT 1""")
                .query(String.class).optional();
        long usedBytes = jdbc.sql("SELECT coalesce(sum(size_bytes), 0) FROM worker.backups WHERE status = 'AVAILABLE'")
                .query(Long.class).single();

        List<String> problems = new ArrayList<>();
        if (lastFinishedStatus.filter("FAILED"::equals).isPresent()) {
            problems.add("the last finished backup failed");
        }
        Instant lastSuccess = (Instant) counts.get("last_success");
        if (lastSuccess == null) {
            problems.add("no successful backup yet");
        } else if (lastSuccess.isBefore(clock.instant().minus(properties.staleAfter()))) {
            problems.add("no successful backup within " + properties.staleAfter());
        }

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("status", problems.isEmpty() ? "healthy" : "degraded");
        status.put("problems", problems);
        status.put("last_backup", lastBackup.orElse(null));
        status.put("total_backups", counts.get("total"));
        status.put("successful_backups", counts.get("successful"));
        status.put("failed_backups", counts.get("failed"));
        status.put("last_successful_backup_at", lastSuccess);
        scheduler(status);
        status.put("backup_directory", properties.backupDirectory());
        status.put("disk_usage_mb", BigDecimal.valueOf(usedBytes).divide(BigDecimal.valueOf(1024L * 1024), 2,
                RoundingMode.HALF_UP));
        return status;
    }

    private Optional<Map<String, Object>> lastBackup() {
        return jdbc.sql("""
                        SELECT j.id, j.type, j.target, j.status, j.requested_at, j.finished_at, j.error,
                               b.file_name, b.size_bytes
                        FROM worker.jobs j LEFT JOIN worker.backups b ON b.job_id = j.id
                        WHERE j.kind = 'backup' ORDER BY j.requested_at DESC LIMIT 1""")
                .query((rs, n) -> {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("id", rs.getObject("id", UUID.class));
                    b.put("backup_type", rs.getString("type"));
                    b.put("target", rs.getString("target"));
                    b.put("status", rs.getString("status"));
                    b.put("requested_at", instant(rs.getTimestamp("requested_at")));
                    b.put("finished_at", instant(rs.getTimestamp("finished_at")));
                    b.put("file_name", rs.getString("file_name"));
                    b.put("size_bytes", rs.getObject("size_bytes") == null ? null : rs.getLong("size_bytes"));
                    b.put("error_message", rs.getString("error"));
                    return b;
                }).optional();
    }

    /** Running state and next backup fire from the scheduler's tables; null when they do not exist (yet). */
    private void scheduler(Map<String, Object> status) {
        Boolean running = null;
        Instant next = null;
        try {
            running = jdbc.sql("SELECT running FROM scheduler.settings WHERE id = 1").query(Boolean.class)
                    .list().stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
            if (Boolean.TRUE.equals(running)) {
                next = jdbc.sql("""
                                SELECT min(next_fire_at) FROM scheduler.schedules
                                WHERE enabled AND kind <> 'cleanup'""")
                        .query(Timestamp.class).list().stream().filter(java.util.Objects::nonNull)
                        .map(Timestamp::toInstant).findFirst().orElse(null);
            }
        } catch (BadSqlGrammarException e) {
            log.debug("scheduler tables not readable (no scheduler schema yet): {}", e.getMessage());
        }
        status.put("scheduler_running", running);
        status.put("next_scheduled", next);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
