package io.taskagent.backup.gateway.scheduler;

import io.swagger.v3.oas.annotations.media.Schema;
import io.taskagent.backup.model.AlertRules;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.ScheduleRules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Body of {@code POST /api/backup/scheduler/configure} (snake_case JSON): the seed's {@code BackupConfig} names, this
 * system's own settings, and, for one release, the old spellings of the seed's names (deprecated). An omitted field
 * keeps its current value; a field this request does not know is a 400 naming it (the gateway refuses unknown
 * fields). The schedule and retention fields become a {@link ConfigureSchedule} for the scheduler, the alert fields
 * ({@code email_recipients}, {@code email_alerts_enabled}, {@code alert_on_failure}) a {@link ConfigureAlerts} for
 * the alert service, both with the request's job id. The rules are the commands' own ({@link ScheduleRules},
 * {@link AlertRules}); a problem is reported under the name the client sent.
 */
public record ScheduleConfigRequest(
        @Schema(description = "hours between interval backups, 1 to 168") Integer backupIntervalHours,
        @Schema(description = "HH:MM of the daily backup (also of the weekly and monthly ones)") String dailyBackupTime,
        @Schema(description = "day of the weekly backup, 0 = Monday ... 6 = Sunday") Integer weeklyBackupDay,
        @Schema(description = "GFS: hourly backups kept, 1 to 168") Integer keepHourlyBackups,
        @Schema(description = "GFS: daily backups kept, 1 to 365") Integer keepDailyBackups,
        @Schema(description = "GFS: weekly backups kept, 1 to 52") Integer keepWeeklyBackups,
        @Schema(description = "GFS: monthly backups kept, 1 to 60") Integer keepMonthlyBackups,
        @Schema(description = "a larger backup is kept and announced with BackupOversized, 1 to 10000")
        Integer maxBackupSizeMb,
        @Schema(description = "whether backups are compressed (zstd); false writes them uncompressed")
        Boolean compressionEnabled,
        @Schema(description = "alert e-mail recipients; replaces ALERT_MAIL_RECIPIENTS; [] = none")
        List<String> emailRecipients,
        @Schema(description = "whether alerts go out by e-mail (the other channels are unaffected)")
        Boolean emailAlertsEnabled,
        @Schema(description = "whether failed backups, restores and verifications raise an alert")
        Boolean alertOnFailure,
        @Schema(description = "zone of the daily, weekly, monthly, cron and cleanup times, e.g. Europe/Berlin")
        String timeZone,
        Boolean intervalEnabled, Boolean dailyEnabled, Boolean weeklyEnabled, Boolean monthlyEnabled,
        @Schema(description = "named Spring cron schedules (six fields); replaces all of them; the name is the backup type")
        Map<String, String> cronSchedules,
        @Schema(description = "HH:MM of the daily retention cleanup") String cleanupTime,
        @Schema(description = "on-demand backups kept per type, 1 to 1000") Integer keepManual,
        @Schema(description = "pre_restore safety backups kept, in days, 1 to 365") Integer keepPreRestoreDays,
        @Schema(deprecated = true, description = "old spelling of backup_interval_hours") Integer intervalHours,
        @Schema(deprecated = true, description = "old spelling of daily_backup_time") String dailyTime,
        @Schema(deprecated = true, description = "old spelling of weekly_backup_day") Integer weeklyDay,
        @Schema(deprecated = true, description = "old spelling of keep_hourly_backups") Integer keepHourly,
        @Schema(deprecated = true, description = "old spelling of keep_daily_backups") Integer keepDaily,
        @Schema(deprecated = true, description = "old spelling of keep_weekly_backups") Integer keepWeekly,
        @Schema(deprecated = true, description = "old spelling of keep_monthly_backups") Integer keepMonthly) {

    /**
     * A setting that has a seed name and an old spelling.
     *
     * @param component the command's component it sets
     * @param seedName  the seed's JSON name (preferred)
     * @param oldName   the old JSON name, accepted for one release
     */
    private record Aliased(String component, String seedName, String oldName,
                           Function<ScheduleConfigRequest, Object> seed, Function<ScheduleConfigRequest, Object> old) {
    }

    private static final List<Aliased> ALIASED = List.of(
            new Aliased("intervalHours", "backup_interval_hours", "interval_hours", r -> r.backupIntervalHours, r -> r.intervalHours),
            new Aliased("dailyTime", "daily_backup_time", "daily_time", r -> r.dailyBackupTime, r -> r.dailyTime),
            new Aliased("weeklyDay", "weekly_backup_day", "weekly_day", r -> r.weeklyBackupDay, r -> r.weeklyDay),
            new Aliased("keepHourly", "keep_hourly_backups", "keep_hourly", r -> r.keepHourlyBackups, r -> r.keepHourly),
            new Aliased("keepDaily", "keep_daily_backups", "keep_daily", r -> r.keepDailyBackups, r -> r.keepDaily),
            new Aliased("keepWeekly", "keep_weekly_backups", "keep_weekly", r -> r.keepWeeklyBackups, r -> r.keepWeekly),
            new Aliased("keepMonthly", "keep_monthly_backups", "keep_monthly", r -> r.keepMonthlyBackups, r -> r.keepMonthly));

    /** Whether any alert setting is given: then a {@link ConfigureAlerts} goes to the alert service. */
    boolean configuresAlerts() {
        return emailRecipients != null || emailAlertsEnabled != null || alertOnFailure != null;
    }

    /** Whether any schedule or retention setting is given (or none at all: a no-op ConfigureSchedule). */
    boolean configuresSchedule() {
        return !configuresAlerts() || Stream.of(maxBackupSizeMb, compressionEnabled, timeZone, intervalEnabled,
                        dailyEnabled, weeklyEnabled, monthlyEnabled, cronSchedules, cleanupTime, keepManual,
                        keepPreRestoreDays).anyMatch(Objects::nonNull)
                || ALIASED.stream().anyMatch(a -> a.seed().apply(this) != null || a.old().apply(this) != null);
    }

    ConfigureSchedule schedule(UUID jobId, String target, String requestedBy) {
        return ConfigureSchedule.of(jobId, target, timeZone, (Integer) value("intervalHours"), intervalEnabled,
                (String) value("dailyTime"), dailyEnabled, (Integer) value("weeklyDay"), weeklyEnabled, monthlyEnabled,
                cronSchedules, cleanupTime, (Integer) value("keepHourly"), (Integer) value("keepDaily"),
                (Integer) value("keepWeekly"), (Integer) value("keepMonthly"), keepManual, keepPreRestoreDays,
                maxBackupSizeMb, compressionEnabled, requestedBy);
    }

    ConfigureAlerts alerts(UUID jobId, String target, String requestedBy) {
        return ConfigureAlerts.of(jobId, target, emailRecipients, emailAlertsEnabled, alertOnFailure, requestedBy);
    }

    /**
     * Every problem of the request, keyed by the JSON name the client sent: a setting given under both its names,
     * then the rules of both commands.
     */
    public Map<String, String> problems(UUID jobId, String target, String requestedBy) {
        Map<String, String> problems = new TreeMap<>();
        for (Aliased a : ALIASED) {
            if (a.seed().apply(this) != null && a.old().apply(this) != null) {
                problems.put(a.seedName(), "give " + a.seedName() + " or its old spelling " + a.oldName() + ", not both");
            }
        }
        ScheduleRules.problems(schedule(jobId, target, requestedBy)).forEach((key, problem) ->
                problems.putIfAbsent(jsonName(key), problem));
        if (configuresAlerts()) {
            AlertRules.problems(alerts(jobId, target, requestedBy)).forEach((key, problem) ->
                    problems.put(jsonName(key), problem));
        }
        return problems;
    }

    /** The request as given, for the audit log (recipients are not secrets; nothing here is). */
    Map<String, Object> asParameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        for (Aliased a : ALIASED) {
            p.put(a.seed().apply(this) != null || a.old().apply(this) == null ? a.seedName() : a.oldName(),
                    clip(value(a.component())));
        }
        p.put("max_backup_size_mb", maxBackupSizeMb);
        p.put("compression_enabled", compressionEnabled);
        p.put("email_recipients", emailRecipients);
        p.put("email_alerts_enabled", emailAlertsEnabled);
        p.put("alert_on_failure", alertOnFailure);
        p.put("time_zone", clip(timeZone));
        p.put("interval_enabled", intervalEnabled);
        p.put("daily_enabled", dailyEnabled);
        p.put("weekly_enabled", weeklyEnabled);
        p.put("monthly_enabled", monthlyEnabled);
        p.put("cron_schedules", cronSchedules);
        p.put("cleanup_time", clip(cleanupTime));
        p.put("keep_manual", keepManual);
        p.put("keep_pre_restore_days", keepPreRestoreDays);
        p.values().removeIf(Objects::isNull);
        return p;
    }

    /** The value of an aliased component: from the seed name, else the old spelling. */
    private Object value(String component) {
        Aliased a = ALIASED.stream().filter(x -> x.component().equals(component)).findFirst().orElseThrow();
        Object seed = a.seed().apply(this);
        return seed != null ? seed : a.old().apply(this);
    }

    /** The JSON name for a command component's problem key ({@code keepDaily}, {@code cronSchedules.x}, ...). */
    private String jsonName(String key) {
        int cut = firstOf(key, '.', '[');
        String component = key.substring(0, cut);
        String rest = key.substring(cut);
        for (Aliased a : ALIASED) {
            if (a.component().equals(component)) {
                return (a.seed().apply(this) == null && a.old().apply(this) != null ? a.oldName() : a.seedName()) + rest;
            }
        }
        return snake(component) + rest;
    }

    private static int firstOf(String key, char... marks) {
        int cut = key.length();
        for (char mark : marks) {
            int at = key.indexOf(mark);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return cut;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Object clip(Object value) {
        return value instanceof String s && s.length() > 80 ? s.substring(0, 80) + "..." : value;
    }
}
