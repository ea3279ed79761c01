package io.taskagent.backup.scheduler.settings;

import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.ScheduleRules;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a {@link ConfigureSchedule} to the current settings. The fields are checked by {@link ScheduleRules} (the
 * rules the gateway applies too); a configuration with any problem is refused as a whole, each problem keyed by the
 * command's field name. What is left here needs the current settings: a {@code null} field keeps its current value.
 */
public final class SettingsValidator {

    /**
     * The outcome of a configuration change.
     *
     * @param settings the new settings when accepted, else null
     * @param problems what is wrong, keyed by field name; empty when accepted
     */
    public record Result(Settings settings, Map<String, String> problems) {

        public Result {
            problems = Collections.unmodifiableMap(new TreeMap<>(problems));
        }

        public boolean accepted() {
            return problems.isEmpty();
        }
    }

    private SettingsValidator() {
    }

    /** The current settings with the command's non-null fields applied, or every problem with them. */
    public static Result merge(Settings current, ConfigureSchedule c) {
        Map<String, String> problems = ScheduleRules.problems(c);
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        Settings.Retention was = current.retention();
        Settings.Retention retention = new Settings.Retention(orElse(c.keepHourly(), was.keepHourly()),
                orElse(c.keepDaily(), was.keepDaily()), orElse(c.keepWeekly(), was.keepWeekly()),
                orElse(c.keepMonthly(), was.keepMonthly()), orElse(c.keepManual(), was.keepManual()),
                orElse(c.keepPreRestoreDays(), was.keepPreRestoreDays()));
        return new Result(new Settings(current.running(),
                c.timeZone() == null ? current.timeZone() : ZoneId.of(c.timeZone()),
                orElse(c.intervalHours(), current.intervalHours()),
                orElse(c.intervalEnabled(), current.intervalEnabled()),
                c.dailyTime() == null ? current.dailyTime() : LocalTime.parse(c.dailyTime()),
                orElse(c.dailyEnabled(), current.dailyEnabled()),
                c.weeklyDay() == null ? current.weeklyDay() : DayOfWeek.of(c.weeklyDay() + 1),
                orElse(c.weeklyEnabled(), current.weeklyEnabled()),
                orElse(c.monthlyEnabled(), current.monthlyEnabled()),
                c.cronSchedules() == null ? current.cron() : c.cronSchedules(),
                c.cleanupTime() == null ? current.cleanupTime() : LocalTime.parse(c.cleanupTime()),
                retention, orElse(c.maxBackupSizeMb(), current.maxBackupSizeMb()),
                orElse(c.compressionEnabled(), current.compressionEnabled())), problems);
    }

    private static int orElse(Integer value, int current) {
        return value == null ? current : value;
    }

    private static boolean orElse(Boolean value, boolean current) {
        return value == null ? current : value;
    }
}
