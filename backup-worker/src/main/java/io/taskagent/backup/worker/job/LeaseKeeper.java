package io.taskagent.backup.worker.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps the leases of the jobs this worker runs alive: renews each every third of the lease. If this worker dies,
 * renewals stop and another worker takes the job over once the lease expired.
 * <p>
 * It also knows, for each job it keeps, until when the lease is surely still this worker's: the start of the last
 * renewal that went through (or of the keeping) plus the lease, less a margin for clocks and round trips. The
 * catalog sets the lease's end from its own clock after that moment, so no other worker can claim the job before.
 * {@link #whileHeld} retries the write that finishes a job (its failure or its success) for as long as that holds:
 * a catalog outage shorter than the lease still leaves the attempt recorded and announced, instead of a job left
 * {@code RUNNING} until its lease runs out.
 */
public class LeaseKeeper {

    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    /** First pause between two tries of a finishing write, doubled up to {@link #MAX_PAUSE}. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    static final Duration MAX_PAUSE = Duration.ofSeconds(3);

    private final JobStore jobs;
    private final String worker;
    private final Duration lease;
    /** Per kept job: {@link System#nanoTime()} until which the lease is surely this worker's. */
    private final Map<UUID, Long> heldUntil = new ConcurrentHashMap<>();
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

    /** What is taken off the lease for clocks and round trips: a tenth of it, 1 s to 10 s. */
    Duration margin() {
        long tenth = lease.toMillis() / 10;
        return Duration.ofMillis(Math.max(1000, Math.min(10_000, tenth)));
    }

    private long deadlineFrom(long startNanos) {
        return startNanos + lease.minus(margin()).toNanos();
    }

    /**
     * Renews the lease of {@code jobId} until the returned handle is closed. Call it right after the job was claimed
     * (or its lease renewed): the lease counts as held from now.
     */
    public Heartbeat keep(UUID jobId) {
        heldUntil.put(jobId, deadlineFrom(System.nanoTime()));
        long every = Math.max(200, lease.toMillis() / 3);
        ScheduledFuture<?> future = timer.scheduleAtFixedRate(() -> renew(jobId), every, every, TimeUnit.MILLISECONDS);
        return () -> {
            future.cancel(false);
            heldUntil.remove(jobId);
        };
    }

    private void renew(UUID jobId) {
        long started = System.nanoTime();
        try {
            if (jobs.renewLease(jobId, worker, lease)) {
                heldUntil.computeIfPresent(jobId, (id, until) -> Math.max(until, deadlineFrom(started)));
            } else {
                log.warn("lost the lease of job {}", jobId);
                heldUntil.remove(jobId);
            }
        } catch (RuntimeException e) {
            log.warn("could not renew the lease of job {}: {}", jobId, e.toString());
        }
    }

    /** Whether this worker keeps the lease of {@code jobId} and it surely has not run out. */
    public boolean holds(UUID jobId) {
        Long until = heldUntil.get(jobId);
        return until != null && System.nanoTime() - until < 0;
    }

    /** How long the lease of {@code jobId} is surely still this worker's (zero when not, or not kept here). */
    public Duration heldFor(UUID jobId) {
        Long until = heldUntil.get(jobId);
        return until == null ? Duration.ZERO : Duration.ofNanos(Math.max(0, until - System.nanoTime()));
    }

    /**
     * Runs {@code work} (the conditional write that finishes job {@code jobId}), tried again after a failure of the
     * catalog (a lost or refused connection, a pool that had none to give) with pauses from 250 ms doubling to 3 s,
     * for as long as the job's lease is surely this worker's ({@link #holds}); the lease is renewed meanwhile by
     * {@link #keep}'s heartbeat whenever the catalog answers. Once the lease may have run out, the last failure is
     * thrown: the job is then left to whichever worker takes it over. Any other failure is thrown at once. At least
     * one try is made, even for a job whose lease is not kept here.
     */
    public <T> T whileHeld(UUID jobId, String what, Supplier<T> work) {
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                T result = work.get();
                if (attempt > 1) {
                    log.info("{} went through at attempt {}", what, attempt);
                }
                return result;
            } catch (RuntimeException e) {
                Duration left = heldFor(jobId);
                if (!catalogUnavailable(e) || left.compareTo(pause) <= 0) {
                    if (catalogUnavailable(e)) {
                        log.warn("{} failed (attempt {}) and the lease of job {} may run out before another try: "
                                + "giving up, the job is left to a take-over: {}", what, attempt, jobId, e.toString());
                    }
                    throw e;
                }
                log.warn("{} failed (attempt {}), trying again in {} ms while the lease of job {} is ours (for {} s "
                        + "more): {}", what, attempt, pause.toMillis(), jobId, left.toSeconds(), e.toString());
                try {
                    Thread.sleep(pause.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /**
     * Whether {@code e} says the catalog could not be reached or was going away (worth another try), rather than
     * that the statement itself is wrong.
     */
    static boolean catalogUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof RecoverableDataAccessException || t instanceof CannotCreateTransactionException
                    || t instanceof TransactionSystemException || t instanceof java.sql.SQLTransientException
                    || t instanceof java.sql.SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Stops renewing when closed. */
    public interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }
}
