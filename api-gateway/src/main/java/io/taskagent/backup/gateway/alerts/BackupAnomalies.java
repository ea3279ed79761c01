package io.taskagent.backup.gateway.alerts;

import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The backups the alert service found anomalous (a backup departing from its target's recent history, e.g. a table
 * shrunk to a tenth), read through its read contract ({@code alerts.v1_backup_anomalies}); the dashboard marks them
 * on the backups chart.
 */
@Component
public class BackupAnomalies {

    static final String ANOMALIES = "alerts.v1_backup_anomalies";

    private final JdbcClient jdbc;

    BackupAnomalies(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One anomalous backup.
     *
     * @param findings   each departure, e.g. {@code public.tasks: 1005 rows, median of the last 3 backups 10050 (10%)}
     * @param detectedAt when the alert service found it
     */
    public record Anomaly(UUID jobId, String target, String backupType, String fileName, Instant completedAt,
                          long sizeBytes, long totalRows, List<String> findings, Instant detectedAt) {
    }

    /** The anomalies of the given backup jobs, by job. */
    public Map<UUID, Anomaly> of(Collection<UUID> jobIds) {
        Map<UUID, Anomaly> found = new LinkedHashMap<>();
        if (jobIds.isEmpty()) {
            return found;
        }
        CatalogUnavailableException.reading(ANOMALIES, () -> {
            jdbc.sql("""
                            SELECT job_id, target, backup_type, file_name, completed_at, size_bytes, total_rows,
                                   findings, detected_at
                            FROM alerts.v1_backup_anomalies WHERE job_id IN (:ids) ORDER BY completed_at""")
                    .param("ids", List.copyOf(jobIds))
                    .query(rs -> {
                        Array findings = rs.getArray("findings");
                        Anomaly a = new Anomaly(rs.getObject("job_id", UUID.class), rs.getString("target"),
                                rs.getString("backup_type"), rs.getString("file_name"),
                                instant(rs.getTimestamp("completed_at")), rs.getLong("size_bytes"),
                                rs.getLong("total_rows"), findings == null ? List.of()
                                : Arrays.stream((Object[]) findings.getArray()).map(String::valueOf).toList(),
                                instant(rs.getTimestamp("detected_at")));
                        found.put(a.jobId(), a);
                    });
            return null;
        });
        return found;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
