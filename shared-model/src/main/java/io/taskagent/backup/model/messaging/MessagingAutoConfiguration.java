package io.taskagent.backup.model.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskagent.backup.model.Topology;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Gives every service the same broker topology, the confirming publisher and the retry policy.
 * Registered in {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 */
@AutoConfiguration
@EnableConfigurationProperties(MessagingProperties.class)
public class MessagingAutoConfiguration {

    @Bean
    Declarables backupTopology() {
        return Topology.declarables();
    }

    @Bean
    ConfirmingPublisher confirmingPublisher(RabbitTemplate template, MessagingProperties properties,
                                            ObjectProvider<MeterRegistry> meters) {
        return new ConfirmingPublisher(template, properties.confirmTimeout(),
                meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    /** The depth of every consuming queue and dead-letter queue (nothing registered without metrics or admin). */
    @Bean
    QueueDepthMetrics queueDepthMetrics(ObjectProvider<org.springframework.amqp.core.AmqpAdmin> admin,
                                        ObjectProvider<MeterRegistry> meters) {
        return new QueueDepthMetrics(admin.getIfAvailable(), meters.getIfAvailable());
    }

    @Bean
    Retry consumerRetry(MessagingProperties properties) {
        return Retry.of(properties);
    }
}
