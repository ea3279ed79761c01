package io.taskagent.backup.scheduler.settings;

import io.taskagent.backup.model.ConfigureSchedule;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsValidatorTest {

    static final Settings CURRENT = new Settings(true, ZoneId.of("UTC"), 6, true, LocalTime.of(2, 0), true,
            DayOfWeek.MONDAY, true, true, Map.of(), LocalTime.of(3, 0), new Settings.Retention(24, 30, 12, 12, 10, 7), 500);

    /** A configuration with every field given (null: unchanged). */
    static ConfigureSchedule configure(String timeZone, Integer intervalHours, String dailyTime, Integer weeklyDay,
                                       Map<String, String> cron, Integer keepHourly, Integer keepDaily,
                                       Integer keepWeekly, Integer keepMonthly, Integer maxBackupSizeMb) {
        return ConfigureSchedule.of(UUID.randomUUID(), "taskagent", timeZone, intervalHours, null, dailyTime, null,
                weeklyDay, null, null, cron, null, keepHourly, keepDaily, keepWeekly, keepMonthly, null, null,
                maxBackupSizeMb, "admin");
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
        assertThat(result.problems().get("keepDaily")).isEqualTo("must be between 1 and 365 but was 366");
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
}
