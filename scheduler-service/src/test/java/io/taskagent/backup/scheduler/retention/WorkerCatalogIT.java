package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.testsupport.ServiceSchemas;
import io.taskagent.backup.scheduler.watchdog.StalenessWatchdog;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler reads the worker's catalog only through the worker's published views: while they are missing (no
 * worker schema, or a worker from before its read contract, whose tables exist) a cleanup and the staleness
 * watchdog fail naming the view, and nothing is decided; once the views exist the cleanup decides over them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WorkerCatalogIT {

    static final String CATALOG = "backup_catalog_it_sched_worker_views";
    static final String TARGET = "sched-wv-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static BrokerProbe broker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.timer-enabled", () -> "false");
        registry.add("scheduler.target", () -> TARGET);
        registry.add("scheduler.stale-after", () -> "1h");
        registry.add("spring.rabbitmq.listener.simple.auto-startup", () -> "false");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    @Autowired
    CleanupService cleanup;
    @Autowired
    StalenessWatchdog watchdog;
    @Autowired
    JdbcClient catalog;

    void cleanupFailsNamingTheView(String situation) {
        UUID job = UUID.randomUUID();
        assertThatThrownBy(() -> cleanup.run(job, true, "it", Instant.now())).as(situation)
                .isInstanceOf(WorkerCatalogException.class)
                .hasMessageStartingWith("reading the worker's worker.v1_backups failed: ")
                .hasMessageContaining("v1_backups");
        assertThat(catalog.sql("SELECT count(*) FROM scheduler.cleanup_runs WHERE job_id = :id").param("id", job)
                .query(Integer.class).single()).as("%s: nothing decided", situation).isZero();
        assertThatThrownBy(() -> watchdog.check(Instant.now().plus(Duration.ofDays(1)))).as(situation)
                .isInstanceOf(WorkerCatalogException.class).hasMessageContaining("worker.v1_backups");
    }

    @Test
    void withoutTheWorkersViewsACleanupFailsNamingTheViewAndWithThemItDecides() {
        cleanupFailsNamingTheView("no worker schema");
        ServiceSchemas.createUpTo(CATALOG, "worker", "5");
        assertThat(catalog.sql("SELECT count(*) FROM worker.backups").query(Integer.class).single()).isZero();
        cleanupFailsNamingTheView("the worker's tables without its views");

        ServiceSchemas.create(CATALOG, "worker");
        UUID kept = UUID.randomUUID();
        UUID newest = UUID.randomUUID();
        Instant at = Instant.now().minus(Duration.ofDays(30));
        for (UUID id : new UUID[]{kept, newest}) {
            catalog.sql("""
                            INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                            VALUES (:id, 'backup', 'manual', :target, 'SUCCEEDED', 'it', :at, :at)""")
                    .param("id", id).param("target", TARGET).param("at", Timestamp.from(at)).update();
            catalog.sql("""
                            INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                        compression, format_version, row_counts, table_count,
                                                        duration_ms, created_at)
                            VALUES (:id, :id, :target, 'manual', :file, 1000, :sha, 'zstd', 1, '{}', 0, 10, :at)""")
                    .param("id", id).param("target", TARGET).param("file", "manual_backup_" + id + ".json.zst")
                    .param("sha", "0".repeat(64)).param("at", Timestamp.from(at)).update();
            at = at.plusSeconds(60);
        }
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, subject_id)
                        VALUES (:id, 'restore', 'restore', :target, 'QUEUED', 'it', now(), :subject)""")
                .param("id", UUID.randomUUID()).param("target", TARGET).param("subject", kept).update();
        UUID job = UUID.randomUUID();
        cleanup.run(job, true, "it", Instant.now());
        CleanupCompleted report = broker.awaitEvent(CleanupCompleted.class, e -> e.jobId().equals(job), WAIT);
        assertThat(report.decisions()).extracting(CleanupCompleted.Decision::backupId)
                .containsExactlyInAnyOrder(kept, newest);
        assertThat(report.decisions()).filteredOn(d -> d.backupId().equals(kept)).singleElement()
                .satisfies(d -> assertThat(d.reasons()).contains("in use by a running restore"));
        Instant lastSuccess = catalog.sql("SELECT created_at FROM worker.backups WHERE id = :id").param("id", newest)
                .query(Timestamp.class).single().toInstant();
        assertThat(watchdog.check(Instant.now().plus(Duration.ofHours(2)))).isTrue();
        assertThat(broker.awaitEvent(BackupStale.class, e -> e.target().equals(TARGET), WAIT).lastSuccessAt())
                .as("the last success, read from worker.v1_backups").isEqualTo(lastSuccess);
    }
}
