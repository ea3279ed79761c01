package io.taskagent.backup.worker.dump;

import com.github.luben.zstd.ZstdInputStream;
import io.taskagent.backup.model.MessageJson;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a backup file back: decompresses it (by its extension), stream-parses it and counts the rows of each table
 * without holding them in memory. Used by tests now, and the base of verification and restore.
 *
 * @param rowCounts rows per table as found in the file's {@code data}
 */
public record BackupFileReader(String format, int formatVersion, JsonNode metadata, Map<String, Long> rowCounts,
                               JsonNode summary) {

    /** Reads {@code file}; an {@link IOException} names what is wrong with it. */
    public static BackupFileReader read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             InputStream in = file.toString().endsWith(".zst") ? new ZstdInputStream(raw)
                     : file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             JsonParser p = MessageJson.mapper().createParser(in)) {
            String format = null;
            int version = -1;
            JsonNode metadata = null;
            JsonNode summary = null;
            Map<String, Long> counts = new LinkedHashMap<>();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "format" -> format = p.getString();
                    case "format_version" -> version = p.getIntValue();
                    case "metadata" -> metadata = p.readValueAsTree();
                    case "summary" -> summary = p.readValueAsTree();
                    case "data" -> {
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String table = p.currentName();
                            p.nextToken(); // START_ARRAY
                            long rows = 0;
                            while (p.nextToken() == JsonToken.START_OBJECT) {
                                p.skipChildren();
                                rows++;
                            }
                            counts.put(table, rows);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            return new BackupFileReader(format, version, metadata, counts, summary);
        }
    }
}
