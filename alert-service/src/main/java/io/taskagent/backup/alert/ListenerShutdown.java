package io.taskagent.backup.alert;

import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * On SIGTERM the alert being delivered may finish within {@code alert.shutdown-grace} ({@code ALERT_SHUTDOWN_GRACE},
 * 20 s) before the listener container gives up on it. Spring AMQP's default of 5 s is shorter than one channel call
 * may take (a webhook's {@code ALERT_HTTP_REQUEST_TIMEOUT} and SMTP's time-out are 10 s): a slow call was then cut
 * short, its channel closed, the event put back on the queue with that delivery unrecorded, and the next instance
 * sent it again (GracefulShutdownIT). The grace stays below Spring's 30 s per shutdown phase.
 */
@Configuration(proxyBeanMethods = false)
class ListenerShutdown {

    @Bean
    ContainerCustomizer<SimpleMessageListenerContainer> listenerShutdownGrace(
            @Value("${alert.shutdown-grace}") Duration grace) {
        return container -> container.setShutdownTimeout(grace.toMillis());
    }
}
