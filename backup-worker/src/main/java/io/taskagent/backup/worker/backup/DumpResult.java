package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.format.Compression;

import java.util.Map;

/**
 * A finished, committed backup file.
 *
 * @param rowCounts   rows per table ({@code schema.table}), in foreign-key order
 * @param tableSha256 SHA-256 of each table's rows as written
 * @param applicationVersion the application's version marker found in the snapshot, or null
 * @param destination the destination it was written to (the primary)
 * @param encryption  the algorithm it is encrypted with, or null
 * @param keyId       the id of the key it is encrypted with, or null
 */
record DumpResult(String fileName, long sizeBytes, String sha256, Compression compression,
                         Map<String, Long> rowCounts, Map<String, String> tableSha256, long durationMillis,
                         String applicationVersion, String destination, String encryption, Integer keyId) {
}
