package io.taskagent.backup.scheduler.schedule;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.scheduler.CommandTap;
import io.taskagent.backup.scheduler.retention.CleanupService;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler against the real catalog and broker: nothing on the first start, each slot once whatever the number
 * of replicas, an unconfirmed fire published again with its job. Published requests are observed through a private
 * queue bound to {@code backup.commands}; the target is this test's own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SchedulerIT {

    static final String CATALOG = "backup_catalog_it_scheduler";
    static final String TARGET = "sched-it-" + UUID.randomUUID().toString().substring(0, 8);
    static CommandTap tap;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.timer-enabled", () -> "false"); // the test drives the clock
        registry.add("scheduler.target", () -> TARGET);
        registry.add("scheduler.daily-enabled", () -> "false");
        registry.add("scheduler.weekly-enabled", () -> "false");
        registry.add("scheduler.monthly-enabled", () -> "false");
        registry.add("scheduler.cleanup-time", () -> "12:34"); // never between the ticks of these tests
    }

    @BeforeAll
    static void tap() {
        tap = new CommandTap(TARGET, Topology.RK_BACKUP_REQUEST);
    }

    @AfterAll
    static void close() {
        tap.close();
    }

    @Autowired
    FireLog fires;
    @Autowired
    SettingsStore settings;
    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    CleanupService cleanup;
    @Autowired
    io.taskagent.backup.scheduler.retention.WorkerCatalog workerCatalog;
    @Autowired
    SchedulerProperties properties;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JdbcClient catalog;

    @BeforeEach
    void firstStart() {
        catalog.sql("DELETE FROM scheduler.fires").update();
        catalog.sql("DELETE FROM scheduler.schedules").update();
        catalog.sql("DELETE FROM scheduler.settings").update();
        tap.clear();
    }

    private BackupScheduler replica() {
        return new BackupScheduler(fires, settings, publisher, cleanup, properties, meters, workerCatalog);
    }

    @Test
    void theFirstStartFiresNothingThenEachSlotFiresOnceWhateverTheNumberOfReplicas() throws Exception {
        Instant start = Instant.parse("2026-03-28T13:10:00Z");
        replica().tick(start); // the first start stores the settings: schedules are due from now on
        Instant sameSlot = Instant.parse("2026-03-28T17:59:00Z");
        replica().tick(sameSlot);
        assertThat(tap.awaitExactly(RequestBackup.class, 0, Duration.ofSeconds(1))).as("no backup yet").isEmpty();

        Instant next = Instant.parse("2026-03-28T18:00:30Z");
        List<Thread> threads = List.of(new Thread(() -> replica().tick(next)), new Thread(() -> replica().tick(next)),
                new Thread(() -> replica().tick(next)));
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(20).toMillis());
        }
        List<RequestBackup> commands = tap.awaitExactly(RequestBackup.class, 1, Duration.ofSeconds(10));
        assertThat(commands).hasSize(1);
        assertThat(commands.get(0).backupType()).isEqualTo("interval");
        assertThat(commands.get(0).requestedBy()).isEqualTo("scheduler:interval");
        assertThat(catalog.sql("SELECT status FROM scheduler.fires WHERE schedule = 'interval' AND fire_at = '2026-03-28T18:00:00Z'")
                .query(String.class).single()).isEqualTo("PUBLISHED");
        assertThat(catalog.sql("SELECT job_id FROM scheduler.fires WHERE fire_at = '2026-03-28T18:00:00Z'")
                .query(UUID.class).single()).isEqualTo(commands.get(0).jobId());

        replica().tick(next.plusSeconds(60));
        assertThat(tap.awaitExactly(RequestBackup.class, 1, Duration.ofSeconds(1))).as("a slot never fires twice").hasSize(1);
        assertThat(catalog.sql("SELECT next_fire_at FROM scheduler.schedules WHERE name = 'interval'")
                .query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(Instant.parse("2026-03-29T00:00:00Z"));
    }

    @Test
    void aFireTheBrokerDidNotConfirmIsPublishedAgainWithTheSameJob() {
        Instant slot = Instant.parse("2027-01-01T00:00:00Z");
        UUID job = UUID.randomUUID();
        replica().tick(slot.minusSeconds(3600)); // settings exist
        assertThat(fires.claim("interval", slot, job)).isTrue(); // recorded, then the publisher "crashed"
        replica().tick(slot.plusSeconds(5));
        assertThat(tap.awaitExactly(RequestBackup.class, 0, Duration.ofSeconds(1)))
                .as("a fresh pending fire may still be in flight: left alone").isEmpty();
        catalog.sql("UPDATE scheduler.fires SET recorded_at = now() - interval '5 minutes' WHERE status = 'PENDING'").update();

        replica().tick(slot.plusSeconds(10));
        assertThat(tap.awaitExactly(RequestBackup.class, 1, Duration.ofSeconds(10))).extracting(RequestBackup::jobId)
                .containsExactly(job);
        assertThat(fires.pending()).isEmpty();
    }
}
