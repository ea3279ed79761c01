package io.taskagent.backup.worker.backup;

import java.util.List;

/**
 * What the dump found in the source database's catalog, in the order tables are written (parents before
 * children by foreign keys).
 *
 * @param serverVersion   PostgreSQL's {@code server_version}
 * @param tables          every table, in foreign-key order
 * @param selfReferencing tables with a foreign key to themselves ({@code schema.table})
 * @param cycles          tables that take part in a foreign-key cycle across tables
 * @param sequences       every sequence and its current value
 */
public record SourceSchema(String serverVersion, List<Table> tables, List<String> selfReferencing,
                           List<String> cycles, List<Sequence> sequences) {

    /**
     * @param kind       {@code r} (table) or {@code p} (partitioned table)
     * @param primaryKey primary key columns in key order (empty without one)
     * @param references tables this one has foreign keys to ({@code schema.table})
     * @param pages      heap pages at the start of the dump (to split big tables into chunks)
     * @param estimatedRows the planner's row estimate ({@code reltuples}), for progress
     */
    public record Table(long oid, String schema, String name, String kind, List<Column> columns,
                        List<String> primaryKey, List<String> references, long pages, long estimatedRows) {

        public String qualifiedName() {
            return schema + "." + name;
        }

        /** The name quoted for SQL. */
        public String sqlName() {
            return quote(schema) + "." + quote(name);
        }
    }

    /**
     * @param generated {@code true} for a stored generated column (the restore skips it)
     * @param identity  {@code always}, {@code by_default} or null
     * @param kind      how its values are written (from the base type)
     */
    public record Column(String name, String type, boolean nullable, boolean generated, String identity,
                         ColumnKind kind) {
    }

    public record Sequence(String schema, String name, Long lastValue, boolean called, String ownedBy) {
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
