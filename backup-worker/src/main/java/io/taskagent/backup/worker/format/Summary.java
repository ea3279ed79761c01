package io.taskagent.backup.worker.format;

import java.util.Map;

/**
 * The {@code summary} that ends a backup file.
 *
 * @param rowCounts   rows per table, in the order of the data section
 * @param tableSha256 each table's digest: SHA-256 over the SHA-256 of each of its rows, in order
 * @param totalRows   the sum of the row counts
 */
public record Summary(Map<String, Long> rowCounts, Map<String, String> tableSha256, long totalRows) {

    public Summary {
        rowCounts = rowCounts == null ? Map.of() : rowCounts;
        tableSha256 = tableSha256 == null ? Map.of() : tableSha256;
    }
}
