package io.taskagent.backup.worker.cleanup;

import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
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
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * DeleteBackups through the real broker and the worker's command listener, against a real catalog and storage
 * directory: each backup is checked again, expired in the catalog, its file and manifest removed, leftovers of failed
 * jobs removed, and the outcome published as CleanupCompleted; a redelivered command runs nothing twice; a malformed
 * one is dead-lettered at once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class CleanupIT {

    static final String CATALOG = "backup_catalog_it_worker_cleanup";
    static final String TARGET = "gc-it-" + UUID.randomUUID().toString().substring(0, 8);
    static Path storage;
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        storage = WorkerTestContext.register(registry, CATALOG, "postgres");
        registry.add("backup.source.target", () -> TARGET);
        registry.add("backup.cleanup.orphan-grace", () -> "30m");
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;

    /** A stored backup: job, catalog row, file and manifest. */
    UUID backup(String target, String type, Instant createdAt, int size) throws Exception {
        UUID id = UUID.randomUUID();
        String file = type + "_backup_20261128_100000_" + id.toString().substring(0, 8) + ".json.zst";
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                        VALUES (:id, 'backup', :type, :target, 'SUCCEEDED', 'it', :at, :at)""")
                .param("id", id).param("type", type).param("target", target).param("at", Timestamp.from(createdAt)).update();
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                    compression, format_version, row_counts, table_count, duration_ms,
                                                    created_at)
                        VALUES (:id, :id, :target, :type, :file, :size, :sha, 'zstd', 1, '{}', 0, 10, :at)""")
                .param("id", id).param("target", target).param("type", type).param("file", file).param("size", size)
                .param("sha", "0".repeat(64)).param("at", Timestamp.from(createdAt)).update();
        catalog.sql("""
                        INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256)
                        VALUES (:id, 'local', 'AVAILABLE', true, :size, :sha)""")
                .param("id", id).param("size", size).param("sha", "0".repeat(64)).update();
        Files.write(storage.resolve(file), new byte[size]);
        Files.write(storage.resolve(file + ".manifest.json"), new byte[100]);
        return id;
    }

    String fileOf(UUID backup) {
        return catalog.sql("SELECT file_name FROM worker.backups WHERE id = :id").param("id", backup)
                .query(String.class).single();
    }

    static Path old(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        return file;
    }

    /** The command, once the worker has consumed and acknowledged it (the queue is empty again). */
    private void deliver(DeleteBackups command) {
        publisher.publishCommand(command);
        events.probe().awaitMessageCount(Topology.WORKER_COMMANDS_QUEUE, 0, Duration.ofSeconds(30));
    }

    private String jobState(UUID jobId) {
        return catalog.sql("SELECT status || ': ' || coalesce(error, '') FROM worker.jobs WHERE id = :id")
                .param("id", jobId).query(String.class).optional().orElse("");
    }

    @Test
    void deletesWhatMayGoKeepsWhatMustStayRemovesLeftoversAndReportsIt() throws Exception {
        Instant now = Instant.now();
        UUID expendable = backup(TARGET, "interval", now.minus(Duration.ofDays(40)), 5000);
        UUID verified = backup(TARGET, "interval", now.minus(Duration.ofDays(39)), 4000);
        UUID newest = backup(TARGET, "interval", now.minus(Duration.ofHours(1)), 3000);
        UUID foreign = backup("other-target", "interval", now.minus(Duration.ofDays(50)), 2000);
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, subject_id,
                                                 lease_owner, lease_until)
                        VALUES (:id, 'verify', 'verify', :target, 'RUNNING', 'it', now(), :subject, 'w', now() + interval '1 hour')""")
                .param("id", UUID.randomUUID()).param("target", TARGET).param("subject", verified).update();
        UUID running = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, lease_owner, lease_until)
                        VALUES (:id, 'backup', 'manual', :target, 'RUNNING', 'it', now(), 'w', now() + interval '1 hour')""")
                .param("id", running).param("target", TARGET).update();
        Path leftover = old(Files.write(storage.resolve("manual_backup_20261101_000000_0badc0de.json.zst"), new byte[700]));
        Path leftoverManifest = old(Files.write(storage.resolve("manual_backup_20261101_000000_0badc0de.json.zst.manifest.json"), new byte[50]));
        Path fresh = Files.write(storage.resolve("manual_backup_20261128_000000_0fade0ff.json.zst"), new byte[10]);
        Path beingWritten = old(Files.write(storage.resolve("manual_backup_20261128_000000_" + running.toString().substring(0, 8) + ".json.zst"), new byte[10]));
        Path notABackup = old(Files.write(storage.resolve("README.txt"), new byte[10]));

        DeleteBackups command = DeleteBackups.of(UUID.randomUUID(), TARGET, List.of(
                new DeleteBackups.Deletion(expendable, fileOf(expendable), "kept by no rule"),
                new DeleteBackups.Deletion(verified, fileOf(verified), "kept by no rule"),
                new DeleteBackups.Deletion(newest, fileOf(newest), "kept by no rule"),
                new DeleteBackups.Deletion(foreign, fileOf(foreign), "kept by no rule"),
                new DeleteBackups.Deletion(UUID.randomUUID(), "interval_backup_20200101_000000_12345678.json.zst", "gone")),
                9, "scheduler:cleanup");
        deliver(command);

        CleanupCompleted done = events.probe().awaitEvent(CleanupCompleted.class, e -> e.jobId().equals(command.jobId()),
                Duration.ofSeconds(30));
        assertThat(done.dryRun()).isFalse();
        assertThat(done.removedFiles()).containsExactlyInAnyOrder(fileOf(expendable), fileOf(expendable) + ".manifest.json",
                leftover.getFileName().toString(), leftoverManifest.getFileName().toString());
        assertThat(done.bytesFreed()).isEqualTo(5000 + 100 + 700 + 50);
        assertThat(done.keptCount()).isEqualTo(9 + 3);
        Map<UUID, CleanupCompleted.Decision> decisions = done.decisions().stream()
                .collect(Collectors.toMap(CleanupCompleted.Decision::backupId, d -> d));
        assertThat(decisions).containsOnlyKeys(expendable, verified, newest, foreign);
        assertThat(decisions.get(expendable).keep()).isFalse();
        assertThat(decisions.get(expendable).reasons()).containsExactly("kept by no rule");
        assertThat(decisions.get(verified).reasons()).containsExactly("in use by a running verify");
        assertThat(decisions.get(newest).reasons()).containsExactly("newest");
        assertThat(decisions.get(foreign).reasons()).containsExactly("a backup of 'other-target', not of '" + TARGET + "'");

        assertThat(catalog.sql("SELECT status FROM worker.backups WHERE id = :id").param("id", expendable)
                .query(String.class).single()).isEqualTo("EXPIRED");
        assertThat(catalog.sql("SELECT expired_by FROM worker.backups WHERE id = :id").param("id", expendable)
                .query(UUID.class).single()).isEqualTo(command.jobId());
        assertThat(catalog.sql("SELECT count(*) FROM worker.backups WHERE status = 'AVAILABLE' AND target = :t")
                .param("t", TARGET).query(Integer.class).single()).isEqualTo(2);
        assertThat(Files.exists(storage.resolve(fileOf(expendable)))).isFalse();
        for (UUID stays : List.of(verified, newest, foreign)) {
            assertThat(storage.resolve(fileOf(stays))).exists();
        }
        assertThat(List.of(fresh, beingWritten, notABackup)).allSatisfy(p -> assertThat(p).exists());
        assertThat(catalog.sql("SELECT kind || ' ' || status FROM worker.jobs WHERE id = :id").param("id", command.jobId())
                .query(String.class).single()).isEqualTo("cleanup SUCCEEDED");
        assertThat(catalog.sql("SELECT result->>'bytes_freed' FROM worker.jobs WHERE id = :id")
                .param("id", command.jobId()).query(String.class).single()).isEqualTo("5850");

        // delivered again: the job is finished, the command is acknowledged and nothing runs twice
        long dead = events.probe().messageCount(Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE));
        deliver(command);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                events.probe().messageCount(Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE)) == dead
                        && events.probe().events().stream().filter(e -> e.jobId().equals(command.jobId())).count() == 1);
    }

    @Test
    void aCleanupOfAnotherTargetFailsWithoutTouchingAnything() throws Exception {
        UUID theirs = backup("another-target", "interval", Instant.now().minus(Duration.ofDays(3)), 100);
        DeleteBackups command = DeleteBackups.of(UUID.randomUUID(), "another-target",
                List.of(new DeleteBackups.Deletion(theirs, fileOf(theirs), "kept by no rule")), 0, "it");
        deliver(command);
        await().atMost(Duration.ofSeconds(30)).until(() -> jobState(command.jobId()).startsWith("FAILED"));
        assertThat(jobState(command.jobId())).isEqualTo("FAILED: this worker stores backups of '" + TARGET
                + "', not of 'another-target'");
        assertThat(storage.resolve(fileOf(theirs))).exists();
    }

    @Test
    void aMalformedDeleteBackupsIsDeadLetteredAtOnce() throws Exception {
        String dlq = Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE);
        long before = events.probe().messageCount(dlq);
        UUID jobId = UUID.randomUUID();
        String noDeletions = "{\"type\":\"DeleteBackups\",\"messageId\":\"" + UUID.randomUUID() + "\",\"jobId\":\""
                + jobId + "\",\"target\":\"" + TARGET + "\",\"occurredAt\":\"2026-11-28T10:00:00Z\","
                + "\"version\":1,\"deletions\":null,\"keptCount\":0,\"requestedBy\":\"it\"}";
        events.probe().publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_CLEANUP_EXECUTE, noDeletions.getBytes());
        events.probe().awaitMessageCount(dlq, before + 1, Duration.ofSeconds(30));
        assertThat(jobState(jobId)).as("no job recorded").isEmpty();
    }
}
