package io.taskagent.backup.worker.job;

import com.rabbitmq.client.Channel;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.Optional;

/**
 * Consumes the worker's command queue, acknowledging by hand:
 * <ul>
 * <li>a message that cannot be parsed or validated, or whose type no {@link JobHandler} takes (not a command for
 * the worker), is rejected without requeue: the broker dead-letters it at once and the listener goes on;</li>
 * <li>a valid command is acknowledged as soon as its job is recorded and claimed in the catalog
 * ({@link JobHandler#accept}); from then on the job's lease, not the unacknowledged message, tracks it, so a dump
 * may outlast RabbitMQ's consumer timeout, and a worker that dies mid-job is replaced by another one taking the job
 * over ({@link LeaseReaper});</li>
 * <li>when the catalog stays unreachable through the retries, the message is rejected and dead-lettered.</li>
 * </ul>
 * The job then runs on this listener thread ({@link JobExecutor}): with a prefetch of 1, the worker takes no more
 * commands than it has threads ({@code backup.worker.concurrency}).
 */
@Component
class BackupCommandListener {

    private static final Logger log = LoggerFactory.getLogger(BackupCommandListener.class);

    private final JobHandlers handlers;
    private final JobExecutor executor;

    BackupCommandListener(JobHandlers handlers, JobExecutor executor) {
        this.handlers = handlers;
        this.executor = executor;
    }

    @RabbitListener(id = "backup-commands", queues = Topology.WORKER_COMMANDS_QUEUE, ackMode = "MANUAL",
            concurrency = "${backup.worker.concurrency:1}")
    void onCommand(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        if (executor.draining()) {
            // shutting down: the command goes back to the queue for another worker (or this one after its restart)
            channel.basicNack(tag, false, true);
            return;
        }
        BackupMessage command;
        JobHandler<?> handler;
        try {
            command = MessageJson.readReceived(message.getBody(),
                    message.getMessageProperties().getReceivedRoutingKey());
            handler = handlers.forCommand(command).orElseThrow(() -> new InvalidMessageException(
                    command.getClass().getSimpleName() + " is not a worker command"));
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        Optional<JobStore.Job> job;
        try {
            job = JobHandlers.accept(handler, command);
        } catch (RuntimeException e) {
            log.warn("dead-lettering {} of job {}: could not record it: {}", command.getClass().getSimpleName(),
                    command.jobId(), e.toString());
            channel.basicReject(tag, false);
            return;
        }
        channel.basicAck(tag, false);
        job.ifPresent(this::run);
    }

    private void run(JobStore.Job job) {
        try {
            executor.run(job);
        } catch (RuntimeException e) {
            // the job stays RUNNING; its lease expires and a worker takes it over
            log.error("job {} stopped: {}", job.id(), e.toString(), e);
        }
    }
}
