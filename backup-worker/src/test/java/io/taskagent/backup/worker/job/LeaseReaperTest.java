package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.storage.Destinations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * The lease reaper's round only finds and claims: a take-over runs on a take-over thread, at most as many at once
 * as there are threads, a job beyond them is not claimed, and a job claimed that cannot be run is released.
 */
class LeaseReaperTest {

    @TempDir
    Path dir;

    final JobStore jobs = mock(JobStore.class);
    final List<FakeHandler<?>> handlers = FakeHandler.forEveryKind();
    TakeOvers takeOvers;

    @AfterEach
    void stop() {
        handlers.forEach(FakeHandler::release);
        if (takeOvers != null) {
            takeOvers.close();
        }
    }

    private LeaseReaper reaper(int threads) {
        WorkerProperties properties = new WorkerProperties(
                new WorkerProperties.Source("t", "jdbc:postgresql://localhost/t", "u", null, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), List.of(), List.of(), List.of()),
                new WorkerProperties.Storage(dir, "zstd", 1, 500, Map.of(), "", java.util.List.of(), 8, Duration.ofSeconds(30),
                        org.springframework.util.unit.DataSize.ofBytes(0)),
                new WorkerProperties.Worker("me", threads, 0, Duration.ofMinutes(2), 3, Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(30)),
                new WorkerProperties.Restore(true, Map.of(), "256MB", 0), new WorkerProperties.Schema("", false),
                new WorkerProperties.EncryptionSettings("", ""), new WorkerProperties.Drill("", "", "", Map.of(), "template0"));
        LeaseKeeper leases = new LeaseKeeper(jobs, "me", Duration.ofMinutes(2));
        takeOvers = new TakeOvers(threads);
        JobExecutor executor = new JobExecutor(leases, new JobHandlers(new ArrayList<>(handlers)), jobs,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        return new LeaseReaper(jobs, executor, takeOvers, leases, Destinations.local(dir), properties);
    }

    private FakeHandler<?> backups() {
        return handlers.stream().filter(h -> h.kind() == JobKind.BACKUP).findFirst().orElseThrow();
    }

    /** A backup job with an expired lease, {@code attempts} used; claimed, it has one more. */
    private UUID expired(int attempts) {
        UUID id = UUID.randomUUID();
        when(jobs.find(id)).thenReturn(Optional.of(job(id, attempts)));
        when(jobs.claim(eq(id), eq("me"), any())).thenReturn(Optional.of(job(id, attempts + 1)));
        return id;
    }

    private static JobStore.Job job(UUID id, int attempts) {
        return new JobStore.Job(id, JobKind.BACKUP, "manual", "t", "test", null, attempts);
    }

    @Test
    void aTakeOverRunsOnATakeOverThreadWhileTheRoundReturns() {
        LeaseReaper reaper = reaper(1);
        UUID id = expired(1);
        when(jobs.expiredLeases()).thenReturn(List.of(id));

        long started = System.nanoTime();
        reaper.reap(); // the take-over blocks until released: the round must not wait for it
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        await().atMost(Duration.ofSeconds(5)).until(() -> backups().executedOn.containsKey(id));
        assertThat(backups().executedOn.get(id)).startsWith("lease-takeover-")
                .isNotEqualTo(Thread.currentThread().getName());
        verify(jobs).claim(eq(id), eq("me"), any());
    }

    @Test
    void jobsBeyondTheFreeTakeOverThreadsAreNotClaimed() {
        LeaseReaper reaper = reaper(1);
        UUID first = expired(1);
        UUID second = expired(1);
        when(jobs.expiredLeases()).thenReturn(List.of(first, second));

        reaper.reap();
        await().atMost(Duration.ofSeconds(5)).until(() -> backups().executedOn.containsKey(first));
        reaper.reap(); // the first still runs: it is not looked at again, and the second waits
        verify(jobs, never()).claim(eq(second), anyString(), any());
        verify(jobs).claim(eq(first), anyString(), any());
        assertThat(takeOvers.busy()).isEqualTo(1);

        backups().release();
        await().atMost(Duration.ofSeconds(5)).until(() -> takeOvers.busy() == 0);
        when(jobs.expiredLeases()).thenReturn(List.of(second));
        reaper.reap();
        await().atMost(Duration.ofSeconds(5)).until(() -> backups().executedOn.containsKey(second));
    }

    @Test
    void severalTakeOversRunAtOnceUpToTheThreads() {
        LeaseReaper reaper = reaper(2);
        List<UUID> ids = List.of(expired(1), expired(1), expired(1));
        when(jobs.expiredLeases()).thenReturn(ids);

        reaper.reap();
        await().atMost(Duration.ofSeconds(5)).until(() -> backups().executedOn.size() == 2);
        assertThat(backups().executedOn).containsOnlyKeys(ids.get(0), ids.get(1));
        verify(jobs, never()).claim(eq(ids.get(2)), anyString(), any());
    }

    @Test
    void aJobThatUsedUpItsAttemptsIsGivenUpOnATakeOverThreadAndNotClaimed() {
        LeaseReaper reaper = reaper(1);
        UUID id = expired(3);
        when(jobs.expiredLeases()).thenReturn(List.of(id));

        reaper.reap();
        await().atMost(Duration.ofSeconds(5)).until(() -> backups().gaveUpOn.containsKey(id));
        assertThat(backups().gaveUpOn.get(id)).startsWith("lease-takeover-").contains("gave up after 3 attempts");
        verify(jobs, never()).claim(any(), anyString(), any());
    }

    @Test
    void aJobClaimedAsTheWorkerShutsDownIsReleasedNotLeftClaimed() {
        LeaseReaper reaper = reaper(1);
        UUID id = UUID.randomUUID();
        when(jobs.find(id)).thenReturn(Optional.of(job(id, 1)));
        when(jobs.claim(eq(id), eq("me"), any())).thenAnswer(call -> {
            takeOvers.close(); // the context closes between the claim and the hand-over
            return Optional.of(job(id, 2));
        });
        when(jobs.expiredLeases()).thenReturn(List.of(id));

        reaper.reap();
        verify(jobs).releaseClaim(id, "me");
        assertThat(backups().executedOn).isEmpty();

        reaper.reap(); // shut down: nothing is claimed any more
        verify(jobs).claim(eq(id), anyString(), any());
    }
}
