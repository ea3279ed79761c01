package io.taskagent.backup.worker.storage;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupReplicated;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.ReplicationFailed;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyCompleted;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.S3Server;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup written locally and copied off-site (an S3-protocol server, s3rver, its own process): the copy is
 * announced once its digest read back from S3 matches, the catalog lists both copies, a restore reads the named
 * copy, a verification checks each copy (a damaged one is named while the other passes); S3 down during a copy
 * leaves the backup good locally, announces ReplicationFailed and copies it once S3 is back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OffsiteCopiesIT {

    static final String CATALOG = "backup_catalog_it_copies";
    static final String SOURCE = "taskagent_copies";
    static final String FROM_S3 = "taskagent_copies_from_s3";
    static final String FROM_LOCAL = "taskagent_copies_from_local";
    static final String BUCKET = "copies";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    static S3Server s3;
    static Path local;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        s3 = S3Server.start(BUCKET);
        Infrastructure infra = Infrastructure.get();
        for (String db : List.of(SOURCE, FROM_S3, FROM_LOCAL)) {
            infra.dropDatabase(db);
        }
        infra.ensureDatabase(SOURCE);
        ReferenceDataset.load(infra, SOURCE, 1);
        local = WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.storage.destinations.local.type", () -> "local");
        registry.add("backup.storage.destinations.local.path", local::toString);
        s3.destinationProperties("offsite", BUCKET, "").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("backup.storage.primary", () -> "local");
        registry.add("backup.storage.copies", () -> "offsite");
        registry.add("backup.storage.copy-backoff", () -> "1s");
        registry.add("backup.storage.copy-poll-ms", () -> "500");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    private BackupCompleted backUp() {
        return WorkerTestContext.backUp(publisher, events);
    }

    private List<Map<String, Object>> copies(UUID backup) {
        return catalog.sql("""
                        SELECT destination, status, is_primary, size_bytes, sha256, verified_at IS NOT NULL AS verified,
                               attempts
                        FROM worker.v1_backup_copies WHERE backup_id = :id ORDER BY is_primary DESC""")
                .param("id", backup).query().listOfRows();
    }

    @Test
    @Order(1)
    void aBackupIsCopiedOffsiteVerifiedThereAndRestoresFromTheNamedCopy() throws Exception {
        BackupCompleted backup = backUp();
        BackupReplicated replicated = events.probe().awaitEvent(BackupReplicated.class,
                e -> e.jobId().equals(backup.jobId()), Duration.ofSeconds(60));
        assertThat(replicated.destination()).isEqualTo("offsite");
        assertThat(replicated.sha256()).isEqualTo(backup.sha256());
        assertThat(replicated.sizeBytes()).isEqualTo(backup.sizeBytes());
        List<Map<String, Object>> copies = copies(backup.jobId());
        assertThat(copies).extracting(c -> c.get("destination") + " " + c.get("status") + " " + c.get("is_primary"))
                .containsExactly("local AVAILABLE true", "offsite AVAILABLE false");
        assertThat(copies.get(1)).containsEntry("verified", true).containsEntry("sha256", backup.sha256());
        assertThat(Files.exists(s3.bucketDirectory(BUCKET))).isTrue();

        RequestRestore fromS3 = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, FROM_S3, "offsite", "it");
        publisher.publishCommand(fromS3);
        events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(fromS3.jobId()), Duration.ofSeconds(120));
        assertThat(catalog.sql("SELECT result->>'destination' FROM worker.v1_jobs WHERE id = :id")
                .param("id", fromS3.jobId()).query(String.class).single()).isEqualTo("offsite");
        Infrastructure infra = Infrastructure.get();
        assertThat(ReferenceDataset.fingerprint(infra, FROM_S3)).isEqualTo(ReferenceDataset.fingerprint(infra, SOURCE));

        // the local copy damaged: verification names that copy and passes the other; a restore falls back to S3
        Path file = local.resolve(backup.fileName());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        RequestVerify verify = RequestVerify.of(UUID.randomUUID(), "taskagent", backup.jobId(), "it");
        publisher.publishCommand(verify);
        VerifyFailed failed = events.probe().awaitEvent(VerifyFailed.class, e -> e.jobId().equals(verify.jobId()),
                Duration.ofSeconds(60));
        assertThat(failed.problems()).allMatch(p -> p.startsWith("copy on 'local': ")).isNotEmpty();
        assertThat(catalog.sql("SELECT result->'copies'->'offsite'->'problems' FROM worker.v1_jobs WHERE id = :id")
                .param("id", verify.jobId()).query(String.class).single()).isEqualTo("[]");
        assertThat(copies(backup.jobId())).extracting(c -> c.get("destination") + " " + c.get("status"))
                .as("the damaged copy is never read or counted again").containsExactly("local DAMAGED", "offsite AVAILABLE");

        RequestRestore anyCopy = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, FROM_LOCAL, "it");
        publisher.publishCommand(anyCopy);
        events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(anyCopy.jobId()), Duration.ofSeconds(120));
        assertThat(catalog.sql("SELECT result->>'destination' FROM worker.v1_jobs WHERE id = :id")
                .param("id", anyCopy.jobId()).query(String.class).single())
                .as("the damaged local copy is skipped").isEqualTo("offsite");
        RequestRestore damaged = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, "taskagent_copies_never", "local", "it");
        publisher.publishCommand(damaged);
        assertThat(events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(damaged.jobId()),
                Duration.ofSeconds(60)).reason()).contains("no available copy on 'local'");
    }

    @Test
    @Order(2)
    void s3DownDuringACopyKeepsTheBackupLocallyAnnouncesTheFailureAndCopiesItOnceBack() throws Exception {
        s3.stop();
        BackupCompleted backup;
        ReplicationFailed failed;
        try {
            backup = backUp();
            failed = events.probe().awaitEvent(ReplicationFailed.class, e -> e.jobId().equals(backup.jobId()),
                    Duration.ofSeconds(60));
            assertThat(copies(backup.jobId()).get(1)).containsEntry("status", "PENDING");
        } finally {
            s3.start();
        }
        assertThat(failed.destination()).isEqualTo("offsite");
        assertThat(failed.nextAttemptAt()).as("retried").isNotNull();
        assertThat(failed.reason()).contains("'offsite'");
        assertThat(Files.exists(local.resolve(backup.fileName()))).isTrue();
        BackupReplicated replicated = events.probe().awaitEvent(BackupReplicated.class,
                e -> e.jobId().equals(backup.jobId()), Duration.ofSeconds(60));
        assertThat(replicated.attempt()).isGreaterThanOrEqualTo(2);
        assertThat(copies(backup.jobId()).get(1)).containsEntry("status", "AVAILABLE").containsEntry("verified", true);
    }

    @Test
    @Order(3)
    void retentionOfOneDestinationDropsOnlyThatCopyAndNeverTheLastOne() throws Exception {
        BackupCompleted backup = backUp();
        events.probe().awaitEvent(BackupReplicated.class, e -> e.jobId().equals(backup.jobId()), Duration.ofSeconds(60));
        DeleteBackups dropLocal = DeleteBackups.of(UUID.randomUUID(), "taskagent", List.of(new DeleteBackups.Deletion(
                backup.jobId(), backup.fileName(), "local: kept by none of its rules", "local")), 1, "it");
        publisher.publishCommand(dropLocal);
        CleanupCompleted done = events.probe().awaitEvent(CleanupCompleted.class,
                e -> e.jobId().equals(dropLocal.jobId()), Duration.ofSeconds(60));
        assertThat(done.decisions()).singleElement().satisfies(d -> {
            assertThat(d.keep()).isTrue();
            assertThat(d.dropCopies()).containsExactly("local");
        });
        assertThat(done.removedFiles()).contains(backup.fileName(), backup.fileName() + ".manifest.json");
        assertThat(Files.exists(local.resolve(backup.fileName()))).isFalse();
        assertThat(copies(backup.jobId())).extracting(c -> c.get("destination") + " " + c.get("status"))
                .containsExactly("local DELETED", "offsite AVAILABLE");
        assertThat(catalog.sql("SELECT status FROM worker.v1_backups WHERE id = :id").param("id", backup.jobId())
                .query(String.class).single()).isEqualTo("AVAILABLE");

        DeleteBackups dropLast = DeleteBackups.of(UUID.randomUUID(), "taskagent", List.of(new DeleteBackups.Deletion(
                backup.jobId(), backup.fileName(), "offsite: kept by none of its rules", "offsite")), 1, "it");
        publisher.publishCommand(dropLast);
        CleanupCompleted refused = events.probe().awaitEvent(CleanupCompleted.class,
                e -> e.jobId().equals(dropLast.jobId()), Duration.ofSeconds(60));
        assertThat(refused.decisions()).singleElement().satisfies(d -> {
            assertThat(d.dropCopies()).isEmpty();
            assertThat(d.reasons().get(0)).contains("is its last");
        });
        assertThat(copies(backup.jobId())).extracting(c -> c.get("destination") + " " + c.get("status"))
                .containsExactly("local DELETED", "offsite AVAILABLE");
    }
}
