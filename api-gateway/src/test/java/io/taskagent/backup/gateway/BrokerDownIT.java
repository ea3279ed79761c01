package io.taskagent.backup.gateway;

import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.ServerSocket;
import java.net.http.HttpResponse;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static io.taskagent.backup.gateway.GatewayTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

/** With no broker to confirm it, a create is 503 with a problem body, audited as FAILED, and no job exists. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BrokerDownIT {

    static final String CATALOG = "backup_catalog_it_gateway_down";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        registry.add("spring.rabbitmq.port", () -> closedPort);
        registry.add("spring.rabbitmq.connection-timeout", () -> "2s");
        registry.add("gateway.admin-token", () -> ADMIN);
    }

    @Value("${local.server.port}")
    int port;
    @Autowired
    JdbcClient catalog;

    @Test
    void aSchedulerCommandIs503WhenTheBrokerCannotConfirm() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/scheduler/stop", ADMIN, null);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(catalog.sql("SELECT outcome FROM gateway.audit_log WHERE action = 'scheduler.stop'")
                .query(String.class).list()).containsExactly("FAILED");
    }

    @Test
    void createIs503WhenTheBrokerCannotConfirm() throws Exception {
        HttpResponse<String> response = call(port, "POST", "/api/backup/create", ADMIN, "{\"backup_type\":\"urgent\"}");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(MessageJson.mapper().readTree(response.body()).get("detail").asString())
                .contains("not accepted by the message broker");
        assertThat(catalog.sql("SELECT outcome FROM gateway.audit_log WHERE action = 'backup.create'").query(String.class).list()).containsExactly("FAILED");
        assertThat(catalog.sql("SELECT count(*) FROM gateway.audit_log WHERE job_id IS NOT NULL").query(Integer.class).single())
                .isZero();
    }
}
