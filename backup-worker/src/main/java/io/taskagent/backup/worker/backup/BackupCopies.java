package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.worker.job.EventOutbox;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The copies of each backup ({@code worker.backup_copies}): which destination holds it, since when, verified when.
 * The primary's copy is recorded with the backup ({@link BackupCatalog#recordSuccess}); the others are claimed by
 * replication when due (one worker each, {@code FOR UPDATE SKIP LOCKED}), and marked copied or failed together
 * with the events announcing it.
 */
@Repository
public class BackupCopies {

    private final JdbcClient jdbc;
    private final EventOutbox outbox;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    BackupCopies(JdbcClient jdbc, EventOutbox outbox, org.springframework.transaction.support.TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.tx = tx;
    }

    /** One copy of a backup. */
    public record Copy(UUID backupId, String destination, String status, boolean primary, Long sizeBytes,
                       String sha256, Instant copiedAt, Instant verifiedAt, int attempts, Instant nextAttemptAt,
                       String error) {
        public boolean available() {
            return "AVAILABLE".equals(status);
        }
    }

    /** A copy claimed for an attempt, with what it needs of its backup. */
    public record Claimed(UUID backupId, String destination, int attempt, String target, String fileName,
                          long sizeBytes, String sha256) {
    }

    private static final String COLUMNS = """
            backup_id, destination, status, is_primary, size_bytes, sha256, copied_at, verified_at, attempts,
            next_attempt_at, error""";

    private static Copy copy(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Copy(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                (Long) rs.getObject(5), rs.getString(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                rs.getInt(9), instant(rs.getTimestamp(10)), rs.getString(11));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Every copy of a backup, the primary first. */
    public List<Copy> of(UUID backupId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM backup_copies WHERE backup_id = :id "
                        + "ORDER BY is_primary DESC, destination")
                .param("id", backupId).query((rs, n) -> copy(rs)).list();
    }

    /**
     * Claims the copy due soonest on one of {@code destinations} (those this worker has configured), pushing its next
     * attempt {@code lease} ahead so that no other worker takes it meanwhile; counts the attempt.
     */
    public Optional<Claimed> claimDue(Collection<String> destinations, Duration lease) {
        if (destinations.isEmpty()) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        UPDATE backup_copies c SET attempts = c.attempts + 1,
                               next_attempt_at = now() + make_interval(secs => :lease)
                        FROM backups b
                        WHERE b.id = c.backup_id AND (c.backup_id, c.destination) = (
                            SELECT backup_id, destination FROM backup_copies
                            WHERE status = 'PENDING' AND next_attempt_at <= now() AND destination IN (:destinations)
                              AND backup_id IN (SELECT id FROM backups WHERE status = 'AVAILABLE')
                            ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                        RETURNING c.backup_id, c.destination, c.attempts, b.target, b.file_name, b.size_bytes, b.sha256""")
                .param("lease", (double) lease.toSeconds()).param("destinations", destinations)
                .query((rs, n) -> new Claimed(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                        rs.getString(4), rs.getString(5), rs.getLong(6), rs.getString(7)))
                .optional();
    }

    /**
     * The copy is complete and its digest read back from the destination matches: AVAILABLE, verified now. This and
     * {@link #failed} change the row only while it is still this attempt's (a claim that ran out was taken by another
     * worker, whose attempt counts now).
     */
    public boolean copied(Claimed copy, BackupMessage event) {
        return outbox.finish("recording the copy of " + copy.fileName(), () -> jdbc.sql("""
                        UPDATE backup_copies SET status = 'AVAILABLE', size_bytes = :size, sha256 = :sha,
                               copied_at = now(), verified_at = now(), next_attempt_at = NULL, error = NULL
                        WHERE backup_id = :id AND destination = :destination AND status = 'PENDING'
                          AND attempts = :attempt""")
                .param("size", copy.sizeBytes()).param("sha", copy.sha256()).param("attempt", copy.attempt())
                .param("id", copy.backupId()).param("destination", copy.destination()).update() == 1, event);
    }

    /** The attempt failed: tried again at {@code nextAttemptAt}, or given up (FAILED) when that is null. */
    public boolean failed(Claimed copy, String error, Instant nextAttemptAt, BackupMessage event) {
        return outbox.finish("recording a failed copy of " + copy.fileName(), () -> jdbc.sql("""
                        UPDATE backup_copies SET status = CASE WHEN CAST(:next AS timestamptz) IS NULL THEN 'FAILED'
                                                               ELSE 'PENDING' END,
                               next_attempt_at = :next, error = :error
                        WHERE backup_id = :id AND destination = :destination AND status = 'PENDING'
                          AND attempts = :attempt""")
                .param("attempt", copy.attempt())
                .param("next", nextAttemptAt == null ? null : Timestamp.from(nextAttemptAt))
                .param("error", error).param("id", copy.backupId()).param("destination", copy.destination())
                .update() == 1, event);
    }

    /**
     * A verification found the copy on {@code destination} altered or missing: DAMAGED, never read from again nor
     * counted as a surviving copy.
     */
    public void damaged(UUID backupId, String destination, String problems) {
        jdbc.sql("""
                        UPDATE backup_copies SET status = 'DAMAGED', verified_at = NULL, error = :error
                        WHERE backup_id = :id AND destination = :d AND status = 'AVAILABLE'""")
                .param("error", problems).param("id", backupId).param("d", destination).update();
    }

    /**
     * Marks the copy on {@code destination} DELETED by cleanup job {@code cleanupJob} if another copy stays
     * available, in one transaction that locks the backup's copies (two cleanups never drop its last two copies
     * at once); the file is removed afterwards (what a failed removal leaves is swept as a leftover).
     *
     * @return false (nothing changed) when that copy is not available or is the backup's last available one
     */
    public boolean dropIfAnotherRemains(UUID backupId, String destination, UUID cleanupJob) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            List<String> available = jdbc.sql("""
                            SELECT destination FROM backup_copies WHERE backup_id = :id AND status = 'AVAILABLE'
                            ORDER BY destination FOR UPDATE""")
                    .param("id", backupId).query(String.class).list();
            if (!available.contains(destination) || available.size() < 2) {
                return false;
            }
            deleted(backupId, destination, cleanupJob);
            return true;
        }));
    }

    /** File names with a copy on {@code destination} that is available or being made (not leftovers there). */
    public java.util.Set<String> heldFileNames(String destination) {
        return new java.util.HashSet<>(jdbc.sql("""
                        SELECT b.file_name FROM backup_copies c JOIN backups b ON b.id = c.backup_id
                        WHERE c.destination = :d AND c.status IN ('AVAILABLE', 'PENDING')""")
                .param("d", destination).query(String.class).list());
    }

    /** A verification of the copy on {@code destination} passed now. */
    public void verified(UUID backupId, String destination) {
        jdbc.sql("UPDATE backup_copies SET verified_at = now() WHERE backup_id = :id AND destination = :d")
                .param("id", backupId).param("d", destination).update();
    }

    /**
     * The copy on {@code destination} was deleted by cleanup job {@code cleanupJob}; when it was the backup's last,
     * the backup is EXPIRED. Runs in the caller's transaction, if any.
     *
     * @return true when the backup has no copy left
     */
    public boolean deleted(UUID backupId, String destination, UUID cleanupJob) {
        jdbc.sql("""
                        UPDATE backup_copies SET status = 'DELETED', deleted_at = now(), deleted_by = :job,
                               next_attempt_at = NULL
                        WHERE backup_id = :id AND destination = :d AND status <> 'DELETED'""")
                .param("job", cleanupJob).param("id", backupId).param("d", destination).update();
        boolean none = jdbc.sql("""
                        SELECT NOT EXISTS (SELECT 1 FROM backup_copies
                                           WHERE backup_id = :id AND status IN ('AVAILABLE', 'PENDING'))""")
                .param("id", backupId).query(Boolean.class).single();
        if (none) {
            jdbc.sql("""
                            UPDATE backups SET status = 'EXPIRED', expired_at = now(), expired_by = :job
                            WHERE id = :id AND status = 'AVAILABLE'""")
                    .param("job", cleanupJob).param("id", backupId).update();
        }
        return none;
    }

    /** Bytes, objects and the last copy time per destination, over AVAILABLE copies. */
    public List<DestinationTotals> totals() {
        return jdbc.sql("""
                        SELECT destination, count(*) FILTER (WHERE status = 'AVAILABLE'),
                               coalesce(sum(size_bytes) FILTER (WHERE status = 'AVAILABLE'), 0), max(copied_at),
                               count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'FAILED')
                        FROM backup_copies GROUP BY destination ORDER BY destination""")
                .query((rs, n) -> new DestinationTotals(rs.getString(1), rs.getLong(2), rs.getLong(3),
                        instant(rs.getTimestamp(4)), rs.getLong(5), rs.getLong(6)))
                .list();
    }

    /** What the catalog says of one destination. */
    public record DestinationTotals(String destination, long copies, long bytes, Instant lastCopyAt, long pending,
                                    long failed) {
    }
}
