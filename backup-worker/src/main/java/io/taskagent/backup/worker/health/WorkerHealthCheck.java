package io.taskagent.backup.worker.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.LocalStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * The worker's part of the periodic health check ({@code backup.health.interval}): the source database answers,
 * every destination can be written, read and listed ({@link BackupStorage#probe}: a wrong bucket or credentials are
 * named), and a local destination's free space is above {@code backup.health.min-free-disk}. A failure is announced
 * with {@link HealthCheckFailed} (component {@code source}, or {@code storage} for the primary and
 * {@code storage:<name>} for another destination), low space with {@link DiskSpaceLow}; the events of one check
 * share a fresh job id. Each local destination's used and free bytes are gauges ({@code backup.storage.used.bytes},
 * {@code backup.storage.free.bytes}, tagged {@code destination}); every destination's free space is recorded in the
 * catalog for the other services ({@link DestinationSpace}, {@code worker.v1_destination_space}). The catalog and the
 * broker are the scheduler's part.
 */
@Component
public class WorkerHealthCheck implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(WorkerHealthCheck.class);

    private final WorkerProperties worker;
    private final HealthProperties properties;
    private final Destinations destinations;
    private final ConfirmingPublisher publisher;
    private final DestinationSpace space;

    WorkerHealthCheck(WorkerProperties worker, HealthProperties properties, Destinations destinations,
                      ConfirmingPublisher publisher, MeterRegistry meters, DestinationSpace space) {
        this.worker = worker;
        this.properties = properties;
        this.destinations = destinations;
        this.publisher = publisher;
        this.space = space;
        for (BackupStorage storage : destinations.all()) {
            if (storage instanceof LocalStorage local) {
                Gauge.builder("backup.storage.free.bytes", local, WorkerHealthCheck::freeBytes)
                        .tag("destination", local.name())
                        .description("usable space of a local backup destination").baseUnit("bytes").register(meters);
                Gauge.builder("backup.storage.used.bytes", local, WorkerHealthCheck::usedBytes)
                        .tag("destination", local.name())
                        .description("bytes of the files in a local backup destination").baseUnit("bytes")
                        .register(meters);
            }
        }
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(new FixedDelayTask(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                log.warn("health check failed to run: {}", e.toString());
            }
        }, properties.interval(), properties.interval()));
    }

    /** One check; returns the events it raised (published unless the broker is down). */
    public List<BackupMessage> check() {
        UUID checkId = UUID.randomUUID();
        String target = worker.source().target();
        List<BackupMessage> problems = new ArrayList<>();
        String source = sourceProblem();
        if (source != null) {
            problems.add(new HealthCheckFailed(UUID.randomUUID(), checkId, target, Instant.now(),
                    BackupMessage.CURRENT_VERSION, "source", source));
        }
        for (BackupStorage storage : destinations.all()) {
            String component = storage == destinations.primary() ? "storage" : "storage:" + storage.name();
            String writable = storageProblem(storage);
            if (writable != null) {
                problems.add(new HealthCheckFailed(UUID.randomUUID(), checkId, target, Instant.now(),
                        BackupMessage.CURRENT_VERSION, component, writable));
            }
            long free = storage.freeBytes().orElse(-1);
            long threshold = properties.minFreeDisk().toBytes();
            if (free >= 0 && free < threshold) {
                problems.add(new DiskSpaceLow(UUID.randomUUID(), checkId, target, Instant.now(),
                        BackupMessage.CURRENT_VERSION, storage.location(), free, threshold));
            }
        }
        for (BackupMessage problem : problems) {
            log.warn("health check: {}", problem);
            try {
                publisher.publishEvent(problem);
            } catch (PublishException e) {
                log.error("health check: could not announce {}: {}", problem.getClass().getSimpleName(), e.getMessage());
            }
        }
        space.record();
        if (problems.isEmpty()) {
            log.debug("health check: source database, storage and free space are fine");
        }
        return problems;
    }

    private String sourceProblem() {
        WorkerProperties.Source source = worker.source();
        Properties connection = new Properties();
        connection.setProperty("user", source.username());
        if (source.password() != null) {
            connection.setProperty("password", source.password());
        }
        connection.setProperty("connectTimeout", String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        connection.setProperty("socketTimeout", String.valueOf(Math.max(1, source.connectTimeout().toSeconds())));
        try (Connection c = DriverManager.getConnection(source.url(), connection); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            return "cannot reach source database '" + source.target() + "' at " + hostOf(source.url()) + ": "
                    + e.getMessage();
        }
    }

    private static String hostOf(String url) {
        String rest = url.substring("jdbc:postgresql:".length());
        int query = rest.indexOf('?');
        return (query < 0 ? rest : rest.substring(0, query)).replaceFirst("^//", "");
    }

    /** Null when the destination can be written, read and listed, else what failed (named, no secret). */
    public static String storageProblem(BackupStorage storage) {
        try {
            storage.probe();
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }

    static double freeBytes(LocalStorage storage) {
        return storage.freeBytes().orElse(-1);
    }

    static double usedBytes(LocalStorage storage) {
        try {
            return storage.list().stream().mapToLong(BackupStorage.StoredObject::sizeBytes).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }
}
