package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.restore.RestoreEngine.Table;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One table's {@code COPY ... FROM STDIN} during a restore: each row of the file becomes its COPY text line, which is
 * summed (the read-back compares the table with that sum) and sent, as is or, when the table has a binary plan, as its
 * binary tuple ({@link BinaryCopy}). Not thread-safe: one per connection and table.
 */
final class TableCopy {

    private static final int FLUSH_BYTES = 1 << 20;

    private final Table table;
    private final CopyIn copy;
    private final RowToCopy converter;
    private final BinaryCopy.Tuples binary;
    private final RowToCopy.Out out = new RowToCopy.Out();
    private final RowToCopy.Out line;
    private final RowSum sum = new RowSum();

    /** Starts the COPY ({@code freeze}: rows written frozen; {@code plan}: binary, or null for text). */
    TableCopy(Connection connection, Table table, boolean freeze, BinaryCopy.Plan plan) throws SQLException {
        this.table = table;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(table.copyIn(freeze, plan != null));
        this.converter = new RowToCopy(table.columns(), table.embedded());
        this.binary = plan == null ? null : new BinaryCopy.Tuples(plan);
        this.line = plan == null ? out : new RowToCopy.Out();
        if (plan != null) {
            out.put(BinaryCopy.HEADER, 0, BinaryCopy.HEADER.length);
        }
    }

    Table table() {
        return table;
    }

    /** Converts, sums and sends one row of the file ({@code count} bytes from {@code offset}). */
    void row(byte[] bytes, int offset, int count) throws IOException, SQLException {
        int start = line.size;
        converter.convert(bytes, offset, count, line);
        sum.add(line.bytes, start, line.size - start);
        if (binary != null) {
            binary.append(line.bytes, converter.fields(), out);
            line.size = 0;
        }
        if (out.size >= FLUSH_BYTES) {
            copy.writeToCopy(out.bytes, 0, out.size);
            out.size = 0;
        }
    }

    /** Ends the COPY; returns the sum of the rows' COPY text lines. */
    RowSum end() throws SQLException {
        if (binary != null) {
            out.put(BinaryCopy.TRAILER, 0, BinaryCopy.TRAILER.length);
        }
        if (out.size > 0) {
            copy.writeToCopy(out.bytes, 0, out.size);
            out.size = 0;
        }
        copy.endCopy();
        return sum;
    }

    /** Cancels the COPY if it is still open (after a failure; the first failure is the one reported). */
    void cancel() {
        if (copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the first failure is the one reported
            }
        }
    }
}
