package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupStarted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.SlowScenario;
import io.taskagent.backup.testsupport.TemporaryPostgres;
import io.taskagent.backup.worker.format.BackupFileReader;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue #16, scenario 3: PostgreSQL restarted during a backup and during a restore, with the four services running as
 * processes. The catalog, the source and the restore target live on a PostgreSQL server of the test's own
 * ({@link TemporaryPostgres}), never the machine's shared one: stopping it touches no other test.
 * <ul>
 * <li>Stopped mid-dump: every service's health shows the outage while it lasts (the gateway's too); the attempt fails
 * clean (nothing partial stored, BackupFailed naming the attempt) and, once the server is back, the job is tried again
 * and succeeds: one backup, one BackupCompleted, verifiable; every service recovers its connections without a
 * restart. The health reads answer within their bound ({@code backup.health.db-timeout}), so the gateway shows each
 * service DOWN with its {@code db} component, not UNREACHABLE.</li>
 * <li>Restarted mid-restore (rows being loaded): the restore rolls back, the target is unchanged and the job says
 * why; the next restore, with nothing restarted, succeeds.</li>
 * </ul>
 * A slow scenario: it runs with {@code mvn verify -Pfaults} ({@link SlowScenario}; {@code .ci/run} sets it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageIT {

    static final String CATALOG = "outage_it_catalog";
    static final String SOURCE = "outage_it_taskagent";
    static final String TARGET = "outage_it_scratch";
    static final String TOKEN = "outage-admin-token-" + System.nanoTime();
    /** Reads health's components (where health shows them only to the management token; harmless where not). */
    static final String MANAGEMENT_TOKEN = "outage-management-token-" + System.nanoTime();
    static final Duration STARTUP = Duration.ofSeconds(300); // a loaded 2-core machine starts four JVMs slowly

    static Infrastructure infra;
    static TemporaryPostgres pg;
    static GreenMail smtp;
    static Path storage;
    static BrokerProbe broker;
    static ServiceProcess gateway;
    static ServiceProcess worker;
    static ServiceProcess alerts;
    static ServiceProcess scheduler;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every job the API accepted (202), by kind. */
    static final Map<String, List<String>> accepted = new LinkedHashMap<>();
    static String backupJob;

    @BeforeAll
    static void startTheSystem() throws Exception {
        SlowScenario.require("DatabaseOutageIT (PostgreSQL stopped mid-backup, restarted mid-restore)");
        infra = Infrastructure.get(); // RabbitMQ (its vhost); PostgreSQL is the test's own
        pg = TemporaryPostgres.start();
        pg.createDatabase(CATALOG);
        pg.createReferenceDatabase(SOURCE, 1);
        pg.createReferenceDatabase(TARGET, 1);
        try (Connection c = pg.connect(TARGET); Statement s = c.createStatement()) {
            // the target differs from the backup, so that a restore that went through would show
            s.execute("UPDATE tasks SET title = 'changed since the backup' WHERE id::text < '2'");
        }
        assertThat(pg.fingerprint(TARGET)).isNotEqualTo(pg.fingerprint(SOURCE));
        storage = Files.createTempDirectory("outage-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker = new BrokerProbe(infra).captureEvents();
        // events and commands other tests left in this virtual host (worker ITs publish outcomes of target
        // "taskagent" too) must not reach these services: an old RestoreFailed would make the alert throttle hold
        // back this test's alert. This system also has a target name of its own (BACKUP_SOURCE_TARGET) for the same
        // reason. Purged again once the services declared their queues.
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);

        // zstd level 9 on one reader keeps the dump in flight long enough to be caught in the middle (the test waits
        // for rows done before it stops the server, and checks the dump had not finished); a failed attempt is tried
        // again after 2 s (the default 30 s would only make the test wait); a 30 s lease bounds how long a lost
        // attempt could hold the job if anything went wrong (a take-over then), the default 2 min would only wait
        worker = ServiceProcess.start("backup-worker", env(Map.of(
                "BACKUP_SOURCE_URL", pg.jdbcUrl(SOURCE),
                "BACKUP_STORAGE_ZSTD_LEVEL", "9",
                "BACKUP_WORKER_PARALLELISM", "1",
                "BACKUP_WORKER_RETRY_DELAY", "2s",
                "BACKUP_WORKER_LEASE_DURATION", "30s",
                "BACKUP_WORKER_REAPER_INTERVAL_MS", "1000",
                "BACKUP_WORKER_PROGRESSINTERVAL", "100ms")));
        alerts = ServiceProcess.start("alert-service", env(Map.of(
                "SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test")));
        scheduler = ServiceProcess.start("scheduler-service", env(Map.of(
                "SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false")));
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        for (ServiceProcess p : services()) {
            p.awaitHealthy(STARTUP);
        }
        // declared by the services now (a fresh virtual host has no queues before): nothing left from another run
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
    }

    private static ServiceProcess[] services() {
        return new ServiceProcess[]{gateway, worker, alerts, scheduler};
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("SPRING_DATASOURCE_URL", pg.jdbcUrl(CATALOG));
        env.put("SPRING_DATASOURCE_USERNAME", pg.user());
        env.put("SPRING_DATASOURCE_PASSWORD", "");
        env.put("BACKUP_SOURCE_USERNAME", pg.user());
        env.put("BACKUP_SOURCE_PASSWORD", "");
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_MANAGEMENT_TOKEN", MANAGEMENT_TOKEN);
        env.put("BACKUP_SOURCE_TARGET", "outage_it");
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_URL", pg.jdbcUrl(TARGET));
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_USERNAME", pg.user());
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_PASSWORD", "");
        env.putAll(extra);
        return env;
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        SystemTestSupport.closeAll(java.util.Arrays.asList(services()), broker, smtp);
        if (pg != null) {
            if (!pg.accepting()) {
                pg.startServer(); // a failed test may have left it stopped; close() stops and deletes it
            }
            pg.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ the scenario

    @Test
    @Order(1)
    void postgresStoppedMidBackupTheAttemptFailsCleanHealthShowsItAndTheRetrySucceeds() throws Exception {
        backupJob = accept("backup", api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}"));
        JsonNode inFlight = awaitJob(backupJob, Duration.ofSeconds(60), j -> j.path("status").asString().equals("RUNNING")
                && j.path("progress").path("rows_done").asLong() > 0, "RUNNING with rows done");
        long rowsAtStop = inFlight.path("progress").path("rows_done").asLong();
        long allRows = pg.fingerprint(SOURCE).stream().mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
        assertThat(rowsAtStop).as("stopped in the middle of the dump").isLessThan(allRows);

        long down = System.nanoTime();
        pg.stopServer();
        // the outage shows while it lasts: every service's own health (DOWN, its db component DOWN) and the
        // gateway's view of all of them (DOWN with their db component, not UNREACHABLE), all watched at once
        Map<String, CompletableFuture<JsonNode>> watching = new LinkedHashMap<>();
        Map<String, JsonNode> outage = new LinkedHashMap<>();
        JsonNode aggregate;
        ExecutorService watchers = Executors.newCachedThreadPool();
        try {
            for (ServiceProcess p : services()) {
                watching.put(p.module, CompletableFuture.supplyAsync(() -> awaitHealth(p, "DOWN"), watchers));
            }
            CompletableFuture<JsonNode> gatewayView = CompletableFuture.supplyAsync(() -> awaitGatewayHealth(503,
                    h -> Stream.of("worker", "scheduler", "alerts").allMatch(service ->
                            h.path("services").path(service).path("status").asString().equals("DOWN"))), watchers);
            for (Map.Entry<String, CompletableFuture<JsonNode>> w : watching.entrySet()) {
                outage.put(w.getKey(), w.getValue().join());
            }
            aggregate = gatewayView.join();
        } finally {
            watchers.shutdownNow();
        }
        long outageMillis = (System.nanoTime() - down) / 1_000_000;
        pg.startServer();
        System.out.printf("outage: PostgreSQL down %d ms (rows done at the stop: %d of %d)%n", outageMillis,
                rowsAtStop, allRows);
        outage.forEach((module, health) -> System.out.printf("outage: %s /actuator/health %s%n", module, health));
        System.out.printf("outage: gateway /api/backup/health %s%n", aggregate);
        outage.forEach((module, health) -> assertThat(health.path("components").path("db").path("status").asString())
                .as("%s: its catalog database is shown DOWN", module).isEqualTo("DOWN"));
        assertThat(aggregate.path("status").asString()).isEqualTo("DOWN");
        assertThat(aggregate.path("services").path("api-gateway").path("components").path("catalog").asString())
                .isEqualTo("DOWN");
        for (String service : new String[]{"worker", "scheduler", "alerts"}) {
            JsonNode seen = aggregate.path("services").path(service);
            assertThat(seen.path("status").asString()).as("%s in the gateway's health during the outage: %s",
                    service, seen).isEqualTo("DOWN");
            assertThat(seen.path("components").path("db").asString()).as("%s's db component, as the gateway shows it",
                    service).isEqualTo("DOWN");
        }

        // every service recovers its connections without a restart
        long up = System.nanoTime();
        for (ServiceProcess p : services()) {
            awaitHealth(p, "UP");
        }
        JsonNode recovered = awaitGatewayHealth(200, h -> true);
        for (ServiceProcess p : services()) {
            assertThat(p.alive()).as("%s recovered without a restart", p.module).isTrue();
        }
        System.out.printf("outage: every service healthy again %d ms after PostgreSQL was back: %s%n",
                (System.nanoTime() - up) / 1_000_000, recovered);

        JsonNode job = awaitJob(backupJob, Duration.ofSeconds(180), j -> finished(j), "finished");
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        Map<String, Object> row = jobRow(backupJob);
        assertThat(row).as("tried again once, recorded once").containsEntry("attempts", 2).containsEntry("backups", 1);

        List<BackupFailed> failures = events(BackupFailed.class, backupJob);
        assertThat(failures).as("the failed attempt, announced once").hasSize(1);
        assertThat(failures.get(0).attempt()).isEqualTo(1);
        assertThat(failures.get(0).reason()).contains(SOURCE).contains("attempt 1 of 3").contains("tried again");
        System.out.printf("outage: the failed attempt said: %s%n", failures.get(0).reason());
        BackupCompleted completed = broker.awaitEvent(BackupCompleted.class,
                e -> e.jobId().toString().equals(backupJob), Duration.ofSeconds(30));
        assertThat(events(BackupStarted.class, backupJob)).hasSize(2);
        // no second BackupCompleted follows (the outbox relay would resend an unconfirmed one within its grace)
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> events(BackupCompleted.class, backupJob).size() == 1);

        // nothing partial left: exactly the backup and its manifest; the file holds every row of the source
        assertThat(filesInStorage()).containsExactlyInAnyOrder(completed.fileName(),
                completed.fileName() + ".manifest.json");
        BackupFileReader file = BackupFileReader.read(storage.resolve(completed.fileName()));
        assertThat(file.rowCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(allRows);
        String verify = accept("verify", api("POST", "/api/backup/verify", "{\"backup_id\":\"" + backupJob + "\"}"));
        assertThat(awaitJob(verify, Duration.ofSeconds(120), DatabaseOutageIT::finished, "finished")
                .path("status").asString()).isEqualTo("SUCCEEDED");

        String mail = awaitMail(backupJob);
        assertThat(mail).contains(SOURCE);
        Figures figures = figures("backup");
        figures.print("backup with PostgreSQL stopped mid-dump");
        assertThat(figures.accepted).isEqualTo(1);
        assertThat(figures.completed).isEqualTo(1);
        assertThat(figures.failed).isZero();
        assertThat(figures.retried).isEqualTo(1);
        assertThat(figures.duplicated).isZero();
        assertThat(figures.lost).isZero();
        assertThat(figures.mails).as("one alert for the failed attempt").isEqualTo(1);
    }

    @Test
    @Order(2)
    void postgresRestartedMidRestoreTheRestoreRollsBackTheTargetIsUnchangedAndTheNextOneWorks() throws Exception {
        assertThat(backupJob).as("the backup of the first test").isNotNull();
        List<String> before = pg.fingerprint(TARGET);
        String restore = accept("restore", api("POST", "/api/backup/restore", "{\"backup_id\":\"" + backupJob
                + "\",\"target\":\"scratch\",\"skip_safety_backup\":true}"));
        JsonNode inFlight = awaitJob(restore, Duration.ofSeconds(120), j -> j.path("status").asString().equals("RUNNING")
                        && j.path("progress").path("phase").asString().equals("loading")
                        && j.path("progress").path("rows_done").asLong() > 0, "loading rows");
        long restartStarted = System.nanoTime();
        pg.restartServer();
        System.out.printf("outage: PostgreSQL restarted (pg_ctl restart -m fast) in %d ms while the restore %s%n",
                (System.nanoTime() - restartStarted) / 1_000_000, inFlight.path("progress"));

        JsonNode job = awaitJob(restore, Duration.ofSeconds(120), DatabaseOutageIT::finished, "finished");
        System.out.printf("outage: the restore ended %s: %s%n", job.path("status").asString(),
                job.path("error_message").asString());
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("FAILED");
        // names the target as the request did ("scratch"), says it rolled back and why (the lost connection)
        assertThat(job.path("error_message").asString()).contains("'scratch'").contains("rolled back")
                .contains("unchanged").containsIgnoringCase("connection");
        assertThat(pg.fingerprint(TARGET)).as("the target is exactly as before the restore").isEqualTo(before);
        assertThat(events(RestoreFailed.class, restore)).hasSize(1);
        assertThat(events(RestoreCompleted.class, restore)).isEmpty();
        assertThat(jobRow(restore)).containsEntry("attempts", 1);
        assertThat(awaitMail(restore)).contains("scratch");

        for (ServiceProcess p : services()) {
            awaitHealth(p, "UP");
        }
        awaitGatewayHealth(200, h -> true);
        for (ServiceProcess p : services()) {
            assertThat(p.alive()).as("%s recovered without a restart", p.module).isTrue();
        }
        // the worker's connections to the catalog and the target work again: the same restore, no restart between
        String again = accept("restore", api("POST", "/api/backup/restore", "{\"backup_id\":\"" + backupJob
                + "\",\"target\":\"scratch\",\"skip_safety_backup\":true}"));
        JsonNode second = awaitJob(again, Duration.ofSeconds(180), DatabaseOutageIT::finished, "finished");
        assertThat(second.path("status").asString()).as(second.toString()).isEqualTo("SUCCEEDED");
        assertThat(pg.fingerprint(TARGET)).isEqualTo(pg.fingerprint(SOURCE));

        Figures figures = figures("restore");
        figures.print("restores with PostgreSQL restarted mid-load");
        assertThat(figures.accepted).isEqualTo(2);
        assertThat(figures.completed).isEqualTo(1);
        assertThat(figures.failed).isEqualTo(1);
        assertThat(figures.retried).isZero();
        assertThat(figures.duplicated).isZero();
        assertThat(figures.lost).isZero();
        assertThat(figures.mails).as("one alert for the failed restore").isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------ figures

    /** What a scenario measured over the jobs of one kind the API accepted. */
    record Figures(String kind, int accepted, int completed, int failed, int retried, int duplicated, int lost,
                   int mails, Map<String, Long> events) {
        void print(String scenario) {
            System.out.printf("figures (%s): %s jobs accepted %d, completed %d, failed %d, retried %d, duplicated %d, "
                            + "lost %d; e-mails %d; events %s%n", scenario, kind, accepted, completed, failed, retried,
                    duplicated, lost, mails, events);
        }
    }

    private static Figures figures(String kind) throws Exception {
        List<String> jobs = accepted.getOrDefault(kind, List.of());
        int completed = 0;
        int failed = 0;
        int retried = 0;
        int duplicated = 0;
        int lost = 0;
        int mails = 0;
        for (String id : jobs) {
            Map<String, Object> row = jobRow(id);
            if (row.isEmpty() || !Set.of("SUCCEEDED", "FAILED").contains(row.get("status"))) {
                lost++;
                continue;
            }
            completed += "SUCCEEDED".equals(row.get("status")) ? 1 : 0;
            failed += "FAILED".equals(row.get("status")) ? 1 : 0;
            retried += (int) row.get("attempts") - 1;
            long successEvents = broker.events().stream().filter(e -> e.jobId().toString().equals(id)
                    && (e instanceof BackupCompleted || e instanceof RestoreCompleted)).count();
            duplicated += (int) Math.max(0, Math.max(successEvents, (int) row.get("backups")) - 1);
            mails += mailsAbout(id);
        }
        Map<String, Long> events = broker.events().stream().filter(e -> jobs.contains(e.jobId().toString()))
                .collect(Collectors.groupingBy(e -> e.getClass().getSimpleName(), java.util.TreeMap::new,
                        Collectors.counting()));
        return new Figures(kind, jobs.size(), completed, failed, retried, duplicated, lost, mails, events);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String accept(String kind, HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String id = MessageJson.mapper().readTree(response.body()).get("job_id").asString();
        accepted.computeIfAbsent(kind, k -> new ArrayList<>()).add(id);
        return id;
    }

    private static boolean finished(JsonNode job) {
        String status = job.path("status").asString();
        return status.equals("SUCCEEDED") || status.equals("FAILED");
    }

    private static JsonNode awaitJob(String id, Duration timeout, java.util.function.Predicate<JsonNode> condition,
                                     String what) {
        JsonNode[] job = new JsonNode[1];
        await("job " + id + " " + what).atMost(timeout).pollInterval(Duration.ofMillis(25))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    HttpResponse<String> r = api("GET", "/api/backup/jobs/" + id, null);
                    if (r.statusCode() != 200) {
                        return false;
                    }
                    job[0] = MessageJson.mapper().readTree(r.body());
                    if (!what.equals("finished") && finished(job[0])) {
                        throw new AssertionError("job " + id + " finished before it was caught " + what + ": " + job[0]);
                    }
                    return condition.test(job[0]);
                });
        return job[0];
    }

    /** Waits until a service's own {@code /actuator/health} says {@code status}; returns that document. */
    private static JsonNode awaitHealth(ServiceProcess service, String status) {
        JsonNode[] health = new JsonNode[1];
        await(service.module + " health " + status).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(service.url("/actuator/health")))
                            .header("Authorization", "Bearer " + MANAGEMENT_TOKEN)
                            .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                    health[0] = MessageJson.mapper().readTree(r.body());
                    return health[0].path("status").asString().equals(status)
                            && r.statusCode() == (status.equals("UP") ? 200 : 503);
                });
        return health[0];
    }

    /**
     * Waits until the gateway's {@code /api/backup/health} answers {@code code} with a document {@code also} accepts;
     * returns that document.
     */
    private static JsonNode awaitGatewayHealth(int code, java.util.function.Predicate<JsonNode> also) {
        JsonNode[] health = new JsonNode[1];
        await("gateway health " + code).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    HttpResponse<String> r = api("GET", "/api/backup/health", null);
                    health[0] = MessageJson.mapper().readTree(r.body());
                    return r.statusCode() == code && also.test(health[0]);
                });
        return health[0];
    }

    private static Map<String, Object> jobRow(String id) throws Exception {
        try (Connection c = pg.connect(CATALOG)) {
            return SystemTestSupport.jobRow(c, id);
        }
    }

    private static <T extends BackupMessage> List<T> events(Class<T> type, String jobId) {
        return SystemTestSupport.events(broker, type, jobId);
    }

    private static Set<String> filesInStorage() throws IOException {
        try (var files = Files.list(storage)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static int mailsAbout(String jobId) throws Exception {
        int n = 0;
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (String.valueOf(m.getContent()).contains(jobId)) {
                n++;
            }
        }
        return n;
    }

    /** Waits for the alert e-mail naming the job; returns its text. */
    private static String awaitMail(String jobId) {
        String[] text = new String[1];
        await("an e-mail about job " + jobId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    for (MimeMessage m : smtp.getReceivedMessages()) {
                        String content = String.valueOf(m.getContent());
                        if (content.contains(jobId)) {
                            text[0] = m.getSubject() + "\n" + content;
                            return true;
                        }
                    }
                    return false;
                });
        return text[0];
    }
}
