package io.taskagent.backup.system;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.DrillPassed;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;
import io.taskagent.backup.testsupport.ReferenceDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workers as real processes: one killed with SIGKILL mid-dump is replaced by another that takes the job over when
 * the lease expires and finishes it once; several workers share one queue; a worker killed mid-drill leaves its drill
 * database, which the worker taking the drill over drops before it drills again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerTakeoverIT {

    static final String CATALOG = "backup_catalog_it_takeover";
    static final String SOURCE = "taskagent_ref";
    static Infrastructure infra;
    static Path storage;
    static BrokerProbe broker;
    static final List<ServiceProcess> workers = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        ServiceSchemas.create(CATALOG, "scheduler"); // the read contract a worker reads (no scheduler runs here)
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = Files.createTempDirectory("takeover-backups");
        broker = new BrokerProbe(infra).captureEvents();
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (ServiceProcess w : workers) {
            w.close();
        }
        broker.close();
    }

    private static ServiceProcess worker(String id, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_WORKER_ID", id);
        env.put("BACKUP_WORKER_LEASE_DURATION", "3s");
        env.put("BACKUP_WORKER_REAPER_INTERVAL_MS", "1000");
        env.putAll(extra);
        ServiceProcess worker = ServiceProcess.start("backup-worker", env);
        workers.add(worker);
        return worker.awaitHealthy(Duration.ofSeconds(120));
    }

    private static Map<String, Object> job(UUID id) throws Exception {
        try (Connection c = infra.connect(CATALOG)) {
            return SystemTestSupport.jobRow(c, id.toString());
        }
    }

    private static Set<String> filesInStorage() throws Exception {
        try (var files = Files.list(storage)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    @Order(1)
    void aWorkerKilledMidDumpIsReplacedAndTheJobFinishesOnceWithoutLeftovers() throws Exception {
        // zstd level 19 makes this dump take long enough to be killed in the middle
        ServiceProcess doomed = worker("worker-doomed", Map.of("BACKUP_STORAGE_ZSTD_LEVEL", "19",
                "BACKUP_WORKER_PARALLELISM", "1"));
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "takeover-it");
        broker.publish(request);
        broker.awaitEvent(BackupStarted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> filesInStorage().stream().anyMatch(n -> n.contains(".tmp-")));

        doomed.kill();
        assertThat(job(request.jobId())).containsEntry("status", "RUNNING").containsEntry("attempts", 1);
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE))
                .as("the command was acknowledged once the job was claimed: the lease tracks it now").isZero();

        worker("worker-rescuer", Map.of());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> "SUCCEEDED".equals(job(request.jobId()).get("status")));
        assertThat(job(request.jobId())).containsEntry("attempts", 2).containsEntry("backups", 1);
        BackupCompleted completed = broker.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(30));
        // and no second one follows (the outbox relay would send a lost one within its grace): one, and only one
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> broker.events().stream()
                .filter(e -> e instanceof BackupCompleted && e.jobId().equals(request.jobId())).count() == 1);
        assertThat(broker.events().stream().filter(e -> e instanceof BackupStarted && e.jobId().equals(request.jobId()))
                .map(e -> ((BackupStarted) e).worker())).containsExactly("worker-doomed", "worker-rescuer");
        assertThat(filesInStorage()).containsExactlyInAnyOrder(completed.fileName(),
                completed.fileName() + ".manifest.json");
    }

    @Test
    @Order(2)
    void severalWorkersShareTheQueue() throws Exception {
        worker("worker-second", Map.of());
        List<UUID> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RequestBackup request = RequestBackup.newJob("taskagent", "manual", "takeover-it");
            broker.publish(request);
            jobs.add(request.jobId());
        }
        for (UUID id : jobs) {
            broker.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(id), Duration.ofSeconds(120));
        }
        Set<String> runBy = broker.events().stream()
                .filter(e -> e instanceof BackupStarted && jobs.contains(e.jobId()))
                .map(e -> ((BackupStarted) e).worker()).collect(Collectors.toSet());
        assertThat(runBy).containsExactlyInAnyOrder("worker-rescuer", "worker-second");
    }

    private static List<String> drillDatabases() throws Exception {
        List<String> names = new ArrayList<>();
        try (Connection c = infra.connect(CATALOG); Statement s = c.createStatement();
             // the drill databases this test's drills recorded (before creating them) that exist: other tests may drill
             ResultSet rs = s.executeQuery("SELECT d.datname FROM pg_database d"
                     + " JOIN worker.drill_databases r ON r.database = d.datname")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    @Test
    @Order(3)
    void aWorkerKilledMidDrillLeavesItsDatabaseWhichTheDrillTakingItOverDrops() throws Exception {
        for (ServiceProcess w : workers) {
            w.close();
        }
        workers.clear();
        ServiceProcess doomed = worker("drill-doomed", Map.of("BACKUP_RESTORE_PARALLELISM", "1"));
        RequestDrill request = RequestDrill.of(UUID.randomUUID(), "taskagent", null, "takeover-it");
        broker.publish(request);
        String database = "drill_taskagent_" + request.jobId().toString().substring(0, 8);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> drillDatabases().contains(database));
        doomed.kill();
        assertThat(drillDatabases()).as("left behind by the killed worker").containsExactly(database);
        assertThat(job(request.jobId())).containsEntry("status", "RUNNING").containsEntry("attempts", 1);

        worker("drill-rescuer", Map.of());
        DrillPassed passed = broker.awaitEvent(DrillPassed.class, e -> e.jobId().equals(request.jobId()),
                Duration.ofSeconds(120));
        assertThat(job(request.jobId())).containsEntry("status", "SUCCEEDED").containsEntry("attempts", 2);
        assertThat(passed.recoveryMillis()).isPositive();
        assertThat(drillDatabases()).as("the half-built database and the second one both dropped").isEmpty();
        try (Connection c = infra.connect(CATALOG); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM worker.drill_databases WHERE dropped_at IS NULL")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    private static List<String> startedBy(UUID job) {
        return broker.events().stream().filter(e -> e instanceof BackupStarted && e.jobId().equals(job))
                .map(e -> ((BackupStarted) e).worker()).toList();
    }

    @Test
    @Order(4)
    void sigtermMidBackupHandsTheJobBackAndAnotherWorkerFinishesItWithoutAFailure() throws Exception {
        for (ServiceProcess w : workers) {
            w.close();
        }
        workers.clear();
        // the rescuer takes no command from the queue: it can only get the job by taking it over
        worker("stop-rescuer", Map.of("SPRING_RABBITMQ_LISTENER_SIMPLE_AUTO_STARTUP", "false"));
        ServiceProcess stopped = worker("stop-doomed", Map.of("BACKUP_STORAGE_ZSTD_LEVEL", "19",
                "BACKUP_WORKER_PARALLELISM", "1", "BACKUP_WORKER_SHUTDOWN_GRACE", "1s"));
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "takeover-it");
        broker.publish(request);
        broker.awaitEvent(BackupStarted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));

        long stopAt = System.nanoTime();
        stopped.close(); // SIGTERM, as run.sh, systemd and Docker stop a service
        long stopSeconds = (System.nanoTime() - stopAt) / 1_000_000_000;
        assertThat(stopSeconds).as("the worker stopped after its grace, not after a kill timeout").isLessThan(20);
        assertThat(stopped.log()).contains("handed back");

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> "SUCCEEDED".equals(job(request.jobId()).get("status")));
        assertThat(job(request.jobId())).as("the attempt cut short by the stop is not counted")
                .containsEntry("attempts", 1).containsEntry("backups", 1);
        broker.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
        assertThat(startedBy(request.jobId())).containsExactly("stop-doomed", "stop-rescuer");
        assertThat(broker.events()).as("a stop is not a failure: nothing announced it as one")
                .noneMatch(e -> e instanceof BackupFailed && e.jobId().equals(request.jobId()));
    }

    @Test
    @Order(5)
    void sigtermMidBackupLetsTheJobFinishWithinTheGrace() throws Exception {
        ServiceProcess stopping = worker("stop-graceful", Map.of());
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "takeover-it");
        broker.publish(request);
        broker.awaitEvent(BackupStarted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
        stopping.close();
        assertThat(job(request.jobId())).as("finished before the worker exited")
                .containsEntry("status", "SUCCEEDED").containsEntry("attempts", 1).containsEntry("backups", 1);
        assertThat(startedBy(request.jobId())).containsExactly("stop-graceful");
        broker.awaitEvent(BackupCompleted.class, e -> e.jobId().equals(request.jobId()), Duration.ofSeconds(30));
    }
}
