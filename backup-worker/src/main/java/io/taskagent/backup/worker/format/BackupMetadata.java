package io.taskagent.backup.worker.format;

import java.util.List;
import java.util.UUID;

/**
 * The {@code metadata} of a backup file, as {@link BackupFileWriter} writes it (see docs/backup-format.md).
 *
 * @param createdAt       ISO-8601 instant, in UTC
 * @param serverVersion   PostgreSQL's {@code server_version}
 * @param tables          in the order of the data section (foreign-key order)
 * @param selfReferencing tables with a foreign key to themselves ({@code schema.table})
 * @param cycles          tables in (or behind) a foreign-key cycle across tables
 * @param applicationVersion the application's version marker (its newest migration, e.g. {@code flyway 42}), or
 *                           null when no migration tool's table was found
 */
public record BackupMetadata(UUID backupId, String target, String backupType, java.time.Instant createdAt,
                             String serverVersion, Compression compression, List<Table> tables,
                             List<String> selfReferencing, List<String> cycles, List<Sequence> sequences,
                             String applicationVersion) {

    /** A table: its columns in table order, primary key columns in key order, the tables it references. */
    public record Table(String schema, String name, List<Column> columns, List<String> primaryKey,
                        List<String> references) {
    }

    /**
     * @param type      PostgreSQL's {@code format_type}
     * @param json      how its values are written: {@code number}, {@code boolean}, {@code json} or {@code string}
     * @param generated a stored generated column
     * @param identity  {@code always}, {@code by_default} or null
     */
    public record Column(String name, String type, String json, boolean nullable, boolean generated,
                         String identity) {
    }

    public record Sequence(String schema, String name, Long lastValue, boolean called, String ownedBy) {
    }
}
