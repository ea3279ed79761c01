package io.taskagent.backup.worker.backup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tables, columns, keys, foreign keys and sequences from {@code pg_catalog}: nothing about the source's
 * schema is written in code. System schemas and extension-owned tables are left out.
 */
final class SchemaDiscovery {

    private SchemaDiscovery() {
    }

    static SourceSchema discover(Connection connection) throws SQLException {
        return discover(connection, TableFilter.ALL);
    }

    static SourceSchema discover(Connection connection, TableFilter filter) throws SQLException {
        String version;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            version = rs.getString(1);
        }
        Map<Long, String[]> tables = new LinkedHashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT c.oid, n.nspname, c.relname, c.relkind,
                       pg_relation_size(c.oid) / current_setting('block_size')::bigint, greatest(c.reltuples, 0)::bigint
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                ORDER BY n.nspname, c.relname""")) {
            while (rs.next()) {
                if (filter.includes(rs.getString(2), rs.getString(3))) {
                    tables.put(rs.getLong(1), new String[]{rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)});
                }
            }
        }
        Map<Long, List<SourceSchema.Column>> columns = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       a.attgenerated, a.attidentity, bt.typname
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_type t ON t.oid = a.atttypid
                JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
                WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attrelid, a.attnum""")) {
            while (rs.next()) {
                long oid = rs.getLong(1);
                if (!tables.containsKey(oid)) {
                    continue;
                }
                String identity = switch (rs.getString(6)) {
                    case "a" -> "always";
                    case "d" -> "by_default";
                    default -> null;
                };
                columns.computeIfAbsent(oid, k -> new ArrayList<>()).add(new SourceSchema.Column(
                        rs.getString(2), rs.getString(3), !rs.getBoolean(4), !rs.getString(5).isEmpty(), identity,
                        ColumnKind.of(rs.getString(7))));
            }
        }
        Map<Long, List<String>> primaryKeys = new HashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT con.conrelid, a.attname
                FROM pg_constraint con
                CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                WHERE con.contype = 'p'
                ORDER BY con.conrelid, k.ord""")) {
            while (rs.next()) {
                primaryKeys.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        }
        List<long[]> foreignKeys = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT conrelid, confrelid FROM pg_constraint WHERE contype = 'f'")) {
            while (rs.next()) {
                foreignKeys.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
        }
        List<SourceSchema.Table> unordered = new ArrayList<>();
        for (Map.Entry<Long, String[]> t : tables.entrySet()) {
            long oid = t.getKey();
            List<String> references = foreignKeys.stream()
                    .filter(fk -> fk[0] == oid && tables.containsKey(fk[1]))
                    .map(fk -> tables.get(fk[1])[0] + "." + tables.get(fk[1])[1])
                    .distinct().sorted().toList();
            unordered.add(new SourceSchema.Table(oid, t.getValue()[0], t.getValue()[1], t.getValue()[2],
                    List.copyOf(columns.getOrDefault(oid, List.of())),
                    List.copyOf(primaryKeys.getOrDefault(oid, List.of())), references,
                    Long.parseLong(t.getValue()[3]), Long.parseLong(t.getValue()[4])));
        }
        ForeignKeyOrder.Result order = ForeignKeyOrder.sort(unordered);
        return new SourceSchema(version, order.tables(), order.selfReferencing(), order.cycles(),
                sequences(connection));
    }

    private static List<SourceSchema.Sequence> sequences(Connection connection) throws SQLException {
        List<SourceSchema.Sequence> result = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("""
                SELECT n.nspname, c.relname,
                       (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname
                        FROM pg_depend d
                        JOIN pg_class tc ON tc.oid = d.refobjid
                        JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
                        LIMIT 1)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                ORDER BY 1, 2""");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                String schema = rs.getString(1);
                String name = rs.getString(2);
                String ownedBy = rs.getString(3);
                try (Statement v = connection.createStatement();
                     ResultSet value = v.executeQuery("SELECT last_value, is_called FROM "
                             + SourceSchema.quote(schema) + "." + SourceSchema.quote(name))) {
                    value.next();
                    result.add(new SourceSchema.Sequence(schema, name, value.getLong(1), value.getBoolean(2), ownedBy));
                }
            }
        }
        return result;
    }
}
