package io.taskagent.backup.worker.restore;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * An order-free fingerprint of a table's rows: the row count and the sum, modulo 2<sup>128</sup>, of each row's
 * 128-bit MurmurHash3 (x64 variant, seed 0). Two equal sums mean the same rows, in whatever order the database
 * returns them. A restore sums the COPY lines it sends for each table, then reads the loaded table back as COPY text
 * and sums again, before it commits.
 * <p>
 * The check guards against accidents (a trigger, rule or default that changed a row, a lost or doubled row), not
 * against an adversary: the file itself is proven by its SHA-256 before the restore starts. MurmurHash3 is several
 * times faster than SHA-256 here, and a restore hashes every row twice.
 */
final class RowSum {

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private long low;
    private long high;
    private long rows;

    /** Adds one row: its bytes. */
    void add(byte[] row, int offset, int length) {
        long h1 = 0;
        long h2 = 0;
        int end = offset + length - (length & 15);
        for (int i = offset; i < end; i += 16) {
            long k1 = (long) LONG_LE.get(row, i);
            long k2 = (long) LONG_LE.get(row, i + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = length & 15;
        if (tail > 0) {
            long k1 = 0;
            long k2 = 0;
            for (int b = tail - 1; b >= 8; b--) {
                k2 = (k2 << 8) | (row[end + b] & 0xFFL);
            }
            for (int b = Math.min(tail, 8) - 1; b >= 0; b--) {
                k1 = (k1 << 8) | (row[end + b] & 0xFFL);
            }
            if (tail > 8) {
                h2 ^= mixK2(k2);
            }
            h1 ^= mixK1(k1);
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        long sum = low + h1;
        high += h2 + (Long.compareUnsigned(sum, low) < 0 ? 1 : 0);
        low = sum;
        rows++;
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        return k ^ (k >>> 33);
    }

    /** Adds the rows {@code other} saw (the sum of a table read in parts is the sum of its parts). */
    synchronized void add(RowSum other) {
        long sum = low + other.low;
        high += other.high + (Long.compareUnsigned(sum, low) < 0 ? 1 : 0);
        low = sum;
        rows += other.rows;
    }

    long rows() {
        return rows;
    }

    /** The sum as 32 hex digits (the high half first). */
    String hex() {
        return String.format("%016x%016x", high, low);
    }

    /** Whether both saw the same rows. */
    boolean sameRowsAs(RowSum other) {
        return rows == other.rows && low == other.low && high == other.high;
    }

    /**
     * Sums the rows {@code copySql} (a {@code COPY ... TO STDOUT} in text format) returns, each as the server writes it
     * (one line with its newline).
     */
    static RowSum ofCopy(Connection connection, String copySql) throws SQLException {
        RowSum sum = new RowSum();
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql);
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                sum.add(row, 0, row.length);
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        return sum;
    }
}
