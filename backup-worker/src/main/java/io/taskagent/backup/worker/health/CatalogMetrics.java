package io.taskagent.backup.worker.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a dashboard and an alert rule need from the first scrape on, read from the worker's catalog (so the same for
 * every worker, and there before this worker did anything):
 * <ul>
 * <li>{@code backup.catalog.last.success.seconds{target, type}}: when the newest successful backup of each target and
 *     backup type was recorded (epoch seconds; expired backups count, they succeeded);</li>
 * <li>{@code backup.catalog.backups{target, status}} and {@code backup.catalog.size.bytes{target}}: the backups the
 *     catalog holds by status, and the bytes of the available ones;</li>
 * <li>{@code backup.jobs.active{kind, status}}: queued and running jobs of every kind, across workers (zero
 *     included);</li>
 * <li>{@code backup.outbox.pending}: announced events not yet confirmed by the broker (the outbox backlog).</li>
 * </ul>
 * Refreshed every {@code backup.worker.catalog-metrics-interval-ms} (15 s); a failed read keeps the last values and
 * is logged.
 */
@Component
public class CatalogMetrics {

    private static final Logger log = LoggerFactory.getLogger(CatalogMetrics.class);

    private final JdbcClient catalog;
    private final MultiGauge lastSuccess;
    private final MultiGauge backups;
    private final MultiGauge sizes;
    private final MultiGauge active;
    private final AtomicLong outboxPending = new AtomicLong();

    CatalogMetrics(JdbcClient catalog, MeterRegistry meters) {
        this.catalog = catalog;
        this.lastSuccess = MultiGauge.builder("backup.catalog.last.success.seconds")
                .description("when the newest successful backup of this target and type was recorded (epoch seconds)")
                .register(meters);
        this.backups = MultiGauge.builder("backup.catalog.backups")
                .description("backups in the catalog by status").register(meters);
        this.sizes = MultiGauge.builder("backup.catalog.size.bytes")
                .description("bytes of the available backups").register(meters);
        this.active = MultiGauge.builder("backup.jobs.active")
                .description("queued and running jobs of every worker").register(meters);
        Gauge.builder("backup.outbox.pending", outboxPending, AtomicLong::get)
                .description("events recorded but not yet confirmed by the broker").register(meters);
    }

    private static Tags jobTags(String kind, String status) {
        return Tags.of("kind", kind, "status", status.toLowerCase(java.util.Locale.ROOT));
    }

    @Scheduled(fixedDelayString = "${backup.worker.catalog-metrics-interval-ms:15000}", initialDelay = 0)
    public void refresh() {
        try {
            List<MultiGauge.Row<?>> last = new ArrayList<>();
            catalog.sql("""
                            SELECT target, backup_type, extract(epoch FROM max(created_at)) FROM backups
                            GROUP BY target, backup_type""")
                    .query(rs -> {
                        last.add(MultiGauge.Row.of(Tags.of("target", rs.getString(1), "type", rs.getString(2)),
                                rs.getDouble(3)));
                    });
            lastSuccess.register(last, true);

            List<MultiGauge.Row<?>> counts = new ArrayList<>();
            List<MultiGauge.Row<?>> bytes = new ArrayList<>();
            catalog.sql("""
                            SELECT target, status, count(*),
                                   coalesce(sum(size_bytes) FILTER (WHERE status = 'AVAILABLE'), 0)
                            FROM backups GROUP BY target, status""")
                    .query(rs -> {
                        counts.add(MultiGauge.Row.of(Tags.of("target", rs.getString(1), "status",
                                rs.getString(2).toLowerCase(java.util.Locale.ROOT)), rs.getLong(3)));
                        if ("AVAILABLE".equals(rs.getString(2))) {
                            bytes.add(MultiGauge.Row.of(Tags.of("target", rs.getString(1)), rs.getLong(4)));
                        }
                    });
            backups.register(counts, true);
            sizes.register(bytes, true);

            Map<Tags, Long> jobs = new LinkedHashMap<>();
            for (JobKind kind : JobKind.values()) {
                for (JobStatus status : List.of(JobStatus.QUEUED, JobStatus.RUNNING)) {
                    jobs.put(jobTags(kind.label(), status.name()), 0L);
                }
            }
            catalog.sql("SELECT kind, status, count(*) FROM jobs WHERE status IN ('QUEUED', 'RUNNING') GROUP BY kind, status")
                    .query(rs -> {
                        jobs.put(jobTags(rs.getString(1), rs.getString(2)), rs.getLong(3));
                    });
            List<MultiGauge.Row<?>> jobRows = new ArrayList<>();
            jobs.forEach((tags, n) -> jobRows.add(MultiGauge.Row.of(tags, n)));
            active.register(jobRows, true);

            outboxPending.set(catalog.sql("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    .query(Long.class).single());
        } catch (RuntimeException e) {
            log.warn("catalog metrics not refreshed: {}", e.toString());
        }
    }
}
