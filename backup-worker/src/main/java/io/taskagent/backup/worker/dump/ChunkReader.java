package io.taskagent.backup.worker.dump;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Reads one chunk of a table (a range of heap pages, or the whole table) with {@code COPY ... TO STDOUT} on a
 * connection that shares the backup's snapshot, encodes its rows as JSON and compresses them into frames of about
 * {@link #FRAME_BYTES}. The chunk's rows are digested in order; only compressed frames are kept in memory.
 */
final class ChunkReader {

    static final int FRAME_BYTES = 4 << 20;

    /** A chunk: pages [fromPage, toPage) of a table; toPage -1 means to the end, fromPage -1 means no page range. */
    record Chunk(int index, SourceSchema.Table table, long fromPage, long toPage) {

        String sql() {
            String columns = table.columns().stream().map(c -> SourceSchema.quote(c.name()))
                    .collect(Collectors.joining(", "));
            StringBuilder sql = new StringBuilder("COPY (SELECT ").append(columns.isEmpty() ? "" : columns)
                    .append(" FROM ").append("r".equals(table.kind()) ? "ONLY " : "").append(table.sqlName());
            if (fromPage >= 0) {
                sql.append(" WHERE ctid >= '(").append(fromPage).append(",0)'::tid");
                if (toPage >= 0) {
                    sql.append(" AND ctid < '(").append(toPage).append(",0)'::tid");
                }
            }
            return sql.append(") TO STDOUT").toString();
        }
    }

    /** The compressed frames of a chunk, its row count and the SHA-256 of each row, in order (32 bytes each). */
    record Result(Chunk chunk, List<byte[]> frames, long rows, byte[] rowHashes) {
    }

    private ChunkReader() {
    }

    static Result read(Connection connection, Chunk chunk, Compression compression, int zstdLevel,
                       AtomicLong progress) throws SQLException {
        CopyRowEncoder encoder = new CopyRowEncoder(chunk.table().columns());
        MessageDigest digest = sha256();
        ByteBuffer hashes = new ByteBuffer(32 * 1024);
        ByteBuffer buffer = new ByteBuffer(FRAME_BYTES + (1 << 16));
        List<byte[]> frames = new ArrayList<>();
        long rows = 0;
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(chunk.sql());
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                if (rows > 0) {
                    buffer.put((byte) ',');
                }
                buffer.put((byte) '\n');
                int start = buffer.size();
                encoder.encode(row, row.length, buffer);
                digest.update(buffer.array(), start, buffer.size() - start);
                hashes.ensure(32);
                try {
                    digest.digest(hashes.array(), hashes.size(), 32);
                } catch (java.security.DigestException e) {
                    throw new IllegalStateException(e);
                }
                hashes.skip(32);
                rows++;
                if ((rows & 4095) == 0) {
                    progress.addAndGet(4096);
                }
                if (buffer.size() >= FRAME_BYTES) {
                    frames.add(compression.frame(buffer.array(), 0, buffer.size(), zstdLevel));
                    buffer.clear();
                }
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        progress.addAndGet(rows & 4095);
        if (buffer.size() > 0) {
            frames.add(compression.frame(buffer.array(), 0, buffer.size(), zstdLevel));
        }
        return new Result(chunk, frames, rows, hashes.toArray());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
