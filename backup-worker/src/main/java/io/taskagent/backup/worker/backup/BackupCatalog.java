package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.backup.DumpResult;
import io.taskagent.backup.worker.job.EventOutbox;
import io.taskagent.backup.worker.job.JobStore;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.type.TypeReference;

/**
 * The catalogued backups ({@code worker.backups}): a finished backup is recorded together with its job's success, in
 * one transaction; verification and restores look backups up here.
 */
@Repository
public class BackupCatalog {

    private final JdbcClient jdbc;
    private final JobStore jobs;
    private final EventOutbox outbox;

    BackupCatalog(JdbcClient jdbc, JobStore jobs, EventOutbox outbox) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.outbox = outbox;
    }

    /**
     * A catalogued backup.
     *
     * @param encryption the algorithm of an encrypted file, or null
     * @param keyId      the id of the key an encrypted file was written with, or null
     */
    public record StoredBackup(UUID backupId, String target, String fileName, long sizeBytes, String sha256,
                        String compression, Map<String, Long> rowCounts, String backupType, int formatVersion,
                        String encryption, Long keyId) {
    }

    /** The status (AVAILABLE, EXPIRED) of a catalogued backup. */
    public Optional<String> status(UUID backupId) {
        return jdbc.sql("SELECT status FROM backups WHERE job_id = :id").param("id", backupId).query(String.class).optional();
    }

    /** The id of the backup stored under {@code fileName}. */
    public Optional<UUID> idOf(String fileName) {
        return jdbc.sql("SELECT job_id FROM backups WHERE file_name = :f").param("f", fileName).query(UUID.class).optional();
    }

    /** The newest available backup of {@code target}. */
    public Optional<UUID> newestAvailable(String target) {
        return jdbc.sql("""
                        SELECT id FROM backups WHERE target = :t AND status = 'AVAILABLE'
                        ORDER BY created_at DESC, id DESC LIMIT 1""")
                .param("t", target).query(UUID.class).optional();
    }

    /** Epoch seconds of the newest backup of {@code target}. */
    Optional<Long> lastSuccessEpochSeconds(String target) {
        return jdbc.sql("SELECT extract(epoch FROM max(created_at))::bigint FROM backups WHERE target = :t")
                .param("t", target).query(Long.class).optional().filter(java.util.Objects::nonNull);
    }

    public Optional<StoredBackup> find(UUID backupId) {
        return jdbc.sql("""
                        SELECT job_id, target, file_name, size_bytes, sha256, compression, row_counts::text,
                               backup_type, format_version, encryption, key_id
                        FROM backups WHERE job_id = :id""")
                .param("id", backupId)
                .query((rs, n) -> new StoredBackup(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getLong(4), rs.getString(5), rs.getString(6),
                        MessageJson.mapper().readValue(rs.getString(7), new TypeReference<LinkedHashMap<String, Long>>() {
                        }), rs.getString(8), rs.getInt(9), rs.getString(10), rs.getObject(11, Long.class)))
                .optional();
    }

    /**
     * Inserts the backup row, marks the job SUCCEEDED and stores the events announcing it (published by the caller
     * after the commit, see {@link EventOutbox}), in one transaction.
     *
     * @return false (and nothing written) when this worker no longer holds the job's lease
     */
    boolean recordSuccess(UUID jobId, String worker, String target, String backupType, DumpResult result,
                          java.util.List<String> copyDestinations, BackupMessage... events) {
        return outbox.commit(() -> {
            // the final count, whatever the progress throttle let through
            jobs.progress(jobId, worker, result.rowCounts().values().stream().mapToLong(Long::longValue).sum(), null);
            if (!jobs.succeed(jobId, worker)) {
                return false;
            }
            jdbc.sql("""
                            INSERT INTO backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                 compression, format_version, row_counts, table_order, table_count,
                                                 duration_ms,
                                                 created_at, application_version, encryption, key_id)
                            VALUES (:id, :jobId, :target, :type, :fileName, :size, :sha, :compression, :version,
                                    CAST(:rowCounts AS jsonb),
                                    CAST(:tableOrder AS jsonb), :tableCount, :duration, :createdAt, :appVersion,
                                    :encryption, :keyId)""")
                    .param("appVersion", result.applicationVersion())
                    .param("encryption", result.encryption())
                    .param("keyId", result.keyId() == null ? null : result.keyId().longValue())
                    .param("id", jobId).param("jobId", jobId).param("target", target).param("type", backupType)
                    .param("fileName", result.fileName()).param("size", result.sizeBytes())
                    .param("sha", result.sha256()).param("compression", result.compression().name().toLowerCase())
                    .param("version", BackupFormat.FORMAT_VERSION)
                    .param("rowCounts", MessageJson.mapper().writeValueAsString(result.rowCounts()))
                    .param("tableOrder", MessageJson.mapper().writeValueAsString(result.rowCounts().keySet()))
                    .param("tableCount", result.rowCounts().size()).param("duration", result.durationMillis())
                    .param("createdAt", Timestamp.from(Instant.now()))
                    .update();
            jdbc.sql("""
                            INSERT INTO backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256,
                                                       copied_at, attempts)
                            VALUES (:id, :destination, 'AVAILABLE', true, :size, :sha, now(), 1)""")
                    .param("id", jobId).param("destination", result.destination()).param("size", result.sizeBytes())
                    .param("sha", result.sha256()).update();
            for (String copy : copyDestinations) {
                jdbc.sql("""
                                INSERT INTO backup_copies (backup_id, destination, status, next_attempt_at)
                                VALUES (:id, :destination, 'PENDING', now())""")
                        .param("id", jobId).param("destination", copy).update();
            }
            return true;
        }, events);
    }
}
