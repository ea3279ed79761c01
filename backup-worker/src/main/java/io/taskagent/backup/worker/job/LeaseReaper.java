package io.taskagent.backup.worker.job;

import io.taskagent.backup.worker.WorkerProperties;
import io.taskagent.backup.worker.storage.BackupStorage;
import io.taskagent.backup.worker.storage.Destinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Takes over jobs whose worker died: every few seconds, each running job whose lease expired is claimed by this
 * worker through the job store (atomically: one worker wins) and run again from the start on a take-over thread
 * ({@link TakeOvers}), up to {@code backup.worker.max-attempts}; after that it is failed and announced by its
 * kind's handler, on a take-over thread too. The scheduled round itself only finds and claims, so a long take-over
 * never holds up the outbox relay or the health check that share its thread. Jobs beyond the free take-over threads
 * are not claimed: they stay for the next round, or for another worker. Temporary files that nobody has written to
 * for two leases are removed.
 */
@Component
class LeaseReaper {

    private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

    private final JobStore jobs;
    private final JobExecutor executor;
    private final TakeOvers takeOvers;
    private final LeaseKeeper leases;
    private final Destinations destinations;
    private final WorkerProperties properties;
    /** Jobs handed to a take-over thread and not finished there yet: not looked at again meanwhile. */
    private final Set<UUID> inHand = ConcurrentHashMap.newKeySet();

    LeaseReaper(JobStore jobs, JobExecutor executor, TakeOvers takeOvers, LeaseKeeper leases, Destinations destinations,
                WorkerProperties properties) {
        this.jobs = jobs;
        this.executor = executor;
        this.takeOvers = takeOvers;
        this.leases = leases;
        this.destinations = destinations;
        this.properties = properties;
    }

    private long lastSweep;

    /**
     * Removes what dead writers left (temporary files, unfinished multipart uploads) idle for twice the lease; at
     * most once a minute (listing a bucket costs requests).
     */
    private void sweepAbandoned() {
        long now = System.currentTimeMillis();
        if (now - lastSweep < 60_000) {
            return;
        }
        lastSweep = now;
        for (BackupStorage storage : destinations.all()) {
            storage.removeAbandoned(properties.worker().leaseDuration().multipliedBy(2));
        }
    }

    /** Every interval, the first one interval after start (a context that sets a long interval runs no round). */
    @Scheduled(fixedDelayString = "${backup.worker.reaper-interval-ms:5000}",
            initialDelayString = "${backup.worker.reaper-interval-ms:5000}")
    void reap() {
        if (executor.draining()) {
            return; // shutting down: expired leases are for the other workers
        }
        try {
            sweepAbandoned();
            for (UUID id : jobs.expiredLeases()) {
                if (inHand.contains(id) || executor.runs(id)) {
                    // still running here: its lease ran out while the catalog was away (renewals failed), and the
                    // run is still recording its outcome; it is taken over once that run gave up
                    continue;
                }
                Optional<TakeOvers.Slot> slot = takeOvers.reserve();
                if (slot.isEmpty()) {
                    log.debug("all take-over threads are busy: expired leases wait for the next round");
                    return;
                }
                try (TakeOvers.Slot reserved = slot.get()) {
                    handOver(id, reserved);
                }
            }
        } catch (RejectedExecutionException e) {
            log.debug("not taking jobs over: this worker is shutting down");
        } catch (RuntimeException e) {
            log.warn("lease check failed, will retry: {}", e.toString());
        }
    }

    /** Gives up on the job, or claims it and runs it, on {@code slot} (left unused when there is nothing to do). */
    private void handOver(UUID id, TakeOvers.Slot slot) {
        Optional<JobStore.Job> found = jobs.find(id);
        if (found.isEmpty()) {
            return;
        }
        JobStore.Job job = found.get();
        if (job.attempts() >= properties.worker().maxAttempts()) {
            String reason = "gave up after " + job.attempts()
                    + " attempts: the worker running it stopped renewing its lease each time";
            start(slot, id, () -> executor.giveUp(job, reason), "giving up on");
            return;
        }
        Optional<JobStore.Job> claimed = jobs.claim(id, leases.worker(), leases.lease());
        if (claimed.isEmpty()) {
            return; // another worker was quicker
        }
        log.info("taking over {} job {} (attempt {}): its lease expired", claimed.get().kind().label(), id,
                claimed.get().attempts());
        try {
            start(slot, id, () -> executor.run(claimed.get()), "taking over");
        } catch (RejectedExecutionException e) {
            // shutting down: the job is not left claimed by a worker that will not run it
            if (jobs.releaseClaim(id, leases.worker())) {
                log.info("job {} released again: this worker is shutting down", id);
            }
            throw e;
        }
    }

    private void start(TakeOvers.Slot slot, UUID id, Runnable work, String what) {
        inHand.add(id);
        try {
            slot.run(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    // a job stays RUNNING; its lease expires and a worker takes it over
                    log.error("{} job {} stopped: {}", what, id, e.toString(), e);
                } finally {
                    inHand.remove(id);
                }
            });
        } catch (RejectedExecutionException e) {
            inHand.remove(id);
            throw e;
        }
    }
}
