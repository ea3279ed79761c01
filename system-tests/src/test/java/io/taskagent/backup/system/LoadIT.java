package io.taskagent.backup.system;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.testsupport.SlowScenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #16, scenario 7: 100 create requests from 10 concurrent clients against the running system with two workers:
 * every request answered (202), 100 jobs, 100 backups in the catalog, 100 files, each job run once (one
 * {@code BackupCompleted} per job, attempts 1), none failed. Prints the figures and the API's latency (p50, p99, max;
 * measured, never asserted). A slow fault scenario ({@link SlowScenario}: {@code -Pfaults}).
 */
class LoadIT {

    static final String CATALOG = "backup_catalog_it_load";
    static final String SOURCE = "taskagent_load_source";
    static final String TOKEN = "load-admin-" + System.nanoTime();
    static final int CLIENTS = 10;
    static final int REQUESTS_PER_CLIENT = 10;

    static Infrastructure infra;
    static Path storage;
    static BrokerProbe events;
    static final List<ServiceProcess> services = new ArrayList<>();
    static ServiceProcess gateway;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startTwoWorkersAndTheGateway() throws Exception {
        SlowScenario.require("LoadIT (100 creates, 10 clients, two workers)");
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        // a small source: the demo schema with a few rows, so that 100 backups take a minute, not an hour
        ReferenceDataset.schemaOnly(infra, SOURCE);
        storage = Files.createTempDirectory("load-backups");
        events = new BrokerProbe(infra);
        events.purge(Topology.WORKER_COMMANDS_QUEUE);
        events.captureEvents();

        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        for (String id : List.of("load-worker-1", "load-worker-2")) {
            Map<String, String> worker = new HashMap<>(env);
            worker.put("BACKUP_WORKER_ID", id);
            services.add(ServiceProcess.start("backup-worker", worker));
        }
        // the scheduler owns the settings the workers read (scheduler.v1_settings); none of its schedules fires here
        Map<String, String> schedulerEnv = new HashMap<>(env);
        schedulerEnv.putAll(Map.of("SCHEDULER_INTERVAL_HOURS", "168", "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false", "SCHEDULER_MONTHLY_ENABLED", "false",
                "SCHEDULER_DRILL_ENABLED", "false"));
        services.add(ServiceProcess.start("scheduler-service", schedulerEnv));
        for (ServiceProcess service : services) {
            service.awaitHealthy(Duration.ofSeconds(300));
        }
        Map<String, String> gatewayEnv = new HashMap<>(env);
        gatewayEnv.put("BACKUP_ADMIN_TOKEN", TOKEN);
        gateway = ServiceProcess.start("api-gateway", gatewayEnv);
        services.add(gateway);
        gateway.awaitHealthy(Duration.ofSeconds(300));
    }

    @AfterAll
    static void stop() throws Exception {
        SystemTestSupport.closeAll(services, events);
    }

    /** One create: its answer's status, job id (null unless 202) and latency. */
    record Answer(int status, String jobId, long nanos) {
    }

    private static Answer create(int client, int request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.url("/api/backup/create")))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"backup_type\":\"manual\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        long nanos = System.nanoTime() - start;
        String job = r.statusCode() == 202 ? MessageJson.mapper().readTree(r.body()).get("job_id").asString() : null;
        return new Answer(r.statusCode(), job, nanos);
    }

    @Test
    void aHundredCreatesFromTenClientsMakeAHundredBackupsEachOnce() throws Exception {
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                        answers.add(create(client, r));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            clients.shutdownNow();
        }
        int total = CLIENTS * REQUESTS_PER_CLIENT;
        Map<Integer, Long> statuses = answers.stream().collect(Collectors.groupingBy(Answer::status, TreeMap::new,
                Collectors.counting()));
        List<Long> millis = answers.stream().map(a -> a.nanos() / 1_000_000).sorted().toList();
        System.out.printf("LoadIT: %d creates from %d clients answered %s; latency p50 %d ms, p99 %d ms, max %d ms%n",
                total, CLIENTS, statuses, millis.get(millis.size() / 2), millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
                millis.get(millis.size() - 1));
        assertThat(answers).hasSize(total);
        assertThat(statuses).as("every request answered 202").isEqualTo(Map.of(202, (long) total));
        Set<String> jobs = answers.stream().map(Answer::jobId).collect(Collectors.toSet());
        assertThat(jobs).as("a job per request").hasSize(total);

        await("every job finished").atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2))
                .until(() -> finished(jobs) == total);

        Map<String, Long> byStatus = new TreeMap<>();
        long retried = 0;
        try (Connection c = infra.connect(CATALOG); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id::text, status, attempts FROM worker.v1_jobs"
                     + " WHERE kind = 'backup'")) {
            while (rs.next()) {
                if (!jobs.contains(rs.getString(1))) {
                    continue;
                }
                byStatus.merge(rs.getString(2), 1L, Long::sum);
                retried += rs.getInt(3) > 1 ? 1 : 0;
            }
        }
        long backups;
        long distinctFiles;
        try (Connection c = infra.connect(CATALOG); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT file_name) FROM worker.v1_backups")) {
            rs.next();
            backups = rs.getLong(1);
            distinctFiles = rs.getLong(2);
        }
        long files;
        try (Stream<Path> list = Files.list(storage)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json.zst")).count();
        }
        Map<String, Long> completed = events.events().stream().filter(BackupCompleted.class::isInstance)
                .map(e -> ((BackupCompleted) e).jobId().toString()).filter(jobs::contains)
                .collect(Collectors.groupingBy(id -> id, ConcurrentHashMap::new, Collectors.counting()));
        long failedEvents = events.events().stream().filter(BackupFailed.class::isInstance).count();
        long duplicated = completed.values().stream().filter(n -> n > 1).count();
        System.out.printf("LoadIT: jobs %d by status %s, retried %d; backups in the catalog %d (%d file names), files %d;"
                        + " BackupCompleted for %d jobs, duplicated %d, BackupFailed %d; lost %d%n", jobs.size(), byStatus,
                retried, backups, distinctFiles, files, completed.size(), duplicated, failedEvents,
                total - completed.size());

        assertThat(byStatus).isEqualTo(Map.of("SUCCEEDED", (long) total));
        assertThat(retried).isZero();
        assertThat(backups).isEqualTo(total);
        assertThat(distinctFiles).isEqualTo(total);
        assertThat(files).isEqualTo(total);
        await("every BackupCompleted received").atMost(Duration.ofSeconds(30)).until(() -> events.events().stream()
                .filter(BackupCompleted.class::isInstance).map(e -> ((BackupCompleted) e).jobId().toString())
                .filter(jobs::contains).distinct().count() == total);
        assertThat(duplicated).as("a job announced twice").isZero();
        assertThat(failedEvents).isZero();
    }

    private static long finished(Set<String> jobs) throws Exception {
        try (Connection c = infra.connect(CATALOG); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id::text FROM worker.v1_jobs"
                     + " WHERE kind = 'backup' AND status IN ('SUCCEEDED', 'FAILED')")) {
            long n = 0;
            while (rs.next()) {
                n += jobs.contains(rs.getString(1)) ? 1 : 0;
            }
            return n;
        }
    }
}
