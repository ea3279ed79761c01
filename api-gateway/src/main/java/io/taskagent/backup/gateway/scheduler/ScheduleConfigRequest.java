package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.model.ScheduleBounds;

import org.springframework.scheduling.support.CronExpression;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Body of {@code POST /api/backup/scheduler/configure} (snake_case in JSON), the fields of {@code ConfigureSchedule}.
 * An omitted field ({@code null}) keeps the scheduler's current value. The bounds are those the scheduler enforces
 * ({@link ScheduleBounds}); they are checked here so that a bad request is answered 400 at
 * once, naming every invalid field, and the scheduler checks again.
 */
record ScheduleConfigRequest(String timeZone, Integer intervalHours, Boolean intervalEnabled, String dailyTime,
                             Boolean dailyEnabled, Integer weeklyDay, Boolean weeklyEnabled, Boolean monthlyEnabled,
                             Map<String, String> cronSchedules, String cleanupTime, Integer keepHourly,
                             Integer keepDaily, Integer keepWeekly, Integer keepMonthly, Integer keepManual,
                             Integer keepPreRestoreDays, Integer maxBackupSizeMb) {


    /** Every invalid field (snake_case name) with what is wrong; empty when the request may be published. */
    Map<String, String> validate() {
        Map<String, String> errors = new TreeMap<>();
        if (timeZone != null) {
            try {
                ZoneId.of(timeZone);
            } catch (DateTimeException e) {
                errors.put("time_zone", "unknown time zone " + quote(timeZone));
            }
        }
        bounded("interval_hours", intervalHours, 1, ScheduleBounds.INTERVAL_HOURS_MAX, errors);
        time("daily_time", dailyTime, errors);
        time("cleanup_time", cleanupTime, errors);
        if (weeklyDay != null && (weeklyDay < 0 || weeklyDay > 6)) {
            errors.put("weekly_day", "must be 0 (Monday) to 6 (Sunday) but was " + weeklyDay);
        }
        bounded("keep_hourly", keepHourly, 1, ScheduleBounds.KEEP_HOURLY_MAX, errors);
        bounded("keep_daily", keepDaily, 1, ScheduleBounds.KEEP_DAILY_MAX, errors);
        bounded("keep_weekly", keepWeekly, 1, ScheduleBounds.KEEP_WEEKLY_MAX, errors);
        bounded("keep_monthly", keepMonthly, 1, ScheduleBounds.KEEP_MONTHLY_MAX, errors);
        bounded("keep_manual", keepManual, 1, ScheduleBounds.KEEP_MANUAL_MAX, errors);
        bounded("keep_pre_restore_days", keepPreRestoreDays, 1, ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX, errors);
        bounded("max_backup_size_mb", maxBackupSizeMb, 1, ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX, errors);
        if (cronSchedules != null) {
            if (cronSchedules.size() > ScheduleBounds.CRON_SCHEDULES_MAX) {
                errors.put("cron_schedules", "at most " + ScheduleBounds.CRON_SCHEDULES_MAX + " cron schedules but there are "
                        + cronSchedules.size());
            }
            cronSchedules.forEach((name, expression) -> {
                String key = "cron_schedules." + name;
                if (name == null || !ScheduleBounds.SCHEDULE_NAME.matcher(name).matches()) {
                    errors.put(key, "a schedule's name must match " + ScheduleBounds.SCHEDULE_NAME.pattern());
                } else if (expression == null || expression.isBlank()) {
                    errors.put(key, "the cron expression is missing");
                } else {
                    try {
                        CronExpression.parse(expression);
                    } catch (IllegalArgumentException e) {
                        errors.put(key, "invalid cron expression " + quote(expression));
                    }
                }
            });
        }
        return errors;
    }

    /** The request as given, for the audit log. */
    Map<String, Object> asParameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("time_zone", clip(timeZone));
        p.put("interval_hours", intervalHours);
        p.put("interval_enabled", intervalEnabled);
        p.put("daily_time", clip(dailyTime));
        p.put("daily_enabled", dailyEnabled);
        p.put("weekly_day", weeklyDay);
        p.put("weekly_enabled", weeklyEnabled);
        p.put("monthly_enabled", monthlyEnabled);
        p.put("cron_schedules", cronSchedules);
        p.put("cleanup_time", clip(cleanupTime));
        p.put("keep_hourly", keepHourly);
        p.put("keep_daily", keepDaily);
        p.put("keep_weekly", keepWeekly);
        p.put("keep_monthly", keepMonthly);
        p.put("keep_manual", keepManual);
        p.put("keep_pre_restore_days", keepPreRestoreDays);
        p.put("max_backup_size_mb", maxBackupSizeMb);
        p.values().removeIf(java.util.Objects::isNull);
        return p;
    }

    private static void bounded(String field, Integer value, int min, int max, Map<String, String> errors) {
        if (value != null && (value < min || value > max)) {
            errors.put(field, "must be between " + min + " and " + max + " but was " + value);
        }
    }

    private static void time(String field, String value, Map<String, String> errors) {
        if (value != null && !ScheduleBounds.TIME_PATTERN.matcher(value).matches()) {
            errors.put(field, "must be HH:MM (00:00 to 23:59) but was " + quote(value));
        }
    }

    private static String quote(String value) {
        return "'" + clip(value).replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String clip(String value) {
        return value == null || value.length() <= 80 ? value : value.substring(0, 80) + "...";
    }
}
