package io.taskagent.backup.scheduler.retention;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Reads the worker's read contract, the views {@code worker.v1_backups} and {@code worker.v1_jobs} (published by the
 * worker's migration {@code V6__read_contract_v1.sql}, the columns of the tables they wrap); the scheduler never
 * names the worker's tables and never writes its schema. A failed read is an error, logged and thrown as a
 * {@link WorkerCatalogException} naming the view, never an empty answer: a cleanup decided over a catalog it could
 * not read would delete the wrong backups, and a watchdog that saw no backups would raise false alarms.
 */
@Repository
public class WorkerCatalog {

    static final String BACKUPS = "worker.v1_backups";
    static final String JOBS = "worker.v1_jobs";
    static final String COPIES = "worker.v1_backup_copies";

    /**
     * A copy of an available backup that exists or is being made (a pending copy counts for the rules of its
     * destination: deleting its source would lose it).
     *
     * @param verified available, and its checksum was checked on its destination (a copy is when made, the primary by
     *                 a verify job) or it is the primary, written and digested by the backup itself
     */
    record Copy(UUID backupId, String destination, boolean verified) {
    }
    private static final Logger log = LoggerFactory.getLogger(WorkerCatalog.class);

    private final JdbcClient jdbc;

    WorkerCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The target's available (not expired) backups. */
    List<StoredBackup> availableBackups(String target) {
        return read(BACKUPS, () -> jdbc.sql("""
                        SELECT id, file_name, backup_type, created_at, size_bytes FROM worker.v1_backups
                        WHERE target = :target AND status = 'AVAILABLE'""")
                .param("target", target)
                .query((rs, n) -> new StoredBackup(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5)))
                .list());
    }

    /** The available and pending copies of the target's available backups, by backup. */
    Map<UUID, List<Copy>> availableCopies(String target) {
        return read(COPIES, () -> {
            Map<UUID, List<Copy>> copies = new HashMap<>();
            jdbc.sql("""
                            SELECT c.backup_id, c.destination,
                                   c.status = 'AVAILABLE' AND (c.is_primary OR c.verified_at IS NOT NULL)
                            FROM worker.v1_backup_copies c JOIN worker.v1_backups b ON b.id = c.backup_id
                            WHERE b.target = :target AND b.status = 'AVAILABLE' AND c.status IN ('AVAILABLE', 'PENDING')
                            ORDER BY c.destination""")
                    .param("target", target)
                    .query(rs -> {
                        copies.computeIfAbsent(rs.getObject(1, UUID.class), k -> new java.util.ArrayList<>())
                                .add(new Copy(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3)));
                    });
            return copies;
        });
    }

    /** Backups a queued or running verify, restore or drill job uses, with the job's kind. */
    Map<UUID, String> backupsInUse() {
        return read(JOBS, () -> {
            Map<UUID, String> inUse = new HashMap<>();
            jdbc.sql("""
                            SELECT subject_id, kind FROM worker.v1_jobs
                            WHERE kind IN ('verify', 'restore', 'drill') AND status IN ('QUEUED', 'RUNNING')
                              AND subject_id IS NOT NULL""")
                    .query(rs -> {
                        inUse.put(rs.getObject(1, UUID.class), rs.getString(2));
                    });
            return inUse;
        });
    }

    /** When the target's newest successful backup was recorded (expired ones count: they succeeded). */
    public Optional<Instant> lastSuccess(String target) {
        return read(BACKUPS, () -> jdbc.sql("SELECT max(created_at) FROM worker.v1_backups WHERE target = :target")
                .param("target", target)
                .query((rs, n) -> {
                    Timestamp at = rs.getTimestamp(1);
                    return Optional.ofNullable(at).map(Timestamp::toInstant);
                })
                .single());
    }

    /**
     * When the {@code n}-th successful backup of the target recorded after {@code after} was recorded (expired ones
     * count: they succeeded), empty while there are fewer.
     */
    public Optional<Instant> nthBackupAfter(String target, Instant after, int n) {
        return read(BACKUPS, () -> jdbc.sql("""
                        SELECT created_at FROM worker.v1_backups WHERE target = :target AND created_at > :after
                        ORDER BY created_at, id OFFSET :skip LIMIT 1""")
                .param("target", target).param("after", Timestamp.from(after)).param("skip", n - 1)
                .query((rs, i) -> rs.getTimestamp(1).toInstant())
                .optional());
    }

    /** When a drill of the target last passed (its job succeeded), empty when none ever did. */
    public Optional<Instant> lastPassedDrill(String target) {
        return read(JOBS, () -> jdbc.sql("""
                        SELECT max(finished_at) FROM worker.v1_jobs
                        WHERE target = :target AND kind = 'drill' AND status = 'SUCCEEDED'""")
                .param("target", target)
                .query((rs, n) -> Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant))
                .single());
    }

    private static <T> T read(String view, Supplier<T> query) {
        try {
            return query.get();
        } catch (DataAccessException e) {
            String cause = String.valueOf(e.getMostSpecificCause().getMessage());
            log.error("reading the worker's {} failed: {}", view, cause);
            throw new WorkerCatalogException("reading the worker's " + view + " failed: " + cause, e);
        }
    }
}
