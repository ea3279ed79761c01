package io.taskagent.backup.gateway.health;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;
import io.taskagent.backup.gateway.status.OperationsProperties;
import io.taskagent.backup.model.MessageJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/backup/health}: the gateway's own broker and catalog, and every configured service's
 * {@code /actuator/health} ({@code gateway.services.<name>}) fetched over HTTP with short time-outs, each
 * {@code UP}, {@code DOWN} or {@code UNREACHABLE} with its components' statuses (the worker's include its source
 * database and storage checks when it reports them). {@code UP} (200) only when everything is up, else 503.
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
    private final HttpClient http;

    HealthController(ConnectionFactory rabbit, JdbcClient jdbc, OperationsProperties properties) {
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.properties = properties;
        this.http = HttpClient.newBuilder().connectTimeout(properties.healthTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @GetMapping("/api/backup/health")
    ResponseEntity<Map<String, Object>> health(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller) {
        caller.require(Scopes.BACKUP_READ);
        Map<String, CompletableFuture<Map<String, Object>>> calls = new TreeMap<>();
        properties.services().forEach((name, base) -> calls.put(name, fetch(name, base)));

        Map<String, Object> components = new LinkedHashMap<>();
        components.put("broker", brokerStatus());
        components.put("catalog", catalogStatus());
        Map<String, Object> gateway = new LinkedHashMap<>();
        gateway.put("status", components.values().stream().allMatch(UP::equals) ? UP : DOWN);
        gateway.put("components", components);

        Map<String, Object> services = new LinkedHashMap<>();
        services.put("api-gateway", gateway);
        calls.forEach((name, call) -> services.put(name, call.join()));
        boolean allUp = services.values().stream()
                .allMatch(s -> UP.equals(((Map<?, ?>) s).get("status")));

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", allUp ? UP : DOWN);
        body.put("services", services);
        return ResponseEntity.status(allUp ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
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

    private String catalogStatus() {
        try {
            return Integer.valueOf(1).equals(jdbc.sql("SELECT 1").query(Integer.class).single()) ? UP : DOWN;
        } catch (RuntimeException e) {
            log.debug("catalog health check failed: {}", e.getMessage());
            return DOWN;
        }
    }

    private CompletableFuture<Map<String, Object>> fetch(String name, URI base) {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/actuator/health");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.healthTimeout())
                .header("Accept", "application/json").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    Map<String, Object> service = new LinkedHashMap<>();
                    service.put("url", base.toString());
                    if (failure != null) {
                        log.debug("health of {} not reachable: {}", name, failure.toString());
                        service.put("status", UNREACHABLE);
                        service.put("error", failure.getCause() != null ? failure.getCause().getClass().getSimpleName()
                                : failure.getClass().getSimpleName());
                        return service;
                    }
                    service.put("http_status", response.statusCode());
                    try {
                        JsonNode health = MessageJson.mapper().readTree(response.body());
                        JsonNode status = health.get("status");
                        service.put("status", status != null && UP.equals(status.asString()) ? UP : DOWN);
                        JsonNode parts = health.get("components");
                        if (parts != null && parts.isObject()) {
                            Map<String, Object> statuses = new TreeMap<>();
                            parts.properties().forEach(e -> statuses.put(e.getKey(),
                                    e.getValue().has("status") ? e.getValue().get("status").asString() : null));
                            service.put("components", statuses);
                        }
                    } catch (RuntimeException e) {
                        service.put("status", DOWN);
                        service.put("error", "not an actuator health document");
                    }
                    return service;
                });
    }
}
