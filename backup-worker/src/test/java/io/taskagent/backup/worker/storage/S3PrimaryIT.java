package io.taskagent.backup.worker.storage;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.S3Server;
import io.taskagent.backup.worker.BackupWorkerApplication;
import io.taskagent.backup.worker.WorkerTestContext;
import io.taskagent.backup.worker.format.Encryption;
import io.taskagent.backup.worker.format.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups written straight to S3 (the primary is an S3-protocol server, s3rver, run as its own process), encrypted:
 * back up, verify, restore from nothing with the data fingerprint equal; the bucket holds no readable table name;
 * S3 down during a backup fails the attempt with nothing left and the job is retried once it is back; a second
 * worker on the same bucket with a rotated keyset restores the first one's backup and writes under its new key,
 * which the first worker (old key only) refuses to restore, leaving the target as it was.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3PrimaryIT {

    static final String CATALOG = "backup_catalog_it_s3";
    static final String SOURCE = "taskagent_s3";
    static final String RESTORED = "taskagent_s3_restored";
    static final String RESTORED_BY_B = "taskagent_s3_restored_b";
    static final String BUCKET = "offsite-backups";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    static S3Server s3;
    static KeysetHandle oldKey;
    static KeysetHandle rotated;
    static final Map<String, String> shared = new LinkedHashMap<>();
    static ConfigurableApplicationContext workerB;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        StreamingAeadConfig.register();
        oldKey = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB);
        rotated = KeysetHandle.newBuilder(oldKey).addEntry(KeysetHandle.generateEntryFromParameters(
                PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB).withRandomId().makePrimary()).build();
        s3 = S3Server.start(BUCKET);
        Infrastructure infra = Infrastructure.get();
        for (String db : List.of(SOURCE, RESTORED, RESTORED_BY_B, RESTORED_BY_B + "_new")) {
            infra.dropDatabase(db);
        }
        infra.ensureDatabase(SOURCE);
        ReferenceDataset.load(infra, SOURCE, 1);
        Path local = WorkerTestContext.register(new DynamicPropertyRegistry() {
            @Override
            public void add(String name, java.util.function.Supplier<Object> value) {
                shared.put(name, String.valueOf(value.get()));
                registry.add(name, value);
            }
        }, CATALOG, SOURCE);
        Map<String, String> s3Settings = new LinkedHashMap<>(s3.destinationProperties("offsite", BUCKET,
                "taskagent/prod"));
        s3Settings.put("backup.storage.primary", "offsite");
        s3Settings.put("backup.worker.retry-delay", "1s");
        s3Settings.put("backup.restore.targets.restored.url", infra.jdbcUrl(RESTORED));
        s3Settings.put("backup.restore.targets.restored.username", infra.pgUser);
        s3Settings.put("backup.restore.targets.restored.password", infra.pgPassword == null ? "" : infra.pgPassword);
        shared.putAll(s3Settings);
        s3Settings.forEach((k, v) -> registry.add(k, () -> v));
        registry.add("backup.encryption.keyset", () -> Encryption.toJson(oldKey));
        Files.deleteIfExists(local);
    }

    @AfterAll
    static void stop() {
        if (workerB != null) {
            workerB.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;
    @Autowired
    RabbitListenerEndpointRegistry listeners;

    private BackupCompleted backUp() {
        return WorkerTestContext.backUp(publisher, events);
    }

    private RequestRestore restore(UUID backup, String newDatabase) {
        RequestRestore request = RequestRestore.of(UUID.randomUUID(), "taskagent", backup, null, null, false, false,
                null, newDatabase, "it");
        publisher.publishCommand(request);
        return request;
    }

    private List<Path> objects() throws Exception {
        try (Stream<Path> files = Files.walk(s3.bucketDirectory(BUCKET))) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    @Order(1)
    void anEncryptedBackupGoesToS3VerifiesAndRebuildsTheDatabaseExactly() throws Exception {
        BackupCompleted backup = backUp();
        assertThat(backup.fileName()).endsWith(".json.zst.enc");
        Map<String, Object> row = catalog.sql("""
                        SELECT b.encryption, b.key_id, c.destination, c.status, c.is_primary
                        FROM worker.v1_backups b JOIN worker.v1_backup_copies c ON c.backup_id = b.id
                        WHERE b.job_id = :id""").param("id", backup.jobId()).query().singleRow();
        assertThat(row).containsEntry("encryption", Encryption.ALGORITHM)
                .containsEntry("key_id", (long) oldKey.getPrimary().getId())
                .containsEntry("destination", "offsite").containsEntry("status", "AVAILABLE")
                .containsEntry("is_primary", true);
        // in the bucket: the file and its manifest, neither naming a table
        List<Path> stored = objects().stream().filter(p -> p.toString().contains(backup.fileName())).toList();
        assertThat(stored).isNotEmpty();
        for (Path p : stored) {
            assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1))
                    .as(p.toString()).doesNotContain("public.tasks").doesNotContain("users");
        }
        S3Storage offsite = new S3Storage("offsite", new S3Storage.Settings(BUCKET, "taskagent/prod", s3.endpoint(),
                "us-east-1", true, S3Server.ACCESS_KEY, S3Server.SECRET_KEY, null, null, 5));
        try (offsite; var in = offsite.open(backup.fileName() + ".manifest.json")) {
            Manifest manifest = Manifest.parse(in.readAllBytes());
            assertThat(manifest.keyId()).isEqualTo(oldKey.getPrimary().getId());
            assertThat(manifest.rowCounts()).isEmpty();
            assertThat(manifest.sha256()).isEqualTo(backup.sha256());
        }

        RequestVerify verify = RequestVerify.of(UUID.randomUUID(), "taskagent", backup.jobId(), "it");
        publisher.publishCommand(verify);
        assertThat(events.probe().awaitEvent(VerifyCompleted.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60)).rowCounts()).isEqualTo(backup.rowCounts());

        RequestRestore request = restore(backup.jobId(), RESTORED);
        RestoreCompleted done = events.probe().awaitEvent(RestoreCompleted.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(120));
        assertThat(done.rowCounts()).isEqualTo(backup.rowCounts());
        Infrastructure infra = Infrastructure.get();
        assertThat(ReferenceDataset.fingerprint(infra, RESTORED)).isEqualTo(ReferenceDataset.fingerprint(infra, SOURCE));
    }

    @Test
    @Order(2)
    void s3DownDuringABackupFailsTheAttemptLeavingNothingAndTheJobIsRetriedWhenItIsBack() throws Exception {
        List<Path> before = objects();
        s3.stop();
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "it");
        BackupFailed failed;
        try {
            publisher.publishCommand(request);
            failed = events.probe().awaitEvent(BackupFailed.class, e -> e.jobId().equals(request.jobId()),
                    Duration.ofSeconds(120));
        } finally {
            s3.start();
        }
        assertThat(failed.reason()).contains("'offsite'").contains("attempt 1 of 3");
        assertThat(objects()).as("nothing left by the failed attempt").isEqualTo(before);
        BackupCompleted completed = events.probe().awaitEvent(BackupCompleted.class,
                e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(120));
        assertThat(catalog.sql("SELECT attempts FROM worker.v1_jobs WHERE id = :id").param("id", request.jobId())
                .query(Integer.class).single()).isGreaterThanOrEqualTo(2);
        assertThat(objects().stream().filter(p -> p.toString().contains(completed.fileName()))).isNotEmpty();
    }

    @Test
    @Order(3)
    void aSecondWorkerOnTheSameBucketWithARotatedKeysetReadsOldBackupsAndTheOldKeyCannotReadItsNewOnes()
            throws Exception {
        BackupCompleted old = events.probe().awaitEvent(BackupCompleted.class,
                e -> e.fileName().endsWith(".enc"), Duration.ofSeconds(5));
        Map<String, Object> b = new LinkedHashMap<>(shared);
        b.put("backup.encryption.keyset", Encryption.toJson(rotated));
        b.put("backup.worker.id", "worker-b");
        b.put("server.port", "0");
        listeners.stop(); // commands go to worker B alone meanwhile
        try {
            // as command-line arguments: above application.yml, as the test's own properties are
            workerB = new SpringApplicationBuilder(BackupWorkerApplication.class).web(WebApplicationType.NONE)
                    .run(b.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
            RequestRestore byB = restore(old.jobId(), RESTORED_BY_B);
            assertThat(events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(byB.jobId()),
                    Duration.ofSeconds(120)).rowCounts()).isEqualTo(old.rowCounts());
            BackupCompleted newer = backUp();
            assertThat(catalog.sql("SELECT key_id FROM worker.v1_backups WHERE job_id = :id")
                    .param("id", newer.jobId()).query(Long.class).single())
                    .isEqualTo((long) rotated.getPrimary().getId()).isNotEqualTo((long) oldKey.getPrimary().getId());
            RequestRestore newerByB = restore(newer.jobId(), RESTORED_BY_B + "_new");
            assertThat(events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(newerByB.jobId()),
                    Duration.ofSeconds(120)).rowCounts()).as("the rotated keyset reads its new backups too")
                    .isEqualTo(newer.rowCounts());
            workerB.getBean(RabbitListenerEndpointRegistry.class).stop();
            listeners.start();

            Infrastructure infra = Infrastructure.get();
            List<String> target = ReferenceDataset.fingerprint(infra, RESTORED);
            try (var c = infra.connect(RESTORED); var s = c.createStatement()) {
                s.execute("DELETE FROM task_dependencies"); // the target now differs from the backup: a restore would show
            }
            List<String> changed = ReferenceDataset.fingerprint(infra, RESTORED);
            assertThat(changed).isNotEqualTo(target);
            RequestRestore intoRestored = RequestRestore.of(UUID.randomUUID(), "taskagent", newer.jobId(), null,
                    "restored", false, true, "it");
            publisher.publishCommand(intoRestored);
            RestoreFailed refused = events.probe().awaitEvent(RestoreFailed.class,
                    e -> e.jobId().equals(intoRestored.jobId()), Duration.ofSeconds(60));
            assertThat(refused.reason()).contains("cannot decrypt").contains("no key of it matches");
            assertThat(ReferenceDataset.fingerprint(infra, RESTORED)).as("the target is unchanged").isEqualTo(changed);
        } finally {
            listeners.start();
        }
    }
}
