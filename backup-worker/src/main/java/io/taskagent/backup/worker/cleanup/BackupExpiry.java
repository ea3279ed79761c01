package io.taskagent.backup.worker.cleanup;

import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The catalog side of cleanups ({@code worker.backups}, {@code worker.cleanup_requests}; this service is their only
 * writer). Expiring a backup is one conditional update that checks again, at that instant, what the scheduler
 * checked when it decided: the backup is available, not the target's newest, and no queued or running verify or
 * restore job uses it.
 */
@Repository
class BackupExpiry {

    /**
     * A backup as catalogued.
     *
     * @param id         the backup
     * @param fileName   its file
     * @param backupType its type
     * @param createdAt  when it was recorded
     * @param sizeBytes  its size
     * @param expiredBy  the cleanup job that expired it, null while available
     */
    record Catalogued(UUID id, String fileName, String backupType, Instant createdAt, long sizeBytes, UUID expiredBy) {
    }

    /**
     * What a cleanup job was asked to do.
     *
     * @param keptCount backups the scheduler keeps
     * @param deletions the backups to delete
     */
    record Request(int keptCount, List<DeleteBackups.Deletion> deletions) {
    }

    /** The kinds of job that use a backup (their subject) while they are queued or running. */
    private static final List<String> USING_KINDS = Stream.of(JobKind.VERIFY, JobKind.RESTORE).map(JobKind::label).toList();
    /** The states of a job not finished yet. */
    private static final List<String> ACTIVE = JobStatus.active().stream().map(JobStatus::name).toList();

    private static final TypeReference<List<DeleteBackups.Deletion>> DELETIONS = new TypeReference<>() {
    };

    private final JdbcClient jdbc;

    BackupExpiry(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void saveRequest(UUID jobId, DeleteBackups command) {
        jdbc.sql("""
                        INSERT INTO cleanup_requests (job_id, kept_count, deletions)
                        VALUES (:id, :kept, CAST(:deletions AS jsonb))
                        ON CONFLICT (job_id) DO NOTHING""")
                .param("id", jobId).param("kept", command.keptCount())
                .param("deletions", MessageJson.mapper().writeValueAsString(command.deletions()))
                .update();
    }

    Optional<Request> request(UUID jobId) {
        return jdbc.sql("SELECT kept_count, deletions::text FROM cleanup_requests WHERE job_id = :id")
                .param("id", jobId)
                .query((rs, n) -> new Request(rs.getInt(1), MessageJson.mapper().readValue(rs.getString(2), DELETIONS)))
                .optional();
    }

    /** Marks the backup expired if it may go now; returns it when this call (or an earlier attempt of this job) did. */
    Optional<Catalogued> expire(UUID backupId, String target, UUID cleanupJob) {
        int changed = jdbc.sql("""
                        UPDATE backups b SET status = 'EXPIRED', expired_at = now(), expired_by = :job
                        WHERE b.id = :id AND b.target = :target AND b.status = 'AVAILABLE'
                          AND NOT EXISTS (SELECT 1 FROM jobs j
                                          WHERE j.subject_id = b.id AND j.kind IN (:usingKinds)
                                            AND j.status IN (:active))
                          AND b.id <> (SELECT n.id FROM backups n
                                       WHERE n.target = b.target AND n.status = 'AVAILABLE'
                                       ORDER BY n.created_at DESC, n.id DESC LIMIT 1)""")
                .param("job", cleanupJob).param("id", backupId).param("target", target)
                .param("usingKinds", USING_KINDS).param("active", ACTIVE)
                .update();
        return find(backupId).filter(b -> changed == 1 || cleanupJob.equals(b.expiredBy()));
    }

    Optional<Catalogued> find(UUID backupId) {
        return jdbc.sql("""
                        SELECT id, file_name, backup_type, created_at, size_bytes, expired_by FROM backups
                        WHERE id = :id""")
                .param("id", backupId)
                .query((rs, n) -> new Catalogued(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5), rs.getObject(6, UUID.class)))
                .optional();
    }

    /** True when a queued or running verify or restore job uses the backup. */
    boolean inUse(UUID backupId) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM jobs WHERE subject_id = :id AND kind IN (:usingKinds)
                                       AND status IN (:active))""")
                .param("id", backupId).param("usingKinds", USING_KINDS).param("active", ACTIVE)
                .query(Boolean.class).single();
    }

    /** Why a backup was not expired, for a person. */
    String whyKept(UUID backupId, String target) {
        return jdbc.sql("""
                        SELECT b.target, b.status,
                               (SELECT j.kind FROM jobs j
                                WHERE j.subject_id = b.id AND j.kind IN (:usingKinds)
                                  AND j.status IN (:active) LIMIT 1) AS used_by,
                               b.id = (SELECT n.id FROM backups n
                                       WHERE n.target = b.target AND n.status = 'AVAILABLE'
                                       ORDER BY n.created_at DESC, n.id DESC LIMIT 1) AS newest
                        FROM backups b WHERE b.id = :id""")
                .param("id", backupId).param("usingKinds", USING_KINDS).param("active", ACTIVE)
                .query((rs, n) -> {
                    if (!rs.getString(1).equals(target)) {
                        return "a backup of '" + rs.getString(1) + "', not of '" + target + "'";
                    }
                    if (!"AVAILABLE".equals(rs.getString(2))) {
                        return "expired already";
                    }
                    if (rs.getString(3) != null) {
                        return "in use by a running " + rs.getString(3);
                    }
                    return rs.getBoolean(4) ? "newest" : "kept: it changed since the decision";
                })
                .optional().orElse("not in the catalog");
    }

    /** The first 8 hex digits of every queued or running job's id (they are in the names of the files it writes). */
    Set<String> activeJobPrefixes() {
        return new HashSet<>(jdbc.sql("SELECT left(id::text, 8) FROM jobs WHERE status IN (:active)")
                .param("active", ACTIVE).query(String.class).list());
    }
}
