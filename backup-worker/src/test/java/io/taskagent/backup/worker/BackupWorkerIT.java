package io.taskagent.backup.worker;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.BackupProgress;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.format.BackupFormat;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The worker on the real broker and database: a backup of the reference dataset, dead-lettering, idempotency. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BackupWorkerIT {

    static final String MANAGEMENT = "it-worker-management-secret";

    static final String CATALOG = "backup_catalog_it_worker";
    static final String SOURCE = "taskagent_ref";
    static Path storage;
    static BrokerProbe broker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.worker.progress-interval", () -> "50ms");
        registry.add("backup.management.token", () -> MANAGEMENT);
        registry.add("backup.storage.max-backup-size-mb", () -> "1");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
        broker.purge(Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE));
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;
    @Value("${local.server.port}")
    int port;

    private String awaitFinalStatus(UUID jobId) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() ->
                catalog.sql("SELECT status FROM worker.jobs WHERE id = :id").param("id", jobId)
                        .query(String.class).optional().filter(s -> s.equals("SUCCEEDED") || s.equals("FAILED"))
                        .isPresent());
        return catalog.sql("SELECT status FROM worker.jobs WHERE id = :id").param("id", jobId)
                .query(String.class).single();
    }

    @Test
    void backsUpEveryRowOfEveryTableOfTheReferenceDatasetWithAManifestThatMatches() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);

        assertThat(awaitFinalStatus(request.jobId())).isEqualTo("SUCCEEDED");
        BackupCompleted completed = broker.awaitEvent(BackupCompleted.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
        broker.awaitEvent(BackupStarted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(5));

        Map<String, Long> expected = ReferenceDataset.rowCounts(Infrastructure.get(), SOURCE);
        assertThat(expected).containsEntry("public.tasks", 200_000L);
        assertThat(completed.rowCounts()).isEqualTo(expected);

        Path file = storage.resolve(completed.fileName());
        assertThat(completed.fileName()).matches("manual_backup_\\d{8}_\\d{6}_[0-9a-f]{8}\\.json\\.zst");
        BackupFileReader contents = BackupFileReader.read(file);
        assertThat(contents.format()).isEqualTo("taskagent-backup");
        assertThat(contents.formatVersion()).isEqualTo(BackupFormat.FORMAT_VERSION);
        assertThat(contents.schema().preData()).contains("CREATE TABLE public.tasks");
        assertThat(contents.schema().postData()).contains("PRIMARY KEY");
        assertThat(contents.rowCounts()).isEqualTo(expected);
        assertThat(contents.metadata().tables()).hasSize(expected.size());
        assertThat(contents.metadata().selfReferencing()).contains("public.tasks");

        String sha;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            sha = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        }
        assertThat(completed.sha256()).isEqualTo(sha);
        assertThat(completed.sizeBytes()).isEqualTo(Files.size(file));
        String manifest = Files.readString(storage.resolve(completed.fileName() + ".manifest.json"));
        assertThat(manifest).contains(sha).contains("\"compression\" : \"zstd\"");

        Map<String, Object> row = catalog.sql("SELECT file_name, sha256, size_bytes FROM worker.backups WHERE job_id = :id")
                .param("id", request.jobId()).query().singleRow();
        assertThat(row).containsEntry("file_name", completed.fileName()).containsEntry("sha256", sha)
                .containsEntry("size_bytes", Files.size(file));
        try (var files = Files.list(storage)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void aMalformedMessageIsDeadLetteredAtOnceAndTheNextRequestStillSucceeds() {
        String dlq = Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE);
        long before = broker.messageCount(dlq);
        broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST, "{not json".getBytes());
        broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST,
                "{\"type\":\"RequestBackup\",\"target\":\"taskagent\"}".getBytes());
        broker.awaitMessageCount(dlq, before + 2, Duration.ofSeconds(20));

        RequestBackup next = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(next);
        assertThat(awaitFinalStatus(next.jobId())).isEqualTo("SUCCEEDED");
    }

    @Test
    void aRedeliveredRequestForAFinishedJobDoesNothing() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "urgent", "it");
        publisher.publishCommand(request);
        assertThat(awaitFinalStatus(request.jobId())).isEqualTo("SUCCEEDED");
        long filesBefore;
        try (var files = Files.list(storage)) {
            filesBefore = files.count();
        }

        publisher.publishCommand(request); // the same command again, as a redelivery would bring it
        RequestBackup marker = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(marker); // processed after the duplicate (one consumer, prefetch 1)
        assertThat(awaitFinalStatus(marker.jobId())).isEqualTo("SUCCEEDED");

        assertThat(catalog.sql("SELECT count(*) FROM worker.backups WHERE job_id = :id").param("id", request.jobId())
                .query(Integer.class).single()).isEqualTo(1);
        assertThat(catalog.sql("SELECT attempts FROM worker.jobs WHERE id = :id").param("id", request.jobId())
                .query(Integer.class).single()).isEqualTo(1);
        try (var files = Files.list(storage)) {
            assertThat(files.count()).isEqualTo(filesBefore + 2); // the marker's file and manifest only
        }
        assertThat(broker.events().stream().filter(e -> e instanceof BackupStarted && e.jobId().equals(request.jobId())))
                .hasSize(1);
    }

    @Test
    void exposesHealthAndPrometheusMetrics() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).as("without the management token: the status alone")
                .contains("\"status\":\"UP\"").doesNotContain("components", "rabbit", "diskSpace", "path", "version");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).header("Authorization", "Bearer " + MANAGEMENT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").contains("rabbit").contains("db")
                .doesNotContain(MANAGEMENT);
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/prometheus")).header("Authorization", "Bearer " + MANAGEMENT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("application=\"backup-worker\"");
    }

    @Test
    void reportsProgressAndAnnouncesABackupAboveTheSizeLimitButKeepsIt() {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        assertThat(awaitFinalStatus(request.jobId())).isEqualTo("SUCCEEDED");
        BackupOversized oversized = broker.awaitEvent(BackupOversized.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(30));
        assertThat(oversized.limitBytes()).isEqualTo(1024 * 1024);
        assertThat(oversized.sizeBytes()).isGreaterThan(oversized.limitBytes());
        assertThat(storage.resolve(oversized.fileName())).exists();
        BackupProgress started = broker.awaitEvent(BackupProgress.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(30));
        assertThat(started.rowsDone()).as("the first report: the phase and the estimate, nothing written yet").isZero();
        BackupProgress progress = broker.awaitEvent(BackupProgress.class, e -> e.jobId().equals(request.jobId())
                && e.rowsDone() > 0, Duration.ofSeconds(30));
        assertThat(progress.rowsEstimated()).isGreaterThan(0);
        assertThat(progress.rowsDone()).isGreaterThan(0).isLessThanOrEqualTo(progress.rowsEstimated());
        assertThat(progress.kind()).isEqualTo("backup");
        assertThat(progress.phase()).isEqualTo("dumping");
        assertThat(progress.tableCount()).isEqualTo(5);
        Map<String, Object> job = catalog.sql("""
                        SELECT rows_done, rows_estimated, tables_done, table_count, phase
                        FROM worker.v1_jobs WHERE id = :id""")
                .param("id", request.jobId()).query().singleRow();
        assertThat((Long) job.get("rows_estimated")).isGreaterThan(300_000L);
        assertThat((Long) job.get("rows_done")).isEqualTo(325_998L);
        assertThat(job).containsEntry("tables_done", 5).containsEntry("table_count", 5)
                .containsEntry("phase", "dumping");
    }

    private BackupCompleted backup() {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(request);
        return broker.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(90));
    }

    private RequestVerify verify(UUID backupId) {
        RequestVerify verify = RequestVerify.of(UUID.randomUUID(), "taskagent", backupId, "it");
        publisher.publishCommand(verify);
        return verify;
    }

    @Test
    void verifyConfirmsAnIntactBackup() {
        BackupCompleted completed = backup();
        RequestVerify verify = verify(completed.jobId());
        VerifyCompleted ok = broker.awaitEvent(VerifyCompleted.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60));
        assertThat(ok.rowCounts()).isEqualTo(completed.rowCounts());
        assertThat(awaitFinalStatus(verify.jobId())).isEqualTo("SUCCEEDED");
    }

    @Test
    void verifyDetectsAFlippedByte() throws Exception {
        BackupCompleted completed = backup();
        Path file = storage.resolve(completed.fileName());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(file, bytes);
        RequestVerify verify = verify(completed.jobId());
        VerifyFailed failed = broker.awaitEvent(VerifyFailed.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60));
        assertThat(failed.problems()).anySatisfy(p -> assertThat(p).startsWith("sha256 is"));
        // and the content itself: a flip that breaks a compressed frame makes it unreadable, one that decompresses to
        // other bytes changes a row (which byte is hit depends on where the middle of the file falls)
        assertThat(failed.problems()).anySatisfy(p -> assertThat(p).containsAnyOf("content unreadable",
                "differs from the recorded"));
        assertThat(awaitFinalStatus(verify.jobId())).isEqualTo("FAILED");
    }

    @Test
    void verifyDetectsATruncatedFile() throws Exception {
        BackupCompleted completed = backup();
        Path file = storage.resolve(completed.fileName());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        RequestVerify verify = verify(completed.jobId());
        VerifyFailed failed = broker.awaitEvent(VerifyFailed.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60));
        assertThat(failed.problems()).anySatisfy(p -> assertThat(p).contains("size is " + (bytes.length - 1000)));
        assertThat(failed.problems()).anySatisfy(p -> assertThat(p).contains("content unreadable"));
    }

    @Test
    void verifyDetectsAFileOfAnotherFormatAndAMissingFile() throws Exception {
        BackupCompleted first = backup();
        Path file = storage.resolve(first.fileName());
        try (var out = new com.github.luben.zstd.ZstdOutputStream(Files.newOutputStream(file))) {
            out.write("PGDMP this is a pg_dump archive, not ours".getBytes());
        }
        RequestVerify verify = verify(first.jobId());
        VerifyFailed failed = broker.awaitEvent(VerifyFailed.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60));
        assertThat(failed.problems()).anySatisfy(p -> assertThat(p).contains("not a taskagent-backup file"));

        BackupCompleted second = backup();
        Files.delete(storage.resolve(second.fileName()));
        RequestVerify missing = verify(second.jobId());
        VerifyFailed gone = broker.awaitEvent(VerifyFailed.class, e -> e.jobId().equals(missing.jobId()),
                Duration.ofSeconds(60));
        assertThat(gone.problems()).singleElement().asString().contains("is missing");

        RequestVerify unknown = verify(UUID.randomUUID());
        assertThat(broker.awaitEvent(VerifyFailed.class, e -> e.jobId().equals(unknown.jobId()), Duration.ofSeconds(60))
                .problems()).singleElement().asString().contains("no backup");
    }
}
