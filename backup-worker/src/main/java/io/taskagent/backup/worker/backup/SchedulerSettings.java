package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.format.Compression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The backup settings set through ConfigureSchedule, as the scheduler publishes them in its read contract: the view
 * {@code scheduler.v1_settings} (one row; {@code max_backup_size_mb}, {@code compression_enabled}). Only where no
 * scheduler publishes them on this catalog, the worker's own settings apply ({@code backup.storage.max-backup-size-mb},
 * {@code backup.storage.compression}): the view does not exist (SQLSTATE 42P01), or it has no row yet. That is said
 * once in the log, at INFO, and is a detail of the worker's health. Any other failure to read the view is an error
 * ({@link Unreadable}), never a silent fallback.
 */
@Component
public class SchedulerSettings {

    /** The scheduler's published settings, read by this worker. */
    public static final String VIEW = "scheduler.v1_settings";

    /**
     * The source named when the view does not exist: no scheduler has migrated this catalog. Backups still run with
     * the worker's own settings, and the worker's health is DOWN saying so (a missing read contract is a problem to
     * see, not a silent fallback).
     */
    public static final String NOT_PUBLISHED = VIEW + " does not exist (no scheduler on this catalog): using "
            + "backup.storage.max-backup-size-mb and backup.storage.compression";

    /** Whether these settings come from a missing read contract. */
    public static boolean unpublished(Effective effective) {
        return NOT_PUBLISHED.equals(effective.source());
    }
    private static final String UNDEFINED_TABLE = "42P01";
    private static final Logger log = LoggerFactory.getLogger(SchedulerSettings.class);

    private final JdbcClient jdbc;
    private final WorkerProperties.Storage own;
    /** How the settings were last found ({@link Effective#source()}), to log a change of it once. */
    private final AtomicReference<String> lastSource = new AtomicReference<>();

    SchedulerSettings(JdbcClient jdbc, WorkerProperties properties) {
        this.jdbc = jdbc;
        this.own = properties.storage();
    }

    /**
     * The settings a backup uses.
     *
     * @param maxBackupSizeMb a bigger backup is kept but announced with BackupOversized
     * @param compression     how the backup is written: {@link Compression#NONE} where the scheduler says
     *                        {@code compression_enabled = false}, else {@code backup.storage.compression}
     * @param source          where they come from, for people (the health detail)
     */
    public record Effective(long maxBackupSizeMb, Compression compression, String source) {
    }

    /** The settings read from the scheduler's view failed to be read, for another reason than its absence. */
    public static final class Unreadable extends RuntimeException {
        Unreadable(Throwable cause) {
            super("cannot read the scheduler's settings (" + VIEW + "): " + cause.getMessage(), cause);
        }
    }

    private record Published(long maxBackupSizeMb, boolean compressionEnabled) {
    }

    /**
     * Reads the settings now.
     *
     * @throws Unreadable when the view exists but cannot be read (the catalog is unreachable, a permission, ...)
     */
    public Effective current() {
        Compression configured = Compression.parse(own.compression());
        Effective effective;
        try {
            Optional<Published> published = jdbc.sql("SELECT max_backup_size_mb, compression_enabled FROM " + VIEW)
                    .query((rs, n) -> new Published(rs.getLong(1), rs.getBoolean(2))).optional();
            effective = published
                    .map(p -> new Effective(p.maxBackupSizeMb(), p.compressionEnabled() ? configured : Compression.NONE,
                            VIEW))
                    .orElseGet(() -> new Effective(own.maxBackupSizeMb(), configured,
                            "no row published yet; using backup.storage.max-backup-size-mb"));
        } catch (DataAccessException e) {
            if (!UNDEFINED_TABLE.equals(sqlState(e))) {
                throw new Unreadable(e.getMostSpecificCause());
            }
            effective = new Effective(own.maxBackupSizeMb(), configured, NOT_PUBLISHED);
        }
        String before = lastSource.getAndSet(effective.source());
        if (!effective.source().equals(before)) {
            if (effective.source().equals(VIEW)) {
                log.info("backup settings: read from {}", VIEW);
            } else {
                log.info("backup settings: {} {} ({} MB), and backup.storage.compression ({})", VIEW,
                        effective.source(), effective.maxBackupSizeMb(), effective.compression().name().toLowerCase());
            }
        }
        return effective;
    }

    private static String sqlState(DataAccessException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
