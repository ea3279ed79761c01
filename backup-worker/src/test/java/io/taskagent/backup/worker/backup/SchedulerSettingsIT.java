package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The settings the scheduler publishes in its read contract ({@code scheduler.v1_settings}, created here in the
 * test's catalog as the scheduler's migration does): its size limit applies and {@code compression_enabled = false}
 * gives an uncompressed backup that verifies; without the view the worker's own settings apply and its health is DOWN saying
 * so; a view that exists but cannot be read fails the backup with a reason naming it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SchedulerSettingsIT {

    static final String MANAGEMENT = "it-settings-management-secret";

    static final String CATALOG = "backup_catalog_it_scheduler_settings";
    static final String SOURCE = "taskagent_ref";
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        ReferenceDataset.ensure(Infrastructure.get(), SOURCE, 1);
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        // far above any backup here: a limit that applies comes from the view
        registry.add("backup.storage.max-backup-size-mb", () -> "10000");
        registry.add("backup.storage.compression", () -> "zstd");
        registry.add("backup.management.token", () -> MANAGEMENT);
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;
    @Value("${local.server.port}")
    int port;

    /** Replaces the scheduler's view with one selecting {@code columns}, or removes it (null). */
    private static void schedulerView(String columns) throws Exception {
        try (Connection c = Infrastructure.get().connect(CATALOG); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS scheduler CASCADE");
            if (columns != null) {
                s.execute("CREATE SCHEMA scheduler");
                s.execute("CREATE VIEW scheduler.v1_settings AS SELECT " + columns);
            }
        }
    }

    private RequestBackup requestBackup() {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        return request;
    }

    /** The job's status once final. */
    private String finalStatus(UUID jobId) {
        await().atMost(Duration.ofSeconds(120)).until(() -> catalog.sql("SELECT status FROM worker.jobs WHERE id = :id")
                .param("id", jobId).query(String.class).optional()
                .filter(s -> s.equals("SUCCEEDED") || s.equals("FAILED")).isPresent());
        return catalog.sql("SELECT status FROM worker.jobs WHERE id = :id").param("id", jobId).query(String.class).single();
    }

    /** Events stored with the job's outcome, in its transaction: what the worker announced, whatever the broker did. */
    private long announced(UUID jobId, Class<?> type) {
        return catalog.sql("SELECT count(*) FROM worker.outbox WHERE job_id = :id AND message_type = :type")
                .param("id", jobId).param("type", type.getSimpleName()).query(Long.class).single();
    }

    private String health() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/actuator/health"))
                // the details (settings, schedulerSettings) are shown to the management token only
                .header("Authorization", "Bearer " + MANAGEMENT).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    @Test
    void theSchedulersLimitAppliesAndWithoutCompressionTheBackupIsPlainJsonThatVerifies() throws Exception {
        schedulerView("1::integer AS max_backup_size_mb, false AS compression_enabled");
        RequestBackup request = requestBackup();
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(120));
        assertThat(finalStatus(request.jobId())).isEqualTo("SUCCEEDED");

        assertThat(completed.fileName()).matches("manual_backup_\\d{8}_\\d{6}_[0-9a-f]{8}\\.json");
        Path file = storage.resolve(completed.fileName());
        try (var in = Files.newInputStream(file)) {
            assertThat(new String(in.readNBytes(30), java.nio.charset.StandardCharsets.UTF_8))
                    .as("not compressed").startsWith("{\"format\":\"taskagent-backup\"");
        }
        assertThat(Files.readString(storage.resolve(completed.fileName() + ".manifest.json")))
                .contains("\"compression\" : \"none\"");
        assertThat(catalog.sql("SELECT compression FROM worker.backups WHERE job_id = :id").param("id", request.jobId())
                .query(String.class).single()).isEqualTo("none");

        BackupOversized oversized = events.probe().awaitEvent(BackupOversized.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
        assertThat(oversized.limitBytes()).as("the view's 1 MB, not the worker's 10000 MB").isEqualTo(1024 * 1024);
        assertThat(oversized.sizeBytes()).isEqualTo(completed.sizeBytes()).isEqualTo(Files.size(file));

        RequestVerify verify = RequestVerify.of(UUID.randomUUID(), "taskagent", request.jobId(), "it");
        publisher.publishCommand(verify);
        VerifyCompleted verified = events.probe().awaitEvent(VerifyCompleted.class,
                e -> e.jobId().equals(verify.jobId()), Duration.ofSeconds(120));
        assertThat(verified.rowCounts()).isEqualTo(completed.rowCounts());

        assertThat(health()).contains("\"schedulerSettings\":\"scheduler.v1_settings\"")
                .contains("\"maxBackupSizeMb\":1").contains("\"compression\":\"none\"");
    }

    @Test
    void withoutThePublishedViewTheWorkersOwnSettingsApplyAndItsHealthSaysSo() throws Exception {
        schedulerView(null);
        RequestBackup request = requestBackup();
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(120));
        assertThat(finalStatus(request.jobId())).isEqualTo("SUCCEEDED");
        assertThat(completed.fileName()).endsWith(".json.zst");
        assertThat(announced(request.jobId(), BackupCompleted.class)).isEqualTo(1);
        assertThat(announced(request.jobId(), BackupOversized.class)).as("within the worker's own 10000 MB").isZero();

        assertThat(health()).contains("\"status\":\"DOWN\"")
                .contains("\"schedulerSettings\":\"" + SchedulerSettings.NOT_PUBLISHED + "\"")
                .contains("\"maxBackupSizeMb\":10000").contains("\"compression\":\"zstd\"");
    }

    @Test
    void aPublishedViewThatCannotBeReadFailsTheBackupNamingItAndIsAHealthProblem() throws Exception {
        schedulerView("(1 / 0)::integer AS max_backup_size_mb, true AS compression_enabled");
        try {
            RequestBackup request = requestBackup();
            BackupFailed failed = events.probe().awaitEvent(BackupFailed.class,
                    e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(60));
            assertThat(failed.reason()).contains("scheduler.v1_settings").contains("division by zero");
            assertThat(finalStatus(request.jobId())).isEqualTo("FAILED");
            assertThat(catalog.sql("SELECT error FROM worker.jobs WHERE id = :id").param("id", request.jobId())
                    .query(String.class).single()).contains("scheduler.v1_settings");
            assertThat(catalog.sql("SELECT count(*) FROM worker.backups WHERE job_id = :id").param("id", request.jobId())
                    .query(Long.class).single()).isZero();
            assertThat(health()).contains("\"status\":\"DOWN\"").contains("cannot read the scheduler's settings");
        } finally {
            schedulerView(null);
        }
    }
}
