package io.taskagent.backup.worker.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.S3Server;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.backup.BackupCopies;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.LocalStorage;
import io.taskagent.backup.worker.storage.S3Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Destinations in health: a copy destination whose bucket does not exist is named (health stays UP, backups go on
 * to the primary) and announced by the periodic check; a primary that cannot be written is DOWN; the gauges per
 * destination come from the catalog of copies. No secret in any of it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DestinationsHealthIT {

    static final String CATALOG = "backup_catalog_it_dest_health";
    static S3Server s3;
    static Path local;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        s3 = S3Server.start("present");
        local = WorkerTestContext.registerWithoutListener(registry, CATALOG);
        registry.add("backup.storage.destinations.local.type", () -> "local");
        registry.add("backup.storage.destinations.local.path", local::toString);
        registry.add("backup.storage.destinations.offsite.type", () -> "s3");
        registry.add("backup.storage.destinations.offsite.bucket", () -> "missing-bucket");
        registry.add("backup.storage.destinations.offsite.endpoint", s3::endpoint);
        registry.add("backup.storage.destinations.offsite.path-style", () -> "true");
        registry.add("backup.storage.destinations.offsite.access-key-id", () -> S3Server.ACCESS_KEY);
        registry.add("backup.storage.destinations.offsite.secret-access-key", () -> "a-secret-not-to-show");
        registry.add("backup.storage.primary", () -> "local");
        registry.add("backup.storage.copies", () -> "offsite");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Autowired
    DestinationsHealth health;
    @Autowired
    WorkerHealthCheck check;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JdbcClient catalog;
    @Autowired
    BackupCopies copies;

    @Test
    void aWrongBucketIsNamedAndAnnouncedWhileThePrimaryKeepsTheWorkerUp() {
        Health h = health.health();
        assertThat(h.getStatus().getCode()).isEqualTo("UP");
        @SuppressWarnings("unchecked")
        Map<String, Object> offsite = (Map<String, Object>) h.getDetails().get("offsite");
        assertThat(offsite).containsEntry("status", "DOWN").containsEntry("role", "copy");
        assertThat((String) offsite.get("error")).contains("bucket 'missing-bucket' does not exist");
        assertThat(h.getDetails().toString()).doesNotContain("a-secret-not-to-show");

        List<BackupMessage> problems = check.check();
        assertThat(problems).filteredOn(p -> p instanceof HealthCheckFailed).extracting(p -> (HealthCheckFailed) p)
                .filteredOn(p -> p.component().equals("storage:offsite")).singleElement()
                .satisfies(p -> assertThat(p.detail()).contains("missing-bucket").doesNotContain("a-secret-not-to-show"));

        try (S3Storage broken = new S3Storage("offsite", new S3Storage.Settings("missing-bucket", "", s3.endpoint(),
                "us-east-1", true, S3Server.ACCESS_KEY, S3Server.SECRET_KEY, null, null, 8))) {
            Destinations s3First = new Destinations(Map.of("offsite", broken, "local", new LocalStorage("local", local)),
                    "offsite", List.of());
            assertThat(new DestinationsHealth(s3First, copies, new io.micrometer.core.instrument.simple.SimpleMeterRegistry())
                    .health().getStatus().getCode()).as("no backup can be written").isEqualTo("DOWN");
        }
    }

    @Test
    void theGaugesPerDestinationComeFromTheCatalogOfCopies() {
        UUID id = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at)
                        VALUES (:id, 'backup', 'manual', 'taskagent', 'SUCCEEDED', 'it', now());
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                    compression, format_version, row_counts, table_count, duration_ms,
                                                    created_at)
                        VALUES (:id, :id, 'taskagent', 'manual', 'manual_backup_gauge.json.zst', 4321, :sha, 'zstd', 2,
                                '{}', 0, 10, now());
                        INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes,
                                                          sha256, copied_at)
                        VALUES (:id, 'local', 'AVAILABLE', true, 4321, :sha, now());
                        INSERT INTO worker.backup_copies (backup_id, destination, status, attempts, next_attempt_at)
                        VALUES (:id, 'offsite', 'PENDING', 1, now())""")
                .param("id", id).param("sha", "0".repeat(64)).update();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(meters.get("backup.destination.bytes").tag("destination", "local").gauge().value())
                    .isEqualTo(4321);
            assertThat(meters.get("backup.destination.copies").tag("destination", "local").gauge().value()).isEqualTo(1);
            assertThat(meters.get("backup.destination.pending").tag("destination", "offsite").gauge().value())
                    .isEqualTo(1);
            assertThat(meters.get("backup.destination.last.copy.seconds").tag("destination", "local").gauge().value())
                    .isPositive();
        });
    }
}
