package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.WorkerTestContext;
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
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(45);
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
        // what would end the job if the drop went unnoticed: the source's silence, or the lease
        registry.add("backup.source.socket-timeout", () -> SOCKET_TIMEOUT.toSeconds() + "s");
        registry.add("backup.worker.lease-duration", () -> "2m");
        // the dropped database's terminated connection reads as a lost connection (57P01, 08006), which is retried like
        // a server restart would be; the retry then finds the database gone and fails for good: soon, with this delay
        registry.add("backup.worker.retry-delay", () -> "1s");
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

            // waited for longer than the socket timeout, so that a drop noticed only through it fails below, not here
            BackupFailed failed = broker.awaitEvent(BackupFailed.class, e -> e.jobId().equals(request.jobId()),
                    SOCKET_TIMEOUT.plusSeconds(15));
            Duration noticed = Duration.ofNanos(System.nanoTime() - dropped);
            assertThat(noticed).as("the terminated connection fails the dump at once, not the socket timeout of %s",
                    SOCKET_TIMEOUT).isLessThan(SOCKET_TIMEOUT.dividedBy(3));
            assertThat(failed.reason()).contains("reading source database '" + SOURCE + "'");
            assertThat(failed.attempt()).as("failed by its first worker, not by a take-over").isEqualTo(1);
        }
        // failed for good at once, or by the retry that finds the database gone
        await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(catalog.sql(
                "SELECT status FROM worker.jobs WHERE id = :id").param("id", request.jobId()).query(String.class).single()));
        assertThat(catalog.sql("SELECT error FROM worker.jobs WHERE id = :id").param("id", request.jobId())
                .query(String.class).single()).as("the last attempt's reason: reading the database, or connecting to it"
                        + " again").containsPattern("(reading|cannot connect to) source database '" + SOURCE + "'");
        try (var files = Files.list(storage)) {
            assertThat(files).as("no partial or final file is left").isEmpty();
        }
        assertThat(catalog.sql("SELECT count(*) FROM worker.backups").query(Integer.class).single()).isZero();
    }
}
