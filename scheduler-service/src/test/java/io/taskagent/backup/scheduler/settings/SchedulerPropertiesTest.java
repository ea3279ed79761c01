package io.taskagent.backup.scheduler.settings;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(SchedulerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    private static String failure(org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = context.getStartupFailure(); c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void theDefaultsAreTheSeedsAndBecomeTheFirstStoredSettings() {
        runner.run(context -> {
            Settings initial = context.getBean(SchedulerProperties.class).initialSettings();
            assertThat(initial.running()).isTrue();
            assertThat(initial.timeZone()).isEqualTo(ZoneId.of("UTC"));
            assertThat(initial.intervalHours()).isEqualTo(6);
            assertThat(initial.dailyTime()).isEqualTo(LocalTime.of(2, 0));
            assertThat(initial.weeklyDay()).isEqualTo(DayOfWeek.MONDAY);
            assertThat(initial.cleanupTime()).isEqualTo(LocalTime.of(3, 0));
            assertThat(initial.retention()).isEqualTo(new Settings.Retention(24, 30, 12, 12, 10, 7));
            assertThat(initial.maxBackupSizeMb()).isEqualTo(500);
            assertThat(initial.compressionEnabled()).isTrue();
            assertThat(initial.schedules()).extracting(ScheduleDefinition::name)
                    .containsExactly("interval", "daily", "weekly", "monthly", "cleanup");
        });
    }

    @Test
    void cronSchedulesFromPropertiesAreScheduledByName() {
        runner.withPropertyValues("scheduler.cron.nightly=0 30 1 * * *", "scheduler.weekly-day=6").run(context -> {
            Settings initial = context.getBean(SchedulerProperties.class).initialSettings();
            assertThat(initial.cron()).containsEntry("nightly", "0 30 1 * * *");
            assertThat(initial.weeklyDay()).isEqualTo(DayOfWeek.SUNDAY);
        });
    }

    @Test
    void compressionOnTheFirstStartComesFromConfiguration() {
        runner.withPropertyValues("scheduler.compression-enabled=false").run(context ->
                assertThat(context.getBean(SchedulerProperties.class).initialSettings().compressionEnabled()).isFalse());
        runner.withPropertyValues("scheduler.compression-enabled=maybe").run(context ->
                assertThat(failure(context)).contains("compression-enabled"));
    }

    @Test
    void aValueOutOfBoundsStopsStartUpNamingTheProperty() {
        String[][] bad = {
                {"scheduler.interval-hours=0", "intervalHours"},
                {"scheduler.interval-hours=169", "intervalHours"},
                {"scheduler.interval-hours=six", "interval-hours"},
                {"scheduler.daily-time=25:00", "dailyTime"},
                {"scheduler.cleanup-time=3", "cleanupTime"},
                {"scheduler.weekly-day=7", "weeklyDay"},
                {"scheduler.retention.keep-daily=366", "keepDaily"},
                {"scheduler.retention.keep-hourly=0", "keepHourly"},
                {"scheduler.max-backup-size-mb=10001", "maxBackupSizeMb"},
                {"scheduler.time-zone=Mars/Olympus", "scheduler.time-zone"},
                {"scheduler.cron.nightly=not a cron", "scheduler.cron.nightly"},
                {"scheduler.cron.daily=0 0 1 * * *", "scheduler.cron.daily"},
                {"scheduler.stale-after=-1h", "scheduler.stale-after"},
        };
        for (String[] c : bad) {
            runner.withPropertyValues(c[0]).run(context -> assertThat(failure(context)).as(c[0]).contains(c[1]));
        }
    }
}
