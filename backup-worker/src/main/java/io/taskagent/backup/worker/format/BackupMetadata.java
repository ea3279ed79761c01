package io.taskagent.backup.worker.format;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

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
@JsonPropertyOrder({"backup_id", "target", "backup_type", "created_at", "server_version", "application_version",
        "compression", "snapshot_isolation", "tables", "self_referencing", "cycles", "sequences"})
public record BackupMetadata(UUID backupId, String target, String backupType, java.time.Instant createdAt,
                             String serverVersion, Compression compression, List<Table> tables,
                             List<String> selfReferencing, List<String> cycles, List<Sequence> sequences,
                             String applicationVersion) {

    /** How the snapshot the backup comes from was read. */
    public static final String SNAPSHOT_ISOLATION = "repeatable read, read only";

    @JsonProperty("snapshot_isolation")
    public String snapshotIsolation() {
        return SNAPSHOT_ISOLATION;
    }

    /** The schemas the backup's tables stand in, sorted. */
    public java.util.SortedSet<String> schemas() {
        java.util.SortedSet<String> schemas = new java.util.TreeSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        return schemas;
    }

    /** A table: its columns in table order, primary key columns in key order, the tables it references. */
    public record Table(String schema, String name, List<Column> columns, List<String> primaryKey,
                        List<String> references) {
        /** {@code schema.name}, as the data section and the summary name it. */
        public String qualified() {
            return schema + "." + name;
        }
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

    public record Sequence(String schema, String name, Long lastValue, @JsonProperty("is_called") boolean called,
                           String ownedBy) {
    }
}
