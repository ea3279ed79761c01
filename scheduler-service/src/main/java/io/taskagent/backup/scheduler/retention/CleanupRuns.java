package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The decisions of every cleanup, dry or real ({@code scheduler.cleanup_runs}, written only by this service), by
 * cleanup job id: a redelivered request or a retried fire publishes the stored decisions again instead of deciding
 * anew, and the gateway can show them.
 */
@Repository
class CleanupRuns {

    /**
     * A cleanup as decided.
     *
     * @param jobId       the cleanup job
     * @param target      the target
     * @param dryRun      decided only
     * @param requestedBy who asked
     * @param decisions   every backup's decision, newest first
     */
    record CleanupRun(UUID jobId, String target, boolean dryRun, String requestedBy,
                      List<CleanupCompleted.Decision> decisions) {

        int keptCount() {
            return (int) decisions.stream().filter(CleanupCompleted.Decision::keep).count();
        }
    }

    private static final TypeReference<List<CleanupCompleted.Decision>> DECISIONS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    CleanupRuns(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<CleanupRun> find(UUID jobId) {
        return jdbc.sql("SELECT job_id, target, dry_run, requested_by, decisions::text FROM cleanup_runs WHERE job_id = :id")
                .param("id", jobId)
                .query((rs, n) -> new CleanupRun(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3),
                        rs.getString(4), MessageJson.mapper().readValue(rs.getString(5), DECISIONS)))
                .optional();
    }

    /** Stores a run unless one with its job id is stored already (the first decision stands). */
    void insertIfAbsent(CleanupRun run, Instant decidedAt) {
        long deleteBytes = run.decisions().stream().filter(d -> !d.keep())
                .mapToLong(CleanupCompleted.Decision::sizeBytes).sum();
        jdbc.sql("""
                        INSERT INTO cleanup_runs (job_id, target, dry_run, requested_by, decided_at, kept_count,
                                                  delete_count, delete_bytes, decisions)
                        VALUES (:id, :target, :dryRun, :by, :at, :kept, :deleted, :bytes, CAST(:decisions AS jsonb))
                        ON CONFLICT (job_id) DO NOTHING""")
                .param("id", run.jobId()).param("target", run.target()).param("dryRun", run.dryRun())
                .param("by", run.requestedBy()).param("at", Timestamp.from(decidedAt)).param("kept", run.keptCount())
                .param("deleted", run.decisions().size() - run.keptCount()).param("bytes", deleteBytes)
                .param("decisions", MessageJson.mapper().writeValueAsString(run.decisions()))
                .update();
    }

    void markPublished(UUID jobId, Instant at) {
        jdbc.sql("UPDATE cleanup_runs SET published_at = :at WHERE job_id = :id")
                .param("at", Timestamp.from(at)).param("id", jobId).update();
    }
}
