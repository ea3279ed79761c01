package io.taskagent.backup.worker.job;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The worker's outbox for the events that announce a job's outcome. Each event is stored in the same transaction as
 * the job state it announces, then published once that transaction committed. If the worker dies in between, or
 * the broker does not confirm, the event stays stored and any worker's {@link #relay()} publishes it later: a
 * finished job is always announced, at least once (consumers de-duplicate by message id).
 */
@Component
public class EventOutbox {

    private static final Logger log = LoggerFactory.getLogger(EventOutbox.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final ConfirmingPublisher publisher;
    private final MeterRegistry meters;
    private final Retry retry;
    private final Duration grace;
    private final LeaseKeeper leases;

    public EventOutbox(JdbcClient jdbc, TransactionTemplate tx, ConfirmingPublisher publisher, MeterRegistry meters,
                       Retry retry, @Value("${backup.worker.outbox-grace:30s}") Duration grace, LeaseKeeper leases) {
        this.leases = leases;
        this.jdbc = jdbc;
        this.tx = tx;
        this.publisher = publisher;
        this.meters = meters;
        this.retry = retry;
        this.grace = grace;
    }

    /**
     * Finishes a job: {@link #commit} (retried while the catalog is unreachable, as {@code what}) and, when the change
     * happened, {@link #send}. Returns whether it happened (false: the job was finished or taken over meanwhile).
     */
    public boolean finish(String what, BooleanSupplier change, BackupMessage... events) {
        boolean changed = retry.get(what, () -> commit(change, events));
        if (changed) {
            send(events);
        }
        return changed;
    }

    /**
     * Finishes job {@code jobId}, which this worker runs under its lease: as {@link #finish(String, BooleanSupplier,
     * BackupMessage...)}, but while the catalog cannot be reached the write is tried again for as long as the job's
     * lease is surely still this worker's ({@link LeaseKeeper#whileHeld}), however long that is; for a job whose
     * lease is not kept here, as that method.
     */
    public boolean finish(UUID jobId, String what, BooleanSupplier change, BackupMessage... events) {
        if (!leases.holds(jobId)) {
            return finish(what, change, events);
        }
        boolean changed = leases.whileHeld(jobId, what, () -> commit(change, events));
        if (changed) {
            send(events);
        }
        return changed;
    }

    /**
     * Runs {@code change} (a conditional job state change) and, when it happened, stores {@code events}, in one
     * transaction. Returns whether the change happened; publish the events with {@link #send} then.
     */
    public boolean commit(BooleanSupplier change, BackupMessage... events) {
        Boolean changed = tx.execute(status -> {
            if (!change.getAsBoolean()) {
                status.setRollbackOnly();
                return false;
            }
            record(events);
            return true;
        });
        return Boolean.TRUE.equals(changed);
    }

    /** Stores {@code events} in the caller's transaction; publish them with {@link #send} after it committed. */
    public void record(BackupMessage... events) {
        for (BackupMessage event : events) {
            jdbc.sql("""
                            INSERT INTO outbox (message_id, job_id, message_type, body)
                            VALUES (:id, :job, :type, :body) ON CONFLICT (message_id) DO NOTHING""")
                    .param("id", event.messageId()).param("job", event.jobId())
                    .param("type", event.getClass().getSimpleName())
                    .param("body", new String(MessageJson.write(event), StandardCharsets.UTF_8))
                    .update();
        }
    }

    /** Publishes stored events now; one the broker does not confirm is left to the relay. */
    public void send(BackupMessage... events) {
        for (BackupMessage event : events) {
            try {
                publisher.publishEvent(event);
                published(event.messageId());
            } catch (RuntimeException e) {
                log.warn("{} {} of job {} not published yet, the outbox relay will: {}",
                        event.getClass().getSimpleName(), event.messageId(), event.jobId(), e.getMessage());
            }
        }
    }

    private void published(UUID messageId) {
        jdbc.sql("UPDATE outbox SET published_at = now() WHERE message_id = :id AND published_at IS NULL")
                .param("id", messageId).update();
    }

    /**
     * Publishes events stored longer than the grace period and still unpublished (their worker died or the broker
     * failed); forgets published ones after a week.
     */
    @Scheduled(fixedDelayString = "${backup.worker.outbox-interval-ms:10000}", initialDelay = 3000)
    public void relay() {
        try {
            List<String> pending = jdbc.sql("""
                            SELECT body FROM outbox
                            WHERE published_at IS NULL AND created_at < now() - make_interval(secs => :grace)
                            ORDER BY created_at LIMIT 100""")
                    .param("grace", (double) grace.toMillis() / 1000).query(String.class).list();
            for (String body : pending) {
                BackupMessage event = MessageJson.read(body.getBytes(StandardCharsets.UTF_8));
                publisher.publishEvent(event);
                published(event.messageId());
                meters.counter("backup.outbox.relayed").increment();
                log.info("relayed {} {} of job {}", event.getClass().getSimpleName(), event.messageId(), event.jobId());
            }
            jdbc.sql("DELETE FROM outbox WHERE published_at < now() - interval '7 days'").update();
        } catch (RuntimeException e) {
            log.warn("outbox relay failed, will retry: {}", e.toString());
        }
    }
}
