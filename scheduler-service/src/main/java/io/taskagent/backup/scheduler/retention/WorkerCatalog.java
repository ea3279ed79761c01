package io.taskagent.backup.scheduler.retention;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Reads the worker's catalog ({@code worker.backups}, {@code worker.jobs}); the scheduler never writes it. */
@Repository
public class WorkerCatalog {

    private final JdbcClient jdbc;

    WorkerCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The target's available (not expired) backups. */
    List<StoredBackup> availableBackups(String target) {
        return jdbc.sql("""
                        SELECT id, file_name, backup_type, created_at, size_bytes FROM worker.backups
                        WHERE target = :target AND status = 'AVAILABLE'""")
                .param("target", target)
                .query((rs, n) -> new StoredBackup(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5)))
                .list();
    }

    /** Backups a queued or running verify or restore job uses, with the job's kind. */
    Map<UUID, String> backupsInUse() {
        Map<UUID, String> inUse = new HashMap<>();
        jdbc.sql("""
                        SELECT subject_id, kind FROM worker.jobs
                        WHERE kind IN ('verify', 'restore') AND status IN ('QUEUED', 'RUNNING')
                          AND subject_id IS NOT NULL""")
                .query(rs -> {
                    inUse.put(rs.getObject(1, UUID.class), rs.getString(2));
                });
        return inUse;
    }

    /** When the target's newest successful backup was recorded (expired ones count: they succeeded). */
    public Optional<Instant> lastSuccess(String target) {
        return jdbc.sql("SELECT max(created_at) FROM worker.backups WHERE target = :target")
                .param("target", target)
                .query((rs, n) -> {
                    Timestamp at = rs.getTimestamp(1);
                    return Optional.ofNullable(at).map(Timestamp::toInstant);
                })
                .single();
    }
}
