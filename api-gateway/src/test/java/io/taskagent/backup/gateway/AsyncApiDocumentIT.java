package io.taskagent.backup.gateway;

import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static io.taskagent.backup.gateway.GatewayTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway serves the message contract, docs/asyncapi.yaml as copied into its classpath at build time, at
 * {@code GET /asyncapi.yaml}, without a token (like the OpenAPI document).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AsyncApiDocumentIT {

    static final String CATALOG = "backup_catalog_it_gateway_asyncapi";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.admin-token", () -> ADMIN);
    }

    @Value("${local.server.port}")
    int port;

    @Test
    void theAsyncApiDocumentIsServedWithoutATokenAndIsDocsAsyncapiYaml() throws Exception {
        HttpResponse<String> response = call(port, "GET", "/asyncapi.yaml", null, null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/yaml"));
        String document = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/asyncapi.yaml"));
        assertThat(response.body()).as("the served document is docs/asyncapi.yaml").isEqualTo(document);
        assertThat(response.body()).contains("asyncapi: 3.0.0");
    }

    @Test
    void theApiStillNeedsAToken() throws Exception {
        assertThat(call(port, "GET", "/api/backup/history", null, null).statusCode()).isEqualTo(401);
        assertThat(call(port, "GET", "/asyncapi.json", null, null, null).statusCode())
                .as("only the one document is open").isEqualTo(401);
    }
}
