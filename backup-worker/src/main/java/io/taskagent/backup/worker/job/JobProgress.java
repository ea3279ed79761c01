package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupProgress;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far one running job got: rows done of all, tables done of all, and its phase. Recorded on the job
 * ({@code rows_done}, {@code rows_estimated}, {@code tables_done}, {@code table_count}, {@code phase}: what
 * {@code GET /jobs/{id}} shows) and announced as {@link BackupProgress} (the gateway's server-sent events), at most
 * once per interval, and at once when the phase or the totals change. Safe to call from several loading threads.
 * A report that cannot be written is dropped (logged at debug): progress never fails a job.
 */
public final class JobProgress {

    private static final Logger log = LoggerFactory.getLogger(JobProgress.class);

    private final JobStore jobs;
    private final ConfirmingPublisher publisher;
    private final String worker;
    private final JobStore.Job job;
    private final long intervalNanos;
    private final AtomicLong rowsDone = new AtomicLong();
    private final AtomicInteger tablesDone = new AtomicInteger();
    private volatile long rowsTotal;
    private volatile int tableCount;
    private volatile String phase;
    private long lastReport;

    JobProgress(JobStore jobs, ConfirmingPublisher publisher, String worker, JobStore.Job job, Duration interval) {
        this.jobs = jobs;
        this.publisher = publisher;
        this.worker = worker;
        this.job = job;
        this.intervalNanos = interval.toNanos();
        this.lastReport = System.nanoTime();
    }

    /** The job is in {@code phase} now (reported at once). */
    public void phase(String phase) {
        this.phase = phase;
        report(true);
    }

    /** All rows and tables the job works through (reported at once). */
    public void total(long rows, int tables) {
        this.rowsTotal = rows;
        this.tableCount = tables;
        report(true);
    }

    /** {@code n} more rows done. */
    public void addRows(long n) {
        rowsDone.addAndGet(n);
        report(false);
    }

    /** Rows and tables done so far. */
    public void done(long rows, int tables) {
        rowsDone.set(rows);
        tablesDone.set(tables);
        report(false);
    }

    /** The job is in {@code phase} now and works through {@code rows} rows in {@code tables} tables (one report). */
    public void begin(String phase, long rows, int tables) {
        this.phase = phase;
        this.rowsTotal = rows;
        this.tableCount = tables;
        report(true);
    }

    /** One more table done. */
    public void tableDone() {
        tablesDone.incrementAndGet();
        report(false);
    }

    /** The last figures (the work is complete), reported whatever the interval. */
    public void finish(long rows, int tables) {
        rowsDone.set(rows);
        tablesDone.set(tables);
        report(true);
    }

    private void report(boolean force) {
        long now = System.nanoTime();
        synchronized (this) {
            if (!force && now - lastReport < intervalNanos) {
                return;
            }
            lastReport = now;
        }
        long rows = rowsDone.get();
        int tables = tablesDone.get();
        long total = Math.max(rowsTotal, rows);
        try {
            jobs.progress(job.id(), worker, rows, total, tables, Math.max(tableCount, tables), phase);
            publisher.publishEvent(BackupProgress.of(job.id(), job.target(), job.kind().label(), job.type(), rows,
                    total, tables, Math.max(tableCount, tables), phase));
        } catch (RuntimeException e) {
            log.debug("progress of job {} not reported: {}", job.id(), e.toString());
        }
    }

    /** Starts the progress of running jobs. */
    @org.springframework.stereotype.Component
    public static class Factory {

        private final JobStore jobs;
        private final ConfirmingPublisher publisher;
        private final LeaseKeeper leases;
        private final Duration interval;

        Factory(JobStore jobs, ConfirmingPublisher publisher, LeaseKeeper leases,
                io.taskagent.backup.worker.WorkerProperties properties) {
            this.jobs = jobs;
            this.publisher = publisher;
            this.leases = leases;
            this.interval = properties.worker().progressInterval();
        }

        public JobProgress start(JobStore.Job job) {
            return new JobProgress(jobs, publisher, leases.worker(), job, interval);
        }
    }
}
