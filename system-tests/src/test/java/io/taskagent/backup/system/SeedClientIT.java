package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The seed guide's curl commands, verbatim (host, port and token aside), against the four services running as
 * processes: {@code curl -d} sends {@code application/x-www-form-urlencoded}, and the API reads the body as the JSON
 * it is. Create, history, status, restore by {@code backup_filename}, scheduler stop/start/configure with the seed's
 * {@code BackupConfig} names (read back, and applied by the scheduler and the alert service), cleanup; invalid seed
 * values are 400 naming each field.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedClientIT {

    static final String CATALOG = "backup_catalog_it_seed";
    static final String SOURCE = "taskagent_seed_it";
    static final String TOKEN = "seed-admin-token-" + System.nanoTime();

    static Infrastructure infra;
    static GreenMail smtp;
    static Path storage;
    static ServiceProcess gateway;
    static ServiceProcess worker;
    static ServiceProcess alerts;
    static ServiceProcess scheduler;
    static String fileName;

    /** What curl printed, and the HTTP status it saw. */
    record Answer(int status, JsonNode body, String raw) {
    }

    @BeforeAll
    static void startTheSystem() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        infra.recreateDatabase(SOURCE);
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);
                    CREATE TABLE tasks (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users,
                                        title text NOT NULL, done boolean NOT NULL DEFAULT false);
                    INSERT INTO users (email) SELECT 'user' || g || '@taskagent.test' FROM generate_series(1, 50) g;
                    INSERT INTO tasks (user_id, title) SELECT 1 + g % 50, 'task ' || g FROM generate_series(1, 500) g;
                    """);
        }
        storage = Files.createTempDirectory("seed-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try (BrokerProbe broker = new BrokerProbe(infra)) {
            broker.purge(Topology.WORKER_COMMANDS_QUEUE);
            broker.purge(Topology.SCHEDULER_COMMANDS_QUEUE);
            broker.purge(Topology.ALERT_EVENTS_QUEUE);
        }
        worker = ServiceProcess.start("backup-worker", env(Map.of("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE),
                "BACKUP_SOURCE_TARGET", "taskagent")));
        alerts = ServiceProcess.start("alert-service", env(Map.of("SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "ALERT_MAIL_RECIPIENTS", "oncall@taskagent.test")));
        scheduler = ServiceProcess.start("scheduler-service", env(Map.of("SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false", "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false")));
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        for (ServiceProcess p : new ServiceProcess[]{gateway, worker, alerts, scheduler}) {
            p.awaitHealthy(Duration.ofSeconds(120));
        }
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.putAll(extra);
        return env;
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        SystemTestSupport.closeAll(gateway, worker, alerts, scheduler, smtp);
    }

    /**
     * Runs one of the seed guide's command lines in bash, with {@code $BASE} the gateway's URL and {@code $T} the
     * token; curl prints the body and then, on a line of its own, the HTTP status.
     */
    private static Answer seed(String commandLine) throws Exception {
        ProcessBuilder bash = new ProcessBuilder("bash", "-c", commandLine + " -s -w '\\n%{http_code}'");
        bash.environment().put("BASE", gateway.url(""));
        bash.environment().put("T", TOKEN);
        bash.redirectErrorStream(true);
        Process process = bash.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int cut = out.lastIndexOf('\n');
        int status = Integer.parseInt(out.substring(cut + 1).trim());
        String body = out.substring(0, Math.max(cut, 0));
        return new Answer(status, body.isBlank() ? null : MessageJson.mapper().readTree(body), body);
    }

    private static JsonNode awaitFinished(String jobId) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            job[0] = seed("curl $BASE/api/backup/jobs/" + jobId + " -H \"Authorization: Bearer $T\"").body();
            String status = job[0].path("status").asString();
            return status.equals("SUCCEEDED") || status.equals("FAILED");
        });
        return job[0];
    }

    private static long tasks() throws Exception {
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM tasks")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @Order(1)
    void createHistoryAndStatusWorkVerbatim() throws Exception {
        Answer created = seed("curl -X POST $BASE/api/backup/create -H \"Authorization: Bearer $T\" "
                + "-d '{\"backup_type\": \"manual\"}'");
        assertThat(created.status()).as(created.raw()).isEqualTo(202);
        String jobId = created.body().get("job_id").asString();
        JsonNode job = awaitFinished(jobId);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        fileName = job.get("backup").get("file_name").asString();

        Answer history = seed("curl $BASE/api/backup/history -H \"Authorization: Bearer $T\"");
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body().valueStream().filter(e -> e.get("job_id").asString().equals(jobId)).findFirst())
                .hasValueSatisfying(entry -> {
                    assertThat(entry.get("file_name").asString()).isEqualTo(fileName);
                    assertThat(entry.get("backup_type").asString()).isEqualTo("manual");
                    assertThat(entry.get("tables_backed_up").toString()).contains("public.users", "public.tasks");
                });

        Answer status = seed("curl $BASE/api/backup/status -H \"Authorization: Bearer $T\"");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body().get("successful_backups").asLong()).isEqualTo(1);
        assertThat(status.body().get("last_backup").get("file_name").asString()).isEqualTo(fileName);
    }

    @Test
    @Order(2)
    void restoreByFileNameWorksVerbatim() throws Exception {
        try (Connection c = infra.connect(SOURCE); Statement s = c.createStatement()) {
            s.execute("DELETE FROM tasks WHERE id > 400");
        }
        assertThat(tasks()).isEqualTo(400);
        Answer restore = seed("curl -X POST $BASE/api/backup/restore -H \"Authorization: Bearer $T\" "
                + "-d '{\"backup_filename\": \"" + fileName + "\"}'");
        assertThat(restore.status()).as(restore.raw()).isEqualTo(202);
        JsonNode job = awaitFinished(restore.body().get("job_id").asString());
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(tasks()).isEqualTo(500);
    }

    @Test
    @Order(3)
    void schedulerStopStartAndConfigureWithTheSeedsNamesAreAppliedAndReadBack() throws Exception {
        Answer stop = seed("curl -X POST $BASE/api/backup/scheduler/stop -H \"Authorization: Bearer $T\"");
        assertThat(stop.status()).as(stop.raw()).isEqualTo(202);
        assertThat(awaitFinished(stop.body().get("job_id").asString()).get("outcome").asString()).isEqualTo("APPLIED");
        assertThat(seed("curl $BASE/api/backup/scheduler/config -H \"Authorization: Bearer $T\"").body()
                .get("running").asBoolean()).isFalse();
        Answer start = seed("curl -X POST $BASE/api/backup/scheduler/start -H \"Authorization: Bearer $T\"");
        assertThat(start.status()).isEqualTo(202);
        assertThat(awaitFinished(start.body().get("job_id").asString()).get("outcome").asString()).isEqualTo("APPLIED");

        Answer configure = seed("""
                curl -X POST $BASE/api/backup/scheduler/configure -H "Authorization: Bearer $T" \
                  -d '{"backup_interval_hours": 12, "daily_backup_time": "03:30", "weekly_backup_day": 6,
                       "keep_hourly_backups": 48, "keep_daily_backups": 14, "keep_weekly_backups": 8,
                       "keep_monthly_backups": 6, "max_backup_size_mb": 800,
                       "email_recipients": ["ops@taskagent.test", "dba@taskagent.test"],
                       "alert_on_failure": true, "email_alerts_enabled": true, "compression_enabled": true}'""");
        assertThat(configure.status()).as(configure.raw()).isEqualTo(202);
        String jobId = configure.body().get("job_id").asString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode job = awaitFinished(jobId);
            assertThat(job.get("type").asString()).as(job.toString()).contains("ConfigureSchedule", "ConfigureAlerts");
            assertThat(job.get("outcome").asString()).isEqualTo("APPLIED");
        });
        Answer config = seed("curl $BASE/api/backup/scheduler/config -H \"Authorization: Bearer $T\"");
        assertThat(config.status()).isEqualTo(200);
        JsonNode settings = config.body();
        assertThat(settings.get("running").asBoolean()).isTrue();
        assertThat(settings.get("backup_interval_hours").asInt()).isEqualTo(12);
        assertThat(settings.get("daily_backup_time").asString()).isEqualTo("03:30");
        assertThat(settings.get("weekly_backup_day").asInt()).isEqualTo(6);
        assertThat(settings.get("keep_hourly_backups").asInt()).isEqualTo(48);
        assertThat(settings.get("keep_daily_backups").asInt()).isEqualTo(14);
        assertThat(settings.get("keep_weekly_backups").asInt()).isEqualTo(8);
        assertThat(settings.get("keep_monthly_backups").asInt()).isEqualTo(6);
        assertThat(settings.get("max_backup_size_mb").asInt()).isEqualTo(800);
        assertThat(settings.get("compression_enabled").asBoolean()).isTrue();
        assertThat(settings.get("email_recipients").toString()).contains("ops@taskagent.test", "dba@taskagent.test");
        assertThat(settings.get("alert_on_failure").asBoolean()).isTrue();
        assertThat(settings.get("email_alerts_enabled").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void invalidSeedValuesAre400NamingEachField() throws Exception {
        Answer invalid = seed("""
                curl -X POST $BASE/api/backup/scheduler/configure -H "Authorization: Bearer $T" \
                  -d '{"backup_interval_hours": 0, "daily_backup_time": "25:00", "weekly_backup_day": 9,
                       "keep_hourly_backups": 0, "keep_daily_backups": 400, "keep_weekly_backups": 0,
                       "keep_monthly_backups": 61, "max_backup_size_mb": 0, "email_recipients": ["not-an-address"]}'""");
        assertThat(invalid.status()).as(invalid.raw()).isEqualTo(400);
        JsonNode errors = invalid.body().get("errors");
        for (String field : new String[]{"backup_interval_hours", "daily_backup_time", "weekly_backup_day",
                "keep_hourly_backups", "keep_daily_backups", "keep_weekly_backups", "keep_monthly_backups",
                "max_backup_size_mb", "email_recipients[0]"}) {
            assertThat(errors.has(field)).as(field + " in " + errors).isTrue();
        }
        Answer unknown = seed("curl -X POST $BASE/api/backup/scheduler/configure -H \"Authorization: Bearer $T\" "
                + "-d '{\"backup_interval_hours\": 6, \"backup_retention_years\": 2}'");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("errors").has("backup_retention_years")).isTrue();
        Answer notJson = seed("curl -X POST $BASE/api/backup/create -H \"Authorization: Bearer $T\" "
                + "-d 'backup_type=manual'");
        assertThat(notJson.status()).isEqualTo(400);
    }

    @Test
    @Order(5)
    void cleanupWorksVerbatim() throws Exception {
        Answer cleanup = seed("curl -X POST $BASE/api/backup/cleanup -H \"Authorization: Bearer $T\"");
        assertThat(cleanup.status()).as(cleanup.raw()).isEqualTo(202);
        String jobId = cleanup.body().get("job_id").asString();
        Answer decisions = await().atMost(Duration.ofSeconds(30)).until(
                () -> seed("curl $BASE/api/backup/cleanup/" + jobId + " -H \"Authorization: Bearer $T\""),
                answer -> answer.status() == 200);
        assertThat(decisions.body().get("kept_count").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(decisions.body().get("decisions").toString()).contains(fileName);
    }
}
