package io.taskagent.backup.gateway.cleanup;

import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.MessageJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Reads the scheduler's retention decisions ({@code scheduler.cleanup_runs}, written only by the scheduler). */
@Repository
class CleanupRunQueries {

    private static final Logger log = LoggerFactory.getLogger(CleanupRunQueries.class);
    private static final TypeReference<List<CleanupCompleted.Decision>> DECISIONS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    CleanupRunQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored run, or empty while the scheduler has not decided (or has not created its schema yet). */
    Optional<Map<String, Object>> find(UUID jobId) {
        try {
            return jdbc.sql("""
                            SELECT job_id, target, dry_run, requested_by, decided_at, kept_count, delete_count,
                                   delete_bytes, published_at, decisions::text AS decisions
                            FROM scheduler.cleanup_runs WHERE job_id = :id""")
                    .param("id", jobId)
                    .query((rs, n) -> {
                        Map<String, Object> run = new LinkedHashMap<>();
                        run.put("job_id", rs.getObject("job_id", UUID.class));
                        run.put("target", rs.getString("target"));
                        run.put("dry_run", rs.getBoolean("dry_run"));
                        run.put("requested_by", rs.getString("requested_by"));
                        run.put("decided_at", instant(rs.getTimestamp("decided_at")));
                        run.put("kept_count", rs.getInt("kept_count"));
                        run.put("delete_count", rs.getInt("delete_count"));
                        run.put("delete_bytes", rs.getLong("delete_bytes"));
                        run.put("published_at", instant(rs.getTimestamp("published_at")));
                        run.put("decisions", MessageJson.mapper().readValue(rs.getString("decisions"), DECISIONS)
                                .stream().map(CleanupRunQueries::decision).toList());
                        return run;
                    })
                    .optional();
        } catch (BadSqlGrammarException e) {
            log.debug("cleanup runs not readable (no scheduler schema yet): {}", e.getMessage());
            return Optional.empty();
        }
    }

    private static Map<String, Object> decision(CleanupCompleted.Decision d) {
        Map<String, Object> decision = new LinkedHashMap<>();
        decision.put("backup_id", d.backupId());
        decision.put("file_name", d.fileName());
        decision.put("backup_type", d.backupType());
        decision.put("created_at", d.createdAt());
        decision.put("size_bytes", d.sizeBytes());
        decision.put("decision", d.keep() ? "keep" : "delete");
        decision.put("reasons", d.reasons());
        return decision;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
