package io.taskagent.backup.alert;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What every alert IT runs against: a real SMTP server (GreenMail) on a free port, the real broker with the topology
 * declared, the events captured and the alert queue and its dead-letter queue emptied before the class, and a fresh
 * catalog. Register as
 * {@code @RegisterExtension static final AlertEnvironment env = new AlertEnvironment();} and call
 * {@link #register} from the class's {@code @DynamicPropertySource}.
 */
final class AlertEnvironment implements BeforeAllCallback, AfterAllCallback {

    private final int smtpPort = AlertTestSupport.freePort();
    private GreenMail smtp;
    private BrokerProbe broker;

    /** A fresh catalog {@code catalog}, e-mail to this SMTP server, quick messaging retries, no redelivery. */
    void register(DynamicPropertyRegistry registry, String catalog) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(catalog);
        infra.ensureDatabase(catalog);
        infra.springProperties(catalog).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> smtpPort);
        registry.add("backup.messaging.retry-backoff", () -> "100ms");
        registry.add("backup.messaging.retry-attempts", () -> "3");
        // the tests here look at the dead-letter queue and replay by hand: no retry window moving messages meanwhile
        // (system-tests SmtpOutageIT tests it against the real jar)
        registry.add("alert.redelivery.enabled", () -> "false");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        declareTopology(Infrastructure.get());
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
        broker.purge(Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE));
    }

    /**
     * Declares the system's topology as the services do (identical arguments), so the queues exist to be purged on a
     * broker no service has started against yet.
     */
    private static void declareTopology(Infrastructure infra) {
        CachingConnectionFactory connections = new CachingConnectionFactory(infra.rabbitHost, infra.rabbitPort);
        connections.setUsername(infra.rabbitUser);
        connections.setPassword(infra.rabbitPassword);
        connections.setVirtualHost(infra.rabbitVhost);
        try {
            RabbitAdmin admin = new RabbitAdmin(connections);
            Topology.declarables().getDeclarables().forEach(d -> {
                if (d instanceof Exchange exchange) {
                    admin.declareExchange(exchange);
                } else if (d instanceof Queue queue) {
                    admin.declareQueue(queue);
                } else if (d instanceof Binding binding) {
                    admin.declareBinding(binding);
                }
            });
        } finally {
            connections.destroy();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    GreenMail smtp() {
        return smtp;
    }

    BrokerProbe broker() {
        return broker;
    }
}
