package io.taskagent.backup.gateway.health;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.status.OperationsProperties;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.health.TimeBoundHealth;
import io.taskagent.backup.model.management.ManagementProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /api/backup/health}: the gateway's own broker and catalog, and every configured service's
 * {@code /actuator/health} ({@code gateway.services.<name>}) fetched over HTTP ({@link RestClient}) with short
 * time-outs, all at once, each {@code UP}, {@code DOWN} or {@code UNREACHABLE} with its components' statuses (the
 * worker's include its source database and storage checks when it reports them). The services show their components
 * only to the management token ({@code BACKUP_MANAGEMENT_TOKEN}), which this call presents; without it each service
 * reports its status alone. Only statuses are passed on, never a component's details. {@code UP} (200) only when
 * everything is up, else 503.
 */
@RestController
class HealthController {

    private static final Logger log = LoggerFactory.getLogger(HealthController.class);
    static final String UP = "UP";
    static final String DOWN = "DOWN";
    static final String UNREACHABLE = "UNREACHABLE";

    private final ConnectionFactory rabbit;
    private final JdbcClient jdbc;
    private final OperationsProperties properties;
    private final RestClient http;
    private final ManagementProperties management;
    private final ExecutorService calls = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "health-call");
        thread.setDaemon(true);
        return thread;
    });

    private final TimeBoundHealth catalog;

    HealthController(ConnectionFactory rabbit, JdbcClient jdbc, OperationsProperties properties,
                     ManagementProperties management,
                     @Value("${backup.health.db-timeout:1s}") java.time.Duration catalogTimeout) {
        this.catalog = new TimeBoundHealth("the catalog", this::queryCatalog, catalogTimeout);
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.properties = properties;
        this.management = management;
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(properties.healthTimeout()).followRedirects(HttpClient.Redirect.NEVER).build());
        requests.setReadTimeout(properties.healthTimeout());
        this.http = RestClient.builder().requestFactory(requests).build();
    }

    @GetMapping("/api/backup/health")
    ResponseEntity<HealthView> health(Caller caller) {
        Map<String, CompletableFuture<HealthView.ServiceHealth>> pending = new TreeMap<>();
        properties.services().forEach((name, base) ->
                pending.put(name, CompletableFuture.supplyAsync(() -> fetch(name, base), calls)));

        Map<String, String> components = new LinkedHashMap<>();
        components.put("broker", brokerStatus());
        components.put("catalog", catalogStatus());
        Map<String, HealthView.ServiceHealth> services = new LinkedHashMap<>();
        services.put("api-gateway", new HealthView.ServiceHealth(
                components.values().stream().allMatch(UP::equals) ? UP : DOWN, null, null, components, null));
        pending.forEach((name, call) -> services.put(name, call.join()));
        boolean allUp = services.values().stream().allMatch(s -> UP.equals(s.status()));
        return ResponseEntity.status(allUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(new HealthView(allUp ? UP : DOWN, services));
    }

    private String brokerStatus() {
        try {
            Connection connection = rabbit.createConnection();
            return connection.isOpen() ? UP : DOWN;
        } catch (RuntimeException e) {
            log.debug("broker health check failed: {}", e.getMessage());
            return DOWN;
        }
    }

    /** The catalog within {@code backup.health.db-timeout}: DOWN during an outage, not the pool's 10 s wait. */
    private String catalogStatus() {
        return UP.equals(catalog.health().getStatus().getCode()) ? UP : DOWN;
    }

    private org.springframework.boot.health.contributor.Health queryCatalog() {
        try {
            return Integer.valueOf(1).equals(jdbc.sql("SELECT 1").query(Integer.class).single())
                    ? org.springframework.boot.health.contributor.Health.up().build()
                    : org.springframework.boot.health.contributor.Health.down().build();
        } catch (RuntimeException e) {
            log.debug("catalog health check failed: {}", e.getMessage());
            return org.springframework.boot.health.contributor.Health.down().build();
        }
    }

    /** One service's actuator health; a non-2xx answer (503 when DOWN) still carries the document. */
    private HealthView.ServiceHealth fetch(String name, URI base) {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/actuator/health");
        ResponseEntity<String> response;
        try {
            response = http.get().uri(uri).accept(MediaType.APPLICATION_JSON)
                    // the management token: the service then shows its components (without it, its status only)
                    .headers(headers -> {
                        if (management.configured()) {
                            headers.setBearerAuth(management.token());
                        }
                    })
                    .retrieve()
                    .onStatus(status -> true, (request, answer) -> {
                    })
                    .toEntity(String.class);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.debug("health of {} not reachable: {}", name, cause.toString());
            return new HealthView.ServiceHealth(UNREACHABLE, base.toString(), null, null,
                    cause.getClass().getSimpleName());
        }
        int code = response.getStatusCode().value();
        try {
            JsonNode health = MessageJson.mapper().readTree(response.getBody() == null ? "" : response.getBody());
            JsonNode status = health.get("status");
            Map<String, String> statuses = null;
            JsonNode parts = health.get("components");
            if (parts != null && parts.isObject()) {
                statuses = new TreeMap<>();
                for (Map.Entry<String, JsonNode> part : parts.properties()) {
                    statuses.put(part.getKey(), part.getValue().has("status")
                            ? part.getValue().get("status").asString() : null);
                }
            }
            return new HealthView.ServiceHealth(status != null && UP.equals(status.asString()) ? UP : DOWN,
                    base.toString(), code, statuses, null);
        } catch (RuntimeException e) {
            return new HealthView.ServiceHealth(DOWN, base.toString(), code, null, "not an actuator health document");
        }
    }
}
