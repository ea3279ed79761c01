package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import io.taskagent.backup.worker.format.BackupFileReader;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The walking skeleton end to end: the four services as real processes (their executable jars) on the real
 * broker and database, driven through the REST API, with a real SMTP server (GreenMail) receiving the alert.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupPipelineIT {

    static final String CATALOG = "backup_catalog_it_e2e";
    static final String SOURCE = "taskagent_ref";
    static final String MISSING = "taskagent_does_not_exist";
    static final String SCRATCH = "taskagent_e2e_restore";
    static final String TOKEN = "e2e-admin-token-" + System.nanoTime();

    static Infrastructure infra;
    static GreenMail smtp;
    static Path storage;
    static BrokerProbe broker;
    static ServiceProcess gateway;
    static ServiceProcess worker;
    static ServiceProcess alerts;
    static ServiceProcess scheduler;
    static final HttpClient http = HttpClient.newHttpClient();
    static String firstBackup;

    @BeforeAll
    static void startTheSystem() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        infra.dropDatabase(MISSING);
        ReferenceDataset.ensure(infra, SOURCE, 1);
        ReferenceDataset.schemaOnly(infra, SCRATCH);
        storage = Files.createTempDirectory("e2e-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker = new BrokerProbe(infra);
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
        broker.purge(Topology.ALERT_EVENTS_QUEUE);

        worker = startWorker(infra.jdbcUrl(SOURCE));
        alerts = ServiceProcess.start("alert-service", env(Map.of(
                "SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test",
                // the poison test counts and purges the dead-letter queue: no redelivery pass reads it meanwhile
                "ALERT_REDELIVERY_ENABLED", "false")));
        // only the interval schedule (needed for next_scheduled), once a week: no scheduled backup joins the test's
        scheduler = ServiceProcess.start("scheduler-service", env(Map.of(
                "SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false")));
        // the gateway last: its /health asks the three others, where they really run
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        Duration startup = Duration.ofSeconds(120);
        for (ServiceProcess p : new ServiceProcess[]{gateway, worker, alerts, scheduler}) {
            p.awaitHealthy(startup);
        }
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_URL", infra.jdbcUrl(SCRATCH));
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_USERNAME", infra.pgUser);
        env.put("BACKUP_RESTORE_TARGETS_SCRATCH_PASSWORD", infra.pgPassword);
        env.putAll(extra);
        return env;
    }

    private static ServiceProcess startWorker(String sourceUrl) throws Exception {
        // progress reported every 100 ms, so that a test polling the job sees it move
        return ServiceProcess.start("backup-worker", env(Map.of("BACKUP_SOURCE_URL", sourceUrl,
                "BACKUP_WORKER_PROGRESSINTERVAL", "100ms")));
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        SystemTestSupport.closeAll(gateway, worker, alerts, scheduler, broker, smtp);
    }

    private static HttpResponse<String> api(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode awaitFinished(String jobId) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> r = api("GET", "/api/backup/jobs/" + jobId, TOKEN, null);
            job[0] = MessageJson.mapper().readTree(r.body());
            String status = job[0].path("status").asString();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return job[0];
    }

    /** Waits for the job to finish, keeping every {@code progress} seen in {@code GET /jobs/{id}} while it ran. */
    private static JsonNode awaitFinishedWatching(String jobId, java.util.List<JsonNode> running) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(40)).until(() -> {
            HttpResponse<String> r = api("GET", "/api/backup/jobs/" + jobId, TOKEN, null);
            job[0] = MessageJson.mapper().readTree(r.body());
            String status = job[0].path("status").asString();
            if (status.equals("RUNNING") && job[0].hasNonNull("progress")) {
                running.add(job[0].get("progress"));
            }
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return job[0];
    }

    private static String create() throws Exception {
        HttpResponse<String> response = api("POST", "/api/backup/create", TOKEN, "{\"backup_type\":\"manual\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String jobId = MessageJson.mapper().readTree(response.body()).get("job_id").asString();
        assertThat(response.headers().firstValue("Location")).hasValue("/api/backup/jobs/" + jobId);
        return jobId;
    }

    @Test
    @Order(1)
    void withoutATokenOrWithAWrongOneTheApiAnswers401() throws Exception {
        assertThat(api("POST", "/api/backup/create", null, "{\"backup_type\":\"manual\"}").statusCode()).isEqualTo(401);
        assertThat(api("POST", "/api/backup/create", "wrong-token", "{\"backup_type\":\"manual\"}").statusCode()).isEqualTo(401);
        assertThat(api("GET", "/api/backup/history", "wrong-token", null).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(2)
    void aManualBackupSucceedsIsListedAndItsFileHoldsEveryRowOfEveryTable() throws Exception {
        String jobId = create();
        JsonNode job = awaitFinished(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        firstBackup = jobId;

        JsonNode history = MessageJson.mapper().readTree(api("GET", "/api/backup/history", TOKEN, null).body());
        JsonNode listed = null;
        for (JsonNode entry : history) {
            if (entry.get("job_id").asString().equals(jobId)) {
                listed = entry;
            }
        }
        assertThat(listed).as(history.toString()).isNotNull();
        assertThat(listed.get("status").asString()).isEqualTo("SUCCEEDED");

        String fileName = job.get("backup").get("file_name").asString();
        BackupFileReader file = BackupFileReader.read(storage.resolve(fileName));
        Map<String, Long> expected = ReferenceDataset.rowCounts(infra, SOURCE);
        assertThat(file.rowCounts()).isEqualTo(expected);
        Map<String, Long> catalogued = new LinkedHashMap<>();
        job.get("backup").get("row_counts").properties().forEach(e -> catalogued.put(e.getKey(), e.getValue().asLong()));
        assertThat(catalogued).isEqualTo(expected);
    }

    @Test
    @Order(3)
    void verifyRestoreDryRunCleanupAndSchedulerControlWorkThroughTheApi() throws Exception {
        assertThat(firstBackup).isNotNull();
        HttpResponse<String> verify = api("POST", "/api/backup/verify", TOKEN, "{\"backup_id\":\"" + firstBackup + "\"}");
        assertThat(verify.statusCode()).isEqualTo(202);
        java.util.List<JsonNode> verifying = new java.util.ArrayList<>();
        assertThat(awaitFinishedWatching(MessageJson.mapper().readTree(verify.body()).get("job_id").asString(),
                verifying).get("status").asString()).isEqualTo("SUCCEEDED");
        // progress mid-job: phase, rows read of the backup's rows, tables of all
        long allRows = ReferenceDataset.rowCounts(infra, SOURCE).values().stream().mapToLong(Long::longValue).sum();
        assertThat(verifying).as("the verify job's progress while it ran").isNotEmpty()
                .allSatisfy(p -> {
                    assertThat(p.get("phase").asString()).isEqualTo("reading");
                    assertThat(p.get("rows_estimated").asLong()).isEqualTo(allRows);
                    assertThat(p.get("table_count").asInt()).isEqualTo(5);
                });

        HttpResponse<String> restore = api("POST", "/api/backup/restore", TOKEN,
                "{\"backup_id\":\"" + firstBackup + "\",\"dry_run\":true}");
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);
        JsonNode dryRun = awaitFinished(MessageJson.mapper().readTree(restore.body()).get("job_id").asString());
        assertThat(dryRun.get("status").asString()).as(dryRun.toString()).isEqualTo("SUCCEEDED");
        assertThat(dryRun.get("result").get("tables").get("public.tasks").get("backup").asLong()).isEqualTo(200_000);
        assertThat(dryRun.get("result").get("tables").get("public.tasks").get("current").asLong()).isEqualTo(200_000);

        HttpResponse<String> realRestore = api("POST", "/api/backup/restore", TOKEN,
                "{\"backup_id\":\"" + firstBackup + "\",\"target\":\"scratch\"}");
        assertThat(realRestore.statusCode()).as(realRestore.body()).isEqualTo(202);
        java.util.List<JsonNode> restoring = new java.util.ArrayList<>();
        JsonNode restored = awaitFinishedWatching(MessageJson.mapper().readTree(realRestore.body()).get("job_id")
                .asString(), restoring);
        assertThat(restoring).as("the restore job's progress while it ran, once its backup was read").isNotEmpty()
                .filteredOn(p -> !p.get("phase").asString().equals("checking"))
                .allSatisfy(p -> assertThat(p.get("rows_estimated").asLong()).isEqualTo(allRows));
        assertThat(restoring).extracting(p -> p.get("phase").asString()).as("phases seen")
                .contains("loading").isSubsetOf("checking", "safety_backup", "loading", "keys", "verifying");
        assertThat(restoring).as("rows loaded part of the way").anySatisfy(p -> {
            assertThat(p.get("phase").asString()).isEqualTo("loading");
            assertThat(p.get("rows_done").asLong()).isPositive().isLessThan(allRows);
            assertThat(p.get("tables_done").asInt()).isLessThan(p.get("table_count").asInt());
        });
        assertThat(restored.get("status").asString()).as(restored.toString()).isEqualTo("SUCCEEDED");
        assertThat(fingerprint(SCRATCH)).isEqualTo(fingerprint(SOURCE));
        JsonNode backup = MessageJson.mapper().readTree(api("GET", "/api/backup/backups/" + firstBackup, TOKEN, null).body());
        assertThat(backup.get("manifest").get("row_counts").get("public.tasks").asLong()).isEqualTo(200_000);
        HttpResponse<String> health = api("GET", "/api/backup/health", TOKEN, null);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        JsonNode services = MessageJson.mapper().readTree(health.body()).get("services");
        for (String service : new String[]{"api-gateway", "worker", "scheduler", "alerts"}) {
            assertThat(services.get(service).get("status").asString()).as(service).isEqualTo("UP");
        }

        HttpResponse<String> cleanup = api("POST", "/api/backup/cleanup", TOKEN, "{\"dry_run\":true}");
        assertThat(cleanup.statusCode()).as(cleanup.body()).isEqualTo(202);
        String location = cleanup.headers().firstValue("Location").orElseThrow();
        JsonNode[] decisions = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> r = api("GET", location, TOKEN, null);
            if (r.statusCode() != 200) {
                return false;
            }
            decisions[0] = MessageJson.mapper().readTree(r.body());
            return true;
        });
        assertThat(decisions[0].toString()).contains(firstBackup).containsIgnoringCase("keep");

        assertThat(api("POST", "/api/backup/scheduler/stop", TOKEN, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                MessageJson.mapper().readTree(api("GET", "/api/backup/status", TOKEN, null).body())
                        .path("scheduler_running").asBoolean(true) == false);
        assertThat(api("POST", "/api/backup/scheduler/start", TOKEN, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                MessageJson.mapper().readTree(api("GET", "/api/backup/status", TOKEN, null).body())
                        .path("scheduler_running").asBoolean(false));
        JsonNode status = MessageJson.mapper().readTree(api("GET", "/api/backup/status", TOKEN, null).body());
        assertThat(status.get("successful_backups").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(status.get("next_scheduled").isNull()).isFalse();
    }

    @Test
    @Order(4)
    void aMalformedCommandIsDeadLetteredAndTheNextRequestStillSucceeds() throws Exception {
        String dlq = Topology.deadLetterQueue(Topology.WORKER_COMMANDS_QUEUE);
        long before = broker.messageCount(dlq);
        broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST, "{\"type\":\"RequestBackup\",".getBytes());
        broker.awaitMessageCount(dlq, before + 1, Duration.ofSeconds(20));
        // a command under another command's routing key (what a topic permission lets through) is refused too
        io.taskagent.backup.model.RequestRestore smuggled = new io.taskagent.backup.model.RequestRestore(
                java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), "taskagent", java.time.Instant.now(), 1,
                java.util.UUID.randomUUID(), null, null, false, false, null, null, null, "smuggler");
        broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST, MessageJson.write(smuggled));
        broker.awaitMessageCount(dlq, before + 2, Duration.ofSeconds(20));
        assertThat(api("GET", "/api/backup/jobs/" + smuggled.jobId(), TOKEN, null).statusCode())
                .as("never a job").isEqualTo(404);
        assertThat(awaitFinished(create()).get("status").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(5)
    void withTheSourceDatabaseMissingTheJobFailsNamingItAndAnEmailArrives() throws Exception {
        worker.close();
        worker = startWorker(infra.jdbcUrl(MISSING)).awaitHealthy(Duration.ofSeconds(120));

        String jobId = create();
        JsonNode job = awaitFinished(jobId);
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error_message").asString()).contains(MISSING);

        MimeMessage[] mail = new MimeMessage[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (MimeMessage m : smtp.getReceivedMessages()) {
                if (((String) m.getContent()).contains(jobId)) {
                    mail[0] = m;
                    return true;
                }
            }
            return false;
        });
        assertThat(mail[0].getAllRecipients()[0].toString()).isEqualTo("oncall@taskagent.test");
        assertThat(mail[0].getSubject()).contains("FAILED").contains("taskagent");
        assertThat((String) mail[0].getContent()).contains(jobId).contains(MISSING);
    }

    @Test
    @Order(6)
    void everyServiceExposesPrometheusMetricsToTheManagementTokenOnly() throws Exception {
        for (ServiceProcess p : new ServiceProcess[]{gateway, worker, alerts, scheduler}) {
            // the metrics need the management credential, as Prometheus presents it; without it: 401
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(p.url("/actuator/prometheus")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(p.module).isEqualTo(401);
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(p.url("/actuator/prometheus")))
                    .header("Authorization", "Bearer " + ServiceProcess.MANAGEMENT_TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as(p.module).isEqualTo(200);
            assertThat(metrics.body()).as(p.module).contains("application=\"" + p.module + "\"");
            assertThat(Files.readString(p.log)).as("%s log", p.module).doesNotContain(TOKEN);
        }
    }

    private static java.util.List<String> fingerprint(String database) throws Exception {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (java.sql.Connection c = infra.connect(database); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(Files.readString(ReferenceDataset.demoDirectory().resolve("fingerprint.sql")))) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
            }
        }
        return rows;
    }

    /**
     * Bad input at the broker's door: 1,000 random and mutated payloads on each consuming queue are all dead-lettered,
     * every consumer stays alive, and the next valid command still works.
     */
    @Test
    @Order(7)
    void aThousandPoisonedPayloadsPerQueueAreDeadLetteredAndTheConsumersLiveOn() throws Exception {
        java.util.UUID job = java.util.UUID.randomUUID();
        Map<String, java.util.List<PoisonMessages.Poison>> poisons = new LinkedHashMap<>();
        Map<String, String> exchanges = new HashMap<>();
        poisons.put(Topology.WORKER_COMMANDS_QUEUE, PoisonMessages.of(io.taskagent.backup.model.RequestBackup.newJob(
                "taskagent", "manual", "poison"), Topology.WORKER_COMMAND_KEYS, 1000, 1));
        exchanges.put(Topology.WORKER_COMMANDS_QUEUE, Topology.COMMANDS_EXCHANGE);
        poisons.put(Topology.SCHEDULER_COMMANDS_QUEUE, PoisonMessages.of(new io.taskagent.backup.model.StartScheduler(
                java.util.UUID.randomUUID(), job, "taskagent", java.time.Instant.now(), 1, "poison"),
                Topology.SCHEDULER_COMMAND_KEYS, 1000, 2));
        exchanges.put(Topology.SCHEDULER_COMMANDS_QUEUE, Topology.COMMANDS_EXCHANGE);
        poisons.put(Topology.ALERT_EVENTS_QUEUE, PoisonMessages.of(io.taskagent.backup.model.BackupFailed.of(job,
                        "taskagent", "manual", "poison", 1),
                Topology.ALERT_EVENT_KEYS, 1000, 3));
        exchanges.put(Topology.ALERT_EVENTS_QUEUE, Topology.EVENTS_EXCHANGE);

        Map<String, Long> before = new HashMap<>();
        poisons.keySet().forEach(q -> before.put(q, broker.messageCount(Topology.deadLetterQueue(q))));
        poisons.forEach((queue, list) -> list.forEach(p -> broker.publishRaw(exchanges.get(queue), p.routingKey(),
                p.body())));
        for (String queue : poisons.keySet()) {
            long sent = poisons.get(queue).size();
            broker.awaitMessageCount(Topology.deadLetterQueue(queue), before.get(queue) + sent, Duration.ofSeconds(120));
            System.out.printf("poison: %s: %d published, %d dead-lettered, %d consumers after%n", queue, sent,
                    broker.messageCount(Topology.deadLetterQueue(queue)) - before.get(queue),
                    broker.consumerCount(queue));
            assertThat(sent).isEqualTo(1000);
            assertThat(broker.consumerCount(queue)).as("%s still consumed", queue).isPositive();
        }
        // and the next valid command works: a verification (worker) and a stop and start (scheduler)
        HttpResponse<String> verify = api("POST", "/api/backup/verify", TOKEN, "{\"backup_id\":\"" + firstBackup + "\"}");
        assertThat(awaitFinished(MessageJson.mapper().readTree(verify.body()).get("job_id").asString())
                .get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(api("POST", "/api/backup/scheduler/stop", TOKEN, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                !MessageJson.mapper().readTree(api("GET", "/api/backup/status", TOKEN, null).body())
                        .path("scheduler_running").asBoolean(true));
        assertThat(api("POST", "/api/backup/scheduler/start", TOKEN, null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                MessageJson.mapper().readTree(api("GET", "/api/backup/status", TOKEN, null).body())
                        .path("scheduler_running").asBoolean(false));
        // the poison is this test's residue: a broker left with 3,000 dead letters would keep BackupDeadLetters firing
        poisons.keySet().forEach(q -> broker.purge(Topology.deadLetterQueue(q)));
    }
}
