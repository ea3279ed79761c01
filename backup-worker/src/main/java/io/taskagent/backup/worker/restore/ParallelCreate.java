package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.format.BackupMetadata;
import io.taskagent.backup.worker.format.SchemaSections;
import io.taskagent.backup.worker.restore.RestoreEngine.Table;
import org.postgresql.PGConnection;

import java.io.IOException;
import io.taskagent.backup.worker.format.StoredFile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code create_database} restore on several connections, as {@code pg_restore -j} works: a new database is
 * all-or-nothing by being dropped when anything fails (the caller does that), so its work need not share one
 * transaction. The pre-data section runs first and the rows are loaded in its transaction, on one connection
 * ({@link RowLoader}): a table created in the loading transaction takes {@code COPY FREEZE}, rows written frozen and
 * visible, so the key and index builds and the read-back that follow set no hint bits and write no page twice, and the
 * worker's reading and converting threads keep the other core busy. The post-data section runs its independent
 * statements side by side (keys and indexes; then foreign
 * keys, each validated once), everything else in pg_dump's order; materialized views are refreshed; and every table is
 * read back, in page ranges, and compared with what was loaded, as in the one-transaction modes. The read-back starts
 * with the post-data section, on a connection of its own (the rows are committed and need no key to be read), and the
 * pool's connections join it when the post-data section is done: it fills the cores the post-data chains leave idle.
 */
final class ParallelCreate {

    /** Opens a connection to the new database. */
    interface Connections {
        Connection open() throws SQLException;
    }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ParallelCreate.class);

    private ParallelCreate() {
    }

    static Map<String, Long> run(Connections connections, int workers, StoredFile file, BackupMetadata metadata,
                                 SchemaSections schema, Map<String, Long> expected, Phases phases)
            throws SQLException, IOException {
        List<Table> tables = RestoreEngine.tables(metadata);
        List<Connection> pool = new ArrayList<>();
        ReadBack readBack = null;
        ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "restore-load");
            t.setDaemon(true);
            return t;
        });
        try {
            pool.add(connections.open());
            for (int i = 1; i < workers; i++) {
                try {
                    pool.add(connections.open());
                } catch (SQLException e) { // e.g. the server's max_connections: the work goes on with fewer
                    log.warn("restore goes on with {} connections instead of {}: {}", pool.size(), workers,
                            e.getMessage());
                    break;
                }
            }
            Connection main = pool.get(0);
            main.setAutoCommit(false);
            phases.begin("schema");
            RestoreEngine.createSchemas(main, metadata);
            RestoreEngine.execute(main, "pre-data", schema.preData());
            phases.done("pre_data");
            phases.begin("loading");
            Map<String, RowSum> loaded = RowLoader.load(main, executor, file, tables,
                    RestoreEngine.plainTables(main, tables), phases);
            RestoreEngine.setSequences(main, metadata);
            main.commit();
            main.setAutoCommit(true);
            phases.done("load");
            phases.begin("keys");
            // the rows are committed: reading them back needs no key, so it starts now on a connection of its own and
            // fills the cores the post-data section leaves idle (its chains wait on each other); the pool's connections
            // take the parts still unread once the post-data section is done
            readBack = new ReadBack(RestoreEngine.readBackParts(main, tables, loaded, pool.size(), false));
            readBack.startEarly(connections);
            postData(pool, executor, RestoreEngine.runnable(main, schema.postData()), tables);
            phases.done("post_data");
            RestoreEngine.refresh(main, schema);
            phases.done("refresh");
            phases.begin("verifying");
            Map<String, RowSum> restored = readBack.finish(pool, executor);
            Map<String, Long> counts = RestoreEngine.compare(main, tables, loaded, restored, expected);
            phases.done("check");
            return counts;
        } finally {
            if (readBack != null) {
                readBack.stop();
            }
            executor.shutdownNow();
            for (Connection c : pool) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // the database is dropped if the restore failed; a close that fails changes nothing
                }
            }
        }
    }

    // --- post-data ----------------------------------------------------------------------------------------------

    /**
     * Runs the post-data section in pg_dump's order, except that consecutive keys and indexes, and consecutive
     * foreign keys, run side by side on the connections: one chain of statements per table (statements on one table
     * would only wait for each other's lock), the largest tables first. Foreign keys are added {@code NOT VALID} (a
     * catalog change) and then validated side by side, one chain per referencing table: adding them directly would
     * lock both tables against each other's checks, while validating locks neither against the others. They end
     * validated exactly as the source's. Two statements that deadlock anyway are run again one after the other.
     * Before the first foreign key (or at the end, without one) every restored table is analyzed ({@link #analyze}).
     */
    private static void postData(List<Connection> pool, ExecutorService executor, String sql, List<Table> tables)
            throws SQLException, IOException {
        SchemaScript script = SchemaScript.of(sql);
        BlockingQueue<Connection> free = new ArrayBlockingQueue<>(pool.size());
        for (Connection c : pool) {
            try (Statement s = c.createStatement()) {
                s.execute(script.preamble().isBlank() ? "SELECT 1" : script.preamble());
                if (pool.size() > 1) {
                    s.execute(ONE_CORE_EACH);
                }
            }
            free.add(c);
        }
        List<SchemaScript.Entry> entries = script.entries();
        boolean analyzed = false;
        try {
            for (int i = 0; i < entries.size(); ) {
                SchemaScript.Entry first = entries.get(i);
                if (first.foreignKey() && !analyzed) {
                    analyze(executor, free, tables);
                    analyzed = true;
                }
                int j = i + 1;
                if (first.keyOrIndex() || first.foreignKey()) {
                    while (j < entries.size() && (first.keyOrIndex() ? entries.get(j).keyOrIndex()
                            : entries.get(j).foreignKey())) {
                        j++;
                    }
                }
                List<SchemaScript.Entry> run = entries.subList(i, j);
                if (run.size() == 1) {
                    one(free, run.get(0).forDriver());
                } else if (first.keyOrIndex()) {
                    chains(executor, free, run.stream().map(e -> new Step(e.table(), e.forDriver())).toList());
                } else {
                    List<Step> validations = new ArrayList<>();
                    for (SchemaScript.Entry fk : run) {
                        AddThenValidate split = addThenValidate(fk.sql());
                        if (split == null) {
                            one(free, fk.sql()); // not the shape expected, or not validated in the source either
                            continue;
                        }
                        try {
                            one(free, split.add());
                        } catch (SQLException unsupported) { // e.g. on a partitioned table (before PostgreSQL 18)
                            one(free, fk.sql());
                            continue;
                        }
                        validations.add(split.validate());
                    }
                    chains(executor, free, validations);
                }
                i = j;
            }
            if (!analyzed) {
                analyze(executor, free, tables);
            }
            for (Connection c : pool) {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET ALL");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the restore was interrupted", e);
        }
    }

    /**
     * Gathers the planner's statistics of every restored table, side by side, once its keys and indexes are built
     * (expression indexes have statistics of their own) and before the foreign keys are validated. A restored
     * database then answers the application's first queries with informed plans ({@code pg_restore} leaves that to a
     * later {@code ANALYZE} or to autovacuum, which may be off), and each validation's join is planned knowing its
     * table: the reference data's self-referencing {@code tasks.parent_task_id} (nine in ten null) took 2.3 s without
     * statistics (a hash of all 2 million keys) and 0.8 s with them; gathering them for the three largest tables took
     * 0.8 s.
     */
    private static void analyze(ExecutorService executor, BlockingQueue<Connection> free, List<Table> tables)
            throws SQLException, IOException, InterruptedException {
        chains(executor, free, tables.stream().map(t -> new Step(t.sql(), "ANALYZE " + t.sql())).toList());
    }

    /** A foreign key as two statements: added {@code NOT VALID}, then validated in its table's chain. */
    record AddThenValidate(String add, Step validate) {
    }

    /**
     * pg_dump's foreign key {@code sql} split into its {@code NOT VALID} addition and its validation; null if it is
     * not of pg_dump's shape, or not validated in the source either ({@code NOT VALID}, {@code NOT ENFORCED}).
     */
    static AddThenValidate addThenValidate(String sql) {
        Matcher m = FOREIGN_KEY.matcher(sql);
        if (!m.find() || sql.contains(" NOT VALID") || sql.contains(" NOT ENFORCED")) {
            return null;
        }
        return new AddThenValidate(sql.substring(0, m.end()) + " NOT VALID" + sql.substring(m.end()),
                new Step(m.group(1), "ALTER TABLE " + m.group(1) + " VALIDATE CONSTRAINT " + m.group(2)));
    }

    /**
     * The pool's statements already run side by side, one connection per core: a key build or a foreign key's check
     * that also starts the server's parallel workers only puts more processes on the same cores, and its workers'
     * coordination (a shared sort, a merge by the leader) is work a serial build does not have. Measured on the
     * reference database at scale 10 on two cores: the {@code create_database} restore's machine used 31-33
     * CPU-seconds without them, 35-40 with them (their 3 CPU-seconds are most of the difference).
     */
    private static final String ONE_CORE_EACH =
            "SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0";

    /** pg_dump's foreign key: its table and name, up to the end of its statement (before the semicolon). */
    private static final Pattern FOREIGN_KEY = Pattern.compile("(?s)^ALTER TABLE (?:ONLY )?(" + SchemaScript.NAME + ")\\s+"
            + "ADD CONSTRAINT (" + SchemaScript.IDENT + ") FOREIGN KEY .*?(?=;\\s*\\z)", Pattern.MULTILINE);

    /** A statement, and the table whose chain it belongs to (empty: a chain of its own). */
    record Step(String table, String sql) {
    }

    private static void one(BlockingQueue<Connection> free, String sql) throws SQLException, InterruptedException {
        Connection c = free.take();
        try {
            statement(c, sql);
        } finally {
            free.add(c);
        }
    }

    /** Runs the steps, one chain per table side by side (the largest tables first), each chain in order. */
    private static void chains(ExecutorService executor, BlockingQueue<Connection> free, List<Step> steps)
            throws SQLException, IOException, InterruptedException {
        Map<String, List<String>> byTable = new java.util.LinkedHashMap<>();
        int unnamed = 0;
        for (Step step : steps) {
            String key = step.table().isEmpty() ? "#" + unnamed++ : step.table(); // no table name starts with #
            byTable.computeIfAbsent(key, k -> new ArrayList<>()).add(step.sql());
        }
        Map<String, Long> sizes = new HashMap<>();
        Connection any = free.take();
        try (PreparedStatement size = any.prepareStatement(
                "SELECT coalesce(pg_total_relation_size(to_regclass(?)), 0)")) {
            for (String table : byTable.keySet()) {
                if (table.startsWith("#")) {
                    sizes.put(table, 0L);
                    continue;
                }
                size.setString(1, table);
                try (ResultSet rs = size.executeQuery()) {
                    sizes.put(table, rs.next() ? rs.getLong(1) : 0L);
                }
            }
        } finally {
            free.add(any);
        }
        List<String> order = new ArrayList<>(byTable.keySet());
        order.sort((x, y) -> Long.compare(sizes.get(y), sizes.get(x)));
        List<String> deadlocked = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> futures = new ArrayList<>();
        for (String table : order) {
            futures.add(executor.submit(() -> {
                Connection c = free.take();
                try {
                    for (String sql : byTable.get(table)) {
                        try {
                            statement(c, sql);
                        } catch (SQLException e) {
                            if (!"40P01".equals(e.getSQLState())) {
                                throw e;
                            }
                            deadlocked.add(sql);
                        }
                    }
                } finally {
                    free.add(c);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            RowLoader.await(f);
        }
        for (String sql : deadlocked) {
            one(free, sql);
        }
    }

    private static void statement(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new SQLException("creating the schema (post-data) failed: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    // --- read-back ----------------------------------------------------------------------------------------------

    /**
     * Reads every loaded table back (large ones in page ranges, side by side) and sums its COPY lines: the parts are
     * taken in turn by an early connection of its own, from the start of the post-data section, and then by the pool's
     * connections as well.
     */
    private static final class ReadBack {

        private final List<String[]> parts;
        private final AtomicInteger next = new AtomicInteger();
        private final Map<String, RowSum> restored = new ConcurrentHashMap<>();
        private Connection early;
        private Thread earlyThread;
        private volatile Exception earlyFailure;
        private volatile boolean stopped;

        ReadBack(List<String[]> parts) {
            this.parts = parts;
        }

        /** Starts reading on a connection of its own; without one (e.g. max_connections) the pool reads it all. */
        void startEarly(Connections connections) {
            try {
                early = connections.open();
                RestoreEngine.readBackSettings(early, "SET ");
            } catch (SQLException e) {
                log.debug("the read-back waits for the post-data section: no connection of its own ({})", e.getMessage());
                closeEarly();
                return;
            }
            earlyThread = new Thread(() -> {
                try {
                    drain(early);
                } catch (SQLException | RuntimeException e) {
                    earlyFailure = e;
                }
            }, "restore-read-back");
            earlyThread.setDaemon(true);
            earlyThread.start();
        }

        private void drain(Connection c) throws SQLException {
            for (int p; !stopped && (p = next.getAndIncrement()) < parts.size(); ) {
                String[] part = parts.get(p);
                RowSum sum = RowSum.ofCopy(c, part[1]);
                restored.computeIfAbsent(part[0], t -> new RowSum()).add(sum);
            }
        }

        /** Reads the parts still unread on every connection of the pool, waits for the early one; returns the sums. */
        Map<String, RowSum> finish(List<Connection> pool, ExecutorService executor) throws SQLException, IOException {
            List<Future<?>> futures = new ArrayList<>();
            for (Connection c : pool) {
                RestoreEngine.readBackSettings(c, "SET ");
                futures.add(executor.submit(() -> {
                    drain(c);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                RowLoader.await(f);
            }
            if (earlyThread != null) {
                try {
                    earlyThread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("the restore was interrupted", e);
                }
                RowLoader.rethrow(earlyFailure);
            }
            return restored;
        }

        /** Stops the early reader if it still runs (the restore failed): its COPY is cancelled, its connection closed. */
        void stop() {
            stopped = true;
            if (earlyThread != null && earlyThread.isAlive()) {
                try {
                    early.unwrap(PGConnection.class).cancelQuery();
                    earlyThread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (SQLException e) {
                    log.debug("cancelling the read-back: {}", e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeEarly();
        }

        private void closeEarly() {
            if (early != null) {
                try {
                    early.close();
                } catch (SQLException ignored) {
                    // the database is dropped if the restore failed; a close that fails changes nothing
                }
            }
        }
    }
}
