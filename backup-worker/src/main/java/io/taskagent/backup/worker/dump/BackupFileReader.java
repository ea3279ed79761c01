package io.taskagent.backup.worker.dump;

import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The former place of the backup file reader, kept only for code outside this module that still imports it
 * (system-tests' {@code BackupPipelineIT}); the reader is {@link io.taskagent.backup.worker.format.BackupFileReader}.
 *
 * @deprecated use {@link io.taskagent.backup.worker.format.BackupFileReader}; removed once nothing imports this
 */
@Deprecated(forRemoval = true)
public record BackupFileReader(io.taskagent.backup.worker.format.BackupFileReader read) {

    /** Reads {@code file}, as {@link io.taskagent.backup.worker.format.BackupFileReader#read} does. */
    public static BackupFileReader read(Path file) throws IOException {
        return new BackupFileReader(io.taskagent.backup.worker.format.BackupFileReader.read(file));
    }

    public String format() {
        return read.format();
    }

    public int formatVersion() {
        return read.formatVersion();
    }

    public JsonNode metadata() {
        return read.metadata();
    }

    public Map<String, Long> rowCounts() {
        return read.rowCounts();
    }

    public Map<String, String> tableSha256() {
        return read.tableSha256();
    }

    public JsonNode summary() {
        return read.summary();
    }
}
