package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.scheduler.ScheduleConfigRequest;
import io.taskagent.backup.gateway.scheduler.SchedulerConfigView;
import org.junit.jupiter.api.Test;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler form: only what changed is sent, the API's own rules judge it, problems land on their fields. */
class ScheduleFormTest {

    static final SchedulerConfigView STORED = new SchedulerConfigView(true, "UTC", 6, true, "02:00", true, 0, true,
            true, Map.of("nightly", "0 30 1 * * *"), "03:00", 24, 30, 12, 12, 10, 7, 500, true, null, null, null, 3,
            Instant.parse("2026-05-01T00:00:00Z"), "admin");

    /** The form as the page shows it, with {@code changes} applied (a checkbox left unticked is left out). */
    private static Map<String, String> form(Map<String, String> changes) {
        MultiValueMap<String, String> posted = new LinkedMultiValueMap<>();
        ScheduleForm.values(STORED).forEach((name, value) -> {
            String v = changes.getOrDefault(name, value);
            boolean checkbox = ScheduleForm.FIELDS.stream().anyMatch(f -> f.name().equals(name) && f.checkbox());
            if (!checkbox || "true".equals(v)) {
                posted.add(name, checkbox ? "true" : v);
            }
        });
        return ScheduleForm.submitted(posted);
    }

    @Test
    void theStoredSettingsSentBackUnchangedChangeNothing() {
        ScheduleForm.Parsed parsed = ScheduleForm.parse(form(Map.of()), ScheduleForm.values(STORED));
        assertThat(parsed.changed()).isEmpty();
        assertThat(parsed.errors()).isEmpty();
    }

    @Test
    void onlyTheChangedFieldsAreSentInTheApisNames() {
        ScheduleForm.Parsed parsed = ScheduleForm.parse(form(Map.of("keep_daily_backups", "14",
                "monthly_enabled", "false", "email_recipients", "ops@example.com\n oncall@example.com ",
                "cron_schedules", "nightly = 0 30 1 * * *\nhourly_extra = 0 0 * * * *")), ScheduleForm.values(STORED));
        assertThat(parsed.changed()).containsExactly("monthly_enabled", "cron_schedules", "keep_daily_backups",
                "email_recipients");
        ScheduleConfigRequest request = parsed.request();
        assertThat(request.keepDailyBackups()).isEqualTo(14);
        assertThat(request.monthlyEnabled()).isFalse();
        assertThat(request.emailRecipients()).containsExactly("ops@example.com", "oncall@example.com");
        assertThat(request.cronSchedules()).containsEntry("hourly_extra", "0 0 * * * *").hasSize(2);
        assertThat(request.timeZone()).isNull();
        assertThat(request.backupIntervalHours()).isNull();
        // "email_alerts_enabled" was never set through the API and is shown on (the default): unchanged, not sent
        assertThat(request.emailAlertsEnabled()).isNull();
    }

    @Test
    void aFieldThatIsNotAWholeNumberIsItsOwnProblemAndTheApiRulesJudgeTheRest() {
        ScheduleForm.Parsed parsed = ScheduleForm.parse(form(Map.of("keep_weekly_backups", "a dozen",
                "keep_daily_backups", "0")), ScheduleForm.values(STORED));
        assertThat(parsed.errors()).containsOnlyKeys("keep_weekly_backups");
        assertThat(parsed.errors().get("keep_weekly_backups")).isEqualTo("must be a whole number but was 'a dozen'");
        Map<String, String> rules = parsed.request().problems(UUID.randomUUID(), "taskagent", "admin");
        assertThat(rules).containsEntry("keep_daily_backups", "must be 1 to 365 but was 0");
    }

    @Test
    void problemsOfAnEntryOfAFieldBelongToThatField() {
        assertThat(ScheduleForm.byField(Map.of("cron_schedules.nightly", "must be a Spring cron expression",
                "email_recipients[1]", "is not an e-mail address", "keep_daily_backups", "must be 1 to 365")))
                .containsEntry("cron_schedules", List.of("nightly: must be a Spring cron expression"))
                .containsEntry("email_recipients", List.of("[1]: is not an e-mail address"))
                .containsEntry("keep_daily_backups", List.of("must be 1 to 365"));
    }

    @Test
    void aCronLineWithoutAnEqualsSignIsAProblemOfTheField() {
        ScheduleForm.Parsed parsed = ScheduleForm.parse(form(Map.of("cron_schedules", "0 0 * * * *")),
                ScheduleForm.values(STORED));
        assertThat(parsed.errors()).containsKey("cron_schedules");
    }
}
