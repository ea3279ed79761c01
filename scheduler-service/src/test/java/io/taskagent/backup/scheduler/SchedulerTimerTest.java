package io.taskagent.backup.scheduler;

import io.taskagent.backup.scheduler.health.SchedulerHealthCheck;
import io.taskagent.backup.scheduler.schedule.BackupScheduler;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.watchdog.DrillWatchdog;
import io.taskagent.backup.scheduler.watchdog.StalenessWatchdog;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

/**
 * The timer's stop (SIGTERM) lets a running tick finish, uninterrupted, and starts no other: a fire the tick claimed
 * is published and marked before the process exits (GracefulShutdownIT proves it with two replicas as processes).
 */
class SchedulerTimerTest {

    static SchedulerProperties properties(Duration poll) {
        return new SchedulerProperties(true, "taskagent", "UTC", 6, true, "02:30", true, 6, true, true, Map.of(),
                "03:00", new SchedulerProperties.Retention(24, 30, 12, 12, 10, 7), 500, true, true,
                Duration.ofMinutes(5), poll, true, null, Duration.ofMinutes(60), Map.of(),
                new SchedulerProperties.Drill(false, "0 0 4 * * SUN", 0, Duration.ofDays(8)));
    }

    @Test
    void stopWaitsForTheRunningTickWithoutInterruptingItAndStartsNoOther() throws Exception {
        BackupScheduler scheduler = mock(BackupScheduler.class);
        CountDownLatch inTick = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger ticks = new AtomicInteger();
        doAnswer(invocation -> {
            ticks.incrementAndGet();
            inTick.countDown();
            try {
                release.await(); // a tick waiting for the broker's confirm
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
            finished.set(true);
            return null;
        }).when(scheduler).tick(any());
        SchedulerTimer timer = new SchedulerTimer(scheduler, mock(StalenessWatchdog.class), mock(DrillWatchdog.class),
                mock(SchedulerHealthCheck.class), properties(Duration.ofMillis(10)), Clock.systemUTC());
        timer.start();
        assertThat(inTick.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(timer::stop);
        // while the tick runs (waiting for the broker's confirm, say), stop neither returns nor interrupts it
        await("stop waits for the running tick").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !stopping.isDone() && !interrupted.get());
        release.countDown();
        stopping.get(5, TimeUnit.SECONDS);

        assertThat(interrupted).as("the running tick was interrupted").isFalse();
        assertThat(finished).as("the running tick finished").isTrue();
        assertThat(ticks).as("no tick after the stop began").hasValue(1);
        assertThat(timer.isRunning()).isFalse();
    }
}
