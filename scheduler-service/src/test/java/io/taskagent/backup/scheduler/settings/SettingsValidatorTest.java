package io.taskagent.backup.scheduler.settings;

import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.ScheduleRules;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsValidatorTest {

    static final Settings CURRENT = new Settings(true, ZoneId.of("UTC"), 6, true, LocalTime.of(2, 0), true,
            DayOfWeek.MONDAY, true, true, Map.of(), LocalTime.of(3, 0), new Settings.Retention(24, 30, 12, 12, 10, 7), 500,
            true);

    /** A configuration with every field given (null: unchanged). */
    static ConfigureSchedule configure(String timeZone, Integer intervalHours, String dailyTime, Integer weeklyDay,
                                       Map<String, String> cron, Integer keepHourly, Integer keepDaily,
                                       Integer keepWeekly, Integer keepMonthly, Integer maxBackupSizeMb) {
        return ConfigureSchedule.of(UUID.randomUUID(), "taskagent", timeZone, intervalHours, null, dailyTime, null,
                weeklyDay, null, null, cron, null, keepHourly, keepDaily, keepWeekly, keepMonthly, null, null,
                maxBackupSizeMb, null, "admin");
    }

    static ConfigureSchedule compression(Boolean enabled) {
        return ConfigureSchedule.of(UUID.randomUUID(), "taskagent", null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, enabled, "admin");
    }

    @Test
    void nullFieldsKeepTheCurrentValuesAndGivenOnesReplaceThem() {
        SettingsValidator.Result unchanged = SettingsValidator.merge(CURRENT,
                configure(null, null, null, null, null, null, null, null, null, null));
        assertThat(unchanged.accepted()).isTrue();
        assertThat(unchanged.settings()).isEqualTo(CURRENT);

        SettingsValidator.Result changed = SettingsValidator.merge(CURRENT, configure("Europe/Berlin", 168, "23:59", 6,
                Map.of("nightly", "0 30 1 * * *"), 168, 365, 52, 60, 10000));
        assertThat(changed.problems()).isEmpty();
        Settings s = changed.settings();
        assertThat(s.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(s.intervalHours()).isEqualTo(168);
        assertThat(s.dailyTime()).isEqualTo(LocalTime.of(23, 59));
        assertThat(s.weeklyDay()).isEqualTo(DayOfWeek.SUNDAY);
        assertThat(s.cron()).containsExactly(Map.entry("nightly", "0 30 1 * * *"));
        assertThat(s.retention()).isEqualTo(new Settings.Retention(168, 365, 52, 60, 10, 7));
        assertThat(s.maxBackupSizeMb()).isEqualTo(10000);
        assertThat(s.running()).isTrue();
        assertThat(s.schedules()).extracting(ScheduleDefinition::name).contains("nightly");
    }

    @Test
    void everyFieldOutOfItsBoundsIsNamedAndNothingIsApplied() {
        SettingsValidator.Result result = SettingsValidator.merge(CURRENT, configure("Mars/Olympus", 169, "24:00", 7,
                Map.of("daily", "0 0 1 * * *", "Bad Name", "0 0 1 * * *", "broken", "61 * * * * *"), 0, 366, 53, 61, 10001));
        assertThat(result.accepted()).isFalse();
        assertThat(result.settings()).isNull();
        assertThat(result.problems()).containsOnlyKeys("timeZone", "intervalHours", "dailyTime", "weeklyDay",
                "cronSchedules.daily", "cronSchedules.Bad Name", "cronSchedules.broken", "keepHourly", "keepDaily",
                "keepWeekly", "keepMonthly", "maxBackupSizeMb");
        assertThat(result.problems().get("keepDaily")).isEqualTo("must be 1 to 365 but was 366");
        assertThat(result.problems().get("dailyTime")).isEqualTo("must be HH:MM (00:00 to 23:59) but was '24:00'");
        assertThat(result.problems().get("weeklyDay")).contains("0 (Monday) to 6 (Sunday)");
        assertThat(result.problems().get("cronSchedules.daily")).contains("reserved");
    }

    @Test
    void theLowerBoundsAreValidAndOneBelowIsNot() {
        assertThat(SettingsValidator.merge(CURRENT, configure(null, 1, "00:00", 0, Map.of(), 1, 1, 1, 1, 1)).accepted())
                .isTrue();
        assertThat(SettingsValidator.merge(CURRENT, configure(null, 0, null, -1, null, null, 0, null, null, 0)).problems())
                .containsOnlyKeys("intervalHours", "weeklyDay", "keepDaily", "maxBackupSizeMb");
        assertThat(SettingsValidator.merge(CURRENT, configure(null, null, "7:30", null, null, null, null, null, null, null))
                .problems()).containsOnlyKeys("dailyTime");
    }

    @Test
    void theProblemsAreExactlyThoseOfTheSharedRules() {
        ConfigureSchedule bad = configure("Mars/Olympus", 0, "7:30", 9, Map.of("daily", "0 0 1 * * *"), 169, null,
                null, null, 0);
        assertThat(SettingsValidator.merge(CURRENT, bad).problems()).isEqualTo(ScheduleRules.problems(bad))
                .containsEntry("intervalHours", "must be 1 to 168 but was 0")
                .containsKey("cronSchedules.daily");
    }

    @Test
    void compressionIsKeptWhenNullAndReplacedWhenGiven() {
        assertThat(SettingsValidator.merge(CURRENT, compression(null)).settings().compressionEnabled()).isTrue();
        Settings off = SettingsValidator.merge(CURRENT, compression(false)).settings();
        assertThat(off.compressionEnabled()).isFalse();
        assertThat(off).isEqualTo(new Settings(true, ZoneId.of("UTC"), 6, true, LocalTime.of(2, 0), true,
                DayOfWeek.MONDAY, true, true, Map.of(), LocalTime.of(3, 0), CURRENT.retention(), 500, false));
        assertThat(SettingsValidator.merge(off, compression(null)).settings().compressionEnabled()).isFalse();
        assertThat(SettingsValidator.merge(off, compression(true)).settings().compressionEnabled()).isTrue();
    }

    @Test
    void aConfigureScheduleWithoutCompressionEnabledFromAnOlderProducerKeepsTheValue() {
        String older = """
                {"type": "ConfigureSchedule", "messageId": "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                 "jobId": "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f", "target": "taskagent",
                 "occurredAt": "2026-11-28T10:00:00Z", "version": 1, "timeZone": null, "intervalHours": 4,
                 "intervalEnabled": null, "dailyTime": null, "dailyEnabled": null, "weeklyDay": null,
                 "weeklyEnabled": null, "monthlyEnabled": null, "cronSchedules": null, "cleanupTime": null,
                 "keepHourly": null, "keepDaily": null, "keepWeekly": null, "keepMonthly": null, "keepManual": null,
                 "keepPreRestoreDays": null, "maxBackupSizeMb": null, "requestedBy": "admin"}""";
        ConfigureSchedule command = MessageJson.read(older.getBytes(), ConfigureSchedule.class);
        assertThat(command.compressionEnabled()).isNull();
        Settings merged = SettingsValidator.merge(CURRENT, command).settings();
        assertThat(merged.intervalHours()).isEqualTo(4);
        assertThat(merged.compressionEnabled()).isEqualTo(CURRENT.compressionEnabled());
        // only compressionEnabled may be absent: the other fields are still required
        assertThatThrownBy(() -> MessageJson.read(older.replace("\"maxBackupSizeMb\": null, ", "").getBytes()))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("maxBackupSizeMb");
    }

    @Test
    void everyBuiltInScheduleNameIsReservedForCronSchedules() {
        assertThat(CURRENT.schedules()).extracting(ScheduleDefinition::name)
                .allSatisfy(name -> assertThat(ScheduleBounds.RESERVED_SCHEDULE_NAMES).contains(name));
    }
}
