package io.taskagent.backup.scheduler.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * The scheduler's part of the periodic health check: the catalog and the broker are reachable. A catalog failure
 * is announced with {@link HealthCheckFailed}; a broker failure can only be logged and counted (nothing can be
 * published). Storage, free disk and the source database are the worker's part.
 */
@Component
public class SchedulerHealthCheck {

    private static final Logger log = LoggerFactory.getLogger(SchedulerHealthCheck.class);

    private final JdbcClient catalog;
    private final ConnectionFactory broker;
    private final ConfirmingPublisher publisher;
    private final SchedulerProperties properties;
    private final MeterRegistry meters;

    SchedulerHealthCheck(JdbcClient catalog, ConnectionFactory broker, ConfirmingPublisher publisher,
                         SchedulerProperties properties, MeterRegistry meters) {
        this.catalog = catalog;
        this.broker = broker;
        this.publisher = publisher;
        this.properties = properties;
        this.meters = meters;
    }

    /** One check; returns whether everything was reachable. */
    public boolean check() {
        String catalogProblem = null;
        try {
            catalog.sql("SELECT 1").query(Integer.class).single();
        } catch (RuntimeException e) {
            catalogProblem = "catalog database unreachable: " + e.getMessage();
        }
        boolean brokerUp;
        try (Connection connection = broker.createConnection()) {
            brokerUp = connection.isOpen();
        } catch (RuntimeException e) {
            brokerUp = false;
        }
        if (!brokerUp) {
            meters.counter("scheduler.health.failures", "component", "broker").increment();
            log.error("health check: the broker is unreachable{}", catalogProblem == null ? "" : "; " + catalogProblem);
        }
        if (catalogProblem != null) {
            meters.counter("scheduler.health.failures", "component", "catalog").increment();
            log.error("health check: {}", catalogProblem);
            if (brokerUp) {
                try {
                    publisher.publishEvent(HealthCheckFailed.of(UUID.randomUUID(), properties.target(), "catalog",
                            catalogProblem));
                } catch (PublishException e) {
                    log.error("health check: could not announce the catalog failure: {}", e.getMessage());
                }
            }
        }
        return brokerUp && catalogProblem == null;
    }
}
