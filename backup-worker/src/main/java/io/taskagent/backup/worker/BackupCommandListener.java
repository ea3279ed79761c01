package io.taskagent.backup.worker;

import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/**
 * Consumes the worker's command queue. A message that cannot be parsed or validated is rejected without requeue,
 * so the broker moves it to the dead-letter queue at once; the listener goes on with the next message. The message
 * is acknowledged only after the job's outcome is recorded.
 */
@Component
class BackupCommandListener {

    private static final Logger log = LoggerFactory.getLogger(BackupCommandListener.class);

    private final BackupJobRunner runner;

    BackupCommandListener(BackupJobRunner runner) {
        this.runner = runner;
    }

    @RabbitListener(id = "backup-commands", queues = Topology.WORKER_COMMANDS_QUEUE,
            concurrency = "${backup.worker.concurrency:1}")
    void onCommand(Message message) {
        RequestBackup request;
        try {
            request = MessageJson.read(message.getBody(), RequestBackup.class);
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
        runner.run(request);
    }
}
