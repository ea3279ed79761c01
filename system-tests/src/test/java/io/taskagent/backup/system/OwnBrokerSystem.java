package io.taskagent.backup.system;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.TemporaryRabbit;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The four services as processes on the real catalog database and on RabbitMQ nodes the test started itself
 * ({@link TemporaryRabbit}), never on the machine's shared broker: the broker tests stop and kill nodes.
 */
final class OwnBrokerSystem implements AutoCloseable {

    /** The management credential of every service: health with its components (the broker's among them). */
    static final String MANAGEMENT_TOKEN = "brk-management-" + java.util.UUID.randomUUID();

    final Infrastructure infra;
    final String catalog;
    final String token;
    final Path storage;
    private final String addresses;
    final List<ServiceProcess> all = new ArrayList<>();
    ServiceProcess gateway;
    ServiceProcess scheduler;
    ServiceProcess alerts;
    final List<ServiceProcess> workers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OwnBrokerSystem(Infrastructure infra, String catalog, String token, Path storage, String addresses) {
        this.infra = infra;
        this.catalog = catalog;
        this.token = token;
        this.storage = storage;
        this.addresses = addresses;
    }

    /** Catalog, storage and broker settings; the broker is {@code addresses}, guest/guest, virtual host /. */
    Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(catalog));
        String first = addresses.split(",")[0];
        env.put("SPRING_RABBITMQ_HOST", first.substring(0, first.lastIndexOf(':')));
        env.put("SPRING_RABBITMQ_PORT", first.substring(first.lastIndexOf(':') + 1));
        env.put("SPRING_RABBITMQ_ADDRESSES", addresses);
        env.put("SPRING_RABBITMQ_USERNAME", "guest");
        env.put("SPRING_RABBITMQ_PASSWORD", "guest");
        env.put("SPRING_RABBITMQ_VIRTUALHOST", "/");
        env.put("SPRING_RABBITMQ_VIRTUAL_HOST", "/");
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_MANAGEMENT_TOKEN", MANAGEMENT_TOKEN);
        env.putAll(extra);
        return env;
    }

    ServiceProcess worker(Map<String, String> extra) throws Exception {
        ServiceProcess w = ServiceProcess.start("backup-worker", env(extra));
        workers.add(w);
        all.add(w);
        return w;
    }

    ServiceProcess alerts(Map<String, String> extra) throws Exception {
        alerts = ServiceProcess.start("alert-service", env(extra));
        all.add(alerts);
        return alerts;
    }

    /** Only the interval schedule, once a week: no scheduled backup joins the test's. */
    ServiceProcess scheduler(Map<String, String> extra) throws Exception {
        Map<String, String> e = new HashMap<>(Map.of("SCHEDULER_INTERVAL_HOURS", "168",
                "SCHEDULER_DAILY_ENABLED", "false", "SCHEDULER_WEEKLY_ENABLED", "false",
                "SCHEDULER_MONTHLY_ENABLED", "false"));
        e.putAll(extra);
        scheduler = ServiceProcess.start("scheduler-service", env(e));
        all.add(scheduler);
        return scheduler;
    }

    /** The gateway last: its /health asks the others. */
    ServiceProcess gateway() throws Exception {
        gateway = ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", token,
                "GATEWAY_SERVICES_WORKER_URL", workers.get(0).url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url(""))));
        all.add(gateway);
        return gateway;
    }

    /** Every service's health, with its components. */
    List<ServiceProcess.HealthAnswer> health() {
        return all.stream().map(p -> p.health(MANAGEMENT_TOKEN)).toList();
    }

    void awaitHealthy(Duration timeout) {
        all.forEach(p -> p.awaitHealthy(timeout));
    }

    HttpResponse<String> api(String method, String path, String body) throws Exception {
        return api(method, path, body, Map.of());
    }

    HttpResponse<String> api(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url(path)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token);
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST /api/backup/create}: the answer. */
    HttpResponse<String> create() throws Exception {
        return api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}");
    }

    /** {@code POST /api/backup/create} with an {@code Idempotency-Key}: sent again, it names the same job. */
    HttpResponse<String> create(String idempotencyKey) throws Exception {
        return api("POST", "/api/backup/create", "{\"backup_type\":\"manual\"}",
                Map.of("Idempotency-Key", idempotencyKey));
    }

    static String jobId(HttpResponse<String> accepted) {
        return MessageJson.mapper().readTree(accepted.body()).get("job_id").asString();
    }

    JsonNode job(String id) throws Exception {
        return MessageJson.mapper().readTree(api("GET", "/api/backup/jobs/" + id, null).body());
    }

    /** A single-row, single-column query on the catalog. */
    long count(String sql) throws Exception {
        try (Connection c = infra.connect(catalog); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The rows of a query on the catalog, each row's columns joined by a space. */
    List<String> rows(String sql) throws Exception {
        return SystemTestSupport.rows(infra, catalog, sql);
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess p : all) {
            p.close();
        }
    }
}
