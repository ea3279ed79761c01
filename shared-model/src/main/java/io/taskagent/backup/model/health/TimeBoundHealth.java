package io.taskagent.backup.model.health;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A health check that answers within {@code timeout} whatever the check it wraps does: a check still running then
 * (waiting for a database connection the pool cannot make, 10 s by default) is reported {@code DOWN}, "no answer
 * within ...". The check goes on in the background and is not started again while it runs: the next reading waits
 * for the same one, for what is left of the timeout, so a server that stopped answering costs each reading at most
 * the timeout and usually nothing. A health endpoint (and the gateway's {@code /api/backup/health}, which gives each
 * service a few seconds) thus says DOWN during an outage instead of not answering at all.
 */
public final class TimeBoundHealth implements HealthIndicator {

    private static final ExecutorService PROBES = Executors.newCachedThreadPool(work -> {
        Thread thread = new Thread(work, "health-probe");
        thread.setDaemon(true);
        return thread;
    });

    private final String what;
    private final HealthIndicator check;
    private final Duration timeout;
    private CompletableFuture<Health> running;
    private long startedAt;

    /**
     * @param what    what is checked, for the message of a check that did not answer (e.g. "the catalog database")
     * @param check   the check itself
     * @param timeout how long a reading waits for it
     */
    public TimeBoundHealth(String what, HealthIndicator check, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the health timeout must be positive but was " + timeout);
        }
        this.what = what;
        this.check = check;
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public Health health() {
        CompletableFuture<Health> probe;
        long waited;
        synchronized (this) {
            if (running == null || running.isDone()) {
                running = CompletableFuture.supplyAsync(this::check, PROBES);
                startedAt = System.nanoTime();
            }
            probe = running;
            waited = System.nanoTime() - startedAt;
        }
        long left = Math.max(0, timeout.toNanos() - waited);
        try {
            return probe.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Health.down()
                    .withDetail("error", what + " did not answer within " + timeout.toMillis() + " ms (asked "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAtOf(probe)) + " ms ago)")
                    .build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().withDetail("error", "interrupted while checking " + what).build();
        } catch (ExecutionException e) {
            return Health.down(e.getCause() instanceof Exception cause ? cause : e).build();
        }
    }

    private synchronized long startedAtOf(CompletableFuture<Health> probe) {
        return probe == running ? startedAt : System.nanoTime();
    }

    private Health check() {
        try {
            Health health = check.health();
            return health != null ? health : Health.unknown().build();
        } catch (RuntimeException e) {
            return Health.down(e).build();
        }
    }
}
