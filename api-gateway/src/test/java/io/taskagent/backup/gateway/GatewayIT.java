package io.taskagent.backup.gateway;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static io.taskagent.backup.gateway.GatewayTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

/** The REST API on the real broker and catalog: authentication, scopes, confirmed commands, reads, errors. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class GatewayIT {

    static final String CATALOG = "backup_catalog_it_gateway";
    static final String READER = "it-reader-secret";
    static final String MANAGEMENT = "it-management-secret-gw";
    static BrokerProbe broker;
    static java.nio.file.Path storage;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.admin-token", () -> ADMIN);
        registry.add("backup.management.token", () -> MANAGEMENT);
        storage = java.nio.file.Files.createTempDirectory("gateway-storage");
        registry.add("gateway.backup-directory", storage::toString);
        registry.add("gateway.tokens[0].name", () -> "reader");
        String readerSha = HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(READER.getBytes()));
        registry.add("gateway.tokens[0].sha256", () -> readerSha);
        registry.add("gateway.tokens[0].scopes", () -> "backup:read");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get());
    }

    @AfterAll
    static void cleanUp() {
        broker.purge(Topology.WORKER_COMMANDS_QUEUE); // no worker runs here: leave no commands behind
        broker.close();
    }

    @Value("${local.server.port}")
    int port;
    @Autowired
    JdbcClient catalog;

    @BeforeEach
    void emptyCommandQueue() {
        broker.purge(Topology.WORKER_COMMANDS_QUEUE);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return MessageJson.mapper().readTree(response.body());
    }

    @Test
    void withoutATokenOrWithAWrongOneEveryApiCallIs401AndNothingIsPublished() throws Exception {
        for (String token : new String[]{null, "wrong", ADMIN + "x"}) {
            HttpResponse<String> create = call(port, "POST", "/api/backup/create", token, "{\"backup_type\":\"manual\"}");
            assertThat(create.statusCode()).as("create with token %s", token).isEqualTo(401);
            assertThat(create.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(create.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(call(port, "GET", "/api/backup/history", token, null).statusCode()).isEqualTo(401);
        }
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isZero();
    }

    @Test
    void aTokenWithoutTheScopeIs403() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/create", READER, "{\"backup_type\":\"manual\"}");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).get("detail").asString()).contains("backup:write");
        assertThat(call(port, "GET", "/api/backup/history", READER, null).statusCode()).isEqualTo(200);
    }

    @Test
    void createAnswers202WithTheJobOnlyAfterTheCommandIsOnTheQueue() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/create", ADMIN, "{\"backup_type\":\"manual\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        String jobId = json(response).get("job_id").asString();
        assertThat(response.headers().firstValue("Location")).hasValue("/api/backup/jobs/" + jobId);

        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isEqualTo(1);
        HttpResponse<String> job = call(port, "GET", "/api/backup/jobs/" + jobId, ADMIN, null);
        assertThat(job.statusCode()).isEqualTo(200);
        assertThat(json(job).get("status").asString()).isEqualTo("QUEUED");

        assertThat(catalog.sql("SELECT token_name || ' ' || action || ' ' || outcome FROM gateway.audit_log WHERE job_id = :id")
                .param("id", UUID.fromString(jobId)).query(String.class).single()).isEqualTo("admin backup.create ACCEPTED");
        assertThat(catalog.sql("SELECT parameters::text FROM gateway.audit_log WHERE job_id = :id")
                .param("id", UUID.fromString(jobId)).query(String.class).single()).doesNotContain(ADMIN);
    }

    @Test
    void theCommandOnTheQueueIsAValidRequestBackup() throws Exception {
        call(port, "POST", "/api/backup/create", ADMIN, "{}");
        com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
        Infrastructure infra = Infrastructure.get();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setVirtualHost(infra.rabbitVhost);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        try (var connection = factory.newConnection(); var channel = connection.createChannel()) {
            var delivery = channel.basicGet(Topology.WORKER_COMMANDS_QUEUE, true);
            assertThat(delivery).isNotNull();
            RequestBackup request = MessageJson.read(delivery.getBody(), RequestBackup.class);
            assertThat(request.backupType()).isEqualTo("manual");
            assertThat(request.target()).isEqualTo("taskagent");
            assertThat(request.requestedBy()).isEqualTo("admin");
            assertThat(delivery.getProps().getMessageId()).isEqualTo(request.messageId().toString());
            assertThat(delivery.getProps().getDeliveryMode()).isEqualTo(2);
        }
    }

    @Test
    void anUnknownBackupTypeIs400NamingTheFieldAndNothingIsPublished() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/create", ADMIN, "{\"backup_type\":\"weekly-ish\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("errors").get("backup_type").asString()).contains("manual").contains("weekly-ish");
        assertThat(call(port, "POST", "/api/backup/create", ADMIN, "{not json").statusCode()).isEqualTo(400);
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isZero();
    }

    @Test
    void anUnknownJobIs404AndAMalformedIdIs400() throws Exception {
        HttpResponse<String> response = call(port, "GET", "/api/backup/jobs/" + UUID.randomUUID(), ADMIN, null);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call(port, "GET", "/api/backup/jobs/not-a-uuid", ADMIN, null).statusCode()).isEqualTo(400);
    }

    @Test
    void historyListsBackupsNewestFirstWithTheSeedsFields() throws Exception {
        UUID older = UUID.randomUUID();
        UUID newer = UUID.randomUUID();
        insertJob(older, "SUCCEEDED", Instant.parse("2026-01-01T00:00:00Z"), null);
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                            compression, format_version, row_counts, table_order, table_count, duration_ms, created_at,
                            application_version)
                        VALUES (:id, :id, 'taskagent', 'manual', 'manual_backup_x.json.zst', 3145728, :sha, 'zstd', 1,
                                '{"public.users": 3, "public.tasks": 5}', '["public.users", "public.tasks"]', 2, 1500,
                                now(), 'flyway 12')""")
                .param("id", older).param("sha", "a".repeat(64)).update();
        insertJob(newer, "FAILED", Instant.parse("2026-01-02T00:00:00Z"), "cannot connect");

        HttpResponse<String> response = call(port, "GET", "/api/backup/history?limit=10", ADMIN, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode history = json(response);
        assertThat(history.get(0).get("job_id").asString()).isEqualTo(newer.toString());
        assertThat(history.get(0).get("error_message").asString()).isEqualTo("cannot connect");
        assertThat(history.get(1).get("application_version").asString()).as("the version marker is shown").isEqualTo("flyway 12");
        JsonNode ok = history.get(1);
        assertThat(ok.get("file_name").asString()).isEqualTo("manual_backup_x.json.zst");
        assertThat(ok.get("size_bytes").asLong()).isEqualTo(3145728);
        assertThat(ok.get("size_mb").asDouble()).isEqualTo(3.0);
        assertThat(ok.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(ok.get("backup_type").asString()).isEqualTo("manual");
        assertThat(ok.get("duration_seconds").asDouble()).isEqualTo(60.0);
        // in the backup's foreign-key order (jsonb alone would give public.tasks first)
        assertThat(ok.get("tables_backed_up").toString()).isEqualTo("[\"public.users\",\"public.tasks\"]");

        JsonNode failedOnly = json(call(port, "GET", "/api/backup/history?status_filter=failed", ADMIN, null));
        assertThat(failedOnly.size()).isEqualTo(1);
        HttpResponse<String> bad = call(port, "GET", "/api/backup/history?limit=0&status_filter=nope", ADMIN, null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("errors").has("limit")).isTrue();
        assertThat(json(bad).get("errors").has("status_filter")).isTrue();
    }

    private void insertJob(UUID id, String status, Instant requestedAt, String error) {
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_at, started_at, finished_at,
                                                 attempts, error)
                        VALUES (:id, 'backup', 'manual', 'taskagent', :status, :at, :at, :finished, 1, :error)""")
                .param("id", id).param("status", status).param("at", Timestamp.from(requestedAt))
                .param("finished", Timestamp.from(requestedAt.plusSeconds(60))).param("error", error).update();
    }

    @Test
    void healthShowsOnlyItsStatusWithoutTheManagementTokenAndPrometheusNeedsIt() throws Exception {
        for (String path : new String[]{"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
            for (String token : new String[]{null, READER}) {
                HttpResponse<String> health = call(port, "GET", path, token, null);
                assertThat(health.statusCode()).as(path).isEqualTo(200);
                JsonNode body = json(health);
                assertThat(body.get("status").asString()).as(path).isEqualTo("UP");
                assertThat(body.has("components")).as("%s with %s: %s", path, token, health.body()).isFalse();
                assertThat(body.has("details")).as(path).isFalse();
                assertThat(health.body()).as(path).doesNotContain("diskSpace", "path", "version", "PostgreSQL",
                        storage.toString());
            }
        }
        assertThat(call(port, "GET", "/actuator/health/db", null, null).statusCode())
                .as("a component is not shown without the token").isEqualTo(404);
        for (String token : new String[]{MANAGEMENT, ADMIN}) {
            HttpResponse<String> detailed = call(port, "GET", "/actuator/health", token, null);
            assertThat(detailed.statusCode()).isEqualTo(200);
            assertThat(json(detailed).get("components").has("db")).as(detailed.body()).isTrue();
            assertThat(json(detailed).get("components").has("rabbit")).isTrue();
            assertThat(detailed.body()).doesNotContain(ADMIN, MANAGEMENT);
        }

        assertThat(call(port, "GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator/prometheus", "wrong", null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator/prometheus", READER, null).statusCode()).isEqualTo(403);
        HttpResponse<String> metrics = call(port, "GET", "/actuator/prometheus", MANAGEMENT, null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("application=\"api-gateway\"").doesNotContain(ADMIN, MANAGEMENT);
        HttpResponse<String> api = call(port, "GET", "/api/backup/history", MANAGEMENT, null);
        assertThat(api.statusCode()).as("the management token reads no API").isEqualTo(403);
    }

    private long commandsQueued() {
        return broker.messageCount(Topology.WORKER_COMMANDS_QUEUE);
    }

    @Test
    void aRestoreIsAcceptedWithTheRestoreScopeOnlyAndBecomesARequestRestore() throws Exception {
        String body = "{\"backup_id\":\"" + UUID.randomUUID() + "\",\"target\":\"scratch\",\"dry_run\":true}";
        assertThat(call(port, "POST", "/api/backup/restore", READER, body).statusCode()).isEqualTo(403);
        HttpResponse<String> response = call(port, "POST", "/api/backup/restore", ADMIN, body);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(commandsQueued()).isEqualTo(1);
        String jobId = json(response).get("job_id").asString();
        assertThat(catalog.sql("SELECT action || ' ' || outcome FROM gateway.audit_log WHERE job_id = :id")
                .param("id", UUID.fromString(jobId)).query(String.class).single()).isEqualTo("backup.restore ACCEPTED");
    }

    @Test
    void pathsAndOddNamesAreRefusedWith400NothingPublishedAndAudited() throws Exception {
        for (String name : new String[]{"../../etc/passwd", "%2e%2e%2fetc%2fpasswd", "/etc/passwd", "a\\u0000b",
                "x".repeat(300), "..", "dir/file.json.zst", "back\\\\slash"}) {
            HttpResponse<String> response = call(port, "POST", "/api/backup/restore", ADMIN,
                    "{\"backup_filename\":\"" + name + "\"}");
            assertThat(response.statusCode()).as(name).isEqualTo(400);
            assertThat(json(response).get("errors").has("backup_filename")).as(name).isTrue();
        }
        assertThat(commandsQueued()).isZero();
        assertThat(catalog.sql("SELECT count(*) FROM gateway.audit_log WHERE action = 'backup.restore' AND outcome = 'REJECTED'")
                .query(Integer.class).single()).isGreaterThanOrEqualTo(8);
        HttpResponse<String> neither = call(port, "POST", "/api/backup/restore", ADMIN, "{\"target\":\"../x\"}");
        assertThat(json(neither).get("errors").has("backup_id")).isTrue();
        assertThat(json(neither).get("errors").has("target")).isTrue();
    }

    @Test
    void aSecondRestoreOfATargetBeingRestoredIs409() throws Exception {
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_at)
                        VALUES (:id, 'restore', 'restore', 'busy', 'RUNNING', now())""")
                .param("id", UUID.randomUUID()).update();
        HttpResponse<String> response = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\":\"" + UUID.randomUUID() + "\",\"target\":\"busy\"}");
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(commandsQueued()).isZero();
    }

    @Test
    void aRestoreStillInTheQueueAlsoMakesASecondOne409ButADryRunIsAlwaysAccepted() throws Exception {
        String body = "{\"backup_id\":\"" + UUID.randomUUID() + "\",\"target\":\"queued\"}";
        assertThat(call(port, "POST", "/api/backup/restore", ADMIN, body).statusCode()).isEqualTo(202);
        // no worker runs here: the first restore waits in the broker, unknown to the worker's job table
        HttpResponse<String> second = call(port, "POST", "/api/backup/restore", ADMIN, body);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(commandsQueued()).isEqualTo(1);
        assertThat(call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\":\"" + UUID.randomUUID() + "\",\"target\":\"queued\",\"dry_run\":true}").statusCode())
                .isEqualTo(202);
        assertThat(call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\":\"" + UUID.randomUUID() + "\",\"target\":\"elsewhere\"}").statusCode())
                .as("another target").isEqualTo(202);
    }

    @Test
    void aVerifyIsAccepted() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/verify", ADMIN,
                "{\"backup_id\":\"" + UUID.randomUUID() + "\"}");
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(commandsQueued()).isEqualTo(1);
        assertThat(call(port, "POST", "/api/backup/verify", ADMIN, "{\"backup_id\":\"nope\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void jobsAndBackupsAreListedAndLookedUp() throws Exception {
        UUID id = UUID.randomUUID();
        insertJob(id, "SUCCEEDED", Instant.parse("2026-02-01T00:00:00Z"), null);
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                            compression, format_version, row_counts, table_count, duration_ms, created_at)
                        VALUES (:id, :id, 'taskagent', 'manual', 'manual_backup_y.json.zst', 42, :sha, 'zstd', 1,
                                '{"public.tasks": 7}', 1, 10, now())""")
                .param("id", id).param("sha", "b".repeat(64)).update();
        catalog.sql("""
                        INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256,
                                                          copied_at, attempts)
                        VALUES (:id, 'local', 'AVAILABLE', true, 42, :sha, now(), 1);
                        INSERT INTO worker.backup_copies (backup_id, destination, status, attempts, next_attempt_at, error)
                        VALUES (:id, 'offsite', 'PENDING', 2, now() + interval '1 minute', 'offsite unreachable')""")
                .param("id", id).param("sha", "b".repeat(64)).update();
        JsonNode backup = json(call(port, "GET", "/api/backup/backups/" + id, READER, null));
        assertThat(backup.get("manifest").get("sha256").asString()).isEqualTo("b".repeat(64));
        assertThat(backup.get("copies").valueStream().map(c -> c.get("destination").asString() + " "
                + c.get("status").asString() + " " + c.get("primary").asBoolean()))
                .containsExactly("local AVAILABLE true", "offsite PENDING false");
        assertThat(backup.get("copies").get(1).get("error").asString()).isEqualTo("offsite unreachable");
        JsonNode history = json(call(port, "GET", "/api/backup/history?limit=100", READER, null));
        assertThat(history.valueStream().filter(h -> h.get("job_id").asString().equals(id.toString()))
                .map(h -> h.get("copies").size())).containsExactly(2);
        HttpResponse<String> fromOffsite = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\": \"" + id + "\", \"destination\": \"offsite\", \"dry_run\": true}");
        assertThat(fromOffsite.statusCode()).as("no available copy there").isEqualTo(400);
        assertThat(json(fromOffsite).get("errors").get("destination").asString()).contains("no available copy on 'offsite'");
        HttpResponse<String> fromLocal = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\": \"" + id + "\", \"destination\": \"local\", \"dry_run\": true}");
        assertThat(fromLocal.statusCode()).as(fromLocal.body()).isEqualTo(202);
        assertThat(MessageJson.read(broker.take(Topology.WORKER_COMMANDS_QUEUE).orElseThrow(),
                io.taskagent.backup.model.RequestRestore.class).destination()).isEqualTo("local");
        JsonNode destinations = json(call(port, "GET", "/api/backup/status", READER, null)).get("destinations");
        assertThat(destinations.valueStream().filter(d -> d.get("name").asString().equals("local"))
                .map(d -> d.get("copies").asLong() > 0 && d.get("bytes").asLong() >= 42)).containsExactly(true);
        assertThat(destinations.valueStream().filter(d -> d.get("name").asString().equals("offsite"))
                .map(d -> d.get("pending").asLong())).containsExactly(1L);
        assertThat(backup.get("manifest").get("row_counts").get("public.tasks").asLong()).isEqualTo(7);
        assertThat(call(port, "GET", "/api/backup/backups/" + UUID.randomUUID(), READER, null).statusCode()).isEqualTo(404);
        JsonNode succeeded = json(call(port, "GET", "/api/backup/jobs?status=succeeded&kind=backup", READER, null));
        assertThat(succeeded.valueStream().map(j -> j.get("job_id").asString())).contains(id.toString());
        assertThat(succeeded.valueStream().map(j -> j.get("status").asString())).containsOnly("SUCCEEDED");
        assertThat(call(port, "GET", "/api/backup/jobs?status=bogus", READER, null).statusCode()).isEqualTo(400);
    }

    @Test
    void drillsAreStartedWithTheRestoreScopeListedShownAndMarkedInHistoryAndStatus() throws Exception {
        assertThat(call(port, "POST", "/api/backup/drills", READER, "{}").statusCode()).isEqualTo(403);
        assertThat(call(port, "POST", "/api/backup/drills", ADMIN, "{\"backup_id\": \"nope\"}").statusCode())
                .isEqualTo(400);
        HttpResponse<String> started = call(port, "POST", "/api/backup/drills", ADMIN, "{}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        io.taskagent.backup.model.RequestDrill drill = MessageJson.read(
                broker.take(Topology.WORKER_COMMANDS_QUEUE).orElseThrow(), io.taskagent.backup.model.RequestDrill.class);
        assertThat(drill.backupId()).as("the newest backup, chosen by the worker").isNull();
        assertThat(json(started).get("job_id").asString()).isEqualTo(drill.jobId().toString());

        UUID backup = UUID.randomUUID();
        insertJob(backup, "SUCCEEDED", Instant.parse("2001-01-01T00:00:00Z"), null); // older than every other test's
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                            compression, format_version, row_counts, table_count, duration_ms, created_at)
                        VALUES (:id, :id, 'taskagent', 'manual', 'manual_backup_drilled.json.zst', 42, :sha, 'zstd', 2,
                                '{"public.tasks": 7}', 1, 10, now())""")
                .param("id", backup).param("sha", "c".repeat(64)).update();
        UUID job = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_at, started_at, finished_at,
                                                 attempts, subject_id, result)
                        VALUES (:id, 'drill', 'drill', 'taskagent', 'SUCCEEDED', now(), now(), now() + interval '1 day',
                                1, :backup, CAST(:result AS jsonb))""")
                .param("id", job).param("backup", backup)
                .param("result", "{\"backup_id\": \"" + backup + "\", \"file_name\": \"manual_backup_drilled.json.zst\", "
                        + "\"recovery_ms\": 1234, \"tables\": 1, \"rows\": 7, \"problems\": [], \"checks\": {\"x\": \"true\"}}")
                .update();
        JsonNode listed = json(call(port, "GET", "/api/backup/drills", READER, null));
        JsonNode mine = listed.valueStream().filter(d -> d.get("job_id").asString().equals(job.toString()))
                .findFirst().orElseThrow();
        assertThat(mine.get("passed").asBoolean()).isTrue();
        assertThat(mine.get("recovery_ms").asLong()).isEqualTo(1234);
        assertThat(mine.get("backup_id").asString()).isEqualTo(backup.toString());
        assertThat(mine.get("details").isNull()).isTrue();
        JsonNode one = json(call(port, "GET", "/api/backup/drills/" + job, READER, null));
        assertThat(one.get("details").get("checks").get("x").asString()).isEqualTo("true");
        assertThat(call(port, "GET", "/api/backup/drills/" + UUID.randomUUID(), READER, null).statusCode()).isEqualTo(404);
        JsonNode history = json(call(port, "GET", "/api/backup/history?limit=1000", READER, null));
        assertThat(history.valueStream().filter(h -> h.get("job_id").asString().equals(backup.toString()))
                .map(h -> h.get("drill_passed").asBoolean())).containsExactly(true);
        JsonNode lastDrill = json(call(port, "GET", "/api/backup/status", READER, null)).get("last_drill");
        assertThat(lastDrill.get("job_id").asString()).isEqualTo(job.toString());
        assertThat(lastDrill.get("passed").asBoolean()).isTrue();
        assertThat(lastDrill.get("recovery_ms").asLong()).isEqualTo(1234);
    }

    @Test
    void statusWithoutSchedulerStateIsDegradedSayingWhyAndAnUnknownCleanupIs404() throws Exception {
        HttpResponse<String> response = call(port, "GET", "/api/backup/status", READER, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode status = json(response);
        for (String field : new String[]{"status", "last_backup", "total_backups", "successful_backups",
                "failed_backups", "scheduler_running", "next_scheduled", "backup_directory", "disk_usage_mb"}) {
            assertThat(status.has(field)).as(field).isTrue();
        }
        assertThat(status.get("status").asString()).isEqualTo("degraded");
        assertThat(status.get("problems").valueStream().map(JsonNode::asString))
                .contains("the scheduler has stored no settings yet");
        assertThat(status.get("scheduler_running").isNull()).isTrue();
        assertThat(status.get("next_scheduled").isNull()).isTrue();
        assertThat(status.get("backup_directory").asString()).isNotBlank();
        assertThat(call(port, "GET", "/api/backup/cleanup/" + UUID.randomUUID(), READER, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpoint() throws Exception {
        HttpResponse<String> docs = call(port, "GET", "/v3/api-docs", null, null);
        assertThat(docs.statusCode()).isEqualTo(200);
        JsonNode paths = json(docs).get("paths");
        for (String path : new String[]{"/api/backup/create", "/api/backup/history", "/api/backup/jobs",
                "/api/backup/jobs/{id}", "/api/backup/backups/{id}", "/api/backup/restore", "/api/backup/verify",
                "/api/backup/scheduler/start", "/api/backup/scheduler/stop", "/api/backup/scheduler/configure",
                "/api/backup/cleanup", "/api/backup/cleanup/{id}", "/api/backup/status", "/api/backup/health"}) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
        assertThat(call(port, "GET", "/swagger-ui/index.html", null, null).statusCode()).isEqualTo(200);

        JsonNode document = json(docs);
        JsonNode bearer = document.get("components").get("securitySchemes").get("bearer");
        assertThat(bearer.get("type").asString()).isEqualTo("http");
        assertThat(bearer.get("scheme").asString()).isEqualTo("bearer");
        assertThat(document.get("security").toString()).contains("\"bearer\"");
        java.util.List<String> untyped = new java.util.ArrayList<>();
        paths.properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (path.getKey().equals("/api/backup/events")) {
                return; // a stream of server-sent events, described in docs/messages.md
            }
            JsonNode responses = operation.getValue().get("responses");
            boolean typed = responses.properties().stream()
                    .filter(r -> r.getKey().startsWith("2"))
                    .map(r -> r.getValue().path("content").path("application/json").path("schema"))
                    .anyMatch(schema -> schema.has("$ref") || schema.path("items").has("$ref"));
            if (!typed) {
                untyped.add(operation.getKey().toUpperCase() + " " + path.getKey() + " " + responses);
            }
            assertThat(operation.getValue().path("parameters").valueStream().map(p -> p.path("name").asString()))
                    .as("%s %s: the caller is the token, not a parameter", operation.getKey(), path.getKey())
                    .doesNotContain("caller");
        }));
        assertThat(untyped).as("operations without a typed response schema").isEmpty();
        JsonNode schemas = document.get("components").get("schemas");
        assertThat(schemas.get("JobView").get("properties").has("job_id")).as(schemas.get("JobView").toString()).isTrue();
        assertThat(schemas.get("HistoryEntry").get("properties").has("error_message")).isTrue();
    }

    @Test
    void serverSentEventsCarryJobEventsAsTheyHappenInTheApisSnakeCase() throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/api/backup/events"))
                .header("Authorization", "Bearer " + READER).header("Accept", "text/event-stream").build();
        HttpResponse<java.util.stream.Stream<String>> stream = java.net.http.HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        java.util.Iterator<String> lines = stream.body().iterator();
        assertThat(lines.next()).isEqualTo(":connected"); // the subscription exists: what is published now arrives
        io.taskagent.backup.model.BackupFailed failed = io.taskagent.backup.model.BackupFailed.of(UUID.randomUUID(),
                "taskagent", "manual", "sse test", 1);
        java.util.concurrent.CompletableFuture<String> line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            while (lines.hasNext()) {
                String next = lines.next();
                if (next.startsWith("data:") && next.contains(failed.jobId().toString())) {
                    return next;
                }
            }
            return "";
        });
        broker.publish(failed);
        String data = line.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(data).contains("\"type\":\"BackupFailed\"").contains("\"job_id\":\"" + failed.jobId() + "\"")
                .contains("\"message_id\":").doesNotContain("\"jobId\"").doesNotContain("\"messageId\"");
        assertThat(call(port, "GET", "/api/backup/events", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aJsonBodyIsJsonWhateverItsContentTypeAndABodyThatIsNotJsonIs400() throws Exception {
        for (String contentType : new String[]{"application/x-www-form-urlencoded", "text/plain", null}) {
            HttpResponse<String> response = call(port, "POST", "/api/backup/create", ADMIN,
                    "{\"backup_type\": \"urgent\"}", contentType);
            assertThat(response.statusCode()).as("content type %s: %s", contentType, response.body()).isEqualTo(202);
            assertThat(json(response).get("backup_type").asString()).isEqualTo("urgent");
        }
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isEqualTo(3);
        HttpResponse<String> form = call(port, "POST", "/api/backup/create", ADMIN, "backup_type=manual",
                "application/x-www-form-urlencoded");
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(json(form).get("detail").asString()).contains("not valid JSON");
        HttpResponse<String> restore = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_filename\": \"../etc/passwd\"}", "application/x-www-form-urlencoded");
        assertThat(restore.statusCode()).isEqualTo(400);
        assertThat(json(restore).get("errors").has("backup_filename")).isTrue();
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isEqualTo(3);
    }

    @Test
    void aRestoreIntoANewDatabaseCarriesItsModeAndNameAndBadOnesAre400() throws Exception {
        HttpResponse<String> ok = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_id\": \"" + UUID.randomUUID() + "\", \"create_database\": \"taskagent_rebuilt\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        io.taskagent.backup.model.RequestRestore restore = MessageJson.read(
                broker.take(Topology.WORKER_COMMANDS_QUEUE).orElseThrow(), io.taskagent.backup.model.RequestRestore.class);
        assertThat(restore.createDatabase()).isEqualTo("taskagent_rebuilt");
        assertThat(restore.effectiveMode()).isEqualTo("create");
        for (String[] bad : new String[][]{
                {"{\"backup_id\": \"" + UUID.randomUUID() + "\", \"mode\": \"merge\"}", "mode"},
                {"{\"backup_id\": \"" + UUID.randomUUID() + "\", \"create_database\": \"Bad Name\"}", "create_database"},
                {"{\"backup_id\": \"" + UUID.randomUUID() + "\", \"mode\": \"replace\", \"create_database\": \"x\"}",
                        "create_database"}}) {
            HttpResponse<String> refused = call(port, "POST", "/api/backup/restore", ADMIN, bad[0]);
            assertThat(refused.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(json(refused).get("errors").has(bad[1])).as(refused.body()).isTrue();
        }
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isZero();
    }

    @Test
    void aQueryStringThatIsNotPercentEncodedIs400() throws Exception {
        // java.net.URI refuses such a query itself: the request is written by hand, as a careless client would
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream().write(("GET /api/backup/history?status_filter=%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + READER + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("percent-encoded");
        }
    }

    @Test
    void anUnknownFieldOrAValueOfTheWrongTypeIs400NamingTheField() throws Exception {
        HttpResponse<String> unknown = call(port, "POST", "/api/backup/create", ADMIN,
                "{\"backup_type\": \"manual\", \"backup_kind\": \"full\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("errors").get("backup_kind").asString()).contains("not a field");
        HttpResponse<String> wrongType = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_filename\": \"x.json.zst\", \"dry_run\": \"perhaps\"}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(json(wrongType).get("errors").has("dry_run")).as(wrongType.body()).isTrue();
        assertThat(broker.messageCount(Topology.WORKER_COMMANDS_QUEUE)).isZero();
    }

    @Test
    void actuatorEndpointsOtherThanHealthNeedTheActuatorScope() throws Exception {
        assertThat(call(port, "GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
        assertThat(call(port, "GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator/info", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator/env", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/actuator", READER, null).statusCode()).isEqualTo(403);
        HttpResponse<String> index = call(port, "GET", "/actuator", MANAGEMENT, null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("health", "prometheus").doesNotContain("\"env\"");
    }

    @Test
    void aReadContractThatCannotBeReadIsAnErrorNamingItNeverAnEmptyAnswer() throws Exception {
        catalog.sql("ALTER VIEW worker.v1_jobs RENAME TO v1_jobs_hidden").update();
        try {
            HttpResponse<String> history = call(port, "GET", "/api/backup/history", READER, null);
            assertThat(history.statusCode()).isEqualTo(503);
            assertThat(json(history).get("detail").asString()).contains("worker.v1_jobs is not readable");
        } finally {
            catalog.sql("ALTER VIEW worker.v1_jobs_hidden RENAME TO v1_jobs").update();
        }
        catalog.sql("ALTER VIEW scheduler.v1_settings RENAME TO v1_settings_hidden").update();
        try {
            HttpResponse<String> response = call(port, "GET", "/api/backup/status", READER, null);
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode status = json(response);
            assertThat(status.get("status").asString()).isEqualTo("degraded");
            assertThat(status.get("problems").toString()).contains("scheduler.v1_settings is not readable");
        } finally {
            catalog.sql("ALTER VIEW scheduler.v1_settings_hidden RENAME TO v1_settings").update();
        }
    }

    @Test
    void aFileNameThatIsALinkLeadingOutOfTheStorageDirectoryIs400() throws Exception {
        java.nio.file.Path outside = java.nio.file.Files.createTempFile("outside", ".json.zst");
        java.nio.file.Files.createSymbolicLink(storage.resolve("evil_backup_20260101_000000_abcdef12.json.zst"), outside);
        HttpResponse<String> response = call(port, "POST", "/api/backup/restore", ADMIN,
                "{\"backup_filename\":\"evil_backup_20260101_000000_abcdef12.json.zst\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors").get("backup_filename").asString()).contains("symbolic link");
        assertThat(commandsQueued()).isZero();
    }
}
