package io.taskagent.backup.model.messaging;

import io.taskagent.backup.model.InvalidMessageException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryTest {

    private final Retry retry = new Retry(3, Duration.ofMillis(1));

    @Test
    void transientFailureIsRetriedUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        String result = retry.get("flaky work", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(3);
    }

    @Test
    void lastFailurePropagatesItselfAfterTheLastAttempt() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("always failing", () -> {
            throw new IllegalStateException("failure " + calls.incrementAndGet());
        })).isExactlyInstanceOf(IllegalStateException.class).hasMessage("failure 3");
        assertThat(calls).hasValue(3);
    }

    @Test
    void invalidMessageIsNeverRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("bad message", () -> {
            calls.incrementAndGet();
            throw new InvalidMessageException("jobId is missing");
        })).isExactlyInstanceOf(InvalidMessageException.class).hasMessage("jobId is missing");
        assertThat(calls).hasValue(1);
    }

    @Test
    void atLeastOneAttemptIsRequired() {
        assertThatThrownBy(() -> new Retry(0, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
