package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.model.job.JobKind;
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

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs whose worker died as often as attempts allow are failed for good by the lease reaper, and each is announced
 * with its own kind's failure event: a restore with RestoreFailed, a verification with VerifyFailed, a cleanup with
 * none; never as a failed backup.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class GiveUpIT {

    static final String CATALOG = "backup_catalog_it_give_up";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        WorkerTestContext.registerWithoutListener(registry, CATALOG);
        registry.add("backup.worker.max-attempts", () -> "1");
        registry.add("backup.worker.reaper-interval-ms", () -> "300");
    }

    @Autowired
    JobStore jobs;
    @Autowired
    JdbcClient catalog;

    /** A job claimed by a worker that died at once: its lease has already expired, with its one attempt used. */
    private UUID abandoned(JobKind kind, UUID subject) {
        UUID id = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(id, kind, kind.label(), "giveup-" + kind.label(), "test", Instant.now(),
                subject));
        assertThat(jobs.claim(id, "dead-worker", JobStoreIT.ENDED)).map(JobStore.Job::attempts).hasValue(1);
        return id;
    }

    private String status(UUID id) {
        return catalog.sql("SELECT status FROM jobs WHERE id = :id").param("id", id).query(String.class).single();
    }

    @Test
    void eachKindIsFailedAndAnnouncedAsItself() {
        UUID backupId = UUID.randomUUID();
        UUID restore = abandoned(JobKind.RESTORE, backupId);
        UUID verify = abandoned(JobKind.VERIFY, backupId);
        UUID cleanup = abandoned(JobKind.CLEANUP, null);

        RestoreFailed restoreFailed = events.probe().awaitEvent(RestoreFailed.class, e -> e.jobId().equals(restore),
                Duration.ofSeconds(30));
        assertThat(restoreFailed.reason()).contains("gave up after 1 attempts");
        assertThat(restoreFailed.database()).isEqualTo("giveup-restore");
        VerifyFailed verifyFailed = events.probe().awaitEvent(VerifyFailed.class, e -> e.jobId().equals(verify),
                Duration.ofSeconds(30));
        assertThat(verifyFailed.problems()).singleElement().asString().contains("gave up");
        await().atMost(Duration.ofSeconds(30)).until(() -> status(cleanup).equals("FAILED"));
        assertThat(status(restore)).isEqualTo("FAILED");
        assertThat(status(verify)).isEqualTo("FAILED");

        Set<UUID> ours = Set.of(restore, verify, cleanup);
        assertThat(events.probe().events().stream().filter(e -> e instanceof BackupFailed).map(BackupMessage::jobId))
                .as("no failed backup announced for other kinds of jobs").noneMatch(ours::contains);
    }
}
