package io.taskagent.backup.worker.restore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every user table's row count and the digest of its rows (in a fixed order), for comparing two databases. */
final class DatabaseContents {

    private DatabaseContents() {
    }

    static Map<String, String> of(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname) FROM pg_class r
                JOIN pg_namespace n ON n.oid = r.relnamespace
                WHERE r.relkind IN ('r', 'p', 'm') AND NOT r.relispartition
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                ORDER BY 1""")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, String> contents = new LinkedHashMap<>();
        for (String table : tables) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), md5(coalesce("
                    + "string_agg(t::text, '|' ORDER BY t::text), '')) FROM " + table + " t")) {
                rs.next();
                contents.put(table, rs.getLong(1) + " " + rs.getString(2));
            }
        }
        return contents;
    }
}
