package io.taskagent.backup.model;

import org.springframework.scheduling.support.CronExpression;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rules of a {@link ConfigureSchedule}, the one implementation of them: the gateway applies them to the command it
 * builds (400 with the problems), the scheduler to every command it receives ({@code ScheduleRejected} with the
 * problems) and to its start-up properties. Only checks that need no current settings are here: bounds
 * ({@link ScheduleBounds}), {@code HH:MM} times, the weekly day, the time zone, and the cron schedules (count, names,
 * Spring's six-field {@link CronExpression}). A {@code null} field keeps the current value and is never a problem.
 * <p>
 * Problems are keyed by the record component's name ({@code intervalHours}, {@code cronSchedules},
 * {@code cronSchedules.<name>}, ...) and say, for a person, what is allowed and what was given, e.g.
 * {@code must be 1 to 168 but was 0}. Given values are shown clipped to 80 characters, control characters replaced.
 */
public final class ScheduleRules {

    private ScheduleRules() {
    }

    /** Every problem of the command's fields, keyed by component name, sorted; empty when it may be applied. */
    public static Map<String, String> problems(ConfigureSchedule command) {
        SortedMap<String, String> problems = new TreeMap<>();
        timeZone("timeZone", command.timeZone(), problems);
        bounded("intervalHours", command.intervalHours(), ScheduleBounds.INTERVAL_HOURS_MAX, problems);
        time("dailyTime", command.dailyTime(), problems);
        weeklyDay("weeklyDay", command.weeklyDay(), problems);
        if (command.cronSchedules() != null) {
            problems.putAll(cronProblems("cronSchedules", command.cronSchedules()));
        }
        time("cleanupTime", command.cleanupTime(), problems);
        bounded("keepHourly", command.keepHourly(), ScheduleBounds.KEEP_HOURLY_MAX, problems);
        bounded("keepDaily", command.keepDaily(), ScheduleBounds.KEEP_DAILY_MAX, problems);
        bounded("keepWeekly", command.keepWeekly(), ScheduleBounds.KEEP_WEEKLY_MAX, problems);
        bounded("keepMonthly", command.keepMonthly(), ScheduleBounds.KEEP_MONTHLY_MAX, problems);
        bounded("keepManual", command.keepManual(), ScheduleBounds.KEEP_MANUAL_MAX, problems);
        bounded("keepPreRestoreDays", command.keepPreRestoreDays(), ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX, problems);
        bounded("maxBackupSizeMb", command.maxBackupSizeMb(), ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX, problems);
        return Collections.unmodifiableSortedMap(problems);
    }

    /**
     * The problems of a set of named cron schedules, keyed {@code field} (too many) and {@code field.<name>} (that
     * schedule): at most {@link ScheduleBounds#CRON_SCHEDULES_MAX}, each name a backup type
     * ({@link ScheduleBounds#SCHEDULE_NAME}) and not {@linkplain ScheduleBounds#RESERVED_SCHEDULE_NAMES reserved},
     * each expression a valid Spring cron expression. The scheduler's start-up properties use it with
     * {@code scheduler.cron}.
     */
    public static Map<String, String> cronProblems(String field, Map<String, String> cron) {
        SortedMap<String, String> problems = new TreeMap<>();
        if (cron.size() > ScheduleBounds.CRON_SCHEDULES_MAX) {
            problems.put(field, "must hold at most " + ScheduleBounds.CRON_SCHEDULES_MAX
                    + " cron schedules but holds " + cron.size());
        }
        cron.forEach((name, expression) -> {
            String key = field + "." + (name == null ? "null" : clip(name));
            if (name == null || !ScheduleBounds.SCHEDULE_NAME.matcher(name).matches()) {
                problems.put(key, "a schedule's name is its backup type and must match "
                        + ScheduleBounds.SCHEDULE_NAME.pattern() + " but was " + quote(name));
            } else if (ScheduleBounds.RESERVED_SCHEDULE_NAMES.contains(name)) {
                problems.put(key, quote(name) + " is reserved for a built-in schedule or backup type (reserved: "
                        + String.join(", ", ScheduleBounds.RESERVED_SCHEDULE_NAMES) + ")");
            } else if (expression == null || expression.isBlank()) {
                problems.put(key, "the cron expression is missing");
            } else {
                try {
                    CronExpression.parse(expression);
                } catch (IllegalArgumentException e) {
                    problems.put(key, "must be a Spring cron expression (six fields: second minute hour day month"
                            + " weekday) but was " + quote(expression) + ": " + clip(String.valueOf(e.getMessage()), 200));
                }
            }
        });
        return Collections.unmodifiableSortedMap(problems);
    }

    /** The problem of a time zone id, or null when it is one (or null). */
    public static String timeZoneProblem(String timeZone) {
        if (timeZone == null) {
            return null;
        }
        try {
            ZoneId.of(timeZone);
            return null;
        } catch (DateTimeException e) {
            return "must be a time zone id such as Europe/Berlin or UTC but was " + quote(timeZone);
        }
    }

    private static void timeZone(String field, String value, Map<String, String> problems) {
        String problem = timeZoneProblem(value);
        if (problem != null) {
            problems.put(field, problem);
        }
    }

    private static void bounded(String field, Integer value, int max, Map<String, String> problems) {
        if (value != null && (value < ScheduleBounds.MIN || value > max)) {
            problems.put(field, "must be " + ScheduleBounds.MIN + " to " + max + " but was " + value);
        }
    }

    private static void time(String field, String value, Map<String, String> problems) {
        if (value != null && !ScheduleBounds.TIME_PATTERN.matcher(value).matches()) {
            problems.put(field, "must be HH:MM (00:00 to 23:59) but was " + quote(value));
        }
    }

    private static void weeklyDay(String field, Integer value, Map<String, String> problems) {
        if (value != null && (value < 0 || value > 6)) {
            problems.put(field, "must be 0 (Monday) to 6 (Sunday) but was " + value);
        }
    }

    private static String quote(String value) {
        return value == null ? "null" : "'" + clip(value) + "'";
    }

    private static String clip(String value) {
        return clip(value, 80);
    }

    /** At most {@code max} characters (then "..."), control characters as '?': safe in a log line and a response. */
    private static String clip(String value, int max) {
        String shown = value.length() > max ? value.substring(0, max) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
