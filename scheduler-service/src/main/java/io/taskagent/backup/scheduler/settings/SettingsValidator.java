package io.taskagent.backup.scheduler.settings;

import io.taskagent.backup.model.ScheduleBounds;

import io.taskagent.backup.model.ConfigureSchedule;
import org.springframework.scheduling.support.CronExpression;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies a {@link ConfigureSchedule} to the current settings, checking every bound. A configuration with any
 * invalid field is refused as a whole, each problem keyed by the command's field name.
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
        Map<String, String> problems = new TreeMap<>();
        ZoneId zone = current.timeZone();
        if (c.timeZone() != null) {
            try {
                zone = ZoneId.of(c.timeZone());
            } catch (DateTimeException e) {
                problems.put("timeZone", "unknown time zone " + quote(c.timeZone()));
            }
        }
        int intervalHours = bounded("intervalHours", c.intervalHours(), current.intervalHours(), 1,
                ScheduleBounds.INTERVAL_HOURS_MAX, problems);
        LocalTime dailyTime = time("dailyTime", c.dailyTime(), current.dailyTime(), problems);
        LocalTime cleanupTime = time("cleanupTime", c.cleanupTime(), current.cleanupTime(), problems);
        DayOfWeek weeklyDay = current.weeklyDay();
        if (c.weeklyDay() != null) {
            if (c.weeklyDay() < 0 || c.weeklyDay() > 6) {
                problems.put("weeklyDay", "must be 0 (Monday) to 6 (Sunday) but was " + c.weeklyDay());
            } else {
                weeklyDay = DayOfWeek.of(c.weeklyDay() + 1);
            }
        }
        Map<String, String> cron = current.cron();
        if (c.cronSchedules() != null) {
            checkCron(c.cronSchedules(), "cronSchedules", problems);
            cron = c.cronSchedules();
        }
        Settings.Retention was = current.retention();
        Settings.Retention retention = new Settings.Retention(
                bounded("keepHourly", c.keepHourly(), was.keepHourly(), 1, ScheduleBounds.KEEP_HOURLY_MAX, problems),
                bounded("keepDaily", c.keepDaily(), was.keepDaily(), 1, ScheduleBounds.KEEP_DAILY_MAX, problems),
                bounded("keepWeekly", c.keepWeekly(), was.keepWeekly(), 1, ScheduleBounds.KEEP_WEEKLY_MAX, problems),
                bounded("keepMonthly", c.keepMonthly(), was.keepMonthly(), 1, ScheduleBounds.KEEP_MONTHLY_MAX, problems),
                bounded("keepManual", c.keepManual(), was.keepManual(), 1, ScheduleBounds.KEEP_MANUAL_MAX, problems),
                bounded("keepPreRestoreDays", c.keepPreRestoreDays(), was.keepPreRestoreDays(), 1,
                        ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX, problems));
        int maxBackupSizeMb = bounded("maxBackupSizeMb", c.maxBackupSizeMb(), current.maxBackupSizeMb(), 1,
                ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX, problems);
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        return new Result(new Settings(current.running(), zone, intervalHours,
                orElse(c.intervalEnabled(), current.intervalEnabled()), dailyTime,
                orElse(c.dailyEnabled(), current.dailyEnabled()), weeklyDay,
                orElse(c.weeklyEnabled(), current.weeklyEnabled()),
                orElse(c.monthlyEnabled(), current.monthlyEnabled()), cron, cleanupTime, retention, maxBackupSizeMb),
                problems);
    }

    /** Checks named cron schedules; problems are keyed {@code field.name}. */
    static void checkCron(Map<String, String> cron, String field, Map<String, String> problems) {
        if (cron.size() > ScheduleBounds.CRON_SCHEDULES_MAX) {
            problems.put(field, "at most " + ScheduleBounds.CRON_SCHEDULES_MAX + " cron schedules but there are " + cron.size());
        }
        cron.forEach((name, expression) -> {
            String key = field + "." + name;
            if (!ScheduleBounds.SCHEDULE_NAME.matcher(name).matches()) {
                problems.put(key, "a schedule's name must match " + ScheduleBounds.SCHEDULE_NAME.pattern());
            } else if (ScheduleDefinition.RESERVED_NAMES.contains(name)) {
                problems.put(key, "'" + name + "' is reserved for a built-in schedule or backup type");
            } else if (expression == null || expression.isBlank()) {
                problems.put(key, "the cron expression is missing");
            } else {
                try {
                    CronExpression.parse(expression);
                } catch (IllegalArgumentException e) {
                    problems.put(key, "invalid cron expression " + quote(expression) + ": " + e.getMessage());
                }
            }
        });
    }

    private static int bounded(String field, Integer value, int current, int min, int max, Map<String, String> problems) {
        if (value == null) {
            return current;
        }
        if (value < min || value > max) {
            problems.put(field, "must be between " + min + " and " + max + " but was " + value);
            return current;
        }
        return value;
    }

    private static LocalTime time(String field, String value, LocalTime current, Map<String, String> problems) {
        if (value == null) {
            return current;
        }
        if (!ScheduleBounds.TIME_PATTERN.matcher(value).matches()) {
            problems.put(field, "must be HH:MM (00:00 to 23:59) but was " + quote(value));
            return current;
        }
        return LocalTime.parse(value);
    }

    private static boolean orElse(Boolean value, boolean current) {
        return value == null ? current : value;
    }

    private static String quote(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown + "'";
    }
}
