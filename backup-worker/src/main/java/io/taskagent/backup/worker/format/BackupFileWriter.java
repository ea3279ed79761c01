package io.taskagent.backup.worker.format;

import io.taskagent.backup.model.MessageJson;

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
 * (see {@link Compression#frame}); the bytes are counted and digested as stored. Rows arrive already encoded and
 * compressed (by the dump's readers, in parallel): each row on its own line, the rows of one piece separated by
 * commas, as {@link #rows} describes. Also renders the manifest that sits next to the file.
 */
public final class BackupFileWriter {

    private final OutputStream out;
    private final Compression compression;
    private final int zstdLevel;
    private final MessageDigest digest = BackupFormat.sha256();
    private final Map<String, Long> rowCounts = new LinkedHashMap<>();
    private String currentTable;
    private long written;

    public BackupFileWriter(OutputStream out, Compression compression, int zstdLevel) {
        this.out = out;
        this.compression = compression;
        this.zstdLevel = zstdLevel;
    }

    /** Writes the format line, the metadata and the schema sections, and opens the data section. */
    public void header(BackupMetadata metadata, SchemaSections schema) throws IOException {
        Map<String, Object> sections = new LinkedHashMap<>();
        sections.put("dumped_by", schema.dumpedBy());
        sections.put("owners", schema.owners());
        sections.put("pre_data", schema.preData());
        sections.put("post_data", schema.postData());
        sections.put("refresh_materialized_views", schema.refresh());
        text("{\"format\":\"" + BackupFormat.FORMAT_NAME + "\",\"format_version\":" + BackupFormat.FORMAT_VERSION
                + ",\n\"metadata\":" + MessageJson.mapper().writeValueAsString(metadata(metadata))
                + ",\n\"schema\":" + MessageJson.mapper().writeValueAsString(sections) + ",\n\"data\":{");
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
            text("\n" + MessageJson.mapper().writeValueAsString(table) + ":[");
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
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("row_counts", rowCounts);
        summary.put("table_sha256", tableSha256);
        summary.put("total_rows", totalRows());
        text("\n},\n\"summary\":" + MessageJson.mapper().writeValueAsString(summary) + "}\n");
    }

    /** Rows written per table, in the order written. */
    public Map<String, Long> rowCounts() {
        return rowCounts;
    }

    /** Bytes written, as stored (compressed). */
    public long written() {
        return written;
    }

    /** The SHA-256 of the bytes written, as stored; call once, after {@link #finish}. */
    public String sha256() {
        return HexFormat.of().formatHex(digest.digest());
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
        digest.update(frame);
        written += frame.length;
    }

    /**
     * The manifest of a finished file: its name, size, SHA-256 and compression as stored, the backup it holds, and
     * its row counts and table digests (pretty-printed JSON).
     */
    public static byte[] manifest(BackupMetadata metadata, String fileName, long sizeBytes, String sha256,
                                  Map<String, Long> rowCounts, Map<String, String> tableSha256) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", BackupFormat.FORMAT_NAME);
        manifest.put("format_version", BackupFormat.FORMAT_VERSION);
        manifest.put("file_name", fileName);
        manifest.put("size_bytes", sizeBytes);
        manifest.put("sha256", sha256);
        manifest.put("compression", metadata.compression().name().toLowerCase());
        manifest.put("backup_id", metadata.backupId().toString());
        manifest.put("target", metadata.target());
        manifest.put("backup_type", metadata.backupType());
        manifest.put("created_at", metadata.createdAt().toString());
        manifest.put("row_counts", rowCounts);
        manifest.put("table_sha256", tableSha256);
        return MessageJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    }

    private static Map<String, Object> metadata(BackupMetadata m) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("backup_id", m.backupId().toString());
        metadata.put("target", m.target());
        metadata.put("backup_type", m.backupType());
        metadata.put("created_at", m.createdAt().toString());
        metadata.put("server_version", m.serverVersion());
        metadata.put("application_version", m.applicationVersion());
        metadata.put("compression", m.compression().name().toLowerCase());
        metadata.put("snapshot_isolation", "repeatable read, read only");
        metadata.put("tables", m.tables().stream().map(t -> {
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("schema", t.schema());
            table.put("name", t.name());
            table.put("columns", t.columns().stream().map(c -> {
                Map<String, Object> column = new LinkedHashMap<>();
                column.put("name", c.name());
                column.put("type", c.type());
                column.put("json", c.json());
                column.put("nullable", c.nullable());
                column.put("generated", c.generated());
                column.put("identity", c.identity());
                return column;
            }).toList());
            table.put("primary_key", t.primaryKey());
            table.put("references", t.references());
            return table;
        }).toList());
        metadata.put("self_referencing", m.selfReferencing());
        metadata.put("cycles", m.cycles());
        metadata.put("sequences", m.sequences().stream().map(s -> {
            Map<String, Object> seq = new LinkedHashMap<>();
            seq.put("schema", s.schema());
            seq.put("name", s.name());
            seq.put("last_value", s.lastValue());
            seq.put("is_called", s.called());
            seq.put("owned_by", s.ownedBy());
            return seq;
        }).toList());
        return metadata;
    }
}
