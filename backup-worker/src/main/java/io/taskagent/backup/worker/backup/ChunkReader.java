package io.taskagent.backup.worker.backup;

import com.github.luben.zstd.ZstdCompressCtx;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.worker.format.Compression;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Reads one chunk of a table (a range of heap pages, or the whole table) with {@code COPY ... TO STDOUT} on a
 * connection that shares the backup's snapshot, encodes its rows as JSON and compresses them into frames of about
 * {@link #FRAME_BYTES}, each row on its own line, rows separated by commas (the form
 * {@link io.taskagent.backup.worker.format.BackupFileWriter#rows} writes). The chunk's rows are digested in order;
 * only compressed frames are kept in memory.
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

    /**
     * The compressed frames of a chunk (as consecutive pieces of at most {@link #PIECE_BYTES}), its row count and the
     * SHA-256 of each row, in order (32 bytes each, also in pieces).
     */
    record Result(Chunk chunk, List<byte[]> frames, long rows, List<byte[]> rowHashes) {
    }

    /**
     * Kept arrays stay below half of G1's smallest region (1 MB), so they are never "humongous": humongous arrays go
     * straight to the old generation and make a small heap run concurrent cycles all the time.
     */
    static final int PIECE_BYTES = 256 << 10;

    /**
     * One reader: a connection that shares the backup's snapshot, with its working arrays (row buffer, compression
     * output) and its zstd context, reused from chunk to chunk. Used by one thread at a time.
     */
    static final class Slot implements AutoCloseable {
        final Connection connection;
        final ByteBuffer rows = new ByteBuffer(FRAME_BYTES + (1 << 16));
        final MessageDigest digest = sha256();
        private byte[] compressed = new byte[0];
        private ZstdCompressCtx zstd;
        private int zstdLevel;

        Slot(Connection connection) {
            this.connection = connection;
        }

        /** Compresses the row buffer into one zstd frame; returns its length, at the start of {@link #compressed}. */
        int zstd(int level) {
            int bound = Compression.zstdBound(rows.size());
            if (compressed.length < bound) {
                compressed = new byte[bound];
            }
            if (zstd == null || zstdLevel != level) {
                close();
                zstd = new ZstdCompressCtx().setLevel(level);
                zstdLevel = level;
            }
            return zstd.compressByteArray(compressed, 0, compressed.length, rows.array(), 0, rows.size());
        }

        @Override
        public void close() {
            if (zstd != null) {
                zstd.close();
                zstd = null;
            }
        }
    }

    private ChunkReader() {
    }

    static Result read(Slot slot, Chunk chunk, Compression compression, int zstdLevel, AtomicLong progress)
            throws SQLException {
        CopyRowEncoder encoder = new CopyRowEncoder(chunk.table().columns());
        MessageDigest digest = slot.digest;
        ByteBuffer buffer = slot.rows;
        buffer.clear();
        Pieces hashes = new Pieces(16 << 10);
        List<byte[]> frames = new ArrayList<>();
        long rows = 0;
        CopyOut copy = slot.connection.unwrap(PGConnection.class).getCopyAPI().copyOut(chunk.sql());
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
                try {
                    digest.digest(hashes.reserve(32), hashes.position(), 32);
                } catch (java.security.DigestException e) {
                    throw new IllegalStateException(e);
                }
                hashes.advance(32);
                rows++;
                if ((rows & 4095) == 0) {
                    progress.addAndGet(4096);
                }
                if (buffer.size() >= FRAME_BYTES) {
                    compress(compression, slot, zstdLevel, frames);
                }
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        progress.addAndGet(rows & 4095);
        if (buffer.size() > 0) {
            compress(compression, slot, zstdLevel, frames);
        }
        return new Result(chunk, frames, rows, hashes.finish());
    }

    private static void compress(Compression compression, Slot slot, int level, List<byte[]> frames) {
        ByteBuffer buffer = slot.rows;
        if (compression == Compression.ZSTD) {
            int length = slot.zstd(level); // may replace slot.compressed with a bigger array
            split(slot.compressed, length, frames);
        } else {
            byte[] frame = compression.frame(buffer.array(), 0, buffer.size(), level);
            split(frame, frame.length, frames);
        }
        buffer.clear();
    }

    private static void split(byte[] bytes, int length, List<byte[]> into) {
        if (length == bytes.length && length <= PIECE_BYTES) {
            into.add(bytes); // a fresh array of the right size already
            return;
        }
        for (int off = 0; off < length; off += PIECE_BYTES) {
            into.add(Arrays.copyOfRange(bytes, off, Math.min(length, off + PIECE_BYTES)));
        }
    }

    /** Appends fixed-size records into a list of arrays of at most {@link #PIECE_BYTES}. */
    private static final class Pieces {
        private final List<byte[]> done = new ArrayList<>();
        private byte[] current;
        private int position;

        Pieces(int first) {
            current = new byte[first];
        }

        /** The array to write {@code n} bytes into at {@link #position()}. */
        byte[] reserve(int n) {
            if (position + n > current.length) {
                if (current.length < PIECE_BYTES) {
                    current = Arrays.copyOf(current, Math.min(PIECE_BYTES, Math.max(current.length * 2, position + n)));
                }
                if (position + n > current.length) {
                    done.add(position == current.length ? current : Arrays.copyOf(current, position));
                    current = new byte[PIECE_BYTES];
                    position = 0;
                }
            }
            return current;
        }

        int position() {
            return position;
        }

        void advance(int n) {
            position += n;
        }

        List<byte[]> finish() {
            if (position > 0) {
                done.add(Arrays.copyOf(current, position));
            }
            return done;
        }
    }

    static MessageDigest sha256() {
        return BackupFormat.sha256();
    }
}
