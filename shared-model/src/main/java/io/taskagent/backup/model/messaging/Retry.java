package io.taskagent.backup.model.messaging;

import io.taskagent.backup.model.InvalidMessageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounded retries with exponential back-off for transient work inside a consumer, on Spring Framework's
 * {@link RetryTemplate}: {@code attempts} tries in all, the first pause {@code firstBackoff}, doubling up to 30 s. An
 * {@link InvalidMessageException} is never retried. After the last attempt the failure itself propagates (not a
 * wrapper), the container rejects the message and the broker dead-letters it.
 */
public final class Retry {

    private static final Logger log = LoggerFactory.getLogger(Retry.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final RetryTemplate template;

    public Retry(int attempts, Duration firstBackoff) {
        if (attempts < 1) {
            throw new IllegalArgumentException("retry attempts must be at least 1 but was " + attempts);
        }
        RetryPolicy policy = RetryPolicy.builder()
                .maxRetries(attempts - 1L)
                .delay(firstBackoff)
                .multiplier(2)
                .maxDelay(MAX_BACKOFF.compareTo(firstBackoff) < 0 ? firstBackoff : MAX_BACKOFF)
                .excludes(InvalidMessageException.class)
                .predicate(e -> e instanceof RuntimeException)
                .build();
        this.template = new RetryTemplate(policy);
        this.template.setRetryListener(new RetryListener() {
            @Override
            public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable, RetryState state) {
                log.info("{} failed (attempt {} of {}), retrying: {}", retryable.getName(), state.getRetryCount(), attempts,
                        String.valueOf(state.getLastException()));
            }

            @Override
            public void onRetryPolicyExhaustion(RetryPolicy retryPolicy, Retryable<?> retryable, RetryException e) {
                int tries = e.getExceptions().size();
                log.warn("{} failed after {} {}: {}", retryable.getName(), tries, tries == 1 ? "attempt" : "attempts",
                        String.valueOf(e.getLastException()));
            }
        });
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
        try {
            return template.execute(new Retryable<T>() {
                @Override
                public T execute() {
                    return work.get();
                }

                @Override
                public String getName() {
                    return what;
                }
            });
        } catch (RetryException e) {
            Throwable last = e.getLastException() != null ? e.getLastException() : e.getCause();
            if (last instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (last instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(what + " failed: " + last, last);
        }
    }
}
