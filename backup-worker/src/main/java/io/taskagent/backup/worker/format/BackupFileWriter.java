package io.taskagent.backup.worker.format;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the layout of a backup file (docs/backup-format.md), the counterpart of {@link BackupFileReader}: the
 * header line, the metadata line, the data section table by table, and the summary, each piece as compressed frames
 * (see {@link Compression#frame}), encrypted when a key is configured ({@link Encryption}: the frames are the
 * plaintext of one streaming-AEAD stream); the bytes are counted and digested as stored, after encryption, so that a
 * quick verify needs no key. Rows arrive already encoded and
 * compressed (by the dump's readers, in parallel): each row on its own line, the rows of one piece separated by
 * commas, as {@link #rows} describes.
 */
public final class BackupFileWriter {

    private final Stored stored;
    private final OutputStream out;
    private final boolean encrypted;
    private final Compression compression;
    private final int zstdLevel;
    private final Map<String, Long> rowCounts = new LinkedHashMap<>();
    private String currentTable;

    public BackupFileWriter(OutputStream out, Compression compression, int zstdLevel) throws IOException {
        this(out, compression, zstdLevel, Encryption.none(), null);
    }

    /**
     * @param out        where the stored bytes go; not closed here
     * @param storedName the file's name as stored (the associated data of its encryption)
     */
    public BackupFileWriter(OutputStream out, Compression compression, int zstdLevel, Encryption encryption,
                            String storedName) throws IOException {
        this.stored = new Stored(out);
        this.encrypted = encryption.enabled();
        this.out = encrypted ? encryption.encrypt(stored, storedName) : stored;
        this.compression = compression;
        this.zstdLevel = zstdLevel;
    }

    /** Counts and digests the stored bytes; closing it does not close the destination's stream. */
    private static final class Stored extends java.io.FilterOutputStream {
        private final MessageDigest digest = BackupFormat.sha256();
        private long written;

        Stored(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            written += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** Writes the format line, the metadata and the schema sections, and opens the data section. */
    public void header(BackupMetadata metadata, SchemaSections schema) throws IOException {
        text("{\"format\":\"" + BackupFormat.FORMAT_NAME + "\",\"format_version\":" + BackupFormat.FORMAT_VERSION
                + ",\n\"metadata\":" + BackupFormat.json().writeValueAsString(metadata)
                + ",\n\"schema\":" + BackupFormat.json().writeValueAsString(schema) + ",\n" + BackupFormat.DATA_OPEN);
    }

    /**
     * Appends rows of {@code table}, which opens it unless it is the table written last (a table's rows come in
     * consecutive calls, tables in the order of the metadata).
     *
     * @param frames compressed frames holding {@code rows} rows, each a JSON object preceded by a newline, the rows
     *               separated by a comma ({@code \n{..},\n{..}}); none for no rows
     */
    public void rows(String table, List<byte[]> frames, long rows) throws IOException {
        if (!table.equals(currentTable)) {
            closeTable();
            text("\n" + BackupFormat.json().writeValueAsString(table) + ":[");
            currentTable = table;
            rowCounts.put(table, 0L);
        }
        if (rows > 0 && rowCounts.get(table) > 0) {
            text(",");
        }
        for (byte[] frame : frames) {
            raw(frame);
        }
        rowCounts.merge(table, rows, Long::sum);
    }

    /**
     * Closes the data section and writes the summary.
     *
     * @param tableSha256 each table's digest: SHA-256 over the SHA-256 of each of its rows, in order
     */
    public void finish(Map<String, String> tableSha256) throws IOException {
        closeTable();
        currentTable = null;
        Summary summary = new Summary(rowCounts, tableSha256, totalRows());
        text("\n" + BackupFormat.DATA_CLOSE + "\n\"summary\":" + BackupFormat.json().writeValueAsString(summary) + "}\n");
        if (encrypted) {
            out.close(); // the last segment, authenticated as the last
        }
        out.flush();
    }

    /** Rows written per table, in the order written. */
    public Map<String, Long> rowCounts() {
        return rowCounts;
    }

    /** Bytes written, as stored (compressed, and encrypted when a key is configured). */
    public long written() {
        return stored.written;
    }

    /** The SHA-256 of the bytes written, as stored; call once, after {@link #finish}. */
    public String sha256() {
        return HexFormat.of().formatHex(stored.digest.digest());
    }

    private long totalRows() {
        return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    private void closeTable() throws IOException {
        if (currentTable != null) {
            text(rowCounts.get(currentTable) > 0 ? "\n]," : "],");
        }
    }

    private void text(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        raw(compression.frame(bytes, 0, bytes.length, zstdLevel));
    }

    private void raw(byte[] frame) throws IOException {
        out.write(frame);
    }
}
