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

    /**
     * A fresh catalog with the schemas of the services whose read contracts the gateway reads ({@code worker},
     * {@code scheduler}, {@code alerts}), built by their own migrations.
     */
    static void freshCatalog(String name) throws Exception {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(name);
        infra.ensureDatabase(name);
        migrate(name, "worker", Path.of("..", "backup-worker", "src", "main", "resources", "db", "migration", "worker"));
        migrate(name, "scheduler",
                Path.of("..", "scheduler-service", "src", "main", "resources", "db", "migration", "scheduler"));
        migrate(name, "alerts", Path.of("..", "alert-service", "src", "main", "resources", "db", "migration", "alerts"));
    }

    /** Runs a service's migrations, in version order, into {@code schema} of catalog {@code name}. */
    static void migrate(String name, String schema, Path migrations) throws Exception {
        try (Connection c = Infrastructure.get().connect(name); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("SET search_path TO " + schema);
            try (var files = Files.list(migrations)) {
                for (Path migration : files.sorted(java.util.Comparator.comparingInt(
                        p -> Integer.parseInt(p.getFileName().toString().replaceAll("^V(\\d+)__.*", "$1")))).toList()) {
                    s.execute(Files.readString(migration));
                }
            }
        }
    }

    static HttpResponse<String> call(int port, String method, String path, String token, String body) throws Exception {
        return call(port, method, path, token, body, "application/json");
    }

    /** A call whose body is sent with {@code contentType} (none when null), as curl and other clients do. */
    static HttpResponse<String> call(int port, String method, String path, String token, String body,
                                     String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
