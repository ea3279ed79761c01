package io.taskagent.backup.scheduler.command;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpRejectAndDontRequeueException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

import java.time.Clock;

/**
 * Consumes the scheduler's command queue ({@code StartScheduler}, {@code StopScheduler}, {@code ConfigureSchedule},
 * {@code RequestCleanup}). A body that is not a valid scheduler command is dead-lettered at once; an invalid
 * configuration is answered ({@code ScheduleRejected}), not dead-lettered; work that still fails after its retries
 * (catalog, broker) dead-letters the command. The message is acknowledged once the outcome is stored and announced.
 */
@Component
class SchedulerCommandListener {

    private static final Logger log = LoggerFactory.getLogger(SchedulerCommandListener.class);

    private final SchedulerCommands commands;
    private final Clock clock;

    SchedulerCommandListener(SchedulerCommands commands, Clock clock) {
        this.commands = commands;
        this.clock = clock;
    }

    @RabbitListener(id = "scheduler-commands", queues = Topology.SCHEDULER_COMMANDS_QUEUE)
    void onCommand(Message message) {
        BackupMessage command;
        try {
            command = MessageJson.readReceived(message.getBody(),
                    message.getMessageProperties().getReceivedRoutingKey());
            if (!(command instanceof StartScheduler) && !(command instanceof StopScheduler)
                    && !(command instanceof ConfigureSchedule) && !(command instanceof RequestCleanup)) {
                throw new InvalidMessageException(command.getClass().getSimpleName() + " is not a scheduler command");
            }
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
        try {
            commands.handle(command, clock.instant());
        } catch (RuntimeException e) {
            log.warn("dead-lettering {} {} (job {}): {}", command.getClass().getSimpleName(), command.messageId(),
                    command.jobId(), e.getMessage());
            throw new AmqpRejectAndDontRequeueException(e.getMessage(), e);
        }
    }
}
