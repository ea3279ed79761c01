package io.taskagent.backup.worker.restore;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.DrillFailed;
import io.taskagent.backup.model.DrillPassed;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.WorkerTestContext;
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

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore drills against the real PostgreSQL and broker: a drill of the newest backup of the reference dataset
 * rebuilds it in a throw-away database, finds rows, schema and the smoke check as recorded, measures the recovery
 * time and drops the database; a smoke check that returns false fails the drill naming it (database dropped too);
 * a drill database a dead drill left is dropped by the next drill, and nothing that was not recorded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillIT {

    static final String CATALOG = "backup_catalog_it_drill";
    static final String SOURCE = "taskagent_drill";
    static final String UNRECORDED = "drill_taskagent_0000keep";
    static final String ORPHAN = "drill_taskagent_0000dead";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Infrastructure infra = Infrastructure.get();
        for (String db : List.of(SOURCE, UNRECORDED, ORPHAN)) {
            infra.dropDatabase(db);
        }
        infra.ensureDatabase(SOURCE);
        ReferenceDataset.load(infra, SOURCE, 1);
        WorkerTestContext.register(registry, CATALOG, SOURCE);
        registry.add("backup.drill.checks.no_poisoned_task",
                () -> "SELECT NOT EXISTS (SELECT 1 FROM public.tasks WHERE title = 'drill poison')");
        registry.add("backup.drill.checks.users_present", () -> "SELECT count(*) > 0 FROM public.users");
    }

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    JdbcClient catalog;
    @Autowired
    MeterRegistry meters;
    @Autowired
    io.taskagent.backup.worker.health.CatalogMetrics catalogMetrics;

    private BackupCompleted backUp() {
        return WorkerTestContext.backUp(publisher, events);
    }

    private RequestDrill drill(UUID backup) {
        RequestDrill request = RequestDrill.of(UUID.randomUUID(), "taskagent", backup, "it");
        publisher.publishCommand(request);
        return request;
    }

    private List<String> drillDatabases() {
        return catalog.sql("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%' ORDER BY 1")
                .query(String.class).list();
    }

    @Test
    @Order(1)
    void theNewestBackupIsRebuiltExactlyInAThrowAwayDatabaseWhichIsGoneAfterwards() {
        BackupCompleted backup = backUp();
        RequestDrill request = drill(null);
        DrillPassed passed = events.probe().awaitEvent(DrillPassed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180));
        assertThat(passed.backupId()).isEqualTo(backup.jobId());
        assertThat(passed.rowCounts()).isEqualTo(backup.rowCounts());
        assertThat(passed.recoveryMillis()).isPositive();
        assertThat(drillDatabases()).as("dropped afterwards").isEmpty();
        assertThat(catalog.sql("""
                        SELECT result->>'problems' || ' ' || (result->'checks'->>'no_poisoned_task')
                               || ' ' || (result->>'recovery_ms')::bigint
                        FROM worker.v1_jobs WHERE id = :id AND kind = 'drill' AND status = 'SUCCEEDED'""")
                .param("id", request.jobId()).query(String.class).single())
                .isEqualTo("[] true " + passed.recoveryMillis());
        assertThat(catalog.sql("SELECT dropped_at IS NOT NULL FROM worker.drill_databases WHERE job_id = :id")
                .param("id", request.jobId()).query(Boolean.class).single()).isTrue();
        assertThat(meters.get("backup.drill.last.success.seconds").tag("target", "taskagent").gauge().value())
                .isPositive();
        assertThat(meters.get("backup.drill.duration").tag("outcome", "passed").timer().count()).isEqualTo(1);

        // the metrics every job kind has, and those read from the catalog and the broker from start-up
        assertThat(meters.get("backup.job.duration").tags("kind", "drill", "target", "taskagent", "outcome", "success")
                .timer().count()).isEqualTo(1);
        assertThat(meters.get("backup.job.duration").tags("kind", "backup", "outcome", "success").timer().count())
                .isEqualTo(1);
        assertThat(meters.get("backup.jobs.in.flight").tag("kind", "restore").gauge().value()).isZero();
        catalogMetrics.refresh();
        assertThat(meters.get("backup.catalog.last.success.seconds").tags("target", "taskagent", "type", "manual")
                .gauge().value()).isEqualTo((double) backup.occurredAt().getEpochSecond(), org.assertj.core.data.Offset.offset(5.0));
        assertThat(meters.get("backup.catalog.backups").tags("target", "taskagent", "status", "available").gauge()
                .value()).isEqualTo(1.0);
        assertThat(meters.get("backup.catalog.size.bytes").tag("target", "taskagent").gauge().value()).isPositive();
        assertThat(meters.get("backup.jobs.active").tags("kind", "verify", "status", "running").gauge().value())
                .isZero();
        assertThat(meters.get("backup.outbox.pending").gauge().value()).isZero();
        assertThat(meters.get("backup.queue.messages").tag("queue", "backup-worker.commands.dlq").gauge().value())
                .as("read from the broker").isNotNaN().isGreaterThanOrEqualTo(0);
    }

    @Test
    @Order(2)
    void aSmokeCheckReturningFalseFailsTheDrillNamingItAndTheDatabaseIsDroppedToo() throws Exception {
        Infrastructure infra = Infrastructure.get();
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("UPDATE tasks SET title = 'drill poison' WHERE id = (SELECT min(id::text)::uuid FROM tasks)");
        }
        BackupCompleted poisoned = backUp();
        RequestDrill request = drill(poisoned.jobId());
        DrillFailed failed = events.probe().awaitEvent(DrillFailed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(180));
        assertThat(failed.backupId()).isEqualTo(poisoned.jobId());
        assertThat(failed.problems()).containsExactly("smoke check 'no_poisoned_task' returned false");
        assertThat(drillDatabases()).isEmpty();
    }

    @Test
    @Order(3)
    void aDatabaseADeadDrillLeftIsDroppedByTheNextAndNothingUnrecordedIs() throws Exception {
        Infrastructure infra = Infrastructure.get();
        UUID dead = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at)
                        VALUES (:id, 'drill', 'drill', 'taskagent', 'FAILED', 'it', now() - interval '1 hour');
                        INSERT INTO worker.drill_databases (job_id, database, server) VALUES (:id, :db, 'here')""")
                .param("id", dead).param("db", ORPHAN).update();
        infra.ensureDatabase(ORPHAN);
        infra.ensureDatabase(UNRECORDED);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("UPDATE tasks SET title = 'healed' WHERE title = 'drill poison'");
        }
        RequestDrill request = drill(backUp().jobId());
        events.probe().awaitEvent(DrillPassed.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(180));
        assertThat(drillDatabases()).containsExactly(UNRECORDED);
        infra.dropDatabase(UNRECORDED);
    }
}
