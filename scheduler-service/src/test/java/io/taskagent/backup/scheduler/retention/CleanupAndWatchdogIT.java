package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.DrillOverdue;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.scheduler.CommandTap;
import io.taskagent.backup.testsupport.ServiceSchemas;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.watchdog.StalenessWatchdog;
import io.taskagent.backup.testsupport.BrokerProbe;
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

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention cleanups requested on the real broker, decided over the worker's real tables: a dry run reports every
 * decision and deletes nothing; a real run sends the deletions to the worker; both are stored. The staleness
 * watchdog raises BackupStale once per stale period.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class CleanupAndWatchdogIT {

    static final String CATALOG = "backup_catalog_it_sched_cleanup";
    static final String TARGET = "sched-gc-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static BrokerProbe broker;
    static CommandTap tap;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        ServiceSchemas.create(CATALOG, "worker");
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.timer-enabled", () -> "false");
        registry.add("scheduler.target", () -> TARGET);
        registry.add("scheduler.retention.keep-hourly", () -> "5");
        registry.add("scheduler.retention.keep-daily", () -> "2");
        registry.add("scheduler.retention.keep-weekly", () -> "1");
        registry.add("scheduler.retention.keep-monthly", () -> "1");
        registry.add("scheduler.retention.keep-manual", () -> "2");
        registry.add("scheduler.retention.keep-pre-restore-days", () -> "3");
        registry.add("scheduler.stale-after", () -> "2h");
        registry.add("scheduler.drill.max-age", () -> "2d");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
        tap = new CommandTap(TARGET, Topology.RK_CLEANUP_EXECUTE);
    }

    @AfterAll
    static void close() {
        tap.close();
        broker.close();
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    StalenessWatchdog watchdog;
    @Autowired
    SettingsStore settings;
    @Autowired
    io.taskagent.backup.scheduler.watchdog.DrillWatchdog drillWatchdog;
    @Autowired
    WorkerCatalog workerCatalog;

    @BeforeEach
    void emptyHistory() {
        catalog.sql("DELETE FROM worker.backups").update();
        catalog.sql("DELETE FROM worker.jobs").update();
        catalog.sql("DELETE FROM scheduler.stale_alerts").update();
        catalog.sql("DELETE FROM scheduler.drill_alerts").update();
        settings.current(Instant.parse("2026-01-01T00:00:00Z")); // the scheduler's first start, before any backup
        tap.clear();
    }

    /** A successful backup as the worker records it: a job and its backups row. */
    UUID backup(String type, Instant createdAt) {
        UUID id = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                        VALUES (:id, 'backup', :type, :target, 'SUCCEEDED', 'it', :at, :at)""")
                .param("id", id).param("type", type).param("target", TARGET).param("at", Timestamp.from(createdAt)).update();
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                    compression, format_version, row_counts, table_count, duration_ms,
                                                    created_at)
                        VALUES (:id, :id, :target, :type, :file, 1000, :sha, 'zstd', 1, '{}', 0, 10, :at)""")
                .param("id", id).param("target", TARGET).param("type", type)
                .param("file", type + "_backup_it_" + id.toString().substring(0, 8) + ".json.zst")
                .param("sha", "0".repeat(64)).param("at", Timestamp.from(createdAt)).update();
        return id;
    }

    @Test
    void aDryRunReportsEveryDecisionAndARealRunSendsTheDeletionsToTheWorker() {
        // the history ends at 12:00 UTC (today's or, before noon, yesterday's): which backup is the newest of its day
        // must not depend on the hour the test runs at (from 00:00 to 05:00 the fifth hourly one used to be)
        Instant noon = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(12));
        Instant now = noon.isAfter(Instant.now()) ? noon.minus(Duration.ofDays(1)) : noon;
        List<UUID> hourly = new ArrayList<>();
        for (int h = 1; h <= 30; h++) {
            hourly.add(backup("interval", now.minus(Duration.ofHours(h)).plusSeconds(60)));
        }
        UUID oldManual = backup("manual", now.minus(Duration.ofDays(20)));
        UUID manual1 = backup("manual", now.minus(Duration.ofDays(2)));
        UUID manual2 = backup("manual", now.minus(Duration.ofDays(1)));
        UUID oldSafety = backup("pre_restore", now.minus(Duration.ofDays(4)));
        UUID newSafety = backup("pre_restore", now.minus(Duration.ofDays(2)));
        UUID verified = hourly.get(20);
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, subject_id,
                                                 lease_owner, lease_until)
                        VALUES (:id, 'verify', 'verify', :target, 'RUNNING', 'it', now(), :subject, 'w', now() + interval '1 hour')""")
                .param("id", UUID.randomUUID()).param("target", TARGET).param("subject", verified).update();

        RequestCleanup dry = RequestCleanup.of(UUID.randomUUID(), TARGET, true, "it-admin");
        broker.publish(dry);
        CleanupCompleted report = broker.awaitEvent(CleanupCompleted.class, e -> e.jobId().equals(dry.jobId()), WAIT);
        assertThat(report.dryRun()).isTrue();
        assertThat(report.removedFiles()).isEmpty();
        assertThat(report.bytesFreed()).isZero();
        assertThat(report.decisions()).hasSize(35);
        Map<UUID, CleanupCompleted.Decision> decided = report.decisions().stream()
                .collect(Collectors.toMap(CleanupCompleted.Decision::backupId, d -> d));
        assertThat(decided.get(hourly.get(0)).reasons()).containsExactly("newest", "hourly", "daily", "weekly", "monthly");
        assertThat(decided.get(hourly.get(4)).reasons()).containsExactly("hourly");
        assertThat(decided.get(hourly.get(5)).keep()).isFalse();
        assertThat(decided.get(verified).reasons()).containsExactly("in use by a running verify");
        assertThat(decided.get(manual2).keep()).isTrue();
        assertThat(decided.get(manual1).keep()).isTrue();
        assertThat(decided.get(oldManual).reasons()).containsExactly("not among the last 2 manual backups");
        assertThat(decided.get(newSafety).reasons()).containsExactly("pre_restore within 3 days");
        assertThat(decided.get(oldSafety).keep()).isFalse();
        assertThat(report.keptCount()).isEqualTo((int) report.decisions().stream().filter(CleanupCompleted.Decision::keep).count());
        assertThat(catalog.sql("SELECT count(*) FROM worker.backups WHERE target = :t AND status = 'AVAILABLE'")
                .param("t", TARGET).query(Integer.class).single()).as("a dry run deletes nothing").isEqualTo(35);
        assertThat(catalog.sql("SELECT dry_run FROM scheduler.cleanup_runs WHERE job_id = :id").param("id", dry.jobId())
                .query(Boolean.class).single()).isTrue();
        assertThat(tap.messages(DeleteBackups.class)).isEmpty();

        RequestCleanup real = RequestCleanup.of(UUID.randomUUID(), TARGET, false, "it-admin");
        broker.publish(real);
        DeleteBackups delete = tap.await(DeleteBackups.class, d -> d.jobId().equals(real.jobId()), WAIT);
        List<UUID> deletedByDryRun = report.decisions().stream().filter(d -> !d.keep())
                .map(CleanupCompleted.Decision::backupId).toList();
        assertThat(delete.deletions()).extracting(DeleteBackups.Deletion::backupId)
                .containsExactlyInAnyOrderElementsOf(deletedByDryRun);
        assertThat(delete.keptCount()).isEqualTo(report.keptCount());
        assertThat(delete.requestedBy()).isEqualTo("it-admin");
        assertThat(delete.deletions()).filteredOn(d -> d.backupId().equals(oldSafety)).singleElement()
                .extracting(DeleteBackups.Deletion::reason).isEqualTo("pre_restore backup older than 3 days");
        assertThat(catalog.sql("SELECT delete_count FROM scheduler.cleanup_runs WHERE job_id = :id")
                .param("id", real.jobId()).query(Integer.class).single()).isEqualTo(deletedByDryRun.size());

        // the request delivered again (a new message, the same job): the stored decisions are sent again
        broker.publish(new RequestCleanup(UUID.randomUUID(), real.jobId(), TARGET, Instant.now(), 1, false, "it-admin"));
        List<DeleteBackups> both = tap.awaitExactly(DeleteBackups.class, 2, WAIT);
        assertThat(both).hasSize(2);
        assertThat(both.get(1).deletions()).isEqualTo(both.get(0).deletions());
        assertThat(both.get(1).jobId()).isEqualTo(real.jobId());
    }

    @Test
    void theWatchdogRaisesBackupStaleOncePerStalePeriod() {
        String lastSuccessSql = "SELECT max(created_at) FROM worker.backups WHERE target = :t";
        Instant last = Instant.now().minus(Duration.ofMinutes(10));
        backup("interval", last.plus(Duration.ofMinutes(5)));
        Instant newest = catalog.sql(lastSuccessSql).param("t", TARGET).query(Timestamp.class).single().toInstant();

        assertThat(watchdog.check(newest.plus(Duration.ofMinutes(119)))).as("within the window").isFalse();
        Instant stale = newest.plus(Duration.ofHours(2)).plusSeconds(60);
        assertThat(watchdog.check(stale)).isTrue();
        BackupStale alert = broker.awaitEvent(BackupStale.class, e -> e.target().equals(TARGET), WAIT);
        assertThat(alert.lastSuccessAt()).isEqualTo(newest);
        assertThat(alert.windowSeconds()).isEqualTo(7200);
        assertThat(watchdog.check(stale.plus(Duration.ofMinutes(30)))).as("not again within the period").isFalse();
        assertThat(watchdog.check(stale.plus(Duration.ofHours(2)))).as("again after another window").isTrue();

        backup("interval", Instant.now());
        Instant fresh = catalog.sql(lastSuccessSql).param("t", TARGET).query(Timestamp.class).single().toInstant();
        assertThat(watchdog.check(fresh.plus(Duration.ofMinutes(30)))).as("a new success ends the stale period").isFalse();
        assertThat(watchdog.check(fresh.plus(Duration.ofHours(3)))).as("stale again: a new period").isTrue();
        // events arrive through the broker asynchronously: wait for the third, then make sure there is no fourth
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                broker.events().stream().filter(e -> e instanceof BackupStale && e.target().equals(TARGET)).count() >= 3);
        assertThat(broker.events().stream().filter(e -> e instanceof BackupStale && e.target().equals(TARGET))).hasSize(3);
    }

    /** A finished drill job as the worker records it. */
    void drill(String status, Instant finishedAt) {
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                        VALUES (:id, 'drill', 'drill', :target, :status, 'it', :at, :at)""")
                .param("id", UUID.randomUUID()).param("target", TARGET).param("status", status)
                .param("at", Timestamp.from(finishedAt)).update();
    }

    @Test
    void theDrillWatchdogRaisesDrillOverdueOncePerPeriodUntilADrillPasses() {
        Instant firstStart = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(drillWatchdog.check(firstStart.plus(Duration.ofDays(2)))).as("within the window").isFalse();
        Instant overdue = firstStart.plus(Duration.ofDays(2)).plusSeconds(60);
        assertThat(drillWatchdog.check(overdue)).as("no drill ever passed").isTrue();
        DrillOverdue never = broker.awaitEvent(DrillOverdue.class, e -> e.target().equals(TARGET), WAIT);
        assertThat(never.lastPassedAt()).isNull();
        assertThat(never.windowSeconds()).isEqualTo(2 * 86400);
        assertThat(drillWatchdog.check(overdue.plus(Duration.ofHours(5)))).as("not again within the period").isFalse();

        Instant failed = Instant.parse("2026-01-04T04:00:00Z");
        drill("FAILED", failed);
        assertThat(drillWatchdog.check(overdue.plus(Duration.ofDays(2)))).as("a failed drill proves nothing: again, "
                + "a window after the last alert").isTrue();
        Instant passed = Instant.parse("2026-01-05T04:00:00Z");
        drill("SUCCEEDED", passed);
        assertThat(workerCatalog.lastPassedDrill(TARGET)).contains(passed);
        assertThat(drillWatchdog.check(passed.plus(Duration.ofDays(1)))).as("a passed drill ends the period").isFalse();
        assertThat(drillWatchdog.check(passed.plus(Duration.ofDays(2)).plusSeconds(1))).isTrue();
        DrillOverdue afterPass = broker.awaitEvent(DrillOverdue.class,
                e -> e.target().equals(TARGET) && passed.equals(e.lastPassedAt()), WAIT);
        assertThat(afterPass.windowSeconds()).isEqualTo(2 * 86400);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() ->
                broker.events().stream().filter(e -> e instanceof DrillOverdue && e.target().equals(TARGET)).count() >= 3);
        assertThat(broker.events().stream().filter(e -> e instanceof DrillOverdue && e.target().equals(TARGET)))
                .hasSize(3);
    }

    @Test
    void theNthBackupAfterAnInstantIsReadFromTheWorkersView() {
        Instant t0 = Instant.parse("2026-02-01T00:00:00Z");
        List<Instant> at = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            at.add(t0.plus(Duration.ofHours(i)));
            backup("interval", at.get(i - 1));
        }
        assertThat(workerCatalog.nthBackupAfter(TARGET, t0, 3)).contains(at.get(2));
        assertThat(workerCatalog.nthBackupAfter(TARGET, at.get(2), 2)).contains(at.get(4));
        assertThat(workerCatalog.nthBackupAfter(TARGET, at.get(2), 3)).as("only two after the third").isEmpty();
        assertThat(workerCatalog.nthBackupAfter("another-target", t0, 1)).isEmpty();
    }
}
