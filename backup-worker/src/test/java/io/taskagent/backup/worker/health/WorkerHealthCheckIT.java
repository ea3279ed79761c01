package io.taskagent.backup.worker.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's health check against a source database that does not exist, a free-space threshold no disk meets
 * and a storage directory that disappears: each problem is announced, the events of one check share its job id,
 * and the storage gauges report.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerHealthCheckIT {

    static final String CATALOG = "backup_catalog_it_worker_health";
    static final String MISSING = "taskagent_health_it_missing";
    static final String TARGET = "health-it-" + UUID.randomUUID().toString().substring(0, 8);
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.dropDatabase(MISSING);
        storage = Files.createTempDirectory("health-it");
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("spring.rabbitmq.listener.simple.auto-startup", () -> "false");
        registry.add("backup.source.target", () -> TARGET);
        registry.add("backup.source.url", () -> infra.jdbcUrl(MISSING));
        registry.add("backup.source.username", () -> infra.pgUser);
        registry.add("backup.source.password", () -> infra.pgPassword);
        registry.add("backup.storage.dir", () -> storage.toString());
        registry.add("backup.health.min-free-disk", () -> "1000TB");
    }

    @Autowired
    WorkerHealthCheck health;
    @Autowired
    MeterRegistry meters;
    @Autowired
    org.springframework.jdbc.core.simple.JdbcClient jdbc;

    @Test
    void everyDestinationsFreeSpaceIsPublishedAtStartUpAndByEachCheck() {
        java.sql.Timestamp atStartUp = jdbc.sql("SELECT checked_at FROM v1_destination_space WHERE destination = 'local'")
                .query(java.sql.Timestamp.class).single();
        assertThat(atStartUp).as("recorded at start-up").isNotNull();

        health.check();
        java.util.Map<String, Object> row = jdbc.sql("""
                        SELECT type, target, free_bytes, quota_bytes, error, worker_id, checked_at
                        FROM v1_destination_space WHERE destination = 'local'""").query().singleRow();
        assertThat(row.get("type")).isEqualTo("local");
        assertThat(row.get("target")).isEqualTo(TARGET);
        assertThat((Long) row.get("free_bytes")).isPositive();
        assertThat(row.get("quota_bytes")).isNull();
        assertThat(row.get("error")).isNull();
        assertThat((String) row.get("worker_id")).isNotBlank();
        assertThat((java.sql.Timestamp) row.get("checked_at")).isAfterOrEqualTo(atStartUp);
    }

    @Test
    void everyProblemIsAnnouncedUnderTheChecksJobId() throws Exception {
        Files.write(storage.resolve("interval_backup_20261128_000000_abcdef12.json.zst"), new byte[1234]);
        assertThat(meters.get("backup.storage.used.bytes").gauge().value()).isEqualTo(1234);
        assertThat(meters.get("backup.storage.free.bytes").gauge().value()).isPositive();

        List<BackupMessage> problems = health.check();
        assertThat(problems).hasSize(2);
        HealthCheckFailed source = (HealthCheckFailed) problems.get(0);
        assertThat(source.component()).isEqualTo("source");
        assertThat(source.detail()).contains(MISSING).doesNotContain("password");
        DiskSpaceLow disk = (DiskSpaceLow) problems.get(1);
        assertThat(disk.thresholdBytes()).isEqualTo(1000L * 1024 * 1024 * 1024 * 1024);
        assertThat(disk.freeBytes()).isLessThan(disk.thresholdBytes());
        assertThat(disk.path()).isEqualTo(storage.toString());
        assertThat(disk.jobId()).isEqualTo(source.jobId());
        events.probe().awaitEvent(HealthCheckFailed.class, e -> e.messageId().equals(source.messageId()), Duration.ofSeconds(20));
        events.probe().awaitEvent(DiskSpaceLow.class, e -> e.messageId().equals(disk.messageId()), Duration.ofSeconds(20));
        assertThat(storage).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".health"));

        Files.delete(storage.resolve("interval_backup_20261128_000000_abcdef12.json.zst"));
        Files.delete(storage);
        try {
            assertThat(health.check()).filteredOn(p -> p instanceof HealthCheckFailed)
                    .extracting(p -> ((HealthCheckFailed) p).component()).containsExactly("source", "storage");
        } finally {
            Files.createDirectories(storage);
        }
    }
}
