package io.taskagent.backup.gateway;

import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Shared set-up of the gateway's integration tests. */
final class GatewayTestSupport {

    static final String ADMIN = "it-admin-secret-0123456789";

    private GatewayTestSupport() {
    }

    /**
     * A fresh catalog with the schemas of the services whose read contracts the gateway reads ({@code worker},
     * {@code scheduler}, {@code alerts}), built by their own migrations.
     */
    static void freshCatalog(String name) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(name);
        infra.ensureDatabase(name);
        for (String schema : new String[]{"worker", "scheduler", "alerts"}) {
            ServiceSchemas.create(name, schema);
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
