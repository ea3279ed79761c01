package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.StoredFile;
import io.taskagent.backup.worker.restore.RestoreEngine.Table;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads a backup file's rows into a database on one connection, in its transaction: this thread reads and inflates the
 * file and hands each table's rows, in batches, to a loader thread, which converts them (text lines summed, sent as text
 * or binary, see {@link TableCopy}) and copies them. Reading, converting and the server's load run side by side.
 */
final class RowLoader {

    private static final int BATCH_BYTES = 384 << 10; // below half a G1 region of a small heap: never "humongous"
    private static final int QUEUED = 4;

    private RowLoader() {
    }

    /** Rows of one table, as the file holds them: {@code ends[i]} is where row {@code i} ends in {@code bytes}. */
    private record Batch(Table table, byte[] bytes, int[] ends, int rows) {
    }

    private static final Batch END = new Batch(null, null, null, 0);

    /**
     * Reads the file on this thread and hands each table's rows, in batches, to the loader, which converts and copies
     * the rows of one table at a time (a COPY of its own). Returns per table the sum of the COPY lines sent.
     * {@code freeze}: the tables to load {@code FREEZE} (created or truncated in the connection's transaction).
     */
    static Map<String, RowSum> load(Connection connection, ExecutorService executor, StoredFile file, List<Table> tables,
                                    Set<String> freeze, Phases phases) throws SQLException, IOException {
        Map<String, Table> byName = new HashMap<>();
        tables.forEach(t -> byName.put(t.qualified(), t));
        Map<String, RowSum> sums = new HashMap<>();
        Map<String, BinaryCopy.Plan> plans = BinaryCopy.plans(connection, tables);
        AtomicReference<Exception> failure = new AtomicReference<>();
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUED);
        Future<?> loader = executor.submit(() -> loader(connection, queue, plans, freeze, sums, failure));
        try (BackupFileReader.Data data = BackupFileReader.data(file)) {
            String name;
            while ((name = data.nextTable()) != null) {
                Table table = RestoreEngine.listed(byName, name);
                byte[] bytes = new byte[BATCH_BYTES];
                int[] ends = new int[1024];
                int size = 0;
                int rows = 0;
                byte[] line;
                while (true) {
                    line = data.nextRow();
                    int length = line == null ? 0 : data.rowLength();
                    if (rows > 0 && (line == null || size + length > bytes.length)) {
                        put(queue, new Batch(table, bytes, ends, rows), failure);
                        phases.rows(rows); // handed to the loader (at most QUEUED batches wait)
                        bytes = new byte[Math.max(BATCH_BYTES, length)];
                        ends = new int[1024];
                        size = 0;
                        rows = 0;
                    }
                    if (line == null) {
                        phases.tableDone();
                        break;
                    }
                    if (size + length > bytes.length) {
                        bytes = new byte[length]; // one row larger than a batch
                    }
                    System.arraycopy(line, 0, bytes, size, length);
                    size += length;
                    if (rows == ends.length) {
                        ends = java.util.Arrays.copyOf(ends, rows * 2);
                    }
                    ends[rows++] = size;
                }
            }
        } finally {
            put(queue, END, null);
            await(loader); // the loader's result, sums included, is visible once it is awaited
        }
        rethrow(failure.get());
        return sums;
    }

    private static void put(BlockingQueue<Batch> queue, Batch batch, AtomicReference<Exception> failure)
            throws SQLException, IOException {
        try {
            if (failure != null) {
                rethrow(failure.get()); // a loader failed: stop reading the file at once
            }
            while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                if (failure != null) {
                    rethrow(failure.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the restore was interrupted", e);
        }
    }

    private static void loader(Connection connection, BlockingQueue<Batch> queue, Map<String, BinaryCopy.Plan> plans,
                               Set<String> freeze, Map<String, RowSum> sums, AtomicReference<Exception> failure) {
        TableCopy copy = null;
        boolean ended = false;
        try {
            while (true) {
                Batch batch = queue.take();
                if (batch == END) {
                    ended = true;
                    break;
                }
                if (failure.get() != null) {
                    continue; // taken and dropped, so that the reader is never left waiting
                }
                if (copy == null || batch.table() != copy.table()) {
                    if (copy != null) {
                        finish(copy, sums);
                    }
                    copy = null; // a COPY that fails to start is not ended
                    String name = batch.table().qualified();
                    copy = new TableCopy(connection, batch.table(), freeze.contains(name), plans.get(name));
                }
                int start = 0;
                for (int row = 0; row < batch.rows(); row++) {
                    try {
                        copy.row(batch.bytes(), start, batch.ends()[row] - start);
                    } catch (IOException | RuntimeException e) {
                        throw new IOException("a row of " + copy.table().qualified() + ": " + e.getMessage(), e);
                    }
                    start = batch.ends()[row];
                }
            }
            if (copy != null && failure.get() == null) {
                finish(copy, sums);
                copy = null;
            }
        } catch (SQLException e) {
            failure.compareAndSet(null, new SQLException("loading " + (copy == null ? "" : copy.table().qualified())
                    + " failed: " + e.getMessage(), e.getSQLState(), e));
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, new IOException("the restore was interrupted", e));
            ended = true;
        } finally {
            if (copy != null) {
                copy.cancel();
            }
            try {
                while (!ended) { // keep taking until the reader's END, so that it never waits on a full queue
                    ended = queue.take() == END;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void finish(TableCopy copy, Map<String, RowSum> sums) throws SQLException {
        RowSum sum = copy.end();
        sums.computeIfAbsent(copy.table().qualified(), t -> new RowSum()).add(sum);
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    static void await(Future<?> future) throws SQLException, IOException {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the restore was interrupted", e);
        } catch (ExecutionException e) {
            rethrow(e.getCause() instanceof Exception cause ? cause : new IOException(e.getCause()));
        }
    }

    static void rethrow(Exception e) throws SQLException, IOException {
        if (e == null) {
            return;
        }
        if (e instanceof SQLException sql) {
            throw sql;
        }
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IOException(e.getMessage(), e);
    }
}
