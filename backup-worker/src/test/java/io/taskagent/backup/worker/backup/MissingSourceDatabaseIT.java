package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A source database that does not exist: the job fails with a reason naming it, and BackupFailed says so. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class MissingSourceDatabaseIT {

    static final String CATALOG = "backup_catalog_it_worker_missing";
    static final String MISSING = "no_such_database_for_it";
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        WorkerTestContext.purgeCommands(infra);
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.dropDatabase(MISSING);
        storage = Files.createTempDirectory("worker-it-missing");
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("backup.source.url", () -> infra.jdbcUrl(MISSING));
        registry.add("backup.source.password", () -> "not-a-real-secret-4711");
        registry.add("backup.storage.dir", () -> storage.toString());
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    @Test
    void theJobFailsWithAReasonNamingTheDatabaseAndNoFileIsLeft() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);

        BackupFailed failed = events.probe().awaitEvent(BackupFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(60));
        assertThat(failed.reason()).contains(MISSING).doesNotContain("not-a-real-secret-4711");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Object> job = catalog.sql("SELECT status, error FROM worker.jobs WHERE id = :id")
                    .param("id", request.jobId()).query().singleRow();
            assertThat(job.get("status")).isEqualTo("FAILED");
            assertThat((String) job.get("error")).contains(MISSING);
        });
        try (var files = Files.list(storage)) {
            assertThat(files).isEmpty();
        }
    }
}
