package io.taskagent.backup.scheduler.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Once on each matching local date (every day, one day of the week, or the 1st of the month) at a local time in a
 * zone. Around daylight-saving changes it still fires exactly once that day: a time that does not exist (the clocks
 * jump over it) fires as much later as the jump, e.g. 02:30 becomes 03:30; a time that exists twice (the clocks go
 * back) fires at its first occurrence.
 */
final class CalendarSchedule implements Schedule {

    private final Predicate<LocalDate> matches;
    private final UnaryOperator<LocalDate> matchingAtOrBefore;
    private final LocalTime time;
    private final ZoneId zone;

    private CalendarSchedule(Predicate<LocalDate> matches, UnaryOperator<LocalDate> matchingAtOrBefore, LocalTime time,
                             ZoneId zone) {
        this.matches = matches;
        this.matchingAtOrBefore = matchingAtOrBefore;
        this.time = time;
        this.zone = zone;
    }

    static CalendarSchedule daily(LocalTime time, ZoneId zone) {
        return new CalendarSchedule(d -> true, d -> d, time, zone);
    }

    static CalendarSchedule weekly(DayOfWeek day, LocalTime time, ZoneId zone) {
        return new CalendarSchedule(d -> d.getDayOfWeek() == day, d -> d.with(TemporalAdjusters.previousOrSame(day)),
                time, zone);
    }

    static CalendarSchedule monthly(LocalTime time, ZoneId zone) {
        return new CalendarSchedule(d -> d.getDayOfMonth() == 1, d -> d.withDayOfMonth(1), time, zone);
    }

    /** The fire on a matching {@code date}. */
    private Instant fireOn(LocalDate date) {
        // ZonedDateTime.of moves a time in a gap forward by the gap's length and takes the earlier offset in an overlap
        return ZonedDateTime.of(date, time, zone).toInstant();
    }

    @Override
    public Instant latestAtOrBefore(Instant now) {
        LocalDate date = matchingAtOrBefore.apply(now.atZone(zone).toLocalDate());
        while (fireOn(date).isAfter(now)) {
            date = matchingAtOrBefore.apply(date.minusDays(1));
        }
        return fireOn(date);
    }

    @Override
    public Instant nextAfter(Instant t) {
        // from the day before: a time in a gap just before midnight fires after midnight
        LocalDate date = t.atZone(zone).toLocalDate().minusDays(1);
        while (!matches.test(date) || !fireOn(date).isAfter(t)) {
            date = date.plusDays(1);
        }
        return fireOn(date);
    }
}
