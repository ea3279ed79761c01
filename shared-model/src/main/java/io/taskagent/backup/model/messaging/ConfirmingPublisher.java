package io.taskagent.backup.model.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import java.time.Duration;
import java.util.Date;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes messages persistently, with mandatory routing, and waits for the broker's confirm.
 * <ul>
 * <li>{@link #publishCommand}: a command that is refused, unconfirmed within the timeout, or unroutable is a
 * {@link PublishException}: the caller must report it, not assume it was accepted.</li>
 * <li>{@link #publishEvent}: must be confirmed too; an event no queue subscribes to is legal (counted and logged at
 * debug), since subscribers are optional.</li>
 * </ul>
 */
public class ConfirmingPublisher {

    public static final String TYPE_HEADER = "x-message-type";

    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

    private final RabbitTemplate template;
    private final Duration confirmTimeout;
    private final MeterRegistry meters;

    public ConfirmingPublisher(RabbitTemplate template, Duration confirmTimeout, MeterRegistry meters) {
        if (!template.getConnectionFactory().isPublisherConfirms()) {
            throw new IllegalStateException("publisher confirms are off: set spring.rabbitmq.publisher-confirm-type=correlated");
        }
        if (!template.getConnectionFactory().isPublisherReturns()) {
            throw new IllegalStateException("publisher returns are off: set spring.rabbitmq.publisher-returns=true");
        }
        template.setMandatory(true);
        // returned messages are read from each publish's CorrelationData; this callback only keeps the template quiet
        template.setReturnsCallback(returned -> log.debug("returned by the broker: {} {}",
                returned.getReplyText(), returned.getRoutingKey()));
        this.template = template;
        this.confirmTimeout = confirmTimeout;
        this.meters = meters;
    }

    /** Publishes a command; returns only once the broker confirmed it and routed it to a queue. */
    public void publishCommand(BackupMessage command) {
        publish(command, true);
    }

    /** Publishes an event; returns once the broker confirmed it. */
    public void publishEvent(BackupMessage event) {
        publish(event, false);
    }

    private void publish(BackupMessage message, boolean mustRoute) {
        String kind = message.getClass().getSimpleName();
        Message amqp = MessageBuilder.withBody(MessageJson.write(message))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setContentEncoding("UTF-8")
                .setMessageId(message.messageId().toString())
                .setCorrelationId(message.jobId().toString())
                .setTimestamp(Date.from(message.occurredAt()))
                .setType(kind)
                .setHeader(TYPE_HEADER, kind)
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .build();
        CorrelationData correlation = new CorrelationData(message.messageId().toString());
        try {
            template.send(message.exchange(), message.routingKey(), amqp, correlation);
            CorrelationData.Confirm confirm = correlation.getFuture()
                    .get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!confirm.ack()) {
                throw failure(kind, "the broker refused " + kind + " (nack: " + confirm.reason() + ")");
            }
        } catch (TimeoutException e) {
            throw failure(kind, "the broker did not confirm " + kind + " within " + confirmTimeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(kind, "interrupted while waiting for the broker to confirm " + kind);
        } catch (ExecutionException e) {
            throw failure(kind, "could not publish " + kind + ": " + e.getCause().getMessage());
        } catch (org.springframework.amqp.AmqpException e) {
            throw failure(kind, "could not publish " + kind + " to the broker: " + e.getMessage());
        }
        if (correlation.getReturned() != null) {
            meters.counter("backup.messages.unrouted", "type", kind).increment();
            if (mustRoute) {
                throw failure(kind, "no queue is bound to " + message.exchange() + "/" + message.routingKey()
                        + ": " + kind + " was returned unroutable (" + correlation.getReturned().getReplyText() + ")");
            }
            log.debug("{} {} had no subscriber on {}", kind, message.messageId(), message.routingKey());
        }
        meters.counter("backup.messages.published", "type", kind).increment();
    }

    private PublishException failure(String kind, String reason) {
        meters.counter("backup.messages.publish.failures", "type", kind).increment();
        return new PublishException(reason);
    }
}
