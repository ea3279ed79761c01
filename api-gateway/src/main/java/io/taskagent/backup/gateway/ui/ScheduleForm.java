package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.scheduler.ScheduleConfigRequest;
import io.taskagent.backup.gateway.scheduler.SchedulerConfigView;
import io.taskagent.backup.model.ScheduleBounds;
import org.springframework.util.MultiValueMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The scheduler's configuration form: its fields, in the names {@code POST /api/backup/scheduler/configure} takes
 * (so the API's problems, keyed by those names, land next to their fields), the stored settings as the form's values,
 * and a submitted form as a {@link ScheduleConfigRequest} holding only what changed (an omitted field keeps its value,
 * as in the API). Only "is it a whole number" is checked here; every rule is the API's ({@code ScheduleRules},
 * {@code AlertRules}).
 */
final class ScheduleForm {

    /**
     * One field.
     *
     * @param type   number, text, time, checkbox, weekday or lines (one value per line)
     * @param hint   what it takes
     */
    record Field(String group, String name, String label, String type, String hint) {

        public boolean checkbox() {
            return "checkbox".equals(type);
        }
    }

    static final List<Field> FIELDS = List.of(
            new Field("Schedules", "time_zone", "Time zone", "text", "e.g. UTC or Europe/Berlin: the zone of every time below"),
            new Field("Schedules", "interval_enabled", "Interval backups", "checkbox", null),
            new Field("Schedules", "backup_interval_hours", "Hours between interval backups", "number",
                    "1 to " + ScheduleBounds.INTERVAL_HOURS_MAX),
            new Field("Schedules", "daily_enabled", "Daily backup", "checkbox", null),
            new Field("Schedules", "daily_backup_time", "Daily backup at", "time",
                    "HH:MM, also the time of the weekly and monthly backups"),
            new Field("Schedules", "weekly_enabled", "Weekly backup", "checkbox", null),
            new Field("Schedules", "weekly_backup_day", "Weekly backup on", "weekday", null),
            new Field("Schedules", "monthly_enabled", "Monthly backup (on the 1st)", "checkbox", null),
            new Field("Schedules", "cron_schedules", "Cron schedules", "lines",
                    "one per line: name = six-field Spring cron expression; the name is the backup type"),
            new Field("Schedules", "cleanup_time", "Retention cleanup at", "time", "HH:MM"),
            new Field("Retention", "keep_hourly_backups", "Hourly backups kept", "number",
                    "1 to " + ScheduleBounds.KEEP_HOURLY_MAX),
            new Field("Retention", "keep_daily_backups", "Daily backups kept", "number",
                    "1 to " + ScheduleBounds.KEEP_DAILY_MAX),
            new Field("Retention", "keep_weekly_backups", "Weekly backups kept", "number",
                    "1 to " + ScheduleBounds.KEEP_WEEKLY_MAX),
            new Field("Retention", "keep_monthly_backups", "Monthly backups kept", "number",
                    "1 to " + ScheduleBounds.KEEP_MONTHLY_MAX),
            new Field("Retention", "keep_manual", "On-demand backups kept per type", "number",
                    "1 to " + ScheduleBounds.KEEP_MANUAL_MAX),
            new Field("Retention", "keep_pre_restore_days", "Safety backups kept (days)", "number",
                    "1 to " + ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX),
            new Field("Backups", "max_backup_size_mb", "Size limit (MB)", "number",
                    "a larger backup is kept and announced; 1 to " + ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX),
            new Field("Backups", "compression_enabled", "Compress backups", "checkbox", null),
            new Field("Alerts", "email_recipients", "Alert e-mail recipients", "lines", "one address per line"),
            new Field("Alerts", "email_alerts_enabled", "Alerts by e-mail", "checkbox", null),
            new Field("Alerts", "alert_on_failure", "Alert on failed backups, restores, verifications", "checkbox", null));

    static final List<String> GROUPS = List.of("Schedules", "Retention", "Backups", "Alerts");

    static final List<String> WEEKDAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
            "Sunday");

    private ScheduleForm() {
    }

    /** The stored settings as the form shows them; empty while the scheduler has stored none. */
    static Map<String, String> values(SchedulerConfigView c) {
        Map<String, String> v = new LinkedHashMap<>();
        if (c == null) {
            return v;
        }
        v.put("time_zone", c.timeZone());
        v.put("interval_enabled", String.valueOf(c.intervalEnabled()));
        v.put("backup_interval_hours", String.valueOf(c.backupIntervalHours()));
        v.put("daily_enabled", String.valueOf(c.dailyEnabled()));
        v.put("daily_backup_time", c.dailyBackupTime());
        v.put("weekly_enabled", String.valueOf(c.weeklyEnabled()));
        v.put("weekly_backup_day", String.valueOf(c.weeklyBackupDay()));
        v.put("monthly_enabled", String.valueOf(c.monthlyEnabled()));
        StringBuilder cron = new StringBuilder();
        c.cronSchedules().forEach((name, spec) -> cron.append(name).append(" = ").append(spec).append('\n'));
        v.put("cron_schedules", cron.toString().strip());
        v.put("cleanup_time", c.cleanupTime());
        v.put("keep_hourly_backups", String.valueOf(c.keepHourlyBackups()));
        v.put("keep_daily_backups", String.valueOf(c.keepDailyBackups()));
        v.put("keep_weekly_backups", String.valueOf(c.keepWeeklyBackups()));
        v.put("keep_monthly_backups", String.valueOf(c.keepMonthlyBackups()));
        v.put("keep_manual", String.valueOf(c.keepManual()));
        v.put("keep_pre_restore_days", String.valueOf(c.keepPreRestoreDays()));
        v.put("max_backup_size_mb", String.valueOf(c.maxBackupSizeMb()));
        v.put("compression_enabled", String.valueOf(c.compressionEnabled()));
        v.put("email_recipients", c.emailRecipients() == null ? "" : String.join("\n", c.emailRecipients()));
        // never set through the API: the alert service's configuration applies (on by default)
        v.put("email_alerts_enabled", String.valueOf(c.emailAlertsEnabled() == null || c.emailAlertsEnabled()));
        v.put("alert_on_failure", String.valueOf(c.alertOnFailure() == null || c.alertOnFailure()));
        return v;
    }

    /** A submitted form's values: a checkbox left unticked is {@code false}. */
    static Map<String, String> submitted(MultiValueMap<String, String> form) {
        Map<String, String> v = new LinkedHashMap<>();
        for (Field field : FIELDS) {
            String value = form.getFirst(field.name());
            v.put(field.name(), field.checkbox() ? String.valueOf(value != null) : value == null ? "" : value.strip());
        }
        return v;
    }

    /**
     * The request for what changed from {@code current} (every given field when nothing is stored yet), and the
     * fields that are not whole numbers where one is needed.
     */
    record Parsed(ScheduleConfigRequest request, Map<String, String> errors, List<String> changed) {
    }

    static Parsed parse(Map<String, String> submitted, Map<String, String> current) {
        Map<String, String> errors = new TreeMap<>();
        List<String> changed = new ArrayList<>();
        Map<String, Object> given = new LinkedHashMap<>();
        for (Field field : FIELDS) {
            String value = submitted.getOrDefault(field.name(), "");
            if (value.isEmpty() && !field.checkbox() && !"lines".equals(field.type())) {
                continue; // empty: keeps its value
            }
            if (Objects.equals(normalize(field, value), normalize(field, current.get(field.name())))) {
                continue;
            }
            switch (field.type()) {
                case "number", "weekday" -> {
                    try {
                        given.put(field.name(), Integer.valueOf(value));
                    } catch (NumberFormatException e) {
                        errors.put(field.name(), "must be a whole number but was '" + clip(value) + "'");
                        continue;
                    }
                }
                case "checkbox" -> given.put(field.name(), Boolean.valueOf(value));
                case "lines" -> given.put(field.name(), "cron_schedules".equals(field.name()) ? cron(value, errors)
                        : lines(value));
                default -> given.put(field.name(), value);
            }
            changed.add(field.name());
        }
        @SuppressWarnings("unchecked")
        ScheduleConfigRequest request = new ScheduleConfigRequest(
                (Integer) given.get("backup_interval_hours"), (String) given.get("daily_backup_time"),
                (Integer) given.get("weekly_backup_day"), (Integer) given.get("keep_hourly_backups"),
                (Integer) given.get("keep_daily_backups"), (Integer) given.get("keep_weekly_backups"),
                (Integer) given.get("keep_monthly_backups"), (Integer) given.get("max_backup_size_mb"),
                (Boolean) given.get("compression_enabled"), (List<String>) given.get("email_recipients"),
                (Boolean) given.get("email_alerts_enabled"), (Boolean) given.get("alert_on_failure"),
                (String) given.get("time_zone"), (Boolean) given.get("interval_enabled"),
                (Boolean) given.get("daily_enabled"), (Boolean) given.get("weekly_enabled"),
                (Boolean) given.get("monthly_enabled"), (Map<String, String>) given.get("cron_schedules"),
                (String) given.get("cleanup_time"), (Integer) given.get("keep_manual"),
                (Integer) given.get("keep_pre_restore_days"), null, null, null, null, null, null, null);
        return new Parsed(request, errors, changed);
    }

    /**
     * Problems by field, for the page: a key such as {@code cron_schedules.nightly} or {@code email_recipients[0]}
     * belongs to its field ({@code cron_schedules}), the rest of the key said in front of the problem.
     */
    static Map<String, List<String>> byField(Map<String, String> problems) {
        Map<String, List<String>> byField = new LinkedHashMap<>();
        problems.forEach((key, problem) -> {
            int cut = key.length();
            for (char mark : new char[]{'.', '['}) {
                int at = key.indexOf(mark);
                if (at >= 0 && at < cut) {
                    cut = at;
                }
            }
            String field = key.substring(0, cut);
            String rest = key.substring(cut).replaceFirst("^\\.", "");
            byField.computeIfAbsent(field, f -> new ArrayList<>()).add(rest.isEmpty() ? problem : rest + ": " + problem);
        });
        return byField;
    }

    private static Object normalize(Field field, String value) {
        if (value == null) {
            return null;
        }
        return switch (field.type()) {
            case "lines" -> "cron_schedules".equals(field.name()) ? cron(value, new TreeMap<>()) : lines(value);
            case "number", "weekday" -> value.strip().replaceFirst("^0+(?=\\d)", "");
            default -> value.strip();
        };
    }

    private static List<String> lines(String value) {
        return Arrays.stream(value.split("[\\r\\n,]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** {@code name = expression} per line; a line without {@code =} is a problem of the field. */
    private static Map<String, String> cron(String value, Map<String, String> errors) {
        Map<String, String> cron = new TreeMap<>();
        for (String line : value.split("\\r?\\n")) {
            if (line.isBlank()) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                errors.put("cron_schedules", "each line is name = expression, but one was '" + clip(line.strip()) + "'");
                continue;
            }
            cron.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
        }
        return cron;
    }

    private static String clip(String value) {
        String shown = value.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 40 ? shown.substring(0, 40) + "..." : shown;
    }
}
