package io.taskagent.backup.scheduler.schedule;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.SchedulerStateChanged;
import io.taskagent.backup.scheduler.settings.ScheduleDefinition;
import io.taskagent.backup.scheduler.settings.Settings;
import io.taskagent.backup.scheduler.settings.StoredSettings;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The next fires and the periods of the stored schedules: for events, for readers of the catalog, for the watchdog. */
public final class ScheduleCalendar {

    private ScheduleCalendar() {
    }

    /** Each schedule's next fire after {@code now}; null for a disabled schedule and while the scheduler is stopped. */
    public static Map<String, Instant> nextFires(StoredSettings stored, Instant now) {
        Map<String, Instant> next = new LinkedHashMap<>();
        for (StoredSettings.StoredSchedule s : stored.schedules()) {
            Instant at = null;
            if (stored.settings().running() && s.definition().enabled()) {
                Instant from = s.since().isAfter(now) ? s.since() : now;
                at = Schedule.of(s.definition(), stored.settings().timeZone()).nextAfter(from);
            }
            next.put(s.definition().name(), at);
        }
        return next;
    }

    /** The shortest time between two fires of the enabled backup schedules; empty when none is enabled. */
    public static Optional<Duration> shortestBackupPeriod(StoredSettings stored, Instant now) {
        Duration shortest = null;
        for (StoredSettings.StoredSchedule s : stored.schedules()) {
            ScheduleDefinition d = s.definition();
            if (!d.enabled() || !d.requestsBackups()) {
                continue;
            }
            Duration period = switch (d.kind()) {
                case INTERVAL -> Duration.ofHours(d.intervalHours());
                case DAILY, CLEANUP -> Duration.ofDays(1);
                case WEEKLY -> Duration.ofDays(7);
                case MONTHLY -> Duration.ofDays(31);
                case CRON -> cronPeriod(Schedule.of(d, stored.settings().timeZone()), now);
            };
            if (period != null && (shortest == null || period.compareTo(shortest) < 0)) {
                shortest = period;
            }
        }
        return Optional.ofNullable(shortest);
    }

    private static Duration cronPeriod(Schedule schedule, Instant now) {
        Instant first = schedule.nextAfter(now);
        Instant second = first == null ? null : schedule.nextAfter(first);
        return second == null ? null : Duration.between(first, second);
    }

    /** The event announcing the stored state. */
    public static SchedulerStateChanged stateChanged(StoredSettings stored, Instant now, UUID jobId, String target,
                                                     String changedBy) {
        Map<String, Instant> next = nextFires(stored, now);
        List<SchedulerStateChanged.Schedule> schedules = stored.schedules().stream()
                .map(StoredSettings.StoredSchedule::definition)
                .map(d -> new SchedulerStateChanged.Schedule(d.name(), d.kind().label(), d.spec(), d.enabled(),
                        next.get(d.name())))
                .toList();
        Settings s = stored.settings();
        Settings.Retention r = s.retention();
        return new SchedulerStateChanged(UUID.randomUUID(), jobId, target, now, BackupMessage.CURRENT_VERSION,
                s.running(), s.timeZone().getId(), schedules,
                new SchedulerStateChanged.Retention(r.keepHourly(), r.keepDaily(), r.keepWeekly(), r.keepMonthly(),
                        r.keepManual(), r.keepPreRestoreDays()),
                s.maxBackupSizeMb(), s.compressionEnabled(), stored.version(), changedBy);
    }
}
