package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fires the interval schedule: every poll it records the current slot in the {@link FireLog} (once across
 * replicas) and publishes {@link RequestBackup} with type {@code interval}, waiting for the broker's confirm. A fire
 * the broker did not confirm stays PENDING and is published again after a minute (same job id, so the worker runs it once).
 * On the very first start the current slot is only recorded: the first backup comes at the next slot.
 */
@Component
class BackupScheduler implements SmartLifecycle {

    static final String INTERVAL = "interval";
    /** A fire unconfirmed for this long is published again (longer than a publisher's confirm timeout). */
    static final Duration PENDING_GRACE = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(BackupScheduler.class);

    private final FireLog fires;
    private final ConfirmingPublisher publisher;
    private final SchedulerProperties properties;
    private final IntervalSchedule schedule;
    private final Clock clock;
    private ScheduledExecutorService executor;

    @Autowired
    BackupScheduler(FireLog fires, ConfirmingPublisher publisher, SchedulerProperties properties) {
        this(fires, publisher, properties, Clock.systemUTC());
    }

    BackupScheduler(FireLog fires, ConfirmingPublisher publisher, SchedulerProperties properties, Clock clock) {
        this.fires = fires;
        this.publisher = publisher;
        this.properties = properties;
        this.schedule = new IntervalSchedule(INTERVAL, Duration.ofHours(properties.intervalHours()));
        this.clock = clock;
    }

    /** One check: publish pending fires, then the current slot's fire if nobody did yet. */
    void tick(Instant now) {
        for (FireLog.PendingFire pending : fires.takeOverStalePending(PENDING_GRACE)) {
            publish(pending.schedule(), pending.fireAt(), pending.jobId());
        }
        Instant slot = schedule.latestFireAtOrBefore(now);
        if (!fires.hasAny(schedule.name())) {
            fires.baseline(schedule.name(), slot);
            log.info("schedule '{}' every {} h: first start, next backup at {}", schedule.name(),
                    properties.intervalHours(), schedule.nextFireAfter(now));
            return;
        }
        UUID jobId = UUID.randomUUID();
        if (fires.claim(schedule.name(), slot, jobId)) {
            publish(schedule.name(), slot, jobId);
        }
    }

    private void publish(String scheduleName, Instant fireAt, UUID jobId) {
        RequestBackup request = new RequestBackup(UUID.randomUUID(), jobId, properties.target(), Instant.now(clock),
                RequestBackup.CURRENT_VERSION, scheduleName, "scheduler:" + scheduleName);
        try {
            publisher.publishCommand(request);
            fires.markPublished(scheduleName, fireAt);
            log.info("schedule '{}' fired for {}: job {}", scheduleName, fireAt, jobId);
        } catch (PublishException e) {
            log.warn("schedule '{}' fire {} not confirmed by the broker, will retry: {}", scheduleName, fireAt,
                    e.getMessage());
        }
    }

    Instant nextFire() {
        return schedule.nextFireAfter(clock.instant());
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            log.info("scheduled backups are disabled (scheduler.enabled=false)");
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "backup-scheduler"));
        executor.scheduleWithFixedDelay(() -> {
            try {
                tick(clock.instant());
            } catch (RuntimeException e) {
                log.warn("scheduler tick failed, will retry: {}", e.toString());
            }
        }, 0, properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
