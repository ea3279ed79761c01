package io.taskagent.backup.model.messaging;

import io.taskagent.backup.model.InvalidMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded retries with exponential back-off for transient work inside a consumer. An
 * {@link InvalidMessageException} is never retried. After the last attempt the failure propagates, the container
 * rejects the message and the broker dead-letters it.
 */
public final class Retry {

    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    private final int attempts;
    private final Duration firstBackoff;

    public Retry(int attempts, Duration firstBackoff) {
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
    }

    public static Retry of(MessagingProperties properties) {
        return new Retry(properties.retryAttempts(), properties.retryBackoff());
    }

    public void run(String what, Runnable work) {
        get(what, () -> {
            work.run();
            return null;
        });
    }

    public <T> T get(String what, Supplier<T> work) {
        long backoff = firstBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (InvalidMessageException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= attempts) {
                    log.warn("{} failed after {} attempts: {}", what, attempt, e.toString());
                    throw e;
                }
                log.info("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, attempts, backoff,
                        e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }
}
