package io.taskagent.backup.scheduler;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IntervalScheduleTest {

    private final IntervalSchedule sixHours = new IntervalSchedule("interval", Duration.ofHours(6));

    @Test
    void firesAtMultiplesOfTheIntervalInUtc() {
        assertThat(sixHours.latestFireAtOrBefore(Instant.parse("2026-03-29T05:59:59Z")))
                .isEqualTo(Instant.parse("2026-03-29T00:00:00Z"));
        assertThat(sixHours.latestFireAtOrBefore(Instant.parse("2026-03-29T06:00:00Z")))
                .isEqualTo(Instant.parse("2026-03-29T06:00:00Z"));
        assertThat(sixHours.nextFireAfter(Instant.parse("2026-03-29T06:00:00Z")))
                .isEqualTo(Instant.parse("2026-03-29T12:00:00Z"));
    }

    @Test
    void everyReplicaComputesTheSameSlotsAcrossAMonth() {
        Instant t = Instant.parse("2026-10-01T00:00:00Z");
        int fires = 0;
        Instant last = null;
        for (int minute = 0; minute < 31 * 24 * 60; minute += 7) {
            Instant slot = sixHours.latestFireAtOrBefore(t.plusSeconds(minute * 60L));
            if (!slot.equals(last)) {
                fires++;
                last = slot;
            }
        }
        assertThat(fires).isEqualTo(31 * 4);
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        assertThatThrownBy(() -> new IntervalSchedule("x", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
