package io.taskagent.backup.scheduler;

import io.taskagent.backup.scheduler.health.SchedulerHealthCheck;
import io.taskagent.backup.scheduler.schedule.BackupScheduler;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.watchdog.DrillWatchdog;
import io.taskagent.backup.scheduler.watchdog.StalenessWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This instance's timer: every {@code scheduler.poll-interval} it fires due schedules (drills included) and runs the
 * staleness and drill-overdue watchdogs; every {@code scheduler.health-interval} (first after one interval) the health check. Failures are
 * logged and retried at the next tick. Off with {@code scheduler.timer-enabled=false} (tests drive the ticks).
 */
@Component
class SchedulerTimer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SchedulerTimer.class);
    /** How long a stop waits for a running tick (its publisher's confirm time-out is 10 s) before interrupting it. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final BackupScheduler scheduler;
    private final StalenessWatchdog watchdog;
    private final DrillWatchdog drills;
    private final SchedulerHealthCheck health;
    private final SchedulerProperties properties;
    private final Clock clock;
    private volatile ScheduledExecutorService executor;

    SchedulerTimer(BackupScheduler scheduler, StalenessWatchdog watchdog, DrillWatchdog drills,
                   SchedulerHealthCheck health, SchedulerProperties properties, Clock clock) {
        this.drills = drills;
        this.scheduler = scheduler;
        this.watchdog = watchdog;
        this.health = health;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void start() {
        if (!properties.timerEnabled()) {
            log.info("the scheduler's timer is off (scheduler.timer-enabled=false)");
            return;
        }
        executor = Executors.newScheduledThreadPool(2, r -> new Thread(r, "scheduler-timer"));
        long poll = properties.pollInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                scheduler.tick(clock.instant());
            } catch (RuntimeException e) {
                log.warn("scheduler tick failed, will retry: {}", e.toString());
            }
            try {
                watchdog.check(clock.instant());
            } catch (RuntimeException e) {
                log.warn("staleness check failed, will retry: {}", e.toString());
            }
            try {
                drills.check(clock.instant());
            } catch (RuntimeException e) {
                log.warn("drill overdue check failed, will retry: {}", e.toString());
            }
        }, 0, poll, TimeUnit.MILLISECONDS);
        long healthEvery = properties.healthInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                health.check();
            } catch (RuntimeException e) {
                log.warn("health check failed: {}", e.toString());
            }
        }, healthEvery, healthEvery, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the timer first on SIGTERM (the highest phase), while the catalog and the broker are still there: no tick
     * starts any more, and a tick running now may finish within {@link #STOP_GRACE}, so that a fire it claimed is
     * published and marked as such before the process exits. Interrupting it instead would leave that fire PENDING
     * (the broker's confirm, or the catalog connection, interrupted), published again by another replica only after
     * {@code BackupScheduler.PENDING_GRACE}, a minute late and possibly twice. A tick still running after the grace
     * is interrupted.
     */
    @Override
    public void stop() {
        ScheduledExecutorService running = executor;
        if (running != null) {
            log.info("the scheduler's timer stops: no new tick; one running may finish within {}", STOP_GRACE);
            running.shutdown(); // the periodic tasks are cancelled; the one running goes on
            try {
                if (!running.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("a scheduler tick still runs {} after the stop began: interrupting it", STOP_GRACE);
                    running.shutdownNow();
                    running.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                running.shutdownNow();
                Thread.currentThread().interrupt();
            }
            executor = null;
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
