package io.taskagent.backup.system;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.testsupport.Infrastructure;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each of the four services shows on its actuator, running as a process as in production: {@code /actuator/health}
 * (and its liveness and readiness groups) answers everybody with its status alone, no component, disk path, version
 * or database; its components, {@code /actuator/prometheus} and the actuator index need the management token
 * ({@code BACKUP_MANAGEMENT_TOKEN}), a wrong one is 401; the gateway's {@code /api/backup/health} presents that token
 * and so still lists every service's components. No answer carries a configured secret.
 */
class ActuatorExposureIT {

    static final String CATALOG = "backup_catalog_it_actuator_exposure";
    static final String MANAGEMENT = "exposure-management-" + System.nanoTime();
    static final String ADMIN = "exposure-admin-" + System.nanoTime();

    static Infrastructure infra;
    static GreenMail smtp;
    static Path storage;
    static final Map<String, ServiceProcess> services = new java.util.LinkedHashMap<>();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startTheSystem() throws Exception {
        infra = Infrastructure.get();
        infra.recreateDatabase(CATALOG);
        storage = Files.createTempDirectory("exposure-backups");
        smtp = new GreenMail(new ServerSetup(ServiceProcess.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        ServiceProcess worker = ServiceProcess.start("backup-worker", env(Map.of(
                "BACKUP_SOURCE_URL", infra.jdbcUrl(CATALOG), "BACKUP_SOURCE_TARGET", "taskagent")));
        services.put("backup-worker", worker);
        ServiceProcess alerts = ServiceProcess.start("alert-service", env(Map.of("SPRING_MAIL_HOST", "127.0.0.1",
                "SPRING_MAIL_PORT", String.valueOf(smtp.getSmtp().getPort()))));
        services.put("alert-service", alerts);
        ServiceProcess scheduler = ServiceProcess.start("scheduler-service", env(Map.of(
                "SCHEDULER_INTERVAL_HOURS", "168", "SCHEDULER_DAILY_ENABLED", "false",
                "SCHEDULER_WEEKLY_ENABLED", "false", "SCHEDULER_MONTHLY_ENABLED", "false",
                "SCHEDULER_DRILL_ENABLED", "false")));
        services.put("scheduler-service", scheduler);
        // the worker first: the gateway reads its read contract
        worker.awaitHealthy(Duration.ofSeconds(300));
        services.put("api-gateway", ServiceProcess.start("api-gateway", env(Map.of("BACKUP_ADMIN_TOKEN", ADMIN,
                "GATEWAY_SERVICES_WORKER_URL", worker.url(""),
                "GATEWAY_SERVICES_SCHEDULER_URL", scheduler.url(""),
                "GATEWAY_SERVICES_ALERTS_URL", alerts.url("")))));
        for (ServiceProcess p : services.values()) {
            p.awaitHealthy(Duration.ofSeconds(300));
        }
    }

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(infra.environment(CATALOG));
        env.put("BACKUP_SOURCE_USERNAME", infra.pgUser);
        env.put("BACKUP_SOURCE_PASSWORD", infra.pgPassword);
        env.put("BACKUP_STORAGE_DIR", storage.toString());
        env.put("BACKUP_MANAGEMENT_TOKEN", MANAGEMENT);
        env.putAll(extra);
        return env;
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        SystemTestSupport.closeAll(services.values(), smtp);
    }

    private static HttpResponse<String> get(ServiceProcess service, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url(path))).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void noSecret(String what, String body) {
        List<String> secrets = new ArrayList<>(List.of(MANAGEMENT, ADMIN));
        if (infra.pgPassword != null && infra.pgPassword.length() > 3) {
            secrets.add(infra.pgPassword);
        }
        for (String secret : secrets) {
            assertThat(body).as(what).doesNotContain(secret);
        }
    }

    @Test
    void withoutTheManagementTokenEveryServiceShowsItsHealthStatusAloneAndNothingElse() throws Exception {
        List<String> figures = new ArrayList<>();
        for (var entry : services.entrySet()) {
            String name = entry.getKey();
            ServiceProcess service = entry.getValue();
            for (String path : new String[]{"/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness"}) {
                HttpResponse<String> health = get(service, path, null);
                assertThat(health.statusCode()).as("%s %s", name, path).isEqualTo(200);
                JsonNode body = MessageJson.mapper().readTree(health.body());
                assertThat(body.get("status").asString()).as("%s %s", name, path).isEqualTo("UP");
                assertThat(Set.copyOf(body.propertyNames())).as("%s %s: %s", name, path, health.body())
                        .isSubsetOf(Set.of("status", "groups"));
                assertThat(health.body()).as("%s %s", name, path).doesNotContain("components", "details", "diskSpace",
                        "path", "version", "PostgreSQL", storage.toString(), CATALOG);
                noSecret(name + " " + path, health.body());
            }
            assertThat(get(service, "/actuator/health/db", null).statusCode()).as("%s component db", name).isEqualTo(404);
            for (String path : new String[]{"/actuator/prometheus", "/actuator"}) {
                HttpResponse<String> refused = get(service, path, null);
                assertThat(refused.statusCode()).as("%s %s without a token", name, path).isEqualTo(401);
                assertThat(get(service, path, "wrong-" + MANAGEMENT.substring(0, 8)).statusCode())
                        .as("%s %s with a wrong token", name, path).isEqualTo(401);
                noSecret(name + " " + path, refused.body());
            }
            assertThat(get(service, "/actuator/health", "wrong").statusCode()).as("%s health, wrong token", name)
                    .isEqualTo(401);
            figures.add(name + ": health status only, component 404, prometheus 401");
        }
        System.out.println("ActuatorExposureIT without a token: " + figures);
    }

    @Test
    void withTheManagementTokenEveryServiceShowsItsComponentsAndMetrics() throws Exception {
        for (var entry : services.entrySet()) {
            String name = entry.getKey();
            ServiceProcess service = entry.getValue();
            HttpResponse<String> health = get(service, "/actuator/health", MANAGEMENT);
            assertThat(health.statusCode()).as(name).isEqualTo(200);
            JsonNode components = MessageJson.mapper().readTree(health.body()).get("components");
            assertThat(components).as("%s: %s", name, health.body()).isNotNull();
            assertThat(components.has("db")).as(name).isTrue();
            noSecret(name + " health", health.body());
            HttpResponse<String> metrics = get(service, "/actuator/prometheus", MANAGEMENT);
            assertThat(metrics.statusCode()).as(name).isEqualTo(200);
            assertThat(metrics.body()).as(name).contains("application=\"" + name + "\"");
            noSecret(name + " prometheus", metrics.body());
        }
    }

    @Test
    void theGatewaysHealthStillListsEveryServicesComponents() throws Exception {
        HttpResponse<String> response = get(services.get("api-gateway"), "/api/backup/health", ADMIN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode all = MessageJson.mapper().readTree(response.body()).get("services");
        for (String name : new String[]{"worker", "scheduler", "alerts"}) {
            assertThat(all.get(name).get("status").asString()).as(name).isEqualTo("UP");
            assertThat(all.get(name).get("components").get("db").asString()).as("%s: %s", name, response.body())
                    .isEqualTo("UP");
        }
        noSecret("gateway health", response.body());
    }
}
