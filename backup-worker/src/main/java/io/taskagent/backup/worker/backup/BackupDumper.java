package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.format.BackupFileWriter;
import io.taskagent.backup.worker.format.Manifest;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.BackupMetadata;
import io.taskagent.backup.worker.format.Compression;
import io.taskagent.backup.worker.format.SchemaSections;
import io.taskagent.backup.worker.format.Encryption;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dumps every table of the source database into one JSON file from one consistent snapshot.
 * <p>
 * The first connection opens a {@code REPEATABLE READ READ ONLY} transaction, reads the catalog and exports its
 * snapshot; further connections import it (as {@code pg_dump -j} does), so every reader sees the same data. Big
 * tables are split into ranges of heap pages (a TID range scan, PostgreSQL 14+). Each chunk is read with
 * {@code COPY ... TO STDOUT} in the server's cheap text form, turned into JSON and compressed into independent
 * frames on the worker, in parallel; the frames are written in order, so memory stays bounded by the chunks in
 * flight, whatever the size of the database. The format is described in {@code docs/backup-format.md}.
 */
@Component
public class BackupDumper {

    private static final Logger log = LoggerFactory.getLogger(BackupDumper.class);
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]*)/([^?]*)(\\?.*)?");
    /** Pages per chunk (8 kB each): about 16 MB of table, a few MB compressed. */
    static final long PAGES_PER_CHUNK = 2048;

    private final WorkerProperties.Source source;
    private final WorkerProperties.Storage storageSettings;
    private final int parallelism;
    private final Destinations destinations;
    private final Encryption encryption;
    private final TableFilter filter;
    private final PgDump pgDump;

    BackupDumper(WorkerProperties properties, Destinations destinations, Encryption encryption, PgDump pgDump) {
        this.source = properties.source();
        this.storageSettings = properties.storage();
        this.parallelism = properties.worker().readers();
        this.destinations = destinations;
        this.encryption = encryption;
        this.filter = new TableFilter(source.schemas(), source.includeTables(), source.excludeTables());
        this.pgDump = pgDump;
    }

    /** The target this worker backs up. */
    String target() {
        return source.target();
    }


    /** Advisory lock (two-int form) that a restore holds exclusively and every backup holds shared on its database. */
    public static final String LOCK_KEY = "1952539762, 1";

    /**
     * Dumps {@code database} (the source, or a restore target before it is overwritten) to a new committed file
     * named after the job.
     *
     * @param progress     receives the number of rows written so far, with the estimated total first
     * @param compression  how the file is compressed (its name and manifest say so)
     * @param heldByCaller true when the caller (a restore) holds the database's exclusive backup/restore lock
     */
    DumpResult dump(UUID jobId, String backupType, String target, Progress progress, WorkerProperties.Source database,
                    Compression compression, boolean heldByCaller) throws DumpException {
        long started = System.nanoTime();
        Instant createdAt = Instant.now();
        String fileName = encryption.storedName(BackupFormat.fileName(backupType, createdAt, jobId, compression));
        List<Connection> connections = new ArrayList<>();
        List<ChunkReader.Slot> slots = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "dump-reader-" + jobId.toString().substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        String[] exportedSnapshot = new String[1];
        try {
            Connection main = connect(database);
            connections.add(main);
            if (!heldByCaller) {
                try (Statement s = main.createStatement();
                     ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock_shared(" + LOCK_KEY + ")")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new DumpException("a restore of " + describe(database) + " is running: backup refused");
                    }
                }
            }
            main.setAutoCommit(false);
            main.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            main.setReadOnly(true);
            SourceSchema schema = SchemaDiscovery.discover(main, filter);
            int versionNumber;
            String snapshot;
            try (Statement s = main.createStatement();
                 ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int, pg_export_snapshot()")) {
                rs.next();
                versionNumber = rs.getInt(1);
                snapshot = rs.getString(2);
            }
            // the schema comes from pg_dump in this snapshot; checked before anything is written
            PgDump.Found tool = pgDump.check(versionNumber / 10000);
            String exported = snapshot;
            exportedSnapshot[0] = snapshot;
            // with table filters, pg_dump is given tables by their exact (quoted) names, since its own pattern rules
            // (case folding, unqualified names in the search path only) differ from ours: with an include list, the
            // tables this backup holds (pg_dump then dumps those tables only); with only an exclude list, the tables
            // left out (everything else, views, functions and types included, is dumped)
            List<String> tables = source.includeTables().isEmpty() ? List.of() : withPartitions(main, schema.tables());
            List<String> excluded = !source.includeTables().isEmpty() || source.excludeTables().isEmpty() ? List.of()
                    : withPartitions(main, leftOut(main, schema));
            // pg_dump --table dumps those tables only: no materialized view is created, so none is refreshed
            List<String> populated = tables.isEmpty() ? populatedMaterializedViews(main) : List.of();
            java.util.concurrent.CompletableFuture<SchemaSections> schemaSections = pgDump.dumpAsync(tool, database,
                    exported, source.schemas(), tables, excluded)
                    .thenApply(sections -> sections.withRefresh(populated));
            BlockingQueue<ChunkReader.Slot> pool = new ArrayBlockingQueue<>(parallelism);
            slots.add(new ChunkReader.Slot(main));
            for (int i = 1; i < parallelism; i++) {
                Connection reader = connect(database);
                connections.add(reader);
                reader.setAutoCommit(false);
                reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                reader.setReadOnly(true);
                try (Statement s = reader.createStatement()) {
                    s.execute("SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "") + "'");
                }
                slots.add(new ChunkReader.Slot(reader));
            }
            pool.addAll(slots);
            List<ChunkReader.Chunk> chunks = plan(schema, versionNumber >= 140000);
            progress.estimate(schema.tables().stream().mapToLong(SourceSchema.Table::estimatedRows).sum(),
                    schema.tables().size());
            BackupMetadata metadata = metadata(jobId, target, backupType, createdAt, compression, schema,
                    ApplicationVersion.find(main).orElse(null));
            DumpResult result = write(metadata, schemaSections.exceptionally(failure -> {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
                        throw new java.util.concurrent.CompletionException(new DumpException("reading source database "
                                + describe(database) + " failed (its schema, with " + tool.binary().getFileName() + "): "
                                + cause.getMessage(), cause));
                    }), fileName, chunks, pool, readers, progress, started);
            log.info("backup {} of {}: {} rows in {} tables, {} chunks, {} bytes, {} ms", fileName, target,
                    result.rowCounts().values().stream().mapToLong(Long::longValue).sum(),
                    result.rowCounts().size(), chunks.size(), result.sizeBytes(), result.durationMillis());
            return result;
        } catch (SQLException e) {
            String message = "reading source database " + describe(database) + " failed: " + e.getMessage();
            if (DumpException.connectionLost(e)) {
                throw DumpException.sourceUnavailable(message + " (the connection to its server was lost)", e);
            }
            throw new DumpException(message, e);
        } finally {
            if (exportedSnapshot[0] != null) {
                PgDump.stopAll(exportedSnapshot[0]); // a backup that failed early leaves no pg_dump holding locks
            }
            readers.shutdownNow();
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException | RuntimeException ignored) {
                    // closing anyway
                }
            }
            release(readers, slots);
        }
    }

    /** Frees the readers' compressors once no reader thread can use them any more (a closed socket ends a read). */
    private static void release(ExecutorService readers, List<ChunkReader.Slot> slots) {
        try {
            if (!readers.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("dump reader threads still running: their compressors are left to the garbage collector");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        slots.forEach(ChunkReader.Slot::close);
    }

    /** Called from the dump's threads: the estimate once, then rows done as they grow. */
    interface Progress {
        void estimate(long rows, int tables);

        /** Rows written so far, and tables whose last chunk is written. */
        void rowsDone(long rows, int tablesDone);

        /** The file is complete: every row and table. */
        default void finished(long rows, int tablesDone) {
            rowsDone(rows, tablesDone);
        }

        Progress NONE = new Progress() {
            @Override
            public void estimate(long rows, int tables) {
            }

            @Override
            public void rowsDone(long rows, int tablesDone) {
            }
        };
    }

    static List<ChunkReader.Chunk> plan(SourceSchema schema, boolean tidRangeScans) {
        List<ChunkReader.Chunk> chunks = new ArrayList<>();
        for (SourceSchema.Table table : schema.tables()) {
            if (!tidRangeScans || !"r".equals(table.kind()) || table.pages() <= PAGES_PER_CHUNK) {
                chunks.add(new ChunkReader.Chunk(chunks.size(), table, -1, -1));
                continue;
            }
            for (long from = 0; from < table.pages(); from += PAGES_PER_CHUNK) {
                long to = from + PAGES_PER_CHUNK >= table.pages() ? -1 : from + PAGES_PER_CHUNK;
                chunks.add(new ChunkReader.Chunk(chunks.size(), table, from, to));
            }
        }
        return chunks;
    }

    private DumpResult write(BackupMetadata metadata,
                             java.util.concurrent.CompletableFuture<SchemaSections> schemaSections, String fileName,
                             List<ChunkReader.Chunk> chunks,
                             BlockingQueue<ChunkReader.Slot> pool, ExecutorService readers, Progress progress,
                             long started)
            throws DumpException, SQLException {
        Compression compression = metadata.compression();
        int level = storageSettings.zstdLevel();
        AtomicLong rowsDone = new AtomicLong();
        Map<String, MessageDigest> tableDigests = new LinkedHashMap<>();
        BackupStorage storage = destinations.primary();
        try (BackupStorage.Upload pending = storage.create(fileName)) {
            OutputStream out = pending.stream();
            DumpResult result;
            int tablesDone = 0;
            {
                BackupFileWriter file = new BackupFileWriter(out, compression, level, encryption, fileName);
                boolean headerWritten = false;
                Deque<Future<ChunkReader.Result>> window = new ArrayDeque<>();
                int next = 0;
                int inFlight = parallelism + 1;
                long lastReported = 0;
                while (next < chunks.size() || !window.isEmpty()) {
                    while (next < chunks.size() && window.size() < inFlight) {
                        ChunkReader.Chunk chunk = chunks.get(next++);
                        window.add(readers.submit(() -> {
                            ChunkReader.Slot slot = pool.take();
                            try {
                                return ChunkReader.read(slot, chunk, compression, level, rowsDone);
                            } finally {
                                pool.add(slot);
                            }
                        }));
                    }
                    if (!headerWritten) {
                        // the first chunks are being read meanwhile: pg_dump's time overlaps the data's
                        file.header(metadata, schema(schemaSections));
                        headerWritten = true;
                    }
                    ChunkReader.Result chunkResult = await(window.poll());
                    String table = chunkResult.chunk().table().qualifiedName();
                    file.rows(table, chunkResult.frames(), chunkResult.rows());
                    MessageDigest tableDigest = tableDigests.computeIfAbsent(table, t -> ChunkReader.sha256());
                    chunkResult.rowHashes().forEach(tableDigest::update);
                    int index = chunkResult.chunk().index();
                    if (index == chunks.size() - 1 || chunks.get(index + 1).table() != chunkResult.chunk().table()) {
                        tablesDone++; // the table's last chunk: chunks are written in order, table by table
                    }
                    long done = rowsDone.get();
                    if (done != lastReported) {
                        progress.rowsDone(done, tablesDone);
                        lastReported = done;
                    }
                }
                if (!headerWritten) {
                    file.header(metadata, schema(schemaSections));
                }
                Map<String, String> digests = new LinkedHashMap<>();
                tableDigests.forEach((t, d) -> digests.put(t, HexFormat.of().formatHex(d.digest())));
                file.finish(digests);
                result = new DumpResult(fileName, file.written(), file.sha256(), compression, file.rowCounts(),
                        digests, (System.nanoTime() - started) / 1_000_000, metadata.applicationVersion(),
                        storage.name(), encryption.enabled() ? Encryption.ALGORITHM : null,
                        encryption.enabled() ? encryption.primaryKeyId().getAsInt() : null);
            }
            pending.commit(); // an exception above: closing the upload aborts it, nothing is left
            try {
                writeManifest(storage, metadata, result);
            } catch (IOException e) {
                deleteQuietly(storage, fileName);
                throw e;
            }
            progress.finished(rowsDone.get(), tablesDone);
            return result;
        } catch (IOException e) {
            deleteQuietly(storage, fileName + BackupFormat.MANIFEST_SUFFIX);
            throw DumpException.storage("writing backup file " + fileName + " to '" + storage.name() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    /** The tables (not partitions) of the backed-up schemas that the table filter leaves out. */
    private List<SourceSchema.Table> leftOut(Connection main, SourceSchema schema) throws SQLException {
        java.util.Set<String> held = new java.util.HashSet<>();
        schema.tables().forEach(t -> held.add(t.schema() + "." + t.name()));
        List<SourceSchema.Table> out = new ArrayList<>();
        try (Statement s = main.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT c.oid, n.nspname, c.relname, c.relkind FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'""")) {
            while (rs.next()) {
                String nsp = rs.getString(2);
                String rel = rs.getString(3);
                if ((source.schemas().isEmpty() || source.schemas().contains(nsp)) && !held.contains(nsp + "." + rel)) {
                    out.add(new SourceSchema.Table(rs.getLong(1), nsp, rel, rs.getString(4), List.of(), List.of(),
                            List.of(), 0, 0));
                }
            }
        }
        return out;
    }

    /**
     * The tables as exact pg_dump patterns, each partitioned one followed by its partitions (at every level): the
     * backup reads a partitioned table through its parent, but pg_dump's {@code --table} dumps only what it names.
     */
    private static List<String> withPartitions(Connection main, List<SourceSchema.Table> tables) throws SQLException {
        List<String> patterns = new ArrayList<>();
        try (PreparedStatement partitions = main.prepareStatement("""
                SELECT n.nspname, c.relname FROM pg_partition_tree(to_regclass(?)) p
                JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE p.level > 0 ORDER BY p.level, c.relname""")) {
            for (SourceSchema.Table t : tables) {
                patterns.add(quotedPattern(t.schema()) + "." + quotedPattern(t.name()));
                if ("p".equals(t.kind())) {
                    partitions.setString(1, t.sqlName());
                    try (ResultSet rs = partitions.executeQuery()) {
                        while (rs.next()) {
                            patterns.add(quotedPattern(rs.getString(1)) + "." + quotedPattern(rs.getString(2)));
                        }
                    }
                }
            }
        }
        return patterns;
    }

    /** A name as a pg_dump pattern that matches exactly it: double-quoted, quotes doubled (wildcards are literal). */
    static String quotedPattern(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The materialized views holding data in the snapshot (in the backup's schemas), in creation order. */
    private List<String> populatedMaterializedViews(Connection main) throws SQLException {
        List<String> views = new ArrayList<>();
        try (Statement s = main.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT quote_ident(n.nspname), quote_ident(c.relname), n.nspname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'm' AND c.relispopulated
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                ORDER BY c.oid""")) {
            while (rs.next()) {
                if (source.schemas().isEmpty() || source.schemas().contains(rs.getString(3))) {
                    views.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return views;
    }

    private static SchemaSections schema(java.util.concurrent.CompletableFuture<SchemaSections> sections)
            throws DumpException {
        try {
            return sections.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof DumpException dump) {
                throw dump;
            }
            throw new DumpException("capturing the schema failed: " + e.getCause(), e.getCause());
        }
    }

    private static ChunkReader.Result await(Future<ChunkReader.Result> future) throws SQLException, DumpException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DumpException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new DumpException("reading a chunk failed: " + cause, cause);
        }
    }

    private static Connection connect(WorkerProperties.Source source) throws DumpException {
        Properties props = new Properties();
        props.setProperty(PGProperty.USER.getName(), source.username());
        if (source.password() != null && !source.password().isEmpty()) {
            props.setProperty(PGProperty.PASSWORD.getName(), source.password());
        }
        long connectSeconds = Math.max(1, source.connectTimeout().toSeconds());
        props.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), String.valueOf(connectSeconds));
        props.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), String.valueOf(connectSeconds));
        props.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), String.valueOf(Math.max(1, source.socketTimeout().toSeconds())));
        props.setProperty(PGProperty.APPLICATION_NAME.getName(), "taskagent-backup-worker");
        // text forms that read back exactly: ISO dates in UTC, all float digits, hex bytea
        props.setProperty(PGProperty.OPTIONS.getName(),
                "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c bytea_output=hex -c IntervalStyle=postgres");
        try {
            return DriverManager.getConnection(source.url(), props);
        } catch (SQLException e) {
            String message = "cannot connect to source database " + describe(source) + ": " + e.getMessage();
            if (DumpException.connectionLost(e)) {
                throw DumpException.sourceUnavailable(message, e);
            }
            throw new DumpException(message, e);
        }
    }

    /** {@code 'dbname' at host:port}, never the password or URL parameters. */
    public static String describe(WorkerProperties.Source source) {
        Matcher m = URL.matcher(source.url());
        return m.matches() ? "'" + m.group(2) + "' at " + m.group(1) : "(unparseable URL)";
    }

    private static BackupMetadata metadata(UUID jobId, String target, String backupType, Instant createdAt,
                                           Compression compression, SourceSchema schema, String applicationVersion) {
        return new BackupMetadata(jobId, target, backupType, createdAt, schema.serverVersion(), compression,
                schema.tables().stream().map(t -> new BackupMetadata.Table(t.schema(), t.name(),
                        t.columns().stream().map(c -> new BackupMetadata.Column(c.name(), c.type(),
                                c.kind().name().toLowerCase(), c.nullable(), c.generated(), c.identity())).toList(),
                        t.primaryKey(), t.references())).toList(),
                schema.selfReferencing(), schema.cycles(),
                schema.sequences().stream().map(q -> new BackupMetadata.Sequence(q.schema(), q.name(), q.lastValue(),
                        q.called(), q.ownedBy())).toList(), applicationVersion);
    }

    private void writeManifest(BackupStorage storage, BackupMetadata metadata, DumpResult result) throws IOException {
        byte[] manifest = Manifest.of(metadata, result.fileName(), result.sizeBytes(), result.sha256(),
                result.rowCounts(), result.tableSha256(), encryption).toJson();
        try (BackupStorage.Upload pending = storage.create(result.fileName() + BackupFormat.MANIFEST_SUFFIX)) {
            pending.stream().write(manifest);
            pending.commit();
        }
    }

    /** Deletes a file of a backup that will not be catalogued; a failure is logged (cleanup finds orphans later). */
    static void deleteQuietly(BackupStorage storage, String fileName) {
        try {
            storage.delete(fileName);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete {} from destination '{}': {}", fileName, storage.name(), e.getMessage());
        }
    }
}
