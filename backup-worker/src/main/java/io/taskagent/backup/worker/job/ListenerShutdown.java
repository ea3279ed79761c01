package io.taskagent.backup.worker.job;

import io.taskagent.backup.worker.WorkerProperties;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * The command listeners' containers wait for a running job at least as long as {@link WorkerShutdown} lets it
 * finish. A job runs on a listener thread, and a container being stopped gives its threads Spring AMQP's
 * {@code shutdownTimeout} (5 s by default) before it closes their channels and interrupts them: a backup that needed
 * more than 5 s after a SIGTERM failed ("interrupted", a failure event and an alert) instead of finishing within
 * {@code backup.worker.shutdown-grace} or being handed back at its end (seen in WorkerTakeoverIT on a loaded
 * machine). The containers now wait the grace and 5 s more, so that a job still running at the grace's end is handed
 * back before its thread is interrupted.
 */
@Configuration(proxyBeanMethods = false)
class ListenerShutdown {

    static final Duration AFTER_GRACE = Duration.ofSeconds(5);

    @Bean
    ContainerCustomizer<SimpleMessageListenerContainer> listenerShutdownAfterGrace(
            WorkerProperties properties) {
        long timeout = properties.worker().shutdownGrace().plus(AFTER_GRACE).toMillis();
        return container -> container.setShutdownTimeout(timeout);
    }
}
