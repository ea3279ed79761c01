package io.taskagent.backup.worker.job;

import io.taskagent.backup.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Collection;

/**
 * A stop is not a failure. On SIGTERM (the context closing, before the catalog's connection pool goes) the worker
 * takes no new command (a delivery is put back on the queue; its consumers are stopped) and no expired lease; a
 * running job may finish within {@code backup.worker.shutdown-grace} ({@code BACKUP_WORKER_SHUTDOWN_GRACE}, default
 * 30 s); one still running then is handed back at once ({@link JobStore#handBack}): no longer this worker's, lease
 * ended, attempt not counted, so another worker's reaper takes it over within its interval, and nothing of this
 * worker's is announced for it (no failure event, no alert).
 */
@Component
class WorkerShutdown implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerShutdown.class);

    private final JobExecutor executor;
    private final JobStore jobs;
    private final LeaseKeeper leases;
    private final RabbitListenerEndpointRegistry listeners;
    private final Duration grace;
    private volatile boolean running;

    WorkerShutdown(JobExecutor executor, JobStore jobs, LeaseKeeper leases, RabbitListenerEndpointRegistry listeners,
                   WorkerProperties properties) {
        Duration grace = properties.worker().shutdownGrace();
        if (grace.isNegative()) {
            throw new IllegalArgumentException("backup.worker.shutdown-grace must not be negative: " + grace);
        }
        this.executor = executor;
        this.jobs = jobs;
        this.leases = leases;
        this.listeners = listeners;
        this.grace = grace;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        executor.drain();
        // consumers stop while a job may still run on a listener thread: stopping them must not wait for it
        Thread stopper = new Thread(listeners::stop, "stop-consumers");
        stopper.setDaemon(true);
        stopper.start();
        Collection<JobStore.Job> left = executor.running();
        if (left.isEmpty()) {
            return;
        }
        log.info("shutting down: waiting up to {} for {} running job(s) to finish", grace, left.size());
        long deadline = System.nanoTime() + grace.toNanos();
        while (!executor.running().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (JobStore.Job job : executor.running()) {
            String reason = "handed back by worker " + leases.worker() + " at shutdown (not finished within " + grace
                    + "): another worker takes it over";
            try {
                if (jobs.handBack(job.id(), leases.worker(), reason)) {
                    log.info("{} job {} handed back: {}", job.kind().label(), job.id(), reason);
                }
            } catch (RuntimeException e) {
                log.warn("could not hand {} job {} back (its lease runs out instead): {}", job.kind().label(),
                        job.id(), e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped first: before the listener containers and long before the connection pools close. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
