package io.taskagent.backup.worker.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.worker.backup.BackupCopies;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Health component {@code destinations}: each destination can be written, read and listed
 * ({@link BackupStorage#probe}; a wrong bucket or credentials are named, no secret). DOWN when the primary fails
 * (no backup can be written); a failing copy destination is named in the details while backups go on. And the
 * gauges per destination, from the catalog: {@code backup.destination.copies}, {@code backup.destination.bytes},
 * {@code backup.destination.last.copy.seconds} (epoch seconds of the newest copy), {@code backup.destination.pending}
 * and {@code backup.destination.failed}, tagged {@code destination}.
 */
@Component("destinationsHealthIndicator")
class DestinationsHealth implements HealthIndicator {

    private static final long CACHE_MILLIS = 15_000;

    private final Destinations destinations;
    private final BackupCopies copies;
    private static final long PROBE_CACHE_MILLIS = 60_000;
    private volatile List<BackupCopies.DestinationTotals> totals = List.of();
    private volatile Health lastHealth;
    private volatile long healthAt;
    private volatile long totalsAt;

    DestinationsHealth(Destinations destinations, BackupCopies copies, MeterRegistry meters) {
        this.destinations = destinations;
        this.copies = copies;
        for (BackupStorage storage : destinations.all()) {
            gauge(meters, "backup.destination.copies", storage, t -> t.copies(), "available copies held");
            gauge(meters, "backup.destination.bytes", storage, t -> t.bytes(), "bytes of the available copies held");
            gauge(meters, "backup.destination.last.copy.seconds", storage,
                    t -> t.lastCopyAt() == null ? Double.NaN : t.lastCopyAt().getEpochSecond(),
                    "when the newest copy was made (epoch seconds)");
            gauge(meters, "backup.destination.pending", storage, t -> t.pending(), "copies waiting to be made");
            gauge(meters, "backup.destination.failed", storage, t -> t.failed(), "copies given up");
        }
    }

    private void gauge(MeterRegistry meters, String name, BackupStorage storage,
                       ToDoubleFunction<BackupCopies.DestinationTotals> value, String description) {
        Gauge.builder(name, this, h -> h.totals(storage.name()).map(value::applyAsDouble).orElse(0.0))
                .tag("destination", storage.name()).description(description).register(meters);
    }

    private java.util.Optional<BackupCopies.DestinationTotals> totals(String destination) {
        long now = System.currentTimeMillis();
        if (now - totalsAt > CACHE_MILLIS) {
            try {
                totals = copies.totals();
            } catch (RuntimeException e) {
                // the catalog's own health says why; the gauges keep their last values
            }
            totalsAt = now;
        }
        return totals.stream().filter(t -> t.destination().equals(destination)).findFirst();
    }

    /**
     * The destinations' health, probed at most once a minute (a probe writes, reads, lists and deletes an object:
     * requests that cost, and may take the SDK's time-outs on an unreachable endpoint).
     */
    @Override
    public synchronized Health health() {
        long now = System.currentTimeMillis();
        if (lastHealth == null || now - healthAt > PROBE_CACHE_MILLIS) {
            lastHealth = probe();
            healthAt = System.currentTimeMillis();
        }
        return lastHealth;
    }

    private Health probe() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean primaryUp = true;
        for (BackupStorage storage : destinations.all()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("type", storage.type());
            d.put("location", storage.location());
            d.put("role", storage == destinations.primary() ? "primary" : destinations.copies().contains(storage)
                    ? "copy" : "read");
            String problem = WorkerHealthCheck.storageProblem(storage);
            d.put("status", problem == null ? "UP" : "DOWN");
            if (problem != null) {
                d.put("error", problem);
                primaryUp &= storage != destinations.primary();
            }
            storage.freeBytes().ifPresent(free -> d.put("freeBytes", free));
            details.put(storage.name(), d);
        }
        return (primaryUp ? Health.up() : Health.down()).withDetails(details).build();
    }
}
