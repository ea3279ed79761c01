package io.taskagent.backup.worker.format;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a backup file back, as verification does: decrypts and decompresses it ({@link StoredFile}), checks its layout line by
 * line, parses every row as JSON, counts rows and recomputes each table's digest
 * (SHA-256 over the SHA-256 of each row, in order), holding one row at a time in memory.
 *
 * @param rowCounts   rows per table as found in the file's {@code data}
 * @param tableSha256 recomputed digests per table
 */
public record BackupFileReader(String format, int formatVersion, BackupMetadata metadata, SchemaSections schema,
                               Map<String, Long> rowCounts, Map<String, String> tableSha256, Summary summary) {

    /**
     * Reads {@code file}.
     *
     * @throws IOException naming what is wrong: unreadable, truncated, not this format, malformed
     */
    public static BackupFileReader read(Path file) throws IOException {
        return read(StoredFile.of(file, Encryption.none()));
    }

    /**
     * Reads {@code file}: decrypted when encrypted, decompressed.
     *
     * @throws IOException naming what is wrong: unreadable, no or wrong key, truncated, not this format, malformed
     */
    public static BackupFileReader read(StoredFile file) throws IOException {
        return read(file, RowListener.NONE);
    }

    /** Told how far a full read got: rows read (in steps), and each table finished. */
    public interface RowListener {
        RowListener NONE = new RowListener() {
            @Override
            public void rows(long n) {
            }

            @Override
            public void tableDone() {
            }
        };

        void rows(long n);

        void tableDone();
    }

    /** Rows between two {@link RowListener#rows} calls. */
    static final int LISTENER_ROWS = 1 << 14;

    /** {@link #read(StoredFile)}, telling {@code listener} how far it got. */
    public static BackupFileReader read(StoredFile file, RowListener listener) throws IOException {
        try (Lines lines = lines(file)) {
            return parse(lines, false, listener);
        } catch (JacksonException e) {
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static BackupFileReader header(Path file) throws IOException {
        return header(StoredFile.of(file, Encryption.none()));
    }

    /** Reads only the beginning of {@code file}: format, version and metadata (cheap, for a restore). */
    public static BackupFileReader header(StoredFile file) throws IOException {
        try (Lines lines = lines(file)) {
            return parse(lines, true, RowListener.NONE);
        } catch (JacksonException e) {
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static BackupFileReader parse(Lines lines, boolean headerOnly, RowListener listener) throws IOException {
        String first = lines.nextString();
        String prefix = "{\"format\":\"" + BackupFormat.FORMAT_NAME + "\",\"format_version\":";
        if (first == null || !first.startsWith(prefix) || !first.endsWith(",")) {
            throw new IOException("not a " + BackupFormat.FORMAT_NAME + " file (first line "
                    + (first == null ? "missing" : "'" + abbreviate(first) + "'") + ")");
        }
        int version;
        try {
            version = Integer.parseInt(first.substring(prefix.length(), first.length() - 1));
        } catch (NumberFormatException e) {
            throw new IOException("unreadable format_version in '" + abbreviate(first) + "'");
        }
        if (version < BackupFormat.OLDEST_READ_VERSION || version > BackupFormat.FORMAT_VERSION) {
            throw new IOException("format_version " + version + " is not supported (this worker reads "
                    + BackupFormat.OLDEST_READ_VERSION + " to " + BackupFormat.FORMAT_VERSION + ")");
        }
        String metadataLine = lines.nextString();
        if (metadataLine == null || !metadataLine.startsWith("\"metadata\":") || !metadataLine.endsWith(",")) {
            throw new IOException("metadata is missing");
        }
        BackupMetadata metadata = BackupFormat.json().readValue(metadataLine.substring(11, metadataLine.length() - 1),
                BackupMetadata.class);
        if (metadata.tables() == null || metadata.sequences() == null) {
            throw new IOException("the metadata is incomplete (tables and sequences expected)");
        }
        SchemaSections schema = null;
        if (version >= 2) {
            String schemaLine = lines.nextString();
            if (schemaLine == null || !schemaLine.startsWith("\"schema\":{") || !schemaLine.endsWith(",")) {
                throw new IOException("the schema sections are missing or truncated");
            }
            try {
                schema = BackupFormat.json().readValue(schemaLine.substring(9, schemaLine.length() - 1),
                        SchemaSections.class);
            } catch (JacksonException e) {
                Throwable cause = e.getCause() instanceof IllegalArgumentException invalid ? invalid : e;
                throw new IOException(cause == e ? "the schema sections are not valid JSON: " + e.getOriginalMessage()
                        : cause.getMessage(), e);
            }
        }
        expect(lines.nextString(), BackupFormat.DATA_OPEN);
        if (headerOnly) {
            return new BackupFileReader(BackupFormat.FORMAT_NAME, version, metadata, schema, Map.of(), Map.of(), null);
        }

        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, String> digests = new LinkedHashMap<>();
        MessageDigest rowDigest = BackupFormat.sha256();
        byte[] rowHash = new byte[32];
        Data data = new Data(lines, null);
        String table;
        while ((table = data.nextTable()) != null) {
            MessageDigest tableDigest = BackupFormat.sha256();
            byte[] line;
            while ((line = data.nextRow()) != null) {
                int rowLength = data.rowLength();
                try (JsonParser parser = BackupFormat.json().createParser(line, 0, rowLength)) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new IOException("row " + data.rows() + " of " + table + " is not an object");
                    }
                    parser.skipChildren(); // every token read: malformed JSON fails here
                    if (parser.nextToken() != null) {
                        throw new IOException("row " + data.rows() + " of " + table + " has content after its object");
                    }
                } catch (JacksonException e) {
                    throw new IOException("row " + data.rows() + " of " + table + " is not valid JSON: "
                            + e.getOriginalMessage(), e);
                }
                rowDigest.update(line, 0, rowLength);
                try {
                    rowDigest.digest(rowHash, 0, 32);
                } catch (DigestException e) {
                    throw new IllegalStateException(e);
                }
                tableDigest.update(rowHash);
                if ((data.rows() & (LISTENER_ROWS - 1)) == 0) {
                    listener.rows(LISTENER_ROWS);
                }
            }
            listener.rows(data.rows() & (LISTENER_ROWS - 1));
            listener.tableDone();
            counts.put(table, data.rows());
            digests.put(table, HexFormat.of().formatHex(tableDigest.digest()));
        }
        return new BackupFileReader(BackupFormat.FORMAT_NAME, version, metadata, schema, counts, digests,
                data.summary());
    }

    /** The summary line that follows the data section, and nothing after it. */
    private static Summary readSummary(Lines lines) throws IOException {
        String summaryLine = lines.nextString();
        if (summaryLine == null || !summaryLine.startsWith("\"summary\":") || !summaryLine.endsWith("}")) {
            throw new IOException("truncated: the summary is missing");
        }
        Summary summary;
        try {
            summary = BackupFormat.json().readValue(summaryLine.substring(10, summaryLine.length() - 1), Summary.class);
        } catch (JacksonException e) {
            throw new IOException("the summary is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (summary == null) {
            throw new IOException("the summary is empty");
        }
        if (lines.nextString() != null) {
            throw new IOException("unexpected content after the summary");
        }
        return summary;
    }

    /**
     * The differences between what a manifest says of a file's rows and the file's own summary, as
     * {@code "<field> of <tables>"}; empty when they agree (a field the manifest does not hold is not compared).
     */
    public static java.util.List<String> differences(StoredFile.Described described, Summary summary) {
        java.util.List<String> differences = new java.util.ArrayList<>();
        if (described.rowCounts() != null && !described.rowCounts().equals(summary.rowCounts())) {
            differences.add("row_counts of " + differing(described.rowCounts(), summary.rowCounts()));
        }
        if (described.tableSha256() != null && !described.tableSha256().equals(summary.tableSha256())) {
            differences.add("table_sha256 of " + differing(described.tableSha256(), summary.tableSha256()));
        }
        return differences;
    }

    private static String differing(Map<String, ?> a, Map<String, ?> b) {
        java.util.Set<String> tables = new java.util.TreeSet<>(a.keySet());
        tables.addAll(b.keySet());
        tables.removeIf(t -> java.util.Objects.equals(a.get(t), b.get(t)));
        return String.join(", ", tables);
    }

    private static void expect(String line, String expected) throws IOException {
        if (!expected.equals(line)) {
            throw new IOException("expected '" + expected + "' but found " + (line == null ? "the end of the file"
                    : "'" + abbreviate(line) + "'"));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Opens the data section of {@code file} (close it when done): its tables and rows, in the file's order. */
    public static Data data(StoredFile file) throws IOException {
        Lines lines = lines(file);
        try {
            parse(lines, true, RowListener.NONE);
            return new Data(lines, file.described());
        } catch (JacksonException e) {
            lines.close();
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }

    /**
     * The data section, table by table and row by row, as the bytes stored: each row one JSON object (not parsed
     * here), in a buffer shared with the next call. Once past the last table it reads the summary that ends the file
     * (and that nothing follows it), and compares it with what the file's manifest says of the rows
     * ({@link StoredFile#described()}): a reader of the rows (a restore) checks the manifest on its own pass, before
     * it commits anything, with no pass of its own over the file.
     */
    public static final class Data implements AutoCloseable {
        private final Lines lines;
        private final StoredFile.Described described;
        private boolean inTable;
        private String table;
        private long rows;
        private int rowLength;
        private Summary summary;

        Data(Lines lines, StoredFile.Described described) {
            this.lines = lines;
            this.described = described;
        }

        /**
         * The next table's {@code schema.name} (what is left of the current one is skipped), or null after the last,
         * once the summary is read and found to agree with the manifest.
         *
         * @throws IOException also when the summary is missing, malformed, followed by anything, or says else than
         *                     the manifest (naming it)
         */
        public String nextTable() throws IOException {
            if (summary != null) {
                return null;
            }
            while (inTable) {
                nextRow();
            }
            String header = lines.nextString();
            if (header == null) {
                throw new IOException("truncated: the data section does not end");
            }
            if (header.equals(BackupFormat.DATA_CLOSE)) {
                Summary read = readSummary(lines);
                if (described != null) {
                    java.util.List<String> differences = differences(described, read);
                    if (!differences.isEmpty()) {
                        throw new IOException("the manifest " + described.manifest() + " does not describe this file: "
                                + "its " + String.join("; its ", differences) + " differ from the file's summary");
                    }
                }
                summary = read;
                return null;
            }
            boolean empty = header.endsWith(":[]") || header.endsWith(":[],");
            if (!empty && !header.endsWith(":[")) {
                throw new IOException("expected a table header but found '" + abbreviate(header) + "'");
            }
            table = BackupFormat.json().readValue(header.substring(0, header.lastIndexOf(":[")), String.class);
            inTable = !empty;
            rows = 0;
            return table;
        }

        /**
         * The next row of the current table, without the comma that separates it from the next one ({@link #rowLength}
         * bytes), or null after its last row.
         */
        public byte[] nextRow() throws IOException {
            if (!inTable) {
                return null;
            }
            byte[] line = lines.next();
            if (line == null) {
                throw new IOException("truncated in table " + table + " after " + rows + " rows");
            }
            int length = lines.length();
            if (length > 0 && line[0] == ']') {
                inTable = false;
                return null;
            }
            if (length == 0 || line[0] != '{') {
                throw new IOException("malformed row " + (rows + 1) + " of " + table);
            }
            rows++;
            rowLength = line[length - 1] == ',' ? length - 1 : length;
            return line;
        }

        public int rowLength() {
            return rowLength;
        }

        /** Rows read so far of the current table. */
        public long rows() {
            return rows;
        }

        /** The summary that ends the file, once {@link #nextTable()} returned null (else null). */
        public Summary summary() {
            return summary;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    public static Lines lines(Path file) throws IOException {
        return lines(StoredFile.of(file, Encryption.none()));
    }

    /** Opens {@code file} decrypted and decompressed, as lines (close it when done). */
    public static Lines lines(StoredFile file) throws IOException {
        return new Lines(file.openContent());
    }

    /**
     * Reads lines of bytes without decoding them: the stream is read in blocks and scanned for newlines (a read call
     * per byte cost more than decompressing); each line is copied into one growing buffer.
     */
    public static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final byte[] block = new byte[1 << 16];
        private int position;
        private int limit;
        private byte[] buffer = new byte[1 << 12];
        private int length;

        Lines(InputStream in) {
            this.in = in;
        }

        /** The next line (without its newline) in a shared buffer valid until the next call, or null at the end. */
        public byte[] next() throws IOException {
            length = 0;
            boolean any = false;
            while (true) {
                if (position == limit && !fill()) {
                    return any ? buffer : null;
                }
                any = true;
                int end = position;
                byte[] b = block;
                int max = limit;
                while (end < max && b[end] != '\n') {
                    end++;
                }
                append(end - position);
                if (end < max) {
                    position = end + 1;
                    return buffer;
                }
                position = max;
            }
        }

        private void append(int count) {
            if (length + count > buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
            }
            System.arraycopy(block, position, buffer, length, count);
            length += count;
        }

        private boolean fill() throws IOException {
            int n;
            try {
                n = in.read(block, 0, block.length);
            } catch (EOFException e) {
                throw new IOException("truncated: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException(e.getMessage() != null && e.getMessage().startsWith("cannot decrypt") ? e.getMessage()
                        : "cannot decompress: " + e.getMessage(), e);
            }
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        public int length() {
            return length;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        public String nextString() throws IOException {
            byte[] line = next();
            return line == null ? null : new String(line, 0, length, StandardCharsets.UTF_8);
        }
    }
}
