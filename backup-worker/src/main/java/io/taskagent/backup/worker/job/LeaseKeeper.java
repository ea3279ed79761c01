package io.taskagent.backup.worker.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the leases of the jobs this worker runs alive: renews each every third of the lease. If this worker dies,
 * renewals stop and another worker takes the job over once the lease expired.
 */
public class LeaseKeeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final JobStore jobs;
    private final String worker;
    private final Duration lease;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-heartbeat");
        t.setDaemon(true);
        return t;
    });

    public LeaseKeeper(JobStore jobs, String worker, Duration lease) {
        this.jobs = jobs;
        this.worker = worker;
        this.lease = lease;
    }

    public String worker() {
        return worker;
    }

    public Duration lease() {
        return lease;
    }

    /** Renews the lease of {@code jobId} until the returned handle is closed. */
    public Heartbeat keep(UUID jobId) {
        long every = Math.max(200, lease.toMillis() / 3);
        ScheduledFuture<?> future = timer.scheduleAtFixedRate(() -> {
            try {
                if (!jobs.renewLease(jobId, worker, lease)) {
                    log.warn("lost the lease of job {}", jobId);
                }
            } catch (RuntimeException e) {
                log.warn("could not renew the lease of job {}: {}", jobId, e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    /** Stops renewing when closed. */
    public interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }
}
