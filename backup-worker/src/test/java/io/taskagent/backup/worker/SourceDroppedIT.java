package io.taskagent.backup.worker;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The source database dropped while the dump streams: the job fails within a bounded time, nothing is left. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SourceDroppedIT {

    static final String CATALOG = "backup_catalog_it_dropped";
    static final String SOURCE = "taskagent_dropped_mid_dump";
    static Path storage;
    static BrokerProbe broker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        ReferenceDataset.ensure(infra, "taskagent_ref", 1);
        infra.dropDatabase(SOURCE);
        try (Connection c = infra.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + SOURCE + " TEMPLATE taskagent_ref");
        }
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.storage.zstd-level", () -> "19"); // slow, so that the drop lands mid-stream
        registry.add("backup.worker.parallelism", () -> "1");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
    }

    @AfterAll
    static void close() {
        broker.close();
        Infrastructure.get().dropDatabase(SOURCE);
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    @Test
    void theJobFailsWithAClearReasonTheTemporaryFileIsRemovedAndBackupFailedIsPublished() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        broker.awaitEvent(BackupStarted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));

        Infrastructure infra = Infrastructure.get();
        try (Connection c = infra.connect("postgres"); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = '" + SOURCE
                        + "' AND application_name = 'taskagent-backup-worker' AND query LIKE 'COPY%'")) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            });
            try (var files = Files.list(storage)) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.contains(".tmp-"));
            }
            long dropped = System.nanoTime();
            s.execute("DROP DATABASE " + SOURCE + " WITH (FORCE)");

            BackupFailed failed = broker.awaitEvent(BackupFailed.class, e -> e.jobId().equals(request.jobId()),
                    Duration.ofSeconds(60));
            assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isLessThan(Duration.ofSeconds(60));
            assertThat(failed.reason()).contains("reading source database '" + SOURCE + "'");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(catalog.sql(
                "SELECT status FROM worker.jobs WHERE id = :id").param("id", request.jobId()).query(String.class).single()));
        try (var files = Files.list(storage)) {
            assertThat(files).as("no partial or final file is left").isEmpty();
        }
        assertThat(catalog.sql("SELECT count(*) FROM worker.backups").query(Integer.class).single()).isZero();
    }
}
