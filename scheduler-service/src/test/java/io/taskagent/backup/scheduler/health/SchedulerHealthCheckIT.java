package io.taskagent.backup.scheduler.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's health check: catalog and broker reachable; an unreachable catalog is announced, a broker that is down is counted. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SchedulerHealthCheckIT {

    static final String CATALOG = "backup_catalog_it_sched_health";
    static final String TARGET = "sched-health-" + UUID.randomUUID().toString().substring(0, 8);
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.timer-enabled", () -> "false");
        registry.add("scheduler.target", () -> TARGET);
        registry.add("spring.rabbitmq.listener.simple.auto-startup", () -> "false");
    }

    @Autowired
    SchedulerHealthCheck health;
    @Autowired
    ConnectionFactory connections;
    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    SchedulerProperties properties;
    @Autowired
    MeterRegistry meters;

    @Test
    void aReachableCatalogAndBrokerAreHealthyAnUnreachableCatalogIsAnnounced() {
        assertThat(health.check()).isTrue();

        Infrastructure infra = Infrastructure.get();
        JdbcClient missing = JdbcClient.create(new DriverManagerDataSource(infra.jdbcUrl("no_such_catalog_" + TARGET.replace('-', '_')),
                infra.pgUser, infra.pgPassword));
        assertThat(new SchedulerHealthCheck(missing, connections, publisher, properties, meters).check()).isFalse();
        HealthCheckFailed failed = events.probe().awaitEvent(HealthCheckFailed.class, e -> e.target().equals(TARGET),
                Duration.ofSeconds(20));
        assertThat(failed.component()).isEqualTo("catalog");
        assertThat(failed.detail()).contains("catalog database unreachable");
    }

    @Test
    void aBrokerThatIsDownIsCountedAndLogged() {
        CachingConnectionFactory nowhere = new CachingConnectionFactory("127.0.0.1", 1);
        try {
            double before = meters.counter("scheduler.health.failures", "component", "broker").count();
            assertThat(new SchedulerHealthCheck(JdbcClient.create(new DriverManagerDataSource(
                    Infrastructure.get().jdbcUrl(CATALOG), Infrastructure.get().pgUser, Infrastructure.get().pgPassword)),
                    nowhere, publisher, properties, meters).check()).isFalse();
            assertThat(meters.counter("scheduler.health.failures", "component", "broker").count()).isEqualTo(before + 1);
        } finally {
            nowhere.destroy();
        }
    }
}
