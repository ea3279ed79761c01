package io.taskagent.backup.worker.dump;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams every table of the source database into one JSON file, inside one {@code REPEATABLE READ READ ONLY}
 * transaction so all tables come from the same snapshot. The server turns each row into JSON
 * ({@code COPY (SELECT row_to_json(...)) TO STDOUT}); this class only moves bytes, so memory does not grow with the
 * size of a table. The file format is described in {@code docs/backup-format.md}.
 */
@Component
public class BackupDumper {

    private static final Logger log = LoggerFactory.getLogger(BackupDumper.class);
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/?]*)/([^?]*)(\\?.*)?");

    private final WorkerProperties.Source source;
    private final WorkerProperties.Storage storageSettings;
    private final StorageDirectory storage;

    public BackupDumper(WorkerProperties properties, StorageDirectory storage) {
        this.source = properties.source();
        this.storageSettings = properties.storage();
        this.storage = storage;
    }

    /** The target this worker backs up. */
    public String target() {
        return source.target();
    }

    /** Dumps the source database to a new committed file named after the job. */
    public DumpResult dump(UUID jobId, String backupType, String target) throws DumpException {
        long started = System.nanoTime();
        Instant createdAt = Instant.now();
        Compression compression = Compression.parse(storageSettings.compression());
        String fileName = BackupFormat.fileName(backupType, createdAt, jobId, compression);
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try (Statement s = connection.createStatement()) {
                s.execute("SET LOCAL TimeZone = 'UTC'");
                s.execute("SET LOCAL extra_float_digits = 3");
            }
            SourceSchema schema = SchemaDiscovery.discover(connection);
            DumpResult result;
            try (StorageDirectory.PendingFile pending = storage.create(fileName)) {
                MessageDigest fileDigest = sha256();
                Map<String, Long> rowCounts = new LinkedHashMap<>();
                Map<String, String> tableDigests = new LinkedHashMap<>();
                try (OutputStream out = new BufferedOutputStream(compression.wrap(
                        new DigestOutputStream(pending.open(), fileDigest), storageSettings.zstdLevel()), 1 << 16)) {
                    writeHeader(out, jobId, target, backupType, createdAt, compression, schema);
                    boolean first = true;
                    for (SourceSchema.Table table : schema.tables()) {
                        out.write((first ? "\n" : ",\n").getBytes(StandardCharsets.US_ASCII));
                        first = false;
                        writeTable(connection, table, out, rowCounts, tableDigests);
                    }
                    Map<String, Object> summary = new LinkedHashMap<>();
                    summary.put("row_counts", rowCounts);
                    summary.put("table_sha256", tableDigests);
                    summary.put("total_rows", rowCounts.values().stream().mapToLong(Long::longValue).sum());
                    out.write("\n},\n\"summary\":".getBytes(StandardCharsets.US_ASCII));
                    out.write(MessageJson.mapper().writeValueAsBytes(summary));
                    out.write("}\n".getBytes(StandardCharsets.US_ASCII));
                }
                connection.commit();
                long size = pending.size();
                String sha = HexFormat.of().formatHex(fileDigest.digest());
                long durationMillis = (System.nanoTime() - started) / 1_000_000;
                result = new DumpResult(fileName, size, sha, compression, rowCounts, tableDigests, durationMillis);
                pending.commit();
                writeManifest(result, jobId, target, backupType, createdAt);
            } catch (IOException e) {
                storage.delete(fileName);
                storage.delete(fileName + BackupFormat.MANIFEST_SUFFIX);
                throw new DumpException("writing backup file " + fileName + " failed: " + e.getMessage(), e);
            }
            log.info("backup {} of {}: {} rows in {} tables, {} bytes, {} ms", fileName, target,
                    result.rowCounts().values().stream().mapToLong(Long::longValue).sum(),
                    result.rowCounts().size(), result.sizeBytes(), result.durationMillis());
            return result;
        } catch (SQLException e) {
            throw new DumpException("reading source database " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws DumpException {
        Properties props = new Properties();
        props.setProperty(PGProperty.USER.getName(), source.username());
        if (source.password() != null && !source.password().isEmpty()) {
            props.setProperty(PGProperty.PASSWORD.getName(), source.password());
        }
        props.setProperty(PGProperty.CONNECT_TIMEOUT.getName(), String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        props.setProperty(PGProperty.LOGIN_TIMEOUT.getName(), String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        props.setProperty(PGProperty.SOCKET_TIMEOUT.getName(), String.valueOf(Math.max(1, source.socketTimeout().toSeconds())));
        props.setProperty(PGProperty.APPLICATION_NAME.getName(), "taskagent-backup-worker");
        try {
            return DriverManager.getConnection(source.url(), props);
        } catch (SQLException e) {
            throw new DumpException("cannot connect to source database " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** {@code 'dbname' at host:port}, never the password or URL parameters. */
    private String describe() {
        Matcher m = URL.matcher(source.url());
        return m.matches() ? "'" + m.group(2) + "' at " + m.group(1) : "(unparseable URL)";
    }

    private void writeHeader(OutputStream out, UUID jobId, String target, String backupType, Instant createdAt,
                             Compression compression, SourceSchema schema) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("backup_id", jobId.toString());
        metadata.put("target", target);
        metadata.put("backup_type", backupType);
        metadata.put("created_at", createdAt.toString());
        metadata.put("server_version", schema.serverVersion());
        metadata.put("compression", compression.name().toLowerCase());
        metadata.put("snapshot_isolation", "repeatable read, read only");
        metadata.put("tables", schema.tables().stream().map(t -> {
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("schema", t.schema());
            table.put("name", t.name());
            table.put("columns", t.columns().stream().map(c -> {
                Map<String, Object> column = new LinkedHashMap<>();
                column.put("name", c.name());
                column.put("type", c.type());
                column.put("nullable", c.nullable());
                column.put("generated", c.generated());
                column.put("identity", c.identity());
                return column;
            }).toList());
            table.put("primary_key", t.primaryKey());
            table.put("references", t.references());
            return table;
        }).toList());
        metadata.put("self_referencing", schema.selfReferencing());
        metadata.put("cycles", schema.cycles());
        metadata.put("sequences", schema.sequences().stream().map(s -> {
            Map<String, Object> seq = new LinkedHashMap<>();
            seq.put("schema", s.schema());
            seq.put("name", s.name());
            seq.put("last_value", s.lastValue());
            seq.put("is_called", s.called());
            seq.put("owned_by", s.ownedBy());
            return seq;
        }).toList());
        out.write(("{\"format\":\"" + BackupFormat.FORMAT_NAME + "\",\"format_version\":" + BackupFormat.FORMAT_VERSION
                + ",\n\"metadata\":").getBytes(StandardCharsets.US_ASCII));
        out.write(MessageJson.mapper().writeValueAsBytes(metadata));
        out.write(",\n\"data\":{".getBytes(StandardCharsets.US_ASCII));
    }

    private void writeTable(Connection connection, SourceSchema.Table table, OutputStream out,
                            Map<String, Long> rowCounts, Map<String, String> tableDigests)
            throws SQLException, IOException {
        MessageDigest digest = sha256();
        out.write(MessageJson.mapper().writeValueAsBytes(table.qualifiedName()));
        out.write(":[".getBytes(StandardCharsets.US_ASCII));
        String sql = "COPY (SELECT row_to_json(r.*) FROM " + ("r".equals(table.kind()) ? "ONLY " : "")
                + table.sqlName() + " r) TO STDOUT";
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        long rows = 0;
        byte[] buffer = new byte[1 << 14];
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                if (buffer.length < row.length) {
                    buffer = new byte[Math.max(row.length, buffer.length * 2)];
                }
                int length = CopyTextDecoder.decode(row, buffer);
                out.write(rows == 0 ? '\n' : ',');
                if (rows > 0) {
                    out.write('\n');
                }
                out.write(buffer, 0, length);
                digest.update(buffer, 0, length);
                digest.update((byte) '\n');
                rows++;
            }
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
        out.write(rows == 0 ? "]".getBytes(StandardCharsets.US_ASCII) : "\n]".getBytes(StandardCharsets.US_ASCII));
        rowCounts.put(table.qualifiedName(), rows);
        tableDigests.put(table.qualifiedName(), HexFormat.of().formatHex(digest.digest()));
    }

    private void writeManifest(DumpResult result, UUID jobId, String target, String backupType, Instant createdAt)
            throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", BackupFormat.FORMAT_NAME);
        manifest.put("format_version", BackupFormat.FORMAT_VERSION);
        manifest.put("file_name", result.fileName());
        manifest.put("size_bytes", result.sizeBytes());
        manifest.put("sha256", result.sha256());
        manifest.put("compression", result.compression().name().toLowerCase());
        manifest.put("backup_id", jobId.toString());
        manifest.put("target", target);
        manifest.put("backup_type", backupType);
        manifest.put("created_at", createdAt.toString());
        manifest.put("row_counts", result.rowCounts());
        manifest.put("table_sha256", result.tableSha256());
        try (StorageDirectory.PendingFile pending = storage.create(result.fileName() + BackupFormat.MANIFEST_SUFFIX)) {
            try (OutputStream out = pending.open()) {
                out.write(MessageJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            }
            pending.commit();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
