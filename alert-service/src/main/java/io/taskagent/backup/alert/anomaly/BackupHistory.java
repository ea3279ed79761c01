package io.taskagent.backup.alert.anomaly;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Successful backups per target ({@code alerts.backup_history}, from BackupCompleted): the anomaly baseline. */
@Repository
class BackupHistory {

    private static final TypeReference<Map<String, Long>> ROW_COUNTS = new TypeReference<>() {
    };

    /** A recorded backup: the anomaly raised for it (JSON), if any, and whether it was published. */
    record Recorded(String anomaly, boolean published) {
    }

    private final JdbcClient jdbc;

    BackupHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Recorded> find(UUID jobId) {
        return jdbc.sql("SELECT anomaly, anomaly_published_at IS NOT NULL AS published FROM backup_history WHERE job_id = :job")
                .param("job", jobId)
                .query((rs, n) -> new Recorded(rs.getString("anomaly"), rs.getBoolean("published")))
                .optional();
    }

    /** The target's last {@code limit} backups completed before {@code before}, newest first. */
    List<AnomalyRules.Snapshot> previous(String target, Instant before, UUID excludedJob, int limit) {
        return jdbc.sql("""
                        SELECT size_bytes, total_rows, row_counts::text AS row_counts FROM backup_history
                        WHERE target = :target AND completed_at < :before AND job_id <> :job
                        ORDER BY completed_at DESC LIMIT :limit""")
                .param("target", target).param("before", Timestamp.from(before)).param("job", excludedJob)
                .param("limit", limit)
                .query((rs, n) -> new AnomalyRules.Snapshot(rs.getLong("size_bytes"), rs.getLong("total_rows"),
                        MessageJson.mapper().readValue(rs.getString("row_counts"), ROW_COUNTS)))
                .list();
    }

    /** Records the backup; false when it was recorded already (a redelivered BackupCompleted). */
    boolean record(BackupCompleted backup, String anomaly) {
        return jdbc.sql("""
                        INSERT INTO backup_history (job_id, message_id, target, backup_type, file_name, completed_at,
                                                    size_bytes, total_rows, row_counts, anomaly)
                        VALUES (:job, :id, :target, :type, :file, :completedAt, :size, :rows, CAST(:counts AS jsonb),
                                :anomaly)
                        ON CONFLICT (job_id) DO NOTHING""")
                .param("job", backup.jobId()).param("id", backup.messageId()).param("target", backup.target())
                .param("type", backup.backupType()).param("file", backup.fileName())
                .param("completedAt", Timestamp.from(backup.occurredAt())).param("size", backup.sizeBytes())
                .param("rows", backup.totalRows())
                .param("counts", MessageJson.mapper().writeValueAsString(backup.rowCounts()))
                .param("anomaly", anomaly, Types.VARCHAR)
                .update() == 1;
    }

    void markPublished(UUID jobId) {
        jdbc.sql("UPDATE backup_history SET anomaly_published_at = now() WHERE job_id = :job")
                .param("job", jobId).update();
    }
}
