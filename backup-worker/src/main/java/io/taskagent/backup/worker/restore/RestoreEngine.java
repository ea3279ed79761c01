package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.format.BackupMetadata;
import io.taskagent.backup.worker.format.SchemaSections;

import java.io.IOException;
import io.taskagent.backup.worker.format.StoredFile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Restores a verified backup file into a database, in one transaction: compatibility check, existing rows removed,
 * rows loaded with {@code COPY ... FROM STDIN} in foreign-key order (generated columns left to the database,
 * identity values kept), sequences set, foreign keys, row counts and every row (read back and digested, see
 * {@link RowSum}) checked, then commit. Any error rolls
 * everything back: the target is exactly as before.
 * <p>
 * When the session may (a superuser), foreign-key and user triggers are switched off for the load
 * ({@code session_replication_role = replica}, as {@code pg_restore --disable-triggers}) and every foreign key
 * touching the restored tables is then checked with one set-based query each, which is much faster than a check per
 * row and handles self-references and cycles. Otherwise deferrable constraints are deferred and the rest checked per
 * row as usual.
 */
final class RestoreEngine {

    private RestoreEngine() {
    }

    /** A table of the backup. */
    /** {@code embedded}: the columns whose values the file embeds as JSON (jsonb). */
    record Table(String schema, String name, List<String> columns, List<String> generated,
                 java.util.Set<String> embedded) {
        String qualified() {
            return schema + "." + name;
        }

        String sql() {
            return quote(schema) + "." + quote(name);
        }

        /** The COPY that loads the table's columns ({@code freeze}: rows written frozen; {@code binary}: that format). */
        String copyIn(boolean freeze, boolean binary) {
            String list = String.join(", ", columns.stream().map(RestoreEngine::quote).toList());
            String options = binary && freeze ? " WITH (FORMAT binary, FREEZE)" : binary ? " WITH (FORMAT binary)"
                    : freeze ? " WITH (FREEZE)" : "";
            return "COPY " + sql() + (list.isEmpty() ? "" : " (" + list + ")") + " FROM STDIN" + options;
        }

        /**
         * The loaded columns read back in the load's order, as COPY text ({@code only}: without child tables;
         * {@code where}: empty, or a condition starting with a space); the columns in {@code asText} cast to text in the
         * query ({@code "c"::pg_catalog.text}), for columns whose cast to text is their type's output function: the
         * same COPY line, but the output functions run where the query's rows are made, in the server's parallel
         * workers too.
         */
        String copyOut(boolean only, String where, java.util.Set<String> asText) {
            return "COPY (SELECT " + String.join(", ", columns.stream()
                    .map(c -> asText.contains(c) ? quote(c) + "::pg_catalog.text" : quote(c)).toList())
                    + " FROM " + (only ? "ONLY " : "") + sql() + where + ") TO STDOUT";
        }
    }

    static List<Table> tables(BackupMetadata metadata) {
        List<Table> tables = new ArrayList<>();
        for (BackupMetadata.Table t : metadata.tables()) {
            List<String> columns = new ArrayList<>();
            List<String> generated = new ArrayList<>();
            java.util.Set<String> embedded = new java.util.HashSet<>();
            for (BackupMetadata.Column c : t.columns()) {
                (c.generated() ? generated : columns).add(c.name());
                if ("json".equals(c.json())) {
                    embedded.add(c.name());
                }
            }
            tables.add(new Table(t.schema(), t.name(), columns, generated, embedded));
        }
        return tables;
    }

    /** Every difference between the backup's tables and columns and the target's; empty when compatible. */
    static List<String> schemaDifferences(Connection target, BackupMetadata metadata) throws SQLException {
        List<String> differences = new ArrayList<>();
        try (PreparedStatement s = target.prepareStatement("""
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated <> '', a.attnotnull,
                       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""")) {
            for (BackupMetadata.Table t : metadata.tables()) {
                String schema = t.schema();
                String name = t.name();
                s.setString(1, schema);
                s.setString(2, name);
                Map<String, String[]> columns = new LinkedHashMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        columns.put(rs.getString(1), new String[]{rs.getString(2), String.valueOf(rs.getBoolean(3)),
                                String.valueOf(rs.getBoolean(4)), String.valueOf(rs.getBoolean(5))});
                    }
                }
                String table = schema + "." + name;
                if (columns.isEmpty() && !t.columns().isEmpty()) {
                    differences.add("table " + table + " does not exist in the target");
                    continue;
                }
                java.util.Set<String> inBackup = new java.util.HashSet<>();
                for (BackupMetadata.Column c : t.columns()) {
                    String column = c.name();
                    inBackup.add(column);
                    String[] found = columns.get(column);
                    if (found == null) {
                        differences.add("column " + table + "." + column + " does not exist in the target");
                    } else if (!found[0].equals(c.type())) {
                        differences.add("column " + table + "." + column + " is " + c.type()
                                + " in the backup but " + found[0] + " in the target");
                    } else if (!c.generated() && Boolean.parseBoolean(found[1])) {
                        differences.add("column " + table + "." + column + " is generated in the target but not in the backup");
                    }
                }
                columns.forEach((column, found) -> {
                    if (!inBackup.contains(column) && Boolean.parseBoolean(found[2]) && !Boolean.parseBoolean(found[3])) {
                        differences.add("column " + table + "." + column
                                + " is NOT NULL without a default in the target and missing from the backup");
                    }
                });
            }
        }
        return differences;
    }

    /**
     * The relations of the target that stand in the backup's schemas (tables, views, sequences...): a create restore
     * needs none there.
     */
    static List<String> existingRelations(Connection target, BackupMetadata metadata) throws SQLException {
        java.util.Set<String> schemas = metadata.schemas();
        List<String> present = new ArrayList<>();
        try (PreparedStatement s = target.prepareStatement("""
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY (?) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                ORDER BY 1 LIMIT 20""")) {
            s.setArray(1, target.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        return present;
    }

    /** Current row counts of the backup's tables in the target (null where the table is missing). */
    static Map<String, Long> currentCounts(Connection target, List<Table> tables) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Table t : tables) {
            try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t.sql())) {
                rs.next();
                counts.put(t.qualified(), rs.getLong(1));
            } catch (SQLException e) {
                counts.put(t.qualified(), null);
                if (!target.getAutoCommit()) {
                    target.rollback();
                }
            }
        }
        return counts;
    }

    /**
     * Loads the file into the target in one transaction and commits; returns the row counts after the restore.
     *
     * @throws SQLException or IOException after rolling back: the target is unchanged
     */
    static Map<String, Long> load(Connection target, StoredFile file, BackupMetadata metadata, Map<String, Long> expected,
                                  int helpers, Phases phases) throws SQLException, IOException {
        List<Table> tables = tables(metadata);
        target.setAutoCommit(false);
        try {
            boolean replica = isSuperuser(target);
            try (Statement s = target.createStatement()) {
                if (replica) {
                    s.execute("SET LOCAL session_replication_role = replica");
                } else {
                    s.execute("SET CONSTRAINTS ALL DEFERRED");
                }
            }
            boolean truncated = removeExistingRows(target, tables);
            List<String> rebuild = dropIndexesAndKeys(target, tables);
            phases.done("prepare");
            phases.begin("loading");
            Map<String, RowSum> loaded = copyRows(target, file, tables,
                    truncated ? plainTables(target, tables) : java.util.Set.of(), phases);
            setSequences(target, metadata);
            phases.done("load");
            phases.begin("keys");
            if (replica) {
                try (Statement s = target.createStatement()) {
                    s.execute("SET LOCAL session_replication_role = origin");
                }
            }
            try (Statement s = target.createStatement()) {
                for (String ddl : rebuild) {
                    s.execute(ddl); // re-adding a foreign key checks it for every row, set-based
                }
            }
            if (replica && rebuild.isEmpty()) {
                checkForeignKeys(target, tables);
            }
            phases.done("keys");
            phases.begin("verifying");
            Map<String, Long> counts = checkLoaded(target, tables, loaded, expected, helpers);
            phases.done("check");
            target.commit();
            phases.done("commit");
            return counts;
        } catch (SQLException | IOException | RuntimeException e) {
            rollback(target, e);
            throw e;
        }
    }

    /**
     * Reads each loaded table back once (its row count and the sum of its rows' digests come from one scan) and
     * compares both with the backup's; returns the row counts.
     *
     * @throws SQLException naming every table that differs
     */
    private static Map<String, Long> checkLoaded(Connection target, List<Table> tables,
                                                 Map<String, RowSum> loaded, Map<String, Long> expected, int helpers)
            throws SQLException {
        // read each loaded table back once: its row count and the sum of its rows' digests come from one scan
        return compare(target, tables, loaded, readBack(target, tables, loaded, helpers), expected);
    }

    /**
     * Compares the tables read back with what was loaded and with the backup's row counts (tables without rows in the
     * file are counted); returns the row counts.
     *
     * @throws SQLException naming every table that differs
     */
    static Map<String, Long> compare(Connection target, List<Table> tables, Map<String, RowSum> loaded,
                                     Map<String, RowSum> restored, Map<String, Long> expected) throws SQLException {
        Map<String, Long> others = currentCounts(target,
                tables.stream().filter(t -> !restored.containsKey(t.qualified())).toList());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Table t : tables) {
            RowSum sum = restored.get(t.qualified());
            counts.put(t.qualified(), sum != null ? Long.valueOf(sum.rows()) : others.get(t.qualified()));
        }
        List<String> mismatches = new ArrayList<>();
        expected.forEach((table, rows) -> {
            if (!rows.equals(counts.get(table))) {
                mismatches.add(table + " has " + counts.get(table) + " rows, the backup " + rows);
            }
        });
        if (!mismatches.isEmpty()) {
            throw new SQLException("row counts differ after loading: " + String.join("; ", mismatches));
        }
        List<String> differing = restored.entrySet().stream()
                .filter(e -> !e.getValue().sameRowsAs(loaded.get(e.getKey()))).map(Map.Entry::getKey).toList();
        if (!differing.isEmpty()) {
            throw new SQLException("rows differ from the backup after loading (row digests): "
                    + String.join(", ", differing));
        }
        return counts;
    }

    /**
     * Restores into an empty database, creating its schema from the backup (format 2), in one transaction: the
     * pre-data section (types, sequences, tables without their keys, functions, views), the rows with
     * {@code COPY ... FROM STDIN} into tables that have no index or trigger yet (the fastest load), the sequences, the
     * post-data section (keys, indexes, foreign keys validated once each, triggers, rules, policies), the materialized
     * views that held data refreshed, then every table read back and compared with the file. Any error rolls all of it back.
     *
     * @throws SQLException or IOException after rolling back: the database is as empty as before
     */
    static Map<String, Long> create(Connection target, StoredFile file, BackupMetadata metadata, SchemaSections schema,
                                    Map<String, Long> expected, int helpers, Phases phases)
            throws SQLException, IOException {
        List<Table> tables = tables(metadata);
        target.setAutoCommit(false);
        try {
            phases.begin("schema");
            createSchemas(target, metadata);
            execute(target, "pre-data", schema.preData());
            phases.done("pre_data");
            phases.begin("loading");
            Map<String, RowSum> loaded = copyRows(target, file, tables, plainTables(target, tables), phases);
            setSequences(target, metadata);
            phases.done("load");
            phases.begin("keys");
            execute(target, "post-data", schema.postData());
            phases.done("post_data");
            refresh(target, schema);
            phases.done("refresh");
            phases.begin("verifying");
            Map<String, Long> counts = checkLoaded(target, tables, loaded, expected, helpers);
            phases.done("check");
            target.commit();
            phases.done("commit");
            return counts;
        } catch (SQLException | IOException | RuntimeException e) {
            rollback(target, e);
            throw e;
        }
    }

    /** Rolls back after {@code failure}; a rollback that fails too (the connection is gone) is kept beside it. */
    private static void rollback(Connection target, Exception failure) {
        try {
            target.rollback();
        } catch (SQLException rollbackFailed) {
            failure.addSuppressed(rollbackFailed); // the failure that counts is the first one
        }
    }

    /** Refreshes the materialized views that held data in the backup, in pg_dump's order. */
    static void refresh(Connection target, SchemaSections schema) throws SQLException {
        try (Statement s = target.createStatement()) {
            for (String view : schema.refresh()) {
                s.execute("REFRESH MATERIALIZED VIEW " + view);
            }
        }
    }

    /**
     * Runs one of pg_dump's schema sections as one script. pg_dump's plain output is SQL but for psql's
     * "restrict" / "unrestrict" meta-command lines (recent pg_dump versions guard a dump against smuggled psql
     * commands with them), which are left out: the script goes to the server as SQL, never through psql.
     */
    static void execute(Connection target, String section, String script) throws SQLException {
        String sql = runnable(target, script);
        try (Statement s = target.createStatement()) {
            if (sql.contains("BEGIN ATOMIC")) { // object by object, so that such a function body reaches the server whole
                SchemaScript parts = SchemaScript.of(sql);
                if (!parts.preamble().isBlank()) {
                    s.execute(parts.preamble());
                }
                for (SchemaScript.Entry entry : parts.entries()) {
                    s.execute(entry.forDriver());
                }
            } else {
                s.execute(sql);
            }
            // pg_dump's SETs (search_path, row_security...) are for its script only, not for the load that follows
            s.execute("RESET ALL");
        } catch (SQLException e) {
            throw new SQLException("creating the schema (" + section + ") failed: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** {@code script} as SQL the target's server runs: without psql's guard lines and SETs the server does not know. */
    static String runnable(Connection target, String script) throws SQLException {
        java.util.Set<String> settings = new java.util.HashSet<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM pg_settings")) {
            while (rs.next()) {
                settings.add(rs.getString(1));
            }
        }
        return script.lines()
                .filter(line -> !line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict "))
                // a newer pg_dump sets parameters an older target server lacks (e.g. transaction_timeout): skipped
                .filter(line -> {
                    java.util.regex.Matcher set = SET_LINE.matcher(line);
                    return !set.matches() || settings.contains(set.group(1));
                })
                // with --schema, pg_dump creates the public schema too, which every new database already has; and
                // createSchemas may have created the others
                .map(line -> SCHEMA_LINE.matcher(line).matches()
                        ? "CREATE SCHEMA IF NOT EXISTS " + line.substring("CREATE SCHEMA ".length()) : line)
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static final java.util.regex.Pattern SCHEMA_LINE = java.util.regex.Pattern.compile("^CREATE SCHEMA (?!IF NOT EXISTS )[^ ].*;$");

    /**
     * Creates the schemas the backup's tables stand in, where missing, before its pre-data section runs: a backup
     * filtered to some tables holds pg_dump's {@code --table} output, which creates tables but not their schemas.
     */
    static void createSchemas(Connection target, BackupMetadata metadata) throws SQLException {
        try (Statement s = target.createStatement()) {
            for (String schema : metadata.schemas()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
            }
        }
    }

    private static final java.util.regex.Pattern SET_LINE = java.util.regex.Pattern.compile("^SET ([a-z_]+) = .*;$");

    /**
     * What creating the schema would create, by kind (tables, views, functions, indexes, constraints...), counted
     * from the backup's schema sections: a dry run's report.
     */
    static Map<String, Integer> wouldCreate(SchemaSections schema) {
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        java.util.regex.Matcher m = CREATED.matcher(schema.preData() + "\n" + schema.postData());
        while (m.find()) {
            String kind = m.group(1) != null ? m.group(1) : "CONSTRAINT";
            kinds.merge(kind.toLowerCase(Locale.ROOT).replaceAll("\\s+", " "), 1, Integer::sum);
        }
        return kinds;
    }

    private static final java.util.regex.Pattern CREATED = java.util.regex.Pattern.compile(
            "(?m)^(?:CREATE (?:OR REPLACE )?(?:UNIQUE )?(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|FUNCTION|PROCEDURE|TYPE|DOMAIN|"
                    + "SCHEMA|EXTENSION|INDEX|TRIGGER|RULE|POLICY|AGGREGATE)\\b|    ADD CONSTRAINT )");

    /**
     * Reads every loaded table back (inside the restore's transaction) with {@code COPY ... TO STDOUT} and sums its
     * rows as the load summed the COPY lines it sent: the server writes the text form of what it stored, so equal
     * sums show the tables hold exactly the rows loaded (a trigger, rule or default that changed or dropped a row shows),
     * whatever order the server returns them in. Tables without rows in the backup are not read (their count is checked).
     * {@code helpers}: the server's parallel workers that may work beside the backend ({@link #readBackHelpers}).
     */
    static Map<String, RowSum> readBack(Connection target, List<Table> tables, Map<String, RowSum> loaded,
                                        int helpers) throws SQLException {
        readBackSettings(target, "SET LOCAL ");
        readBackHelpers(target, helpers);
        Map<String, RowSum> restored = new LinkedHashMap<>();
        for (String[] part : readBackParts(target, tables, loaded, 1, helpers > 0)) {
            restored.put(part[0], RowSum.ofCopy(target, part[1]));
        }
        return restored;
    }

    /** The text forms the load sent (the dumper's), for a read-back ({@code set}: {@code SET} or {@code SET LOCAL}). */
    static void readBackSettings(Connection target, String set) throws SQLException {
        try (Statement s = target.createStatement()) {
            s.execute(set + "extra_float_digits = 3");
            s.execute(set + "bytea_output = 'hex'");
        }
    }

    /**
     * A read-back inside one transaction runs on one backend: with {@code helpers} above 0 the server's parallel
     * workers (at most {@code helpers}, the transaction's own, which see its rows) read and turn rows into text beside
     * it, for every table the server deems large enough for a parallel scan ({@code min_parallel_table_scan_size}).
     * Their start and their rows' passing are priced at nothing: what they take off the backend (each value's output
     * function) is what the planner does not weigh.
     */
    static void readBackHelpers(Connection target, int helpers) throws SQLException {
        if (helpers < 1) {
            return;
        }
        try (Statement s = target.createStatement()) {
            s.execute("SET LOCAL max_parallel_workers_per_gather = " + Math.min(helpers, 1024)); // its maximum
            s.execute("SET LOCAL parallel_setup_cost = 0");
            s.execute("SET LOCAL parallel_tuple_cost = 0");
        }
    }

    /** Tables above 1 MB are read back in page ranges when several connections share the work. */
    private static final long SPLIT_PAGES = 128;

    /**
     * The {@code COPY ... TO STDOUT} statements that read the loaded tables back, as {table, statement}: one per
     * table, or, with {@code ways} above 1, a table above {@link #SPLIT_PAGES} pages in {@code ways} page ranges.
     * {@code castText}: each column of a type with no cast to text in {@code pg_cast} (so that its cast is
     * its output function, as COPY's) and a parallel-safe output function is cast to text in the query, so that the
     * server's parallel workers, which make the query's rows, run the output functions too. Others are left to COPY:
     * boolean, character(n), "char", name, inet and cidr, whose casts write other text; xml, whose binary cast skips
     * the output function's rewriting of its declaration (so a binary cast must not count as one); varchar; domains
     * (cast as their base type).
     */
    static List<String[]> readBackParts(Connection target, List<Table> tables, Map<String, RowSum> loaded, int ways,
                                        boolean castText) throws SQLException {
        List<String[]> parts = new ArrayList<>();
        try (PreparedStatement s = target.prepareStatement("SELECT c.relkind, pg_relation_size(c.oid) / "
                + "current_setting('block_size')::bigint, ARRAY(SELECT a.attname FROM pg_attribute a "
                + "JOIN pg_type t ON t.oid = a.atttypid WHERE ? AND a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "AND t.typtype <> 'd' AND a.atttypid <> 'pg_catalog.text'::regtype AND NOT EXISTS (SELECT 1 "
                + "FROM pg_cast k WHERE k.castsource = a.atttypid AND k.casttarget = 'pg_catalog.text'::regtype) "
                + "AND (SELECT p.proparallel FROM pg_proc p WHERE p.oid = t.typoutput) = 's') "
                + "FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            for (Table t : tables) {
                if (!loaded.containsKey(t.qualified())) {
                    continue;
                }
                s.setBoolean(1, castText);
                s.setString(2, t.sql());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("table " + t.qualified() + " is missing in the target after loading");
                    }
                    boolean plain = "r".equals(rs.getString(1));
                    long pages = rs.getLong(2);
                    java.util.Set<String> asText = java.util.Set.of((String[]) rs.getArray(3).getArray());
                    String all = t.copyOut(plain, "", asText);
                    if (ways < 2 || !plain || pages < SPLIT_PAGES) {
                        parts.add(new String[]{t.qualified(), all});
                        continue;
                    }
                    for (int k = 0; k < ways; k++) {
                        String where = " WHERE ctid >= '(" + (pages * k / ways) + ",0)'::tid"
                                + (k < ways - 1 ? " AND ctid < '(" + (pages * (k + 1) / ways) + ",0)'::tid" : "");
                        parts.add(new String[]{t.qualified(), t.copyOut(true, where, asText)});
                    }
                }
            }
        }
        return parts;
    }

    /**
     * Bulk loading into empty tables is fastest without indexes: inside the restore's transaction, drop the foreign
     * keys touching the restored tables, their primary / unique keys and other indexes, and return the statements
     * that recreate them all after the load (building an index once is much cheaper than maintaining it row by row;
     * re-adding a foreign key validates it with one query). DDL is transactional: a failure rolls all of it back.
     * Skipped (empty list) for partitioned tables and partitions, or when this user does not own every table.
     */
    private static List<String> dropIndexesAndKeys(Connection target, List<Table> tables) throws SQLException {
        if (tables.isEmpty()) {
            return List.of();
        }
        String oids = "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                + String.join(" OR ", tables.stream().map(t -> "(n.nspname = " + literal(t.schema())
                + " AND c.relname = " + literal(t.name()) + ")").toList()) + ")";
        try (Statement s = target.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE c.relkind <> 'r' OR c.relispartition "
                    + "OR NOT pg_has_role(c.relowner, 'USAGE')), count(*) FROM pg_class c WHERE c.oid IN " + oids)) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return List.of();
                }
            }
            List<String[]> foreignKeys = rows(s, "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
                    + "FROM pg_constraint WHERE contype = 'f' AND (conrelid IN " + oids + " OR confrelid IN " + oids + ")");
            List<String[]> keys = rows(s, "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
                    + "FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid IN " + oids);
            List<String[]> indexes = rows(s, "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), '' "
                    + "FROM pg_index i WHERE i.indrelid IN " + oids
                    + " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)");
            for (String[] fk : foreignKeys) {
                s.execute("ALTER TABLE " + fk[0] + " DROP CONSTRAINT " + fk[1]);
            }
            for (String[] key : keys) {
                s.execute("ALTER TABLE " + key[0] + " DROP CONSTRAINT " + key[1]);
            }
            for (String[] index : indexes) {
                s.execute("DROP INDEX " + index[0]);
            }
            List<String> rebuild = new ArrayList<>();
            keys.forEach(k -> rebuild.add("ALTER TABLE " + k[0] + " ADD CONSTRAINT " + k[1] + " " + k[2]));
            indexes.forEach(i -> rebuild.add(i[1]));
            foreignKeys.forEach(f -> rebuild.add("ALTER TABLE " + f[0] + " ADD CONSTRAINT " + f[1] + " " + f[2]));
            return rebuild;
        }
    }

    private static List<String[]> rows(Statement s, String sql) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        return rows;
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static boolean isSuperuser(Connection target) throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SHOW is_superuser")) {
            rs.next();
            return "on".equals(rs.getString(1));
        }
    }

    /** Empties the tables; returns whether they were truncated (in this transaction) rather than deleted from. */
    private static boolean removeExistingRows(Connection target, List<Table> tables) throws SQLException {
        if (tables.isEmpty()) {
            return false;
        }
        Savepoint before = target.setSavepoint();
        try (Statement s = target.createStatement()) {
            s.execute("TRUNCATE " + String.join(", ", tables.stream().map(Table::sql).toList()));
            target.releaseSavepoint(before);
            return true;
        } catch (SQLException referencedFromOutside) {
            // another table (not in the backup) references one of these: delete instead, children first
            target.rollback(before);
            try (Statement s = target.createStatement()) {
                for (int i = tables.size() - 1; i >= 0; i--) {
                    s.execute("DELETE FROM " + tables.get(i).sql());
                }
            }
            return false;
        }
    }

    /**
     * The tables that are plain tables (not partitioned ones): created or truncated in this transaction, they are
     * loaded with {@code COPY ... FREEZE}, which writes their rows frozen and visible. What reads them next (key and
     * index builds, foreign-key checks, the read-back) then has no hint bits to set, so no page is written twice.
     */
    static java.util.Set<String> plainTables(Connection target, List<Table> tables) throws SQLException {
        java.util.Set<String> plain = new java.util.HashSet<>();
        try (PreparedStatement s = target.prepareStatement("SELECT relkind FROM pg_class WHERE oid = to_regclass(?)")) {
            for (Table t : tables) {
                s.setString(1, t.sql());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next() && "r".equals(rs.getString(1))) {
                        plain.add(t.qualified());
                    }
                }
            }
        }
        return plain;
    }

    /**
     * Loads every table's rows on {@code target} (reading the file and converting its rows on two threads of their own);
     * returns, per loaded table, the sum of the COPY lines sent.
     */
    private static Map<String, RowSum> copyRows(Connection target, StoredFile file, List<Table> tables,
                                                java.util.Set<String> freeze, Phases phases)
            throws SQLException, IOException {
        java.util.concurrent.ExecutorService loader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "restore-load");
            t.setDaemon(true);
            return t;
        });
        try {
            return RowLoader.load(target, loader, file, tables, freeze, phases);
        } finally {
            loader.shutdownNow();
        }
    }

    /** The table of the backup's metadata that the data section names {@code name}. */
    static Table listed(Map<String, Table> byName, String name) throws IOException {
        Table table = byName.get(name);
        if (table == null) {
            throw new IOException("the data section holds table " + name + ", which its metadata does not list");
        }
        return table;
    }

    static void setSequences(Connection target, BackupMetadata metadata) throws SQLException {
        try (PreparedStatement exists = target.prepareStatement("SELECT to_regclass(?) IS NOT NULL");
             PreparedStatement set = target.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
            for (BackupMetadata.Sequence seq : metadata.sequences()) {
                if (seq.lastValue() == null) {
                    continue; // not readable in the source: left as the schema created it
                }
                String name = quote(seq.schema()) + "." + quote(seq.name());
                exists.setString(1, name);
                try (ResultSet rs = exists.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        continue;
                    }
                }
                set.setString(1, name);
                set.setLong(2, seq.lastValue());
                set.setBoolean(3, seq.called());
                set.executeQuery().close();
            }
        }
    }

    /** Every foreign key from or to a restored table must hold: one anti-join per constraint. */
    private static void checkForeignKeys(Connection target, List<Table> tables) throws SQLException {
        List<String> names = tables.stream().map(Table::qualified).toList();
        List<String[]> checks = new ArrayList<>();
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT con.conname, cn.nspname, cc.relname, pn.nspname, pc.relname,
                       (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
                       (SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
                FROM pg_constraint con
                JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
                JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                WHERE con.contype = 'f'""")) {
            while (rs.next()) {
                String child = rs.getString(2) + "." + rs.getString(3);
                String parent = rs.getString(4) + "." + rs.getString(5);
                if (!names.contains(child) && !names.contains(parent)) {
                    continue;
                }
                String[] childColumns = (String[]) rs.getArray(6).getArray();
                String[] parentColumns = (String[]) rs.getArray(7).getArray();
                StringBuilder sql = new StringBuilder("SELECT 1 FROM ").append(quote(rs.getString(2))).append('.')
                        .append(quote(rs.getString(3))).append(" c WHERE ");
                StringBuilder join = new StringBuilder();
                for (int i = 0; i < childColumns.length; i++) {
                    sql.append("c.").append(quote(childColumns[i])).append(" IS NOT NULL AND ");
                    join.append(i == 0 ? "" : " AND ").append("p.").append(quote(parentColumns[i])).append(" = c.")
                            .append(quote(childColumns[i]));
                }
                sql.append("NOT EXISTS (SELECT 1 FROM ").append(quote(rs.getString(4))).append('.')
                        .append(quote(rs.getString(5))).append(" p WHERE ").append(join).append(") LIMIT 1");
                checks.add(new String[]{rs.getString(1), child, parent, sql.toString()});
            }
        }
        for (String[] check : checks) {
            try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(check[3])) {
                if (rs.next()) {
                    throw new SQLException("foreign key " + check[0] + " (" + check[1] + " -> " + check[2]
                            + ") would be violated after the restore");
                }
            }
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
