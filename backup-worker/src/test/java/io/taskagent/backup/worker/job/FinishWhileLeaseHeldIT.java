package io.taskagent.backup.worker.job;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.testsupport.TemporaryPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue #16, bug found by the database outage scenario: the write that finishes a job (here a failed attempt to be
 * retried, with its BackupFailed stored in the outbox in the same transaction) is tried again while the catalog is
 * down for as long as the job's lease is surely this worker's, on a real PostgreSQL server stopped and started:
 * an outage shorter than the lease leaves the attempt recorded and its event stored (the job is not left RUNNING
 * until a take-over); one longer than the lease ends the tries before any other worker could claim the job, which
 * a take-over then does.
 */
class FinishWhileLeaseHeldIT {

    static TemporaryPostgres pg;
    static HikariDataSource dataSource;
    static JobStore jobs;
    static JdbcClient jdbc;
    static EventOutbox outbox;

    @BeforeAll
    static void catalog() {
        pg = TemporaryPostgres.start();
        pg.createDatabase("lease_it");
        Flyway.configure().dataSource(pg.jdbcUrl("lease_it"), pg.user(), "").schemas("worker")
                .defaultSchema("worker").locations("classpath:db/migration/worker").load().migrate();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(pg.jdbcUrl("lease_it"));
        dataSource.setUsername(pg.user());
        dataSource.setSchema("worker");
        dataSource.setMaximumPoolSize(2);
        dataSource.setConnectionTimeout(1500); // a stopped server fails each try within this
        jdbc = JdbcClient.create(dataSource);
        jobs = new JobStore(jdbc);
    }

    @AfterAll
    static void stop() {
        if (dataSource != null) {
            dataSource.close();
        }
        if (pg != null) {
            if (!pg.accepting()) {
                pg.startServer();
            }
            pg.close();
        }
    }

    /** The pool has a connection again (it reconnects by itself; the first tries may still meet its back-off). */
    private static void poolRecovered() {
        await("the pool reconnected").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> jdbc.sql("SELECT 1").query(Integer.class).single() == 1);
    }

    private static EventOutbox outbox(LeaseKeeper leases) {
        // publishing is not tried here (commit only stores the events): no broker needed
        return new EventOutbox(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)), null,
                new SimpleMeterRegistry(), new Retry(1, Duration.ofMillis(100)), Duration.ofSeconds(30), leases);
    }

    private static UUID claimed(String worker, Duration lease) {
        poolRecovered();
        UUID id = UUID.randomUUID();
        jobs.insertIfAbsent(new JobStore.NewJob(id, JobKind.BACKUP, "manual", "it", "test", Instant.now(), null));
        assertThat(jobs.claim(id, worker, lease)).isPresent();
        return id;
    }

    private static Map<String, Object> row(UUID id) {
        return jdbc.sql("""
                        SELECT status, lease_owner, error, attempts,
                               (SELECT count(*) FROM outbox o WHERE o.job_id = j.id) AS events
                        FROM jobs j WHERE id = :id""")
                .param("id", id).query().singleRow();
    }

    @Test
    void aFailedAttemptIsRecordedWithItsEventWhenTheCatalogComesBackWithinTheLease() throws Exception {
        LeaseKeeper leases = new LeaseKeeper(jobs, "w1", Duration.ofSeconds(30));
        EventOutbox events = outbox(leases);
        UUID id = claimed("w1", leases.lease());
        AtomicInteger tries = new AtomicInteger();
        BackupFailed failed = BackupFailed.of(id, "it", "manual", "source lost (attempt 1 of 3)", 1);
        try (LeaseKeeper.Heartbeat ignored = leases.keep(id)) {
            pg.stopServer();
            long down = System.nanoTime();
            CompletableFuture<Boolean> finishing = CompletableFuture.supplyAsync(() -> leases.whileHeld(id,
                    "recording the failed attempt of job " + id, () -> {
                        tries.incrementAndGet();
                        return events.commit(() -> jobs.retryLater(id, "w1", Duration.ofSeconds(1),
                                "source lost (attempt 1 of 3)"), failed);
                    }));
            // the write fails while the server is down, and is tried again (not given up after a fixed count)
            await().atMost(Duration.ofSeconds(15)).until(() -> tries.get() >= 4);
            assertThat(finishing).isNotDone();
            pg.startServer();
            long outage = (System.nanoTime() - down) / 1_000_000;
            assertThat(finishing.get(15, TimeUnit.SECONDS)).as("recorded once the catalog was back").isTrue();
            System.out.printf("lease-held finish: catalog down %d ms, the write went through at try %d%n", outage,
                    tries.get());
        }
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).isEqualTo("RUNNING"); // to be retried: its lease ends after the retry delay
        assertThat(row.get("lease_owner")).isNull();
        assertThat(row.get("error")).isEqualTo("source lost (attempt 1 of 3)");
        assertThat(row.get("events")).as("its BackupFailed stored with it, for the outbox to publish").isEqualTo(1L);
        // and it is taken over, as a new attempt, once the retry delay passed
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.claim(id, "w2", Duration.ofSeconds(30)).isPresent());
        assertThat(row(id).get("attempts")).isEqualTo(2);
    }

    @Test
    void triesEndWhileTheLeaseIsStillSurelyOursAndTheJobIsThenTakenOver() {
        LeaseKeeper leases = new LeaseKeeper(jobs, "w1", Duration.ofSeconds(6)); // held 5 s (less a 1 s margin)
        UUID id = claimed("w1", leases.lease());
        AtomicInteger tries = new AtomicInteger();
        long started;
        try (LeaseKeeper.Heartbeat ignored = leases.keep(id)) {
            pg.stopServer();
            started = System.nanoTime();
            assertThatThrownBy(() -> leases.whileHeld(id, "recording failure of job " + id, () -> {
                tries.incrementAndGet();
                return jobs.fail(id, "w1", "broken");
            })).satisfies(e -> assertThat(LeaseKeeper.catalogUnavailable(e)).isTrue());
        }
        long tried = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("lease-held finish: gave up after %d ms and %d tries (lease 6 s)%n", tried, tries.get());
        assertThat(tries.get()).isGreaterThan(1);
        // no try starts once the lease may have run out: the last ends at most a connection time-out after that
        assertThat(tried).as("stopped when the lease could run out").isLessThan(6000 + 1500);
        pg.startServer();
        poolRecovered();
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).as("nothing recorded").isEqualTo("RUNNING");
        assertThat(row.get("lease_owner")).isEqualTo("w1");
        // a take-over claims it once its lease ran out (the catalog's clock), as a new attempt
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.claim(id, "w2", Duration.ofSeconds(30)).isPresent());
        assertThat(jobs.fail(id, "w1", "late")).as("the old attempt's late write changes nothing").isFalse();
    }

    @Test
    void aWriteThatIsWrongItselfIsNotTriedAgain() {
        LeaseKeeper leases = new LeaseKeeper(jobs, "w1", Duration.ofSeconds(30));
        UUID id = claimed("w1", leases.lease());
        AtomicInteger tries = new AtomicInteger();
        try (LeaseKeeper.Heartbeat ignored = leases.keep(id)) {
            assertThatThrownBy(() -> leases.whileHeld(id, "a broken statement", () -> {
                tries.incrementAndGet();
                return jdbc.sql("UPDATE no_such_table SET x = 1").update();
            })).isNotNull();
        }
        assertThat(tries.get()).isEqualTo(1);
    }
}
