package io.taskagent.backup.gateway.security;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class AuthThrottleTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final TestClock clock = new TestClock();

    private AuthThrottle throttle(int maxFailures, Duration window, int maxClients) {
        return new AuthThrottle(new AuthThrottleProperties(true, maxFailures, window, maxClients), clock);
    }

    @Test
    void aClientIsRefusedAfterItsAllowanceAndOthersAreNot() {
        AuthThrottle throttle = throttle(3, Duration.ofSeconds(30), 100);
        for (int i = 0; i < 3; i++) {
            assertThat(throttle.refusal("203.0.113.7")).as("attempt %d", i + 1).isEmpty();
            throttle.failure("203.0.113.7");
        }
        assertThat(throttle.refusal("203.0.113.7")).hasValueSatisfying(wait ->
                assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10)));
        assertThat(throttle.refusal("203.0.113.8")).as("another client").isEmpty();
        assertThat(throttle.refusal("203.0.113.70")).isEmpty();
    }

    @Test
    void oneAllowanceComesBackPerWindowShareAndTheRefusalSaysWhen() {
        AuthThrottle throttle = throttle(3, Duration.ofSeconds(30), 100);
        for (int i = 0; i < 3; i++) {
            throttle.failure("198.51.100.1");
        }
        assertThat(throttle.refusal("198.51.100.1")).contains(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(4));
        assertThat(throttle.refusal("198.51.100.1")).contains(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        assertThat(throttle.refusal("198.51.100.1")).as("one allowance back").isEmpty();
        throttle.failure("198.51.100.1");
        assertThat(throttle.refusal("198.51.100.1")).as("and used again").isPresent();
    }

    @Test
    void memoryIsBoundedAndForgivenClientsAreDropped() {
        AuthThrottle throttle = throttle(2, Duration.ofSeconds(20), 50);
        for (int i = 0; i < 10_000; i++) {
            throttle.failure("10.0." + (i / 250) + "." + (i % 250));
            assertThat(throttle.size()).isLessThanOrEqualTo(50);
        }
        // the most recent clients are the ones kept: the last one is still refused after one more failure
        throttle.failure("10.0.39.249");
        assertThat(throttle.refusal("10.0.39.249")).isPresent();
        clock.advance(Duration.ofSeconds(21));
        throttle.failure("192.0.2.1"); // a new client when full: every forgiven entry goes first
        assertThat(throttle.size()).isEqualTo(1);
        assertThat(throttle.refusal("10.0.39.249")).isEmpty();
    }

    @Test
    void anIpv6ClientCountsByItsSlash64AndDisabledRefusesNobody() {
        AuthThrottle throttle = throttle(2, Duration.ofMinutes(1), 100);
        throttle.failure("2001:db8:1:2::1");
        throttle.failure("2001:db8:1:2:ffff::9");
        assertThat(throttle.refusal("[2001:db8:1:2::42]")).isPresent();
        assertThat(throttle.refusal("2001:db8:1:3::1")).as("another /64").isEmpty();
        assertThat(AuthThrottle.key("not:an:address%zz")).isEqualTo("not:an:address%zz");
        assertThat(AuthThrottle.key("example.org:8080")).as("never looked up").isEqualTo("example.org:8080");

        AuthThrottle off = new AuthThrottle(new AuthThrottleProperties(false, 1, Duration.ofMinutes(1), 10), clock);
        for (int i = 0; i < 5; i++) {
            off.failure("203.0.113.7");
        }
        assertThat(off.refusal("203.0.113.7")).isEmpty();
        assertThat(off.size()).isZero();
    }
}
