package io.taskagent.backup.worker;

import com.rabbitmq.client.Channel;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RequestVerify;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.worker.cleanup.CleanupExecutor;
import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.restore.RestoreJobRunner;
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
 * <li>a message that cannot be parsed or validated, or is not a command for the worker, is rejected without requeue:
 * the broker dead-letters it at once and the listener goes on;</li>
 * <li>a valid command is acknowledged as soon as its job is recorded and claimed in the catalog; from then on the
 * job's lease, not the unacknowledged message, tracks it, so a dump may outlast RabbitMQ's consumer timeout, and a
 * worker that dies mid-job is replaced by another one taking the job over ({@link LeaseReaper});</li>
 * <li>when the catalog stays unreachable through the retries, the message is rejected and dead-lettered.</li>
 * </ul>
 * The job then runs on this listener thread: with a prefetch of 1, the worker takes no more commands than it has
 * threads ({@code backup.worker.concurrency}).
 */
@Component
class BackupCommandListener {

    private static final Logger log = LoggerFactory.getLogger(BackupCommandListener.class);

    private final BackupJobRunner backups;
    private final VerifyJobRunner verifications;
    private final RestoreJobRunner restores;
    private final CleanupExecutor cleanups;
    private final JobExecutor executor;

    BackupCommandListener(BackupJobRunner backups, VerifyJobRunner verifications, RestoreJobRunner restores,
                          CleanupExecutor cleanups, JobExecutor executor) {
        this.backups = backups;
        this.verifications = verifications;
        this.restores = restores;
        this.cleanups = cleanups;
        this.executor = executor;
    }

    @RabbitListener(id = "backup-commands", queues = Topology.WORKER_COMMANDS_QUEUE, ackMode = "MANUAL",
            concurrency = "${backup.worker.concurrency:1}")
    void onCommand(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        BackupMessage command;
        try {
            command = MessageJson.read(message.getBody());
            if (!(command instanceof RequestBackup) && !(command instanceof RequestVerify)
                    && !(command instanceof RequestRestore) && !(command instanceof DeleteBackups)) {
                throw new InvalidMessageException(command.getClass().getSimpleName() + " is not a worker command");
            }
        } catch (InvalidMessageException e) {
            log.warn("dead-lettering message {}: {}", message.getMessageProperties().getMessageId(), e.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        Optional<JobStore.Job> job;
        try {
            if (command instanceof RequestBackup backup) {
                job = backups.accept(backup);
            } else if (command instanceof RequestRestore restore) {
                job = restores.accept(restore);
            } else if (command instanceof DeleteBackups deletion) {
                job = cleanups.accept(deletion);
            } else {
                job = verifications.accept((RequestVerify) command);
            }
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
