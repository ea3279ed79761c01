package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Job state changes on the real catalog: a job is finished together with its result document (a reader polling the
 * job never sees it finished without its result), and only the lease owner can finish it, once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class JobStoreIT {

    /**
     * A lease that ended a second before it was given: expired whatever the clock does next (a lease of zero is
     * expired only once {@code now()} has moved on, which a VM's clock stepped back a little does not guarantee).
     */
    static final Duration ENDED = Duration.ofSeconds(-1);

    static final String CATALOG = "backup_catalog_it_worker_jobstore";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        WorkerTestContext.registerWithoutListener(registry, CATALOG);
        // no lease reaper round while a test runs: it would take over the jobs these tests let expire on purpose
        // (between an expired lease and the test's own claim), and the test's claim would then find a live lease
        registry.add("backup.worker.reaper-interval-ms", () -> "3600000");
    }

    @Autowired
    JobStore jobs;
    @Autowired
    JdbcClient jdbc;

    private UUID running(String worker) {
        UUID id = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(id, JobKind.VERIFY, "verify", "it", "test", Instant.now(), null));
        jobs.requestOf(id, "{\"request\":{\"dry_run\":true}}");
        assertThat(jobs.claim(id, worker, Duration.ofMinutes(1))).map(JobStore.Job::attempts).hasValue(1);
        return id;
    }

    private Map<String, Object> row(UUID id) {
        return jdbc.sql("SELECT status, result::text AS result, error FROM jobs WHERE id = :id").param("id", id)
                .query().singleRow();
    }

    @Test
    void succeedingStoresStatusAndResultInOneStepAndOnlyOnce() {
        UUID id = running("w1");
        assertThat(jobs.succeed(id, "w2", "{\"tables\":{}}")).as("not the lease owner").isFalse();
        assertThat(row(id).get("status")).isEqualTo("RUNNING");

        assertThat(jobs.succeed(id, "w1", "{\"tables\":{\"public.tasks\":{\"backup\":3}}}")).isTrue();
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).isEqualTo("SUCCEEDED");
        assertThat((String) row.get("result")).contains("\"public.tasks\"").doesNotContain("request");

        assertThat(jobs.succeed(id, "w1", "{\"tables\":{}}")).as("a finished job stays finished").isFalse();
        jobs.requestOf(id, "{\"request\":{\"dry_run\":false}}");
        assertThat((String) row(id).get("result")).as("a redelivered request leaves the result alone")
                .contains("\"public.tasks\"").doesNotContain("request");
    }

    @Test
    void failingStoresReasonAndResultTogetherAndWithoutAResultKeepsTheStoredOne() {
        UUID id = running("w1");
        assertThat(jobs.fail(id, "w1", "checksum mismatch", "{\"problems\":[\"checksum mismatch\"]}")).isTrue();
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).isEqualTo("FAILED");
        assertThat(row.get("error")).isEqualTo("checksum mismatch");
        assertThat((String) row.get("result")).contains("checksum mismatch");

        UUID other = running("w1");
        assertThat(jobs.fail(other, "w1", "target missing")).isTrue();
        assertThat((String) row(other).get("result")).as("the request kept for a take-over stays").contains("dry_run");
    }

    @Test
    void everyTransitionFollowsTheTableAndTheLease() {
        UUID id = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(id, JobKind.BACKUP, "manual", "it", "test", Instant.now(), null));
        assertThat(jobs.status(id)).hasValue(JobStatus.QUEUED);
        assertThat(jobs.fail(id, "w1", "no")).as("QUEUED -> FAILED is not in the table").isFalse();
        assertThat(jobs.abandon(id, "no")).isFalse();
        assertThat(jobs.status(id)).hasValue(JobStatus.QUEUED);

        assertThat(jobs.claim(id, "w1", Duration.ofMinutes(1))).map(JobStore.Job::attempts).hasValue(1);
        assertThat(jobs.claim(id, "w2", Duration.ofMinutes(1))).as("a live lease").isEmpty();
        assertThat(jobs.abandon(id, "no")).as("only a job whose lease expired is abandoned").isFalse();
        assertThat(jobs.releaseClaim(id, "w2")).as("not w2's claim").isFalse();

        assertThat(jobs.releaseClaim(id, "w1")).isTrue();
        assertThat(jobs.expiredLeases()).contains(id);
        assertThat(jobs.claim(id, "w2", Duration.ofMinutes(1))).as("RUNNING -> RUNNING, the released attempt uncounted")
                .map(JobStore.Job::attempts).hasValue(1);
        assertThat(jobs.succeed(id, "w1")).as("w1 lost the lease").isFalse();
        assertThat(jobs.succeed(id, "w2")).isTrue();

        assertThat(jobs.claim(id, "w3", Duration.ZERO)).as("nothing leaves a final state").isEmpty();
        assertThat(jobs.fail(id, "w2", "no")).isFalse();
        assertThat(jobs.status(id)).hasValue(JobStatus.SUCCEEDED);
        assertThat(jobs.find(id)).map(JobStore.Job::kind).hasValue(JobKind.BACKUP);
    }

    @Test
    void everyAttemptIsRecordedWithItsWorkerTheTakeOverAndHowItEndedInTheReadContract() {
        UUID id = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(id, JobKind.BACKUP, "manual", "it", "test", Instant.now(), null));
        assertThat(jobs.claim(id, "w1", ENDED)).isPresent(); // its lease ended at once: w1 "dies"
        assertThat(jobs.claim(id, "w2", Duration.ofMinutes(1))).map(JobStore.Job::attempts).hasValue(2);
        assertThat(jobs.retryLater(id, "w2", ENDED, "source database unreachable")).isTrue();
        assertThat(jobs.claim(id, "w2", Duration.ofMinutes(1))).map(JobStore.Job::attempts).hasValue(3);
        assertThat(jobs.handBack(id, "w2", "worker shutting down")).isTrue();
        assertThat(jobs.claim(id, "w3", Duration.ofMinutes(1))).as("the handed-back attempt is not counted")
                .map(JobStore.Job::attempts).hasValue(3);
        assertThat(jobs.releaseClaim(id, "w3")).isTrue(); // a claim undone before it ran leaves no attempt
        assertThat(jobs.claim(id, "w1", Duration.ofMinutes(1))).map(JobStore.Job::attempts).hasValue(3);
        assertThat(jobs.succeed(id, "w1")).isTrue();

        List<String> attempts = jdbc.sql("""
                        SELECT attempt || ' ' || worker || ' ' || taken_over || ' ' || outcome
                               || coalesce(' ' || error, '') || ' ' || (ended_at >= started_at)
                        FROM v1_job_attempts WHERE job_id = :id ORDER BY started_at""")
                .param("id", id).query(String.class).list();
        assertThat(attempts).containsExactly(
                "1 w1 false LEASE_EXPIRED true",
                "2 w2 true RETRY source database unreachable true",
                "3 w2 true HANDED_BACK worker shutting down true",
                "3 w1 true SUCCEEDED true");

        UUID given = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(given, JobKind.BACKUP, "manual", "it", "test", Instant.now(), null));
        assertThat(jobs.claim(given, "w1", ENDED)).isPresent();
        assertThat(jobs.abandon(given, "gave up after 1 attempt")).isTrue();
        assertThat(jdbc.sql("SELECT outcome || ' ' || error FROM v1_job_attempts WHERE job_id = :id")
                .param("id", given).query(String.class).list())
                .as("given up while its worker held it: that attempt lost its lease")
                .containsExactly("LEASE_EXPIRED gave up after 1 attempt");
    }
}
