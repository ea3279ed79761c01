package io.taskagent.backup.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TaskAgent reference database ({@code demo/schema.sql} and {@code demo/generate.sql}, copies of
 * {@code ../shared/dataset}), created through JDBC so that tests need no {@code psql}.
 */
public final class ReferenceDataset {

    private ReferenceDataset() {
    }

    /** The repository's {@code demo} directory, found from the current module's directory. */
    public static Path demoDirectory() {
        for (Path p : new Path[]{Path.of("demo"), Path.of("..", "demo")}) {
            if (Files.isRegularFile(p.resolve("schema.sql"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find demo/schema.sql from " + Path.of("").toAbsolutePath());
    }

    /**
     * Makes database {@code name} hold the reference data at {@code scale} (1 = 200,000 tasks). An existing
     * database with the expected number of tasks is reused.
     */
    public static synchronized void ensure(Infrastructure infra, String name, int scale) {
        // test forks and modules run side by side: one of them builds the database, the others wait for it
        try (Connection lock = infra.connect("postgres"); Statement s = lock.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('reference dataset " + name.replace("'", "''") + "'))");
            ensureLocked(infra, name, scale);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot lock the reference dataset " + name + ": " + e.getMessage(), e);
        }
    }

    private static void ensureLocked(Infrastructure infra, String name, int scale) {
        infra.ensureDatabase(name);
        try (Connection c = infra.connect(name); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.tasks') IS NOT NULL")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    try (ResultSet count = s.executeQuery("SELECT count(*) FROM tasks")) {
                        count.next();
                        if (count.getLong(1) == 200_000L * scale) {
                            return;
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot inspect database " + name + ": " + e.getMessage(), e);
        }
        infra.dropDatabase(name);
        infra.ensureDatabase(name);
        load(infra, name, scale);
    }

    /** Database {@code name} dropped if it exists and created again with the demo schema and no rows. */
    public static void schemaOnly(Infrastructure infra, String name) {
        infra.recreateDatabase(name);
        try (Connection c = infra.connect(name); Statement s = c.createStatement()) {
            s.execute(Files.readString(demoDirectory().resolve("schema.sql")));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot create the demo schema in " + name + ": " + e.getMessage(), e);
        }
    }

    /** Loads schema and data into an existing empty database. */
    public static void load(Infrastructure infra, String name, int scale) {
        try (Connection c = infra.connect(name); Statement s = c.createStatement()) {
            s.execute(Files.readString(demoDirectory().resolve("schema.sql")));
            s.execute(generateSql(scale));
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot load the reference dataset into " + name + ": " + e.getMessage(), e);
        }
    }

    /** generate.sql with psql's {@code :scale} variable substituted and its psql meta-commands removed. */
    static String generateSql(int scale) throws IOException {
        String sql = Files.readString(demoDirectory().resolve("generate.sql"));
        StringBuilder out = new StringBuilder();
        for (String line : sql.split("\n")) {
            if (line.startsWith("\\")) {
                continue;
            }
            out.append(line.replace(":scale", String.valueOf(scale))).append('\n');
        }
        return out.toString();
    }

    /** Row counts of every table in {@code public}, from the database itself. */
    public static Map<String, Long> rowCounts(Infrastructure infra, String name) {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = infra.connect(name); Statement s = c.createStatement()) {
            java.util.List<String> tables = new java.util.ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM public.\"" + table + "\"")) {
                    rs.next();
                    counts.put("public." + table, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count rows of " + name + ": " + e.getMessage(), e);
        }
        return counts;
    }

    /**
     * The data fingerprint of database {@code name} ({@code demo/fingerprint.sql}: per table, its row count and a
     * digest of its rows), one line per table, sorted (the query's own order is not guaranteed).
     */
    public static java.util.List<String> fingerprint(Infrastructure infra, String name) {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (Connection c = infra.connect(name); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(java.nio.file.Files.readString(demoDirectory().resolve("fingerprint.sql")))) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot fingerprint " + name + ": " + e.getMessage(), e);
        }
        java.util.Collections.sort(rows);
        return rows;
    }
}
