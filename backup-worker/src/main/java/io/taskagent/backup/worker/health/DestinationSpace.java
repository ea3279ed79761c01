package io.taskagent.backup.worker.health;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.LocalStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Publishes each destination's free space in the catalog ({@code worker.destination_space}, read by others through
 * {@code worker.v1_destination_space}): at start-up and at each periodic health check ({@link WorkerHealthCheck}).
 * Free space is what {@link BackupStorage#freeBytes()} says (a local destination: the file system's usable space,
 * or what its quota leaves when that is less); null when the destination cannot tell (S3). A catalog that cannot be
 * written is logged and tried again at the next check: the measurement is for display, never a reason to fail the
 * health check or a backup.
 */
@Component
public class DestinationSpace {

    private static final Logger log = LoggerFactory.getLogger(DestinationSpace.class);

    private final JdbcClient jdbc;
    private final Destinations destinations;
    private final String target;
    private final String worker;

    DestinationSpace(JdbcClient jdbc, Destinations destinations, WorkerProperties properties, LeaseKeeper leases) {
        this.jdbc = jdbc;
        this.destinations = destinations;
        this.target = properties.source().target();
        this.worker = leases.worker();
    }

    /** One destination's space as measured. */
    public record Measurement(String destination, String type, Long freeBytes, Long quotaBytes, String error) {
    }

    /** Measures every destination (no catalog access). */
    public List<Measurement> measure() {
        List<Measurement> measured = new ArrayList<>();
        for (BackupStorage storage : destinations.all()) {
            OptionalLong free;
            try {
                free = storage.freeBytes();
            } catch (RuntimeException e) {
                log.debug("free space of destination '{}' unknown: {}", storage.name(), e.toString());
                free = OptionalLong.empty();
            }
            Long quota = storage instanceof LocalStorage local && local.quotaBytes() > 0 ? local.quotaBytes() : null;
            // a local destination always knows its space: none means its directory could not be read
            String error = free.isEmpty() && storage instanceof LocalStorage
                    ? "could not read the free space of " + storage.location() : null;
            measured.add(new Measurement(storage.name(), storage.type(), free.isPresent() ? free.getAsLong() : null,
                    quota, error));
        }
        return measured;
    }

    @EventListener(ApplicationReadyEvent.class)
    void atStartUp() {
        record();
    }

    /** Measures and records every destination; false when the catalog could not be written. */
    public boolean record() {
        try {
            for (Measurement m : measure()) {
                jdbc.sql("""
                                INSERT INTO destination_space (destination, type, target, free_bytes, quota_bytes,
                                                               error, worker_id, checked_at)
                                VALUES (:destination, :type, :target, :free, :quota, :error, :worker, now())
                                ON CONFLICT (destination) DO UPDATE SET type = excluded.type, target = excluded.target,
                                    free_bytes = excluded.free_bytes, quota_bytes = excluded.quota_bytes,
                                    error = excluded.error, worker_id = excluded.worker_id,
                                    checked_at = excluded.checked_at""")
                        .param("destination", m.destination()).param("type", m.type()).param("target", target)
                        .param("free", m.freeBytes()).param("quota", m.quotaBytes()).param("error", m.error())
                        .param("worker", worker)
                        .update();
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("could not record the destinations' free space in the catalog: {}", e.toString());
            return false;
        }
    }
}
