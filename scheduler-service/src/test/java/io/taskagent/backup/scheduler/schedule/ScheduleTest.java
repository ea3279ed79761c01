package io.taskagent.backup.scheduler.schedule;

import org.junit.jupiter.api.Test;
import org.springframework.scheduling.support.CronExpression;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fire instants of each kind of schedule, around daylight-saving changes and at random instants. */
class ScheduleTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static List<Instant> fires(Schedule schedule, Instant from, Instant to) {
        List<Instant> all = new ArrayList<>();
        for (Instant t = schedule.nextAfter(from); t != null && t.isBefore(to); t = schedule.nextAfter(t)) {
            all.add(t);
        }
        return all;
    }

    private static Instant berlin(int month, int day, int hour, int minute, String offset) {
        return java.time.OffsetDateTime.of(2026, month, day, hour, minute, 0, 0, java.time.ZoneOffset.of(offset)).toInstant();
    }

    @Test
    void intervalFiresAtMultiplesOfTheIntervalSinceTheEpochExactlyOneIntervalApartAcrossDaylightSaving() {
        Schedule sixHours = new IntervalSchedule(Duration.ofHours(6));
        assertThat(sixHours.latestAtOrBefore(Instant.parse("2026-03-29T05:59:59Z"))).isEqualTo(Instant.parse("2026-03-29T00:00:00Z"));
        assertThat(sixHours.latestAtOrBefore(Instant.parse("2026-03-29T06:00:00Z"))).isEqualTo(Instant.parse("2026-03-29T06:00:00Z"));
        assertThat(sixHours.nextAfter(Instant.parse("2026-03-29T06:00:00Z"))).isEqualTo(Instant.parse("2026-03-29T12:00:00Z"));
        List<Instant> march = fires(sixHours, Instant.parse("2026-03-01T00:00:00Z").minusSeconds(1),
                Instant.parse("2026-04-01T00:00:00Z"));
        assertThat(march).hasSize(31 * 4);
        for (int i = 1; i < march.size(); i++) {
            assertThat(Duration.between(march.get(i - 1), march.get(i))).isEqualTo(Duration.ofHours(6));
        }
        assertThatThrownBy(() -> new IntervalSchedule(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dailyFiresOnceEachLocalDayAndAtTheShiftedTimeWhenTheClocksJumpOverIt() {
        Schedule daily = CalendarSchedule.daily(LocalTime.of(2, 30), BERLIN);
        List<Instant> march = fires(daily, berlin(3, 27, 0, 0, "+01:00"), berlin(3, 31, 0, 0, "+02:00"));
        assertThat(march).containsExactly(
                berlin(3, 27, 2, 30, "+01:00"),
                berlin(3, 28, 2, 30, "+01:00"),
                berlin(3, 29, 3, 30, "+02:00"), // 02:30 does not exist on 29 March: as much later as the jump
                berlin(3, 30, 2, 30, "+02:00"));
        List<Instant> october = fires(daily, berlin(10, 24, 0, 0, "+02:00"), berlin(10, 27, 0, 0, "+01:00"));
        assertThat(october).containsExactly(
                berlin(10, 24, 2, 30, "+02:00"),
                berlin(10, 25, 2, 30, "+02:00"), // 02:30 exists twice on 25 October: the first one, once
                berlin(10, 26, 2, 30, "+01:00"));
    }

    @Test
    void weeklyAndMonthlyFireOnTheirDayAtTheLocalTime() {
        Schedule sundays = CalendarSchedule.weekly(DayOfWeek.SUNDAY, LocalTime.of(2, 30), BERLIN);
        assertThat(fires(sundays, berlin(3, 1, 0, 0, "+01:00"), berlin(4, 1, 0, 0, "+02:00"))).containsExactly(
                berlin(3, 1, 2, 30, "+01:00"), berlin(3, 8, 2, 30, "+01:00"), berlin(3, 15, 2, 30, "+01:00"),
                berlin(3, 22, 2, 30, "+01:00"), berlin(3, 29, 3, 30, "+02:00"));
        Schedule monthly = CalendarSchedule.monthly(LocalTime.of(0, 0), BERLIN);
        assertThat(fires(monthly, berlin(1, 15, 0, 0, "+01:00"), berlin(5, 15, 0, 0, "+02:00"))).containsExactly(
                berlin(2, 1, 0, 0, "+01:00"), berlin(3, 1, 0, 0, "+01:00"), berlin(4, 1, 0, 0, "+02:00"),
                berlin(5, 1, 0, 0, "+02:00"));
    }

    @Test
    void cronKeepsSpringsDaylightSavingBehaviourSkippingAMissingTimeAndFiringARepeatedOneTwice() {
        Schedule cron = new CronSchedule(CronExpression.parse("0 30 2 * * *"), BERLIN);
        assertThat(fires(cron, berlin(3, 28, 0, 0, "+01:00"), berlin(3, 31, 0, 0, "+02:00"))).containsExactly(
                berlin(3, 28, 2, 30, "+01:00"), berlin(3, 30, 2, 30, "+02:00"));
        assertThat(fires(cron, berlin(10, 25, 0, 0, "+02:00"), berlin(10, 26, 0, 0, "+01:00"))).containsExactly(
                berlin(10, 25, 2, 30, "+02:00"), berlin(10, 25, 2, 30, "+01:00"));
    }

    @Test
    void theLatestFireAtOrBeforeAnyInstantIsTheOneNextAfterFindsForEveryKindAndZone() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Schedule> schedules = new ArrayList<>();
        for (String zone : new String[]{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"}) {
            ZoneId z = ZoneId.of(zone);
            schedules.add(CalendarSchedule.daily(LocalTime.of(2, 30), z));
            schedules.add(CalendarSchedule.daily(LocalTime.of(0, 0), z));
            schedules.add(CalendarSchedule.weekly(DayOfWeek.of(1 + random.nextInt(7)), LocalTime.of(1, 45), z));
            schedules.add(CalendarSchedule.monthly(LocalTime.of(2, 15), z));
            schedules.add(new CronSchedule(CronExpression.parse("0 30 2 * * *"), z));
            schedules.add(new CronSchedule(CronExpression.parse("0 0/15 8-18 * * MON-FRI"), z));
            schedules.add(new CronSchedule(CronExpression.parse("0 0 0 29 2 *"), z));
        }
        schedules.add(new IntervalSchedule(Duration.ofHours(7)));
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < 400; i++) {
            Instant now = base.plusSeconds((long) (random.nextDouble() * 3 * 365 * 86400)).plusNanos(random.nextInt(1_000_000_000));
            for (Schedule s : schedules) {
                Instant latest = s.latestAtOrBefore(now);
                assertThat(latest).as("seed %d, %s at %s", seed, s, now).isNotNull();
                assertThat(latest).as("seed %d, %s at %s", seed, s, now).isBeforeOrEqualTo(now);
                assertThat(s.nextAfter(latest)).as("seed %d, %s at %s: nothing between", seed, s, now).isAfter(now);
                assertThat(s.nextAfter(latest.minusSeconds(1))).as("seed %d, %s at %s: a fire", seed, s, now).isEqualTo(latest);
            }
        }
    }

    @Test
    void aCronScheduleThatNeverFiredWithinYearsHasNoLatestFire() {
        Schedule never = new CronSchedule(CronExpression.parse("0 0 0 30 2 *"), ZoneId.of("UTC"));
        assertThat(never.latestAtOrBefore(Instant.parse("2026-03-01T00:00:00Z"))).isNull();
        assertThat(never.nextAfter(Instant.parse("2026-03-01T00:00:00Z"))).isNull();
        assertThat(new CronSchedule(CronExpression.parse("0 0 0 29 2 *"), ZoneId.of("UTC"))
                .latestAtOrBefore(Instant.parse("2027-12-31T00:00:00Z"))).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    }
}
