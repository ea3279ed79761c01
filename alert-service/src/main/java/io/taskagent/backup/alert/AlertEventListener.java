package io.taskagent.backup.alert;

import io.taskagent.backup.alert.anomaly.AnomalyDetector;
import io.taskagent.backup.alert.delivery.AlertDispatcher;
import io.taskagent.backup.alert.delivery.RedeliveryRules;
import io.taskagent.backup.alert.settings.AlertCommands;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * Consumes the alert queue: completed backups feed anomaly detection; failures, warnings, anomalies (including the
 * ones this service raises) and optionally completed restores become alerts; {@link ConfigureAlerts} commands (bound
 * from the commands exchange) change the alert settings. A body that is not a valid message is dead-lettered at
 * once; a command whose settings break the rules is recorded as rejected and acknowledged; work that still fails
 * after its retries (a channel, the catalog, the broker) dead-letters the message after the channels that worked
 * were recorded.
 */
@Component
class AlertEventListener {

    private static final Logger log = LoggerFactory.getLogger(AlertEventListener.class);

    private final AlertDispatcher dispatcher;
    private final AnomalyDetector anomalies;
    private final AlertCommands commands;
    private final Clock clock;

    AlertEventListener(AlertDispatcher dispatcher, AnomalyDetector anomalies, AlertCommands commands, Clock clock) {
        this.dispatcher = dispatcher;
        this.anomalies = anomalies;
        this.commands = commands;
        this.clock = clock;
    }

    @RabbitListener(id = "alert-events", queues = Topology.ALERT_EVENTS_QUEUE)
    void onEvent(Message message) {
        BackupMessage event;
        try {
            event = MessageJson.readReceived(message.getBody(), routingKey(message.getMessageProperties()));
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
        try {
            if (event instanceof ConfigureAlerts command) {
                commands.handle(command, clock.instant());
            } else if (event instanceof BackupCompleted completed) {
                anomalies.check(completed);
            } else {
                dispatcher.dispatch(event);
            }
        } catch (RuntimeException e) {
            log.warn("dead-lettering {} {} of {} (job {}): {}", event.getClass().getSimpleName(), event.messageId(),
                    event.target(), event.jobId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
    }

    /**
     * The routing key the message's type is checked against: the one it arrived with; for an alert given back by
     * {@link io.taskagent.backup.alert.delivery.AlertRedelivery} (through the default exchange, straight to this
     * queue) the one it was first published with, which it carries in a header.
     */
    static String routingKey(MessageProperties properties) {
        String received = properties.getReceivedRoutingKey();
        Object original = properties.getHeader(RedeliveryRules.ROUTING_KEY_HEADER);
        if (original != null && Topology.ALERT_EVENTS_QUEUE.equals(received)
                && (properties.getReceivedExchange() == null || properties.getReceivedExchange().isEmpty())) {
            return original.toString();
        }
        return received;
    }
}
