package io.taskagent.backup.system;

import io.taskagent.backup.model.DrillPassed;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ReferenceDataset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restore drill fired by the scheduler at its time, end to end: the worker, the scheduler and the gateway as real
 * processes on the real broker and database. After a backup, the scheduler is restarted with the drill's cron set to
 * a second shortly after its start; the drill passes on a backup of the reference dataset, its database is gone afterwards, and the event, the
 * drill's record, the gateway's {@code /drills} and {@code /status} and the worker's metrics agree.
 */
class ScheduledDrillIT {

    static final String CATALOG = "backup_catalog_it_drill_schedule";
    static final String SOURCE = "taskagent_drill_schedule";
    static final String TOKEN = "drill-admin-token-" + System.nanoTime();

    static Infrastructure infra;
    static Path storage;
    static BrokerProbe broker;
    static ServiceProcess worker;
    static ServiceProcess scheduler;
    static ServiceProcess gateway;
    static Instant fireAt;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startTheSystem() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        ReferenceDataset.ensure(infra, SOURCE, 1);
        storage = Files.createTempDirectory("drill-backups");
        broker = new BrokerProbe(infra).captureEvents();
        // a first scheduler publishes the scheduler's read contract the worker's health waits for
        scheduler = ServiceProcess.start("scheduler-service", env(schedulerSettings(Map.of())));
        worker = ServiceProcess.start("backup-worker", env(Map.of("BACKUP_SOURCE_URL", infra.jdbcUrl(SOURCE))));
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", TOKEN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""), "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""))));
        for (ServiceProcess p : new ServiceProcess[]{scheduler, worker, gateway}) {
            p.awaitHealthy(Duration.ofSeconds(120));
        }

        HttpResponse<String> created = api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String backup = MessageJson.mapper().readTree(created.body()).get("job_id").asString();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                MessageJson.mapper().readTree(api("GET", "/api/backup/jobs/" + backup, null).body())
                        .path("status").asString().equals("SUCCEEDED"));

        // the scheduler restarted with the drill once a day at a second shortly after its start (UTC)
        scheduler.close();
        fireAt = Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS);
        ZonedDateTime at = fireAt.atZone(ZoneOffset.UTC);
        scheduler = ServiceProcess.start("scheduler-service", env(schedulerSettings(Map.of(
                "SCHEDULER_DRILL_CRON", at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " * * *"))));
        scheduler.awaitHealthy(Duration.ofSeconds(120));
        assertThat(Instant.now()).as("the scheduler started before the drill's time (else raise the margin)")
                .isBefore(fireAt);
    }

    /** Only the interval schedule, once a week (no scheduled backup joins the test's), polling every second. */
    private static Map<String, String> schedulerSettings(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "SCHEDULER_TIME_ZONE", "UTC",
                "SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false",
                "SPRING_APPLICATION_JSON", "{\"scheduler\":{\"poll-interval\":\"1s\"}}"));
        env.putAll(extra);
        return env;
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
        SystemTestSupport.closeAll(gateway, scheduler, worker, broker);
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theScheduledDrillFiresAtItsTimePassesAndEveryViewAgrees() throws Exception {
        // fired by the scheduler for its slot, once; then the drill of that job passes
        String fireSql = "SELECT fire_at, job_id::text, status FROM scheduler.fires WHERE schedule = 'drill'";
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> "PUBLISHED".equals(rowOrEmpty(CATALOG, fireSql).get("status")));
        Map<String, Object> fire = row(CATALOG, fireSql);
        DrillPassed passed = broker.awaitEvent(DrillPassed.class,
                e -> e.jobId().toString().equals(fire.get("job_id")), Duration.ofSeconds(240));
        assertThat(((Timestamp) fire.get("fire_at")).toInstant()).isEqualTo(fireAt);
        assertThat(fire.get("job_id")).isEqualTo(passed.jobId().toString());
        assertThat(fire.get("status")).isEqualTo("PUBLISHED");
        assertThat(passed.rowCounts()).isEqualTo(ReferenceDataset.rowCounts(infra, SOURCE));
        assertThat(passed.recoveryMillis()).isPositive();

        // the drill database is gone (the one this drill recorded; other tests' drills may run beside this one)
        Map<String, Object> left = row(CATALOG, "SELECT count(*) AS n FROM pg_database d"
                + " JOIN worker.drill_databases r ON r.database = d.datname");
        assertThat(((Number) left.get("n")).longValue()).isZero();

        // the gateway's drill list and status
        JsonNode drills = MessageJson.mapper().readTree(api("GET", "/api/backup/drills", null).body());
        assertThat(drills.get(0).get("job_id").asString()).as(drills.toString()).isEqualTo(passed.jobId().toString());
        assertThat(drills.get(0).get("passed").asBoolean()).isTrue();
        assertThat(drills.get(0).get("recovery_ms").asLong()).isEqualTo(passed.recoveryMillis());
        assertThat(drills.get(0).get("backup_id").asString()).isEqualTo(passed.backupId().toString());
        JsonNode lastDrill = MessageJson.mapper().readTree(api("GET", "/api/backup/status", null).body())
                .get("last_drill");
        assertThat(lastDrill.get("job_id").asString()).as(lastDrill.toString()).isEqualTo(passed.jobId().toString());
        assertThat(lastDrill.get("passed").asBoolean()).isTrue();
        assertThat(lastDrill.get("recovery_ms").asLong()).isEqualTo(passed.recoveryMillis());

        // the worker's metrics
        String metrics = http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/prometheus")))
                        .header("Authorization", "Bearer " + ServiceProcess.MANAGEMENT_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(sample(metrics, "backup_drill_last_success_seconds", "target=\"taskagent\""))
                .isGreaterThanOrEqualTo(fireAt.getEpochSecond());
        assertThat(sample(metrics, "backup_drill_duration_seconds_count", "outcome=\"passed\"")).isEqualTo(1.0);
    }

    /** The first row of a query, by column label; empty when there is none. */
    private static Map<String, Object> rowOrEmpty(String database, String sql) throws Exception {
        try (java.sql.Connection c = infra.connect(database); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            Map<String, Object> row = new HashMap<>();
            if (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
            }
            return row;
        }
    }

    /** The first row of a query, by column label. */
    private static Map<String, Object> row(String database, String sql) throws Exception {
        try (java.sql.Connection c = infra.connect(database); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            Map<String, Object> row = new HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
            }
            return row;
        }
    }

    /** The value of the one sample of {@code name} whose labels contain {@code label}. */
    private static double sample(String exposition, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(exposition);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no sample " + name + "{" + label + "} in:\n" + exposition);
    }
}
