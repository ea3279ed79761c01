package io.taskagent.backup.gateway;

import com.sun.net.httpserver.HttpServer;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static io.taskagent.backup.gateway.GatewayTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scheduler administration, cleanup, status and health on the real broker and catalog (with the scheduler's schema):
 * each command read back from the broker through a queue of the test's own, scopes, validation, 404s, shapes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class OperationsIT {

    static final String CATALOG = "backup_catalog_it_gateway_ops";
    static final String WRITER = "it-writer-secret";
    static final String OPERATOR = "it-operator-secret";
    static final String MANAGEMENT = "it-management-secret";
    static HttpServer fakeWorker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.admin-token", () -> ADMIN);
        registry.add("gateway.tokens[0].name", () -> "writer");
        String writerSha = HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(WRITER.getBytes()));
        registry.add("gateway.tokens[0].sha256", () -> writerSha);
        registry.add("gateway.tokens[0].scopes", () -> "backup:read,backup:write");
        String operatorSha = HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(OPERATOR.getBytes()));
        registry.add("gateway.tokens[1].name", () -> "operator");
        registry.add("gateway.tokens[1].sha256", () -> operatorSha);
        registry.add("gateway.tokens[1].scopes", () -> "scheduler:admin");
        registry.add("gateway.backup-directory", () -> "/srv/backups");

        registry.add("backup.management.token", () -> MANAGEMENT);
        fakeWorker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // like a real service (ManagementAccessFilter): its components only to the management token
        fakeWorker.createContext("/actuator/health", exchange -> {
            boolean management = ("Bearer " + MANAGEMENT).equals(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = (management
                    ? "{\"status\":\"UP\",\"components\":{\"db\":{\"status\":\"UP\"},\"storage\":{\"status\":\"UP\"}}}"
                    : "{\"status\":\"UP\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        fakeWorker.start();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String workerUrl = "http://127.0.0.1:" + fakeWorker.getAddress().getPort();
        registry.add("gateway.services.worker", () -> workerUrl);
        registry.add("gateway.services.alerts", () -> workerUrl);
        registry.add("gateway.services.scheduler", () -> "http://127.0.0.1:" + closedPort);
    }

    @AfterAll
    static void cleanUp() {
        fakeWorker.stop(0);
        try (BrokerProbe broker = new BrokerProbe(Infrastructure.get())) {
            broker.purge(Topology.SCHEDULER_COMMANDS_QUEUE); // no scheduler runs here: leave no commands behind
        }
    }

    @Value("${local.server.port}")
    int port;
    @Autowired
    JdbcClient catalog;

    private static JsonNode json(HttpResponse<String> response) {
        return MessageJson.mapper().readTree(response.body());
    }

    /** A call whose command is read from an exclusive queue of this test bound to {@code routingKey}. */
    private record Sent(HttpResponse<String> response, BackupMessage command) {
    }

    private Sent callCapturing(String routingKey, String method, String path, String token, String body)
            throws Exception {
        List<BackupMessage> all = callCapturingAll(List.of(routingKey), 1, method, path, token, body).commands();
        return new Sent(lastResponse, all.isEmpty() ? null : all.get(0));
    }

    private HttpResponse<String> lastResponse;

    /** The scheduler's settings row as the scheduler stores it on its first start (running). */
    private void storeSchedulerSettings() {
        catalog.sql("""
                        INSERT INTO scheduler.settings (running, time_zone, interval_hours, interval_enabled, daily_time,
                            daily_enabled, weekly_day, weekly_enabled, monthly_enabled, cleanup_time, keep_hourly,
                            keep_daily, keep_weekly, keep_monthly, keep_manual, keep_pre_restore_days,
                            max_backup_size_mb, version, created_at, updated_at, updated_by)
                        VALUES (true, 'UTC', 6, true, '02:00', true, 0, true, true, '03:00', 24, 30, 12, 12, 10, 7,
                                500, 1, now(), now(), 'test')
                        ON CONFLICT (id) DO UPDATE SET running = true""").update();
    }

    /** Every command published under {@code routingKeys} by one call. */
    private record SentAll(HttpResponse<String> response, List<BackupMessage> commands) {
    }

    /** Every command published under {@code routingKeys} by one call; a 202 is expected to publish {@code expected}. */
    private SentAll callCapturingAll(List<String> routingKeys, int expected, String method, String path, String token,
                                     String body) throws Exception {
        try (BrokerProbe probe = new BrokerProbe(Infrastructure.get())
                .capture(Topology.COMMANDS_EXCHANGE, routingKeys.toArray(String[]::new))) {
            HttpResponse<String> response = call(port, method, path, token, body);
            lastResponse = response;
            if (response.statusCode() == 202) {
                // 202 comes after the broker's confirm, so the commands are on the capture queue: wait for delivery
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> probe.events().size() >= expected);
            }
            return new SentAll(response, List.copyOf(probe.events()));
        }
    }

    @Test
    void startAndStopPublishConfirmedCommandsAndAreAudited() throws Exception {
        Sent start = callCapturing(Topology.RK_SCHEDULER_START, "POST", "/api/backup/scheduler/start", ADMIN, null);
        assertThat(start.response().statusCode()).isEqualTo(202);
        assertThat(json(start.response()).get("status").asString()).isEqualTo("QUEUED");
        String startId = json(start.response()).get("job_id").asString();
        assertThat(start.command()).isInstanceOfSatisfying(StartScheduler.class, c -> {
            assertThat(c.jobId().toString()).isEqualTo(startId);
            assertThat(c.target()).isEqualTo("taskagent");
            assertThat(c.requestedBy()).isEqualTo("admin");
        });

        Sent stop = callCapturing(Topology.RK_SCHEDULER_STOP, "POST", "/api/backup/scheduler/stop", ADMIN, null);
        assertThat(stop.response().statusCode()).isEqualTo(202);
        String stopId = json(stop.response()).get("job_id").asString();
        assertThat(stop.command()).isInstanceOfSatisfying(StopScheduler.class,
                c -> assertThat(c.jobId().toString()).isEqualTo(stopId));
        assertThat(catalog.sql("SELECT action || ' ' || outcome FROM gateway.audit_log WHERE job_id = :id")
                .param("id", UUID.fromString(stopId)).query(String.class).single()).isEqualTo("scheduler.stop ACCEPTED");
        HttpResponse<String> job = call(port, "GET", "/api/backup/jobs/" + stopId, ADMIN, null);
        assertThat(job.statusCode()).as("a scheduler command is a job too").isEqualTo(200);
        assertThat(json(job).get("kind").asString()).isEqualTo("scheduler");
        assertThat(json(job).get("status").asString()).as("no scheduler runs here to apply it").isEqualTo("QUEUED");
    }

    @Test
    void schedulerCommandsNeedTheSchedulerAdminScope() throws Exception {
        for (String path : new String[]{"/api/backup/scheduler/start", "/api/backup/scheduler/stop"}) {
            HttpResponse<String> response = call(port, "POST", path, WRITER, null);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(response).get("detail").asString()).contains("scheduler:admin");
        }
        Sent configure = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure",
                WRITER, "{\"interval_hours\":4}");
        assertThat(configure.response().statusCode()).isEqualTo(403);
        assertThat(configure.command()).isNull();
    }

    @Test
    void configureTakesTheSeedsNamesAndKeepsOmittedOnesAsNull() throws Exception {
        Sent sent = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure", ADMIN, """
                {"backup_interval_hours": 4, "daily_backup_time": "01:30", "weekly_backup_day": 6,
                 "keep_hourly_backups": 48, "keep_daily_backups": 14, "keep_weekly_backups": 8,
                 "keep_monthly_backups": 60, "max_backup_size_mb": 2000, "compression_enabled": false,
                 "monthly_enabled": false, "time_zone": "Europe/Berlin",
                 "cron_schedules": {"nightly_extra": "0 0 23 * * *"}}""");
        assertThat(sent.response().statusCode()).as(sent.response().body()).isEqualTo(202);
        String id = json(sent.response()).get("job_id").asString();
        assertThat(sent.command()).isInstanceOfSatisfying(ConfigureSchedule.class, c -> {
            assertThat(c.jobId().toString()).isEqualTo(id);
            assertThat(c.intervalHours()).isEqualTo(4);
            assertThat(c.dailyTime()).isEqualTo("01:30");
            assertThat(c.weeklyDay()).isEqualTo(6);
            assertThat(c.keepHourly()).isEqualTo(48);
            assertThat(c.keepDaily()).isEqualTo(14);
            assertThat(c.keepWeekly()).isEqualTo(8);
            assertThat(c.keepMonthly()).isEqualTo(60);
            assertThat(c.maxBackupSizeMb()).isEqualTo(2000);
            assertThat(c.compressionEnabled()).isFalse();
            assertThat(c.monthlyEnabled()).isFalse();
            assertThat(c.timeZone()).isEqualTo("Europe/Berlin");
            assertThat(c.cronSchedules()).containsEntry("nightly_extra", "0 0 23 * * *");
            assertThat(c.intervalEnabled()).isNull();
            assertThat(c.cleanupTime()).isNull();
            assertThat(c.keepManual()).isNull();
        });
        assertThat(catalog.sql("SELECT action || ' ' || outcome FROM gateway.audit_log WHERE job_id = :id")
                .param("id", UUID.fromString(id)).query(String.class).single()).isEqualTo("scheduler.configure ACCEPTED");
    }

    @Test
    void theOldSpellingsStillWorkForOneReleaseButNotBesideTheSeedsName() throws Exception {
        Sent sent = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure", ADMIN, """
                {"interval_hours": 3, "daily_time": "02:15", "weekly_day": 2, "keep_hourly": 12, "keep_daily": 7,
                 "keep_weekly": 4, "keep_monthly": 6}""");
        assertThat(sent.response().statusCode()).isEqualTo(202);
        assertThat(sent.command()).isInstanceOfSatisfying(ConfigureSchedule.class, c -> {
            assertThat(c.intervalHours()).isEqualTo(3);
            assertThat(c.dailyTime()).isEqualTo("02:15");
            assertThat(c.weeklyDay()).isEqualTo(2);
            assertThat(c.keepHourly()).isEqualTo(12);
            assertThat(c.keepDaily()).isEqualTo(7);
            assertThat(c.keepWeekly()).isEqualTo(4);
            assertThat(c.keepMonthly()).isEqualTo(6);
        });
        Sent both = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure", ADMIN,
                "{\"keep_daily\": 7, \"keep_daily_backups\": 8}");
        assertThat(both.response().statusCode()).isEqualTo(400);
        assertThat(json(both.response()).get("errors").get("keep_daily_backups").asString()).contains("not both");
        assertThat(both.command()).isNull();
        Sent oldOutOfBounds = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure",
                ADMIN, "{\"keep_daily\": 0}");
        assertThat(oldOutOfBounds.response().statusCode()).isEqualTo(400);
        assertThat(json(oldOutOfBounds.response()).get("errors").has("keep_daily")).as("named as sent").isTrue();
    }

    @Test
    void anUnknownConfigurationFieldIs400NamingItAndNothingIsPublished() throws Exception {
        Sent sent = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure", ADMIN,
                "{\"backup_interval_hours\": 4, \"keep_yearly_backups\": 3}");
        assertThat(sent.response().statusCode()).isEqualTo(400);
        assertThat(json(sent.response()).get("errors").get("keep_yearly_backups").asString()).contains("not a field");
        assertThat(sent.command()).isNull();
    }

    @Test
    void theAlertSettingsGoToTheAlertServiceAsACommandUnderTheSameJob() throws Exception {
        SentAll sent = callCapturingAll(List.of(Topology.RK_SCHEDULER_CONFIGURE, Topology.RK_ALERTS_CONFIGURE), 2, "POST",
                "/api/backup/scheduler/configure", ADMIN, """
                        {"backup_interval_hours": 6, "email_recipients": ["ops@example.com", "dba@example.org"],
                         "email_alerts_enabled": true, "alert_on_failure": false}""");
        assertThat(sent.response().statusCode()).as(sent.response().body()).isEqualTo(202);
        UUID id = UUID.fromString(json(sent.response()).get("job_id").asString());
        assertThat(sent.commands()).hasSize(2).allSatisfy(c -> assertThat(c.jobId()).isEqualTo(id));
        assertThat(sent.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(ConfigureAlerts.class, a -> {
            assertThat(a.emailRecipients()).containsExactly("ops@example.com", "dba@example.org");
            assertThat(a.emailAlertsEnabled()).isTrue();
            assertThat(a.alertOnFailure()).isFalse();
        }));
        assertThat(sent.commands()).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(ConfigureSchedule.class,
                s -> assertThat(s.intervalHours()).isEqualTo(6)));

        SentAll onlyAlerts = callCapturingAll(List.of(Topology.RK_SCHEDULER_CONFIGURE, Topology.RK_ALERTS_CONFIGURE),
                1, "POST", "/api/backup/scheduler/configure", ADMIN, "{\"email_alerts_enabled\": false}");
        assertThat(onlyAlerts.response().statusCode()).isEqualTo(202);
        assertThat(onlyAlerts.commands()).singleElement().isInstanceOf(ConfigureAlerts.class);

        SentAll bad = callCapturingAll(List.of(Topology.RK_SCHEDULER_CONFIGURE, Topology.RK_ALERTS_CONFIGURE), 0, "POST",
                "/api/backup/scheduler/configure", ADMIN,
                "{\"backup_interval_hours\": 6, \"email_recipients\": [\"ops@example.com\", \"not an address\"]}");
        assertThat(bad.response().statusCode()).isEqualTo(400);
        assertThat(json(bad.response()).get("errors").has("email_recipients[1]")).as(bad.response().body()).isTrue();
        assertThat(bad.commands()).as("nothing is published when any field is wrong").isEmpty();
    }

    @Test
    void aSchedulerCommandsOutcomeIsItsJobAndTheStoredSettingsReadBack() throws Exception {
        SentAll both = callCapturingAll(List.of(Topology.RK_SCHEDULER_CONFIGURE, Topology.RK_ALERTS_CONFIGURE), 2,
                "POST", "/api/backup/scheduler/configure", ADMIN,
                "{\"keep_daily_backups\": 20, \"alert_on_failure\": true}");
        UUID applied = UUID.fromString(json(both.response()).get("job_id").asString());
        JsonNode queued = json(call(port, "GET", "/api/backup/jobs/" + applied, WRITER, null));
        assertThat(queued.get("status").asString()).isEqualTo("QUEUED");
        assertThat(queued.get("type").asString()).isEqualTo("ConfigureSchedule+ConfigureAlerts");

        recordOutcome("scheduler", applied, "ConfigureSchedule", null);
        JsonNode half = json(call(port, "GET", "/api/backup/jobs/" + applied, WRITER, null));
        assertThat(half.get("status").asString()).as("one of two commands handled").isEqualTo("RUNNING");
        assertThat(half.get("detail").asString()).contains("ConfigureSchedule");
        recordOutcome("alerts", applied, "ConfigureAlerts", null);
        JsonNode ok = json(call(port, "GET", "/api/backup/jobs/" + applied, WRITER, null));
        assertThat(ok.get("kind").asString()).isEqualTo("scheduler");
        assertThat(ok.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(ok.get("outcome").asString()).isEqualTo("APPLIED");

        Sent scheduleOnly = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure",
                ADMIN, "{\"keep_daily_backups\": 300}");
        UUID rejected = UUID.fromString(json(scheduleOnly.response()).get("job_id").asString());
        recordOutcome("scheduler", rejected, "ConfigureSchedule", "{\"keepDaily\": \"must be 1 to 365 but was 400\"}");
        JsonNode refused = json(call(port, "GET", "/api/backup/jobs/" + rejected, WRITER, null));
        assertThat(refused.get("status").asString()).isEqualTo("FAILED");
        assertThat(refused.get("outcome").asString()).isEqualTo("REJECTED");
        assertThat(refused.get("problems").get("keepDaily").asString()).contains("1 to 365");
        assertThat(refused.get("error_message").asString()).contains("keepDaily");
        catalog.sql("ALTER VIEW alerts.v1_commands RENAME TO v1_commands_hidden").update();
        try {
            assertThat(call(port, "GET", "/api/backup/jobs/" + rejected, WRITER, null).statusCode())
                    .as("a schedule-only job does not read the alert service's view").isEqualTo(200);
        } finally {
            catalog.sql("ALTER VIEW alerts.v1_commands_hidden RENAME TO v1_commands").update();
        }

        storeSchedulerSettings();
        HttpResponse<String> config = call(port, "GET", "/api/backup/scheduler/config", WRITER, null);
        assertThat(config.statusCode()).as(config.body()).isEqualTo(200);
        JsonNode settings = json(config);
        assertThat(settings.get("backup_interval_hours").asInt()).isEqualTo(6);
        assertThat(settings.get("keep_daily_backups").asInt()).isEqualTo(30);
        assertThat(settings.get("compression_enabled").asBoolean()).isTrue();
        assertThat(settings.has("email_recipients")).isTrue();
        assertThat(call(port, "GET", "/api/backup/scheduler", WRITER, null).body()).isEqualTo(config.body());
    }

    @Test
    void aDryRunCleanupsJobReadsItsDecision() throws Exception {
        Sent sent = callCapturing(Topology.RK_CLEANUP_REQUEST, "POST", "/api/backup/cleanup", WRITER,
                "{\"dry_run\":true}");
        String id = json(sent.response()).get("job_id").asString();
        assertThat(json(call(port, "GET", "/api/backup/jobs/" + id, WRITER, null)).get("status").asString())
                .isEqualTo("QUEUED");
        catalog.sql("""
                        INSERT INTO scheduler.cleanup_runs (job_id, target, dry_run, requested_by, decided_at,
                            kept_count, delete_count, delete_bytes, decisions)
                        VALUES (:id, 'taskagent', true, 'operator', now(), 0, 0, 0, '[]')""")
                .param("id", UUID.fromString(id)).update();
        JsonNode decided = json(call(port, "GET", "/api/backup/jobs/" + id, WRITER, null));
        assertThat(decided.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(decided.get("detail").asString()).contains("/api/backup/cleanup/" + id);
    }

    /** What the scheduler or the alert service records for a command it handled. */
    private void recordOutcome(String schema, UUID jobId, String command, String problems) {
        catalog.sql("INSERT INTO " + schema + ".commands (message_id, job_id, command, requested_by, received_at, "
                        + "outcome, problems) VALUES (:m, :job, :command, 'admin', now(), :outcome, CAST(:problems AS jsonb))")
                .param("m", UUID.randomUUID()).param("job", jobId).param("command", command)
                .param("outcome", problems == null ? "APPLIED" : "REJECTED").param("problems", problems).update();
    }

    @Test
    void anInvalidConfigurationIs400ListingEveryFieldAndNothingIsPublished() throws Exception {
        Sent sent = callCapturing(Topology.RK_SCHEDULER_CONFIGURE, "POST", "/api/backup/scheduler/configure", ADMIN, """
                {"interval_hours": 0, "daily_time": "25:00", "cleanup_time": "3am", "weekly_day": 7,
                 "keep_hourly": 169, "keep_daily": 0, "keep_weekly": 53, "keep_monthly": 61, "keep_manual": 1001,
                 "keep_pre_restore_days": 366, "max_backup_size_mb": 10001, "time_zone": "Mars/Olympus",
                 "cron_schedules": {"Bad Name": "0 0 * * * *", "ok_name": "not cron"}}""");
        assertThat(sent.response().statusCode()).isEqualTo(400);
        assertThat(sent.response().headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode errors = json(sent.response()).get("errors");
        for (String field : new String[]{"interval_hours", "daily_time", "cleanup_time", "weekly_day", "keep_hourly",
                "keep_daily", "keep_weekly", "keep_monthly", "keep_manual", "keep_pre_restore_days",
                "max_backup_size_mb", "time_zone", "cron_schedules.Bad Name", "cron_schedules.ok_name"}) {
            assertThat(errors.has(field)).as(field).isTrue();
        }
        assertThat(errors.get("keep_weekly").asString()).contains("1 to 52");
        assertThat(sent.command()).isNull();
        assertThat(catalog.sql("SELECT count(*) FROM gateway.audit_log WHERE action = 'scheduler.configure' "
                + "AND outcome = 'REJECTED'").query(Integer.class).single()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aCleanupIsPublishedAndItsStoredDecisionsAreReadable() throws Exception {
        Sent sent = callCapturing(Topology.RK_CLEANUP_REQUEST, "POST", "/api/backup/cleanup", WRITER,
                "{\"dry_run\":true}");
        assertThat(sent.response().statusCode()).isEqualTo(202);
        String id = json(sent.response()).get("job_id").asString();
        assertThat(sent.response().headers().firstValue("Location")).hasValue("/api/backup/cleanup/" + id);
        assertThat(sent.command()).isInstanceOfSatisfying(RequestCleanup.class, c -> {
            assertThat(c.jobId().toString()).isEqualTo(id);
            assertThat(c.dryRun()).isTrue();
            assertThat(c.requestedBy()).isEqualTo("writer");
        });
        assertThat(call(port, "GET", "/api/backup/cleanup/" + id, WRITER, null).statusCode()).isEqualTo(404);

        UUID kept = UUID.randomUUID();
        UUID deleted = UUID.randomUUID();
        String decisions = "[{\"backupId\":\"" + kept + "\",\"fileName\":\"manual_backup_a.json.zst\",\"backupType\":"
                + "\"manual\",\"createdAt\":\"2026-11-28T10:00:00Z\",\"sizeBytes\":10,\"keep\":true,\"reasons\":"
                + "[\"newest\"]},{\"backupId\":\"" + deleted + "\",\"fileName\":\"manual_backup_b.json.zst\","
                + "\"backupType\":\"manual\",\"createdAt\":\"2026-11-01T10:00:00Z\",\"sizeBytes\":20,\"keep\":false,"
                + "\"reasons\":[\"beyond keep_manual 1\"]}]";
        catalog.sql("""
                        INSERT INTO scheduler.cleanup_runs (job_id, target, dry_run, requested_by, decided_at,
                            kept_count, delete_count, delete_bytes, decisions)
                        VALUES (:id, 'taskagent', true, 'writer', now(), 1, 1, 20, CAST(:d AS jsonb))""")
                .param("id", UUID.fromString(id)).param("d", decisions).update();
        HttpResponse<String> result = call(port, "GET", "/api/backup/cleanup/" + id, WRITER, null);
        assertThat(result.statusCode()).isEqualTo(200);
        JsonNode run = json(result);
        assertThat(run.get("dry_run").asBoolean()).isTrue();
        assertThat(run.get("delete_bytes").asLong()).isEqualTo(20);
        assertThat(run.get("decisions").get(0).get("backup_id").asString()).isEqualTo(kept.toString());
        assertThat(run.get("decisions").get(0).get("decision").asString()).isEqualTo("keep");
        assertThat(run.get("decisions").get(1).get("decision").asString()).isEqualTo("delete");
        assertThat(run.get("decisions").get(1).get("reasons").get(0).asString()).isEqualTo("beyond keep_manual 1");
    }

    @Test
    void readsAndCleanupNeedTheirScopesAndUnknownIdsAre404() throws Exception {
        Sent refused = callCapturing(Topology.RK_CLEANUP_REQUEST, "POST", "/api/backup/cleanup", OPERATOR, "{}");
        assertThat(refused.response().statusCode()).isEqualTo(403);
        assertThat(json(refused.response()).get("detail").asString()).contains("backup:write");
        assertThat(refused.command()).isNull();
        for (String path : new String[]{"/api/backup/cleanup/" + UUID.randomUUID(), "/api/backup/status",
                "/api/backup/health"}) {
            assertThat(call(port, "GET", path, OPERATOR, null).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(call(port, "POST", "/api/backup/cleanup", "nobody", "{}").statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/api/backup/cleanup/" + UUID.randomUUID(), ADMIN, null).statusCode())
                .isEqualTo(404);
        assertThat(call(port, "GET", "/api/backup/cleanup/nope", ADMIN, null).statusCode()).isEqualTo(400);
    }

    @Test
    void statusReportsCountsTheNewestBackupTheSchedulerAndDiskUsage() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID ok = UUID.randomUUID();
        UUID failed = UUID.randomUUID();
        insertJob(ok, "SUCCEEDED", now.minusSeconds(600), null);
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                            compression, format_version, row_counts, table_count, duration_ms, created_at)
                        VALUES (:id, :id, 'taskagent', 'manual', 'manual_backup_s.json.zst', 2097152, :sha, 'zstd', 1,
                                '{"public.users": 3}', 1, 1500, now())""")
                .param("id", ok).param("sha", "c".repeat(64)).update();
        storeSchedulerSettings();
        Instant next = now.plusSeconds(3600);
        catalog.sql("""
                        INSERT INTO scheduler.schedules (name, kind, spec, enabled, since, next_fire_at, updated_at)
                        VALUES ('interval', 'interval', '6', true, now(), :next, now()),
                               ('cleanup', 'cleanup', '03:00', true, now(), :soon, now())
                        ON CONFLICT (name) DO UPDATE SET next_fire_at = EXCLUDED.next_fire_at""")
                .param("next", Timestamp.from(next)).param("soon", Timestamp.from(now.plusSeconds(60))).update();

        JsonNode status = json(call(port, "GET", "/api/backup/status", WRITER, null));
        assertThat(status.get("status").asString()).isEqualTo("healthy");
        assertThat(status.get("last_backup").get("job_id").asString()).isEqualTo(ok.toString());
        assertThat(status.get("total_backups").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(status.get("scheduler_running").asBoolean()).isTrue();
        assertThat(Instant.parse(status.get("next_scheduled").asString())).isEqualTo(next);
        assertThat(status.get("backup_directory").asString()).isEqualTo("/srv/backups");
        assertThat(status.get("disk_usage_mb").asDouble()).isGreaterThanOrEqualTo(2.0);

        insertJob(failed, "FAILED", now.minusSeconds(60), "disk full");
        catalog.sql("UPDATE scheduler.settings SET running = false").update();
        JsonNode degraded = json(call(port, "GET", "/api/backup/status", WRITER, null));
        assertThat(degraded.get("status").asString()).isEqualTo("degraded");
        assertThat(degraded.get("last_backup").get("job_id").asString()).isEqualTo(failed.toString());
        assertThat(degraded.get("last_backup").get("error_message").asString()).isEqualTo("disk full");
        assertThat(degraded.get("failed_backups").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(degraded.get("scheduler_running").asBoolean()).isFalse();
        assertThat(degraded.get("next_scheduled").isNull()).isTrue();
        assertThat(call(port, "GET", "/api/backup/status", "nobody", null).statusCode()).isEqualTo(401);
    }

    private void insertJob(UUID id, String status, Instant requestedAt, String error) {
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_at, started_at, finished_at,
                                                 attempts, error)
                        VALUES (:id, 'backup', 'manual', 'taskagent', :status, :at, :at, :finished, 1, :error)""")
                .param("id", id).param("status", status).param("at", Timestamp.from(requestedAt))
                .param("finished", Timestamp.from(requestedAt.plusSeconds(30))).param("error", error).update();
    }

    @Test
    void healthCombinesTheGatewayAndEveryServicesActuatorHealth() throws Exception {
        HttpResponse<String> response = call(port, "GET", "/api/backup/health", WRITER, null);
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode health = json(response);
        assertThat(health.get("status").asString()).isEqualTo("DOWN");
        JsonNode services = health.get("services");
        assertThat(services.get("api-gateway").get("status").asString()).isEqualTo("UP");
        assertThat(services.get("api-gateway").get("components").get("broker").asString()).isEqualTo("UP");
        assertThat(services.get("api-gateway").get("components").get("catalog").asString()).isEqualTo("UP");
        assertThat(services.get("worker").get("status").asString()).isEqualTo("UP");
        assertThat(services.get("worker").get("components").get("storage").asString()).isEqualTo("UP");
        assertThat(response.body()).as("the management token is sent to the services, never shown")
                .doesNotContain(MANAGEMENT);
        assertThat(services.get("alerts").get("status").asString()).isEqualTo("UP");
        assertThat(services.get("scheduler").get("status").asString()).isEqualTo("UNREACHABLE");
    }
}
