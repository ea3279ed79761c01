package io.taskagent.backup.gateway.cleanup;

import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the scheduler's retention decisions through its read contract ({@code scheduler.v1_cleanup_runs}); a view
 * that cannot be read is a 503 naming it.
 */
@Repository
public class CleanupRunQueries {

    static final String CLEANUP_RUNS = "scheduler.v1_cleanup_runs";
    private static final TypeReference<List<CleanupCompleted.Decision>> DECISIONS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    CleanupRunQueries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored run, or empty while the scheduler has not decided. */
    public Optional<CleanupRunView> find(UUID jobId) {
        return CatalogUnavailableException.reading(CLEANUP_RUNS, () -> jdbc.sql("""
                        SELECT job_id, target, dry_run, requested_by, decided_at, kept_count, delete_count,
                               delete_bytes, decisions::text AS decisions
                        FROM scheduler.v1_cleanup_runs WHERE job_id = :id""")
                .param("id", jobId)
                .query((rs, n) -> new CleanupRunView(rs.getObject("job_id", UUID.class), rs.getString("target"),
                        rs.getBoolean("dry_run"), rs.getString("requested_by"),
                        rs.getTimestamp("decided_at").toInstant(), rs.getInt("kept_count"),
                        rs.getInt("delete_count"), rs.getLong("delete_bytes"),
                        MessageJson.mapper().readValue(rs.getString("decisions"), DECISIONS).stream()
                                .map(d -> new CleanupRunView.Decision(d.backupId(), d.fileName(), d.backupType(),
                                        d.createdAt(), d.sizeBytes(), d.keep() ? "keep" : "delete", d.reasons()))
                                .toList()))
                .optional());
    }
}
