package io.taskagent.backup.model;

import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class ScheduleRulesTest {

    /** A command with the given components (by name) and null for every other setting. */
    static ConfigureSchedule command(Map<String, Object> given) {
        Map<String, Object> values = new HashMap<>(Map.of("messageId", UUID.randomUUID(), "jobId", UUID.randomUUID(),
                "target", "taskagent", "occurredAt", Instant.now(), "version", 1, "requestedBy", "admin"));
        values.putAll(given);
        RecordComponent[] components = ConfigureSchedule.class.getRecordComponents();
        assertThat(values.keySet()).as("components of ConfigureSchedule")
                .isSubsetOf(Arrays.stream(components).map(RecordComponent::getName).toList());
        try {
            return ConfigureSchedule.class
                    .getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new))
                    .newInstance(Arrays.stream(components).map(c -> values.get(c.getName())).toArray());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static ConfigureSchedule command(String component, Object value) {
        Map<String, Object> given = new HashMap<>();
        given.put(component, value);
        return command(given);
    }

    static Map<String, String> problems(String component, Object value) {
        return ScheduleRules.problems(command(component, value));
    }

    static Map<String, String> cron(Map<String, String> schedules) {
        return problems("cronSchedules", schedules);
    }

    @Test
    void aCommandThatChangesNothingHasNoProblems() {
        assertThat(ScheduleRules.problems(command(Map.of()))).isEmpty();
    }

    @Test
    void everyCountIsCheckedAgainstItsBoundsAndTheMessageNamesThem() {
        Map<String, Integer> max = new LinkedHashMap<>();
        max.put("intervalHours", ScheduleBounds.INTERVAL_HOURS_MAX);
        max.put("keepHourly", ScheduleBounds.KEEP_HOURLY_MAX);
        max.put("keepDaily", ScheduleBounds.KEEP_DAILY_MAX);
        max.put("keepWeekly", ScheduleBounds.KEEP_WEEKLY_MAX);
        max.put("keepMonthly", ScheduleBounds.KEEP_MONTHLY_MAX);
        max.put("keepManual", ScheduleBounds.KEEP_MANUAL_MAX);
        max.put("keepPreRestoreDays", ScheduleBounds.KEEP_PRE_RESTORE_DAYS_MAX);
        max.put("maxBackupSizeMb", ScheduleBounds.MAX_BACKUP_SIZE_MB_MAX);
        max.forEach((field, upper) -> {
            assertThat(problems(field, 1)).as("%s = 1", field).isEmpty();
            assertThat(problems(field, upper)).as("%s = %d", field, upper).isEmpty();
            assertThat(problems(field, 0)).as("%s = 0", field)
                    .containsExactly(entry(field, "must be 1 to " + upper + " but was 0"));
            assertThat(problems(field, upper + 1)).as("%s = %d", field, upper + 1)
                    .containsExactly(entry(field, "must be 1 to " + upper + " but was " + (upper + 1)));
            assertThat(problems(field, -5)).as("%s = -5", field).containsOnlyKeys(field);
        });
        assertThat(problems("intervalHours", 0)).containsExactly(entry("intervalHours", "must be 1 to 168 but was 0"));
        assertThat(problems("keepDaily", 366)).containsExactly(entry("keepDaily", "must be 1 to 365 but was 366"));
    }

    @Test
    void timesMustBeHoursAndMinutes() {
        for (String field : new String[]{"dailyTime", "cleanupTime"}) {
            assertThat(problems(field, "00:00")).isEmpty();
            assertThat(problems(field, "23:59")).isEmpty();
            assertThat(problems(field, "24:00")).containsExactly(entry(field, "must be HH:MM (00:00 to 23:59) but was '24:00'"));
            assertThat(problems(field, "7:30")).containsOnlyKeys(field);
            assertThat(problems(field, "12:60")).containsOnlyKeys(field);
            assertThat(problems(field, "")).containsOnlyKeys(field);
            assertThat(problems(field, "02:00:00")).containsOnlyKeys(field);
        }
    }

    @Test
    void theWeeklyDayIsZeroToSix() {
        assertThat(problems("weeklyDay", 0)).isEmpty();
        assertThat(problems("weeklyDay", 6)).isEmpty();
        assertThat(problems("weeklyDay", 7)).containsExactly(entry("weeklyDay", "must be 0 (Monday) to 6 (Sunday) but was 7"));
        assertThat(problems("weeklyDay", -1)).containsExactly(entry("weeklyDay", "must be 0 (Monday) to 6 (Sunday) but was -1"));
    }

    @Test
    void theTimeZoneMustBeAZoneId() {
        assertThat(problems("timeZone", "Europe/Berlin")).isEmpty();
        assertThat(problems("timeZone", "UTC")).isEmpty();
        assertThat(problems("timeZone", "Mars/Olympus")).containsExactly(
                entry("timeZone", "must be a time zone id such as Europe/Berlin or UTC but was 'Mars/Olympus'"));
        assertThat(problems("timeZone", "")).containsOnlyKeys("timeZone");
        assertThat(ScheduleRules.timeZoneProblem(null)).isNull();
    }

    @Test
    void aCronScheduleNamedDailyIsRefusedAsReserved() {
        assertThat(cron(Map.of("daily", "0 0 1 * * *"))).containsExactly(entry("cronSchedules.daily",
                "'daily' is reserved for a built-in schedule or backup type (reserved: cleanup, daily, drill, "
                        + "drill_after_backups, interval, manual, monthly, pre_migration, pre_restore, urgent, weekly)"));
    }

    @Test
    void everyBuiltInScheduleAndOnDemandBackupTypeIsReserved() {
        assertThat(ScheduleBounds.RESERVED_SCHEDULE_NAMES).containsExactly("cleanup", "daily", "drill",
                "drill_after_backups", "interval", "manual", "monthly", "pre_migration", "pre_restore", "urgent", "weekly");
        for (String name : ScheduleBounds.RESERVED_SCHEDULE_NAMES) {
            assertThat(cron(Map.of(name, "0 0 1 * * *"))).as(name).containsOnlyKeys("cronSchedules." + name);
        }
        assertThat(cron(Map.of("nightly", "0 0 1 * * *", "quarter-hourly", "0 0/15 8-18 * * MON-FRI"))).isEmpty();
    }

    @Test
    void aCronScheduleNameMustBeABackupType() {
        assertThat(cron(Map.of("Bad Name", "0 0 1 * * *"))).containsExactly(entry("cronSchedules.Bad Name",
                "a schedule's name is its backup type and must match [a-z0-9][a-z0-9_-]{0,39} but was 'Bad Name'"));
        assertThat(cron(Map.of("-leading-dash", "0 0 1 * * *"))).containsOnlyKeys("cronSchedules.-leading-dash");
        assertThat(cron(Map.of("a".repeat(41), "0 0 1 * * *"))).containsOnlyKeys("cronSchedules." + "a".repeat(41));
        assertThat(cron(Map.of("a".repeat(40), "0 0 1 * * *"))).isEmpty();
        assertThat(cron(Map.of("", "0 0 1 * * *"))).containsOnlyKeys("cronSchedules.");
    }

    @Test
    void aCronExpressionMustBeGivenAndValidInSpringsSixFieldSyntax() {
        Map<String, String> missing = new HashMap<>();
        missing.put("nothing", null);
        missing.put("blank", " ");
        assertThat(cron(missing)).containsExactly(entry("cronSchedules.blank", "the cron expression is missing"),
                entry("cronSchedules.nothing", "the cron expression is missing"));
        Map<String, String> bad = cron(Map.of("broken", "61 * * * * *", "five", "0 0 * * *"));
        assertThat(bad).containsOnlyKeys("cronSchedules.broken", "cronSchedules.five");
        assertThat(bad.get("cronSchedules.broken")).startsWith("must be a Spring cron expression (six fields: second "
                + "minute hour day month weekday) but was '61 * * * * *': ");
        assertThat(bad.get("cronSchedules.five")).contains("but was '0 0 * * *'").contains("6 fields");
    }

    @Test
    void atMostTwentyCronSchedules() {
        Map<String, String> twenty = new HashMap<>();
        for (int i = 0; i < ScheduleBounds.CRON_SCHEDULES_MAX; i++) {
            twenty.put("s" + i, "0 0 1 * * *");
        }
        assertThat(cron(twenty)).isEmpty();
        twenty.put("one-more", "0 0 2 * * *");
        assertThat(cron(twenty)).containsExactly(entry("cronSchedules", "must hold at most 20 cron schedules but holds 21"));
        assertThat(cron(Map.of())).as("{} removes every cron schedule").isEmpty();
    }

    @Test
    void cronProblemsAreKeyedByTheFieldGiven() {
        assertThat(ScheduleRules.cronProblems("scheduler.cron", Map.of("weekly", "0 0 1 * * *", "ok", "0 0 1 * * *")))
                .containsOnlyKeys("scheduler.cron.weekly");
    }

    @Test
    void givenValuesAreShownClippedAndWithoutControlCharacters() {
        String shown = problems("dailyTime", "1\n2:" + "0".repeat(200)).get("dailyTime");
        assertThat(shown).doesNotContain("\n").contains("'1?2:").endsWith("...'");
        assertThat(shown).hasSizeLessThan(140);
        Map<String, String> named = cron(Map.of("bad\nname", "0 0 1 * * *"));
        assertThat(named).containsOnlyKeys("cronSchedules.bad?name");
        assertThat(named.get("cronSchedules.bad?name")).doesNotContain("\n");
    }

    @Test
    void everyProblemOfOneCommandIsReportedAtOnceAndTheOtherFieldsAreNeverProblems() {
        Map<String, Object> given = new HashMap<>();
        given.put("timeZone", "Mars/Olympus");
        given.put("intervalHours", 169);
        given.put("dailyTime", "24:00");
        given.put("weeklyDay", 7);
        given.put("cronSchedules", Map.of("daily", "0 0 1 * * *", "broken", "x"));
        given.put("cleanupTime", "3");
        given.put("keepHourly", 0);
        given.put("keepDaily", 366);
        given.put("keepWeekly", 53);
        given.put("keepMonthly", 61);
        given.put("keepManual", 1001);
        given.put("keepPreRestoreDays", 366);
        given.put("maxBackupSizeMb", 10001);
        given.put("intervalEnabled", false);
        given.put("dailyEnabled", true);
        given.put("weeklyEnabled", false);
        given.put("monthlyEnabled", true);
        given.put("compressionEnabled", false);
        assertThat(ScheduleRules.problems(command(given))).containsOnlyKeys("timeZone", "intervalHours", "dailyTime",
                "weeklyDay", "cronSchedules.daily", "cronSchedules.broken", "cleanupTime", "keepHourly", "keepDaily",
                "keepWeekly", "keepMonthly", "keepManual", "keepPreRestoreDays", "maxBackupSizeMb");
    }
}
