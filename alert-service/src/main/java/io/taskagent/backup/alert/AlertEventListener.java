package io.taskagent.backup.alert;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.alert.delivery.DeliveryLog;
import io.taskagent.backup.alert.mail.MailChannel;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.stereotype.Component;

/**
 * Consumes failure events and notifies people. Each event is sent once per channel: the delivery is recorded in
 * the catalog before the message is acknowledged, and a redelivered event that was delivered already sends nothing.
 * A channel that keeps failing is retried with back-off, then the event is dead-lettered and counted.
 */
@Component
class AlertEventListener {

    private static final Logger log = LoggerFactory.getLogger(AlertEventListener.class);

    private final MailChannel mail;
    private final DeliveryLog deliveries;
    private final Retry retry;
    private final MeterRegistry meters;

    AlertEventListener(MailChannel mail, DeliveryLog deliveries, Retry retry, MeterRegistry meters) {
        this.mail = mail;
        this.deliveries = deliveries;
        this.retry = retry;
        this.meters = meters;
    }

    @RabbitListener(id = "alert-events", queues = Topology.ALERT_EVENTS_QUEUE)
    void onEvent(Message message) {
        BackupMessage event;
        try {
            event = MessageJson.read(message.getBody());
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
        if (event instanceof BackupFailed failed) {
            alert(failed);
        } else {
            log.debug("no alert for {}", event.getClass().getSimpleName());
        }
    }

    private void alert(BackupFailed event) {
        if (!mail.enabled()) {
            log.warn("backup job {} of {} failed but e-mail alerts are off or have no recipients: {}",
                    event.jobId(), event.target(), event.reason());
            return;
        }
        if (retry.get("checking deliveries", () -> deliveries.delivered(event.messageId(), MailChannel.CHANNEL))) {
            log.info("alert for event {} was e-mailed already: not sending it again", event.messageId());
            return;
        }
        SimpleMailMessage email = mail.compose(event);
        try {
            retry.run("e-mailing alert for job " + event.jobId(), () -> mail.send(email));
        } catch (RuntimeException e) {
            meters.counter("alerts.failed", "channel", MailChannel.CHANNEL, "kind", "BackupFailed").increment();
            throw e;
        }
        retry.run("recording delivery", () -> deliveries.record(event.messageId(), MailChannel.CHANNEL,
                "BackupFailed", event.jobId(), event.target(), String.join(",", mail.recipients()),
                email.getSubject()));
        meters.counter("alerts.sent", "channel", MailChannel.CHANNEL, "kind", "BackupFailed").increment();
        log.info("e-mailed alert for failed backup job {} of {} to {} recipient(s)", event.jobId(), event.target(),
                mail.recipients().size());
    }
}
