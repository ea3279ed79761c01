package io.taskagent.backup.worker.backup;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.math.BigInteger;
import java.security.DigestException;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * An order-free fingerprint of a table's rows as the backup file writes them: the row count and the sum, modulo
 * 2<sup>256</sup>, of each row's SHA-256 (the same per-row digest the file's table digests are made of). Two equal sums
 * mean the same rows, in whatever order the database returns them. A restore sums each table's rows as it reads them
 * from the (already verified) file, then reads the loaded table back and sums again, before it commits.
 */
public final class RowSum {

    private final MessageDigest digest = ChunkReader.sha256();
    private final byte[] hash = new byte[32];
    private final long[] limbs = new long[4]; // little-endian 64-bit limbs of the sum
    private long rows;

    /** Adds one row: the bytes of its JSON object. */
    public void add(byte[] row, int offset, int length) {
        digest.update(row, offset, length);
        try {
            digest.digest(hash, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        long carry = 0;
        for (int limb = 0; limb < 4; limb++) { // the digest read as a big-endian 256-bit number
            int start = 24 - 8 * limb;
            long value = 0;
            for (int b = 0; b < 8; b++) {
                value = (value << 8) | (hash[start + b] & 0xFFL);
            }
            long partial = limbs[limb] + value;
            long total = partial + carry;
            carry = (Long.compareUnsigned(partial, value) < 0 || Long.compareUnsigned(total, partial) < 0) ? 1 : 0;
            limbs[limb] = total;
        }
        rows++;
    }

    public long rows() {
        return rows;
    }

    /** The sum as 64 hex digits. */
    public String hex() {
        BigInteger value = BigInteger.ZERO;
        for (int limb = 3; limb >= 0; limb--) {
            value = value.shiftLeft(64).add(new BigInteger(Long.toUnsignedString(limbs[limb])));
        }
        return String.format("%064x", value);
    }

    /** Whether both saw the same rows. */
    public boolean sameRowsAs(RowSum other) {
        return rows == other.rows && Arrays.equals(limbs, other.limbs);
    }

    /**
     * Reads table {@code schema.name} of {@code connection} (in its current transaction) with {@code columns} in the
     * backup's order, encodes each row as the dumper does, and sums them.
     */
    public static RowSum ofTable(Connection connection, String schema, String name, List<SourceSchema.Column> columns)
            throws SQLException {
        String relkind;
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT relkind FROM pg_class WHERE oid = to_regclass(?)")) {
            s.setString(1, SourceSchema.quote(schema) + "." + SourceSchema.quote(name));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("table " + schema + "." + name + " is missing in the target");
                }
                relkind = rs.getString(1);
            }
        }
        try (Statement s = connection.createStatement()) { // the text forms the dumper reads
            s.execute("SET LOCAL extra_float_digits = 3");
            s.execute("SET LOCAL bytea_output = 'hex'");
        }
        SourceSchema.Table table = new SourceSchema.Table(0, schema, name, relkind, columns, List.of(), List.of(), 0, 0);
        CopyRowEncoder encoder = new CopyRowEncoder(columns);
        ByteBuffer buffer = new ByteBuffer(1 << 16);
        RowSum sum = new RowSum();
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyOut(new ChunkReader.Chunk(0, table, -1, -1).sql());
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                buffer.clear();
                encoder.encode(row, row.length, buffer);
                sum.add(buffer.array(), 0, buffer.size());
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        return sum;
    }
}
