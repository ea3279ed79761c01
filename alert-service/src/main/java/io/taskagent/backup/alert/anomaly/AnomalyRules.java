package io.taskagent.backup.alert.anomaly;

import io.taskagent.backup.alert.AlertProperties;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether a successful backup departs from the target's previous ones: its total rows or size below
 * {@code minRatio} or above {@code maxRatio} of their median, or a table that lost more than {@code maxTableLoss}
 * of its median rows. Nothing is judged before {@code minHistory} previous backups (per table: backups containing
 * it), and nothing against a median of zero.
 */
final class AnomalyRules {

    /** What is compared of one backup. */
    record Snapshot(long sizeBytes, long totalRows, Map<String, Long> rowCounts) {
    }

    private AnomalyRules() {
    }

    /**
     * @param history the previous backups, newest first (at most N)
     * @return one line per departure; empty when the backup looks like its history
     */
    static List<String> findings(Snapshot backup, List<Snapshot> history, AlertProperties.Anomaly rules) {
        List<String> findings = new ArrayList<>();
        if (history.size() < rules.minHistory()) {
            return findings;
        }
        String of = ", median of the last " + history.size() + " backups ";

        double rows = median(history.stream().mapToLong(Snapshot::totalRows).toArray());
        if (rows > 0 && outside(backup.totalRows() / rows, rules)) {
            findings.add("total rows: " + backup.totalRows() + of + Math.round(rows) + " ("
                    + percent(backup.totalRows() / rows) + ")");
        }
        double size = median(history.stream().mapToLong(Snapshot::sizeBytes).toArray());
        if (size > 0 && outside(backup.sizeBytes() / size, rules)) {
            findings.add("size: " + backup.sizeBytes() + " bytes" + of + Math.round(size) + " bytes ("
                    + percent(backup.sizeBytes() / size) + ")");
        }
        TreeSet<String> tables = new TreeSet<>();
        history.forEach(h -> tables.addAll(h.rowCounts().keySet()));
        for (String table : tables) {
            long[] counts = history.stream().filter(h -> h.rowCounts().containsKey(table))
                    .mapToLong(h -> h.rowCounts().get(table)).toArray();
            if (counts.length < rules.minHistory()) {
                continue;
            }
            double median = median(counts);
            if (median <= 0) {
                continue;
            }
            Long now = backup.rowCounts().get(table);
            String ofTable = ", median of the last " + counts.length + " backups ";
            if (now == null) {
                findings.add(table + ": missing from the backup" + ofTable + Math.round(median) + " rows");
            } else if (1 - now / median > rules.maxTableLoss()) {
                findings.add(table + ": " + now + " rows" + ofTable + Math.round(median) + " ("
                        + percent(now / median) + ")");
            }
        }
        return findings;
    }

    private static boolean outside(double ratio, AlertProperties.Anomaly rules) {
        return ratio < rules.minRatio() || ratio > rules.maxRatio();
    }

    static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
    }

    /** 0.1 -> "10%", 0.004 -> "0.4%". */
    static String percent(double ratio) {
        double p = ratio * 100;
        if (p < 10 && Math.abs(p - Math.round(p)) > 0.05) {
            return String.format(Locale.ROOT, "%.1f%%", p);
        }
        return Math.round(p) + "%";
    }
}
