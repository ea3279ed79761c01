package io.taskagent.backup.gateway;

import io.taskagent.backup.testsupport.Infrastructure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/** Shared set-up of the gateway's integration tests. */
final class GatewayTestSupport {

    static final String ADMIN = "it-admin-secret-0123456789";

    private GatewayTestSupport() {
    }

    /** A fresh catalog with the worker's tables, which the gateway reads. */
    static void freshCatalog(String name) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(name);
        infra.ensureDatabase(name);
        try (Connection c = infra.connect(name); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA worker");
            s.execute("SET search_path TO worker");
            Path migrations = Path.of("..", "backup-worker", "src", "main", "resources", "db", "migration", "worker");
            try (var files = Files.list(migrations)) {
                for (Path migration : files.sorted(java.util.Comparator.comparingInt(
                        p -> Integer.parseInt(p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1")))).toList()) {
                    s.execute(Files.readString(migration));
                }
            }
        }
    }

    /** The scheduler's tables in schema {@code scheduler}, from its migrations (the gateway reads some of them). */
    static void schedulerSchema(String name) throws Exception {
        try (Connection c = Infrastructure.get().connect(name); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA scheduler");
            s.execute("SET search_path TO scheduler");
            Path migrations = Path.of("..", "scheduler-service", "src", "main", "resources", "db", "migration", "scheduler");
            try (var files = Files.list(migrations)) {
                for (Path migration : files.sorted(java.util.Comparator.comparingInt(
                        p -> Integer.parseInt(p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1")))).toList()) {
                    s.execute(Files.readString(migration));
                }
            }
        }
    }

    static HttpResponse<String> call(int port, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
