package io.taskagent.backup.model.health;

import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A health check bounded in time: a check that hangs (a pool waiting for a connection to a stopped database) reads
 * DOWN within the bound, is not started again while it hangs, and its own answer counts again once it gives one.
 */
class TimeBoundHealthTest {

    @Test
    void aHangingCheckReadsDownWithinTheBoundAndIsNotPiledUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        TimeBoundHealth health = new TimeBoundHealth("the catalog database", () -> {
            started.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Health.up().build();
        }, Duration.ofMillis(300));

        long t0 = System.nanoTime();
        Health first = health.health();
        long firstMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(first.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(first.getDetails().get("error"))).contains("the catalog database")
                .contains("did not answer within 300 ms");
        assertThat(firstMillis).as("answered at the bound, not when the check ends").isLessThan(5_000);

        long t1 = System.nanoTime();
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat((System.nanoTime() - t1) / 1_000_000).as("the same hanging check: no second wait")
                .isLessThan(300);
        assertThat(started.get()).as("one check in flight, not one per reading").isEqualTo(1);

        release.countDown(); // the database answers again
        // read until the released check's thread has run (a count of quick readings could all come before it does)
        await().atMost(Duration.ofSeconds(10)).until(() -> health.health().getStatus(), Status.UP::equals);
    }

    @Test
    void aFailingCheckIsDownWithItsError() {
        TimeBoundHealth health = new TimeBoundHealth("x", () -> {
            throw new IllegalStateException("connection refused");
        }, Duration.ofSeconds(5));
        Health h = health.health();
        assertThat(h.getStatus()).isEqualTo(Status.DOWN);
        assertThat(String.valueOf(h.getDetails().get("error"))).contains("connection refused");
    }

    @Test
    void theBoundMustBePositive() {
        assertThatThrownBy(() -> new TimeBoundHealth("x", () -> Health.up().build(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
