package io.taskagent.backup.alert;

import io.taskagent.backup.model.AlertSettingsChanged;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.type.TypeReference;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.taskagent.backup.alert.AlertTestSupport.mailsContaining;
import static io.taskagent.backup.alert.AlertTestSupport.uniqueTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ConfigureAlerts through the real broker, with the settings in the real catalog, e-mail on GreenMail and a generic
 * webhook on a local HTTP server: recipients replace the configured ones, the e-mail switch turns only e-mail off,
 * alert_on_failure off suppresses the failure events, an invalid address is rejected (not dead-lettered), a
 * redelivered command is not applied twice, and each applied command is announced with AlertSettingsChanged.
 * The settings are shared by the class's tests: each sets what it relies on.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertSettingsIT {

    static final String CATALOG = "backup_catalog_it_alerts_settings";
    static final String DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
    static final String HOOK = "/hook/settings";
    static final String CONFIGURED = "configured@taskagent.test";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final TypeReference<List<String>> ADDRESSES = new TypeReference<>() {
    };
    static final TypeReference<Map<String, String>> PROBLEMS = new TypeReference<>() {
    };

    static final WebhookReceiver hooks = new WebhookReceiver();
    @RegisterExtension
    static final AlertEnvironment env = new AlertEnvironment();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        env.register(registry, CATALOG);
        registry.add("alert.mail.recipients", () -> CONFIGURED);
        registry.add("alert.webhook.url", () -> hooks.url(HOOK));
    }

    @AfterAll
    static void stop() {
        hooks.close();
    }

    @Autowired
    JdbcClient catalog;

    /** A row of alerts.v1_settings. */
    record ApiSettings(List<String> emailRecipients, Boolean emailAlertsEnabled, Boolean alertOnFailure, long version,
                       String updatedBy) {
    }

    /** A row of alerts.v1_commands. */
    record CommandRow(UUID jobId, String command, String requestedBy, String outcome, Map<String, String> problems) {
    }

    private ApiSettings apiSettings() {
        return catalog.sql("""
                        SELECT email_recipients::text, email_alerts_enabled, alert_on_failure, version, updated_by
                        FROM alerts.v1_settings""")
                .query((rs, n) -> new ApiSettings(rs.getString(1) == null ? null
                        : MessageJson.mapper().readValue(rs.getString(1), ADDRESSES), (Boolean) rs.getObject(2),
                        (Boolean) rs.getObject(3), rs.getLong(4), rs.getString(5)))
                .single();
    }

    private List<CommandRow> commands(UUID messageId) {
        return catalog.sql("""
                        SELECT job_id, command, requested_by, outcome, problems::text
                        FROM alerts.v1_commands WHERE message_id = :id""")
                .param("id", messageId)
                .query((rs, n) -> new CommandRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5) == null ? null
                        : MessageJson.mapper().readValue(rs.getString(5), PROBLEMS)))
                .list();
    }

    private List<AlertSettingsChanged> announced(UUID jobId) {
        return env.broker().events().stream().filter(e -> e instanceof AlertSettingsChanged && e.jobId().equals(jobId))
                .map(AlertSettingsChanged.class::cast).toList();
    }

    /** Publishes ConfigureAlerts and waits for its AlertSettingsChanged. */
    private AlertSettingsChanged configure(List<String> recipients, Boolean email, Boolean onFailure) {
        ConfigureAlerts command = ConfigureAlerts.of(UUID.randomUUID(), "taskagent", recipients, email, onFailure,
                "it-admin");
        env.broker().publish(command);
        return env.broker().awaitEvent(AlertSettingsChanged.class, e -> e.jobId().equals(command.jobId()), WAIT);
    }

    private List<String> deliveredChannels(UUID messageId) {
        return catalog.sql("SELECT channel FROM alerts.deliveries WHERE message_id = :id ORDER BY channel")
                .param("id", messageId).query(String.class).list();
    }

    private Optional<Map<String, String>> decision(UUID messageId) {
        return catalog.sql("SELECT outcome, suppressed_reason FROM alerts.alert_events WHERE message_id = :id")
                .param("id", messageId)
                .query((rs, n) -> {
                    Map<String, String> row = new java.util.HashMap<>();
                    row.put("outcome", rs.getString(1));
                    row.put("reason", rs.getString(2));
                    return row;
                })
                .optional();
    }

    /** Every address the e-mails about {@code text} were sent to (GreenMail keeps one copy per recipient). */
    private static List<String> recipientsOfMailsAbout(String text) {
        return mailsContaining(env.smtp(), text).stream().flatMap(m -> {
            try {
                Address[] to = m.getAllRecipients();
                return Arrays.stream(to).map(Object::toString);
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
    }

    private static List<MimeMessage> awaitMails(String text, int count) {
        await().atMost(WAIT).until(() -> mailsContaining(env.smtp(), text).size() >= count);
        return mailsContaining(env.smtp(), text);
    }

    private static BackupFailed failure() {
        return BackupFailed.of(UUID.randomUUID(), uniqueTarget("alert-it-settings"), "manual", "disk full", 1);
    }

    @Test
    @Order(1)
    void theConfiguredRecipientsApplyUntilACommandReplacesThemThenOnlyTheNewAddressIsMailed() {
        assertThat(apiSettings()).isEqualTo(new ApiSettings(null, null, null, 0, null));
        BackupFailed before = failure();
        env.broker().publish(before);
        assertThat(awaitMails(before.jobId().toString(), 1)).hasSize(1);
        assertThat(recipientsOfMailsAbout(before.jobId().toString())).containsExactly(CONFIGURED);

        AlertSettingsChanged changed = configure(List.of("new-oncall@taskagent.test"), null, null);
        assertThat(changed.emailRecipients()).containsExactly("new-oncall@taskagent.test");
        assertThat(changed.emailAlertsEnabled()).as("from the configuration").isTrue();
        assertThat(changed.alertOnFailure()).as("from the configuration").isTrue();
        assertThat(changed.settingsVersion()).isEqualTo(1);
        assertThat(changed.changedBy()).isEqualTo("it-admin");
        assertThat(changed.target()).isEqualTo("taskagent");
        assertThat(apiSettings()).isEqualTo(new ApiSettings(List.of("new-oncall@taskagent.test"), null, null, 1,
                "it-admin"));

        BackupFailed after = failure();
        env.broker().publish(after);
        List<MimeMessage> mails = awaitMails(after.jobId().toString(), 1);
        await().atMost(WAIT).until(() -> deliveredChannels(after.messageId()).size() == 2);
        assertThat(mails).hasSize(1);
        assertThat(recipientsOfMailsAbout(after.jobId().toString())).containsExactly("new-oncall@taskagent.test");
        assertThat(catalog.sql("SELECT recipients FROM alerts.deliveries WHERE message_id = :id AND channel = 'email'")
                .param("id", after.messageId()).query(String.class).single()).isEqualTo("new-oncall@taskagent.test");
    }

    @Test
    @Order(2)
    void withEmailAlertsOffNoMailGoesOutButTheWebhookStillGetsTheAlertAndSwitchingBackOnMailsAgain() {
        AlertSettingsChanged off = configure(List.of("new-oncall@taskagent.test"), false, true);
        assertThat(off.emailAlertsEnabled()).isFalse();
        BackupFailed failed = failure();
        env.broker().publish(failed);
        hooks.await(HOOK, b -> b.contains(failed.jobId().toString()), 1, WAIT);
        await().atMost(WAIT).until(() -> deliveredChannels(failed.messageId()).equals(List.of("webhook")));
        assertThat(mailsContaining(env.smtp(), failed.jobId().toString())).isEmpty();
        assertThat(decision(failed.messageId())).hasValueSatisfying(d -> assertThat(d.get("outcome")).isEqualTo("ALERT"));

        AlertSettingsChanged on = configure(null, true, null);
        assertThat(on.emailAlertsEnabled()).isTrue();
        assertThat(on.emailRecipients()).as("kept: null keeps").containsExactly("new-oncall@taskagent.test");
        BackupFailed next = failure();
        env.broker().publish(next);
        awaitMails(next.jobId().toString(), 1);
        await().atMost(WAIT).until(() -> deliveredChannels(next.messageId()).equals(List.of("email", "webhook")));
    }

    @Test
    @Order(3)
    void withAlertOnFailureOffTheFailureEventsAreRecordedAsSuppressedAndNothingIsSentWhileWarningsStillGoOut() {
        AlertSettingsChanged off = configure(List.of("new-oncall@taskagent.test"), true, false);
        assertThat(off.alertOnFailure()).isFalse();
        BackupFailed failed = failure();
        VerifyFailed verify = VerifyFailed.of(UUID.randomUUID(), uniqueTarget("alert-it-settings"), UUID.randomUUID(),
                "f.json.zst", List.of("sha256 differs"));
        DiskSpaceLow disk = DiskSpaceLow.of(UUID.randomUUID(), uniqueTarget("alert-it-settings"), "/var/lib/backups",
                1024, 4096);
        for (BackupMessage event : List.of(failed, verify, disk)) {
            env.broker().publish(event);
        }
        await().atMost(WAIT).until(() -> deliveredChannels(disk.messageId()).equals(List.of("email", "webhook")));
        for (BackupMessage event : List.of(failed, verify)) {
            await().atMost(WAIT).until(() -> decision(event.messageId()).isPresent());
            assertThat(decision(event.messageId())).contains(Map.of("outcome", "SUPPRESSED",
                    "reason", "alert_on_failure is off"));
            assertThat(deliveredChannels(event.messageId())).isEmpty();
            assertThat(mailsContaining(env.smtp(), event.jobId().toString())).isEmpty();
            assertThat(hooks.received(HOOK, b -> b.contains(event.jobId().toString()))).isEmpty();
        }

        // a redelivered suppressed failure stays suppressed after the switch is back on; a new one is alerted about
        configure(null, null, true);
        env.broker().publish(failed);
        BackupFailed next = failure();
        env.broker().publish(next);
        await().atMost(WAIT).until(() -> deliveredChannels(next.messageId()).equals(List.of("email", "webhook")));
        assertThat(deliveredChannels(failed.messageId())).isEmpty();
        assertThat(mailsContaining(env.smtp(), failed.jobId().toString())).isEmpty();
    }

    @Test
    @Order(4)
    void anInvalidAddressIsRejectedWithItsProblemChangesNothingAndIsNotDeadLettered() {
        AlertSettingsChanged current = configure(List.of("new-oncall@taskagent.test"), true, true);
        ConfigureAlerts invalid = ConfigureAlerts.of(UUID.randomUUID(), "taskagent",
                List.of("ok@taskagent.test", "not-an-address"), false, false, "it-admin");
        env.broker().publish(invalid);

        await().atMost(WAIT).until(() -> !commands(invalid.messageId()).isEmpty());
        CommandRow row = commands(invalid.messageId()).get(0);
        assertThat(row.jobId()).isEqualTo(invalid.jobId());
        assertThat(row.command()).isEqualTo("ConfigureAlerts");
        assertThat(row.requestedBy()).isEqualTo("it-admin");
        assertThat(row.outcome()).isEqualTo("REJECTED");
        assertThat(row.problems()).containsExactly(Map.entry("emailRecipients[1]",
                "'not-an-address' is not an e-mail address of the form local-part@domain"));
        assertThat(apiSettings()).isEqualTo(new ApiSettings(List.of("new-oncall@taskagent.test"), true, true,
                current.settingsVersion(), "it-admin"));

        // handled in order: once a later command is announced, the rejected one is certainly done with
        configure(null, null, null);
        assertThat(announced(invalid.jobId())).isEmpty();
        assertThat(AlertTestSupport.queueHolds(Infrastructure.get(), DLQ, invalid.messageId().toString())).isFalse();
    }

    @Test
    @Order(5)
    void aRedeliveredCommandIsNotAppliedTwiceOnlyAnnouncedAgainWithTheSettingsInForce() {
        ConfigureAlerts first = ConfigureAlerts.of(UUID.randomUUID(), "taskagent", List.of("first@taskagent.test"),
                true, true, "it-admin");
        env.broker().publish(first);
        AlertSettingsChanged firstChanged = env.broker().awaitEvent(AlertSettingsChanged.class,
                e -> e.jobId().equals(first.jobId()), WAIT);
        AlertSettingsChanged second = configure(List.of("second@taskagent.test"), null, null);
        assertThat(second.settingsVersion()).isEqualTo(firstChanged.settingsVersion() + 1);

        env.broker().publish(first); // the same message again
        await().atMost(WAIT).until(() -> announced(first.jobId()).size() == 2);
        AlertSettingsChanged again = announced(first.jobId()).get(1);
        assertThat(again.emailRecipients()).as("the settings in force, not the command's again")
                .containsExactly("second@taskagent.test");
        assertThat(again.settingsVersion()).isEqualTo(second.settingsVersion());
        assertThat(commands(first.messageId())).hasSize(1)
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo("APPLIED"));
        assertThat(apiSettings().emailRecipients()).containsExactly("second@taskagent.test");
        assertThat(apiSettings().version()).isEqualTo(second.settingsVersion());

        BackupFailed failed = failure();
        env.broker().publish(failed);
        awaitMails(failed.jobId().toString(), 1);
        assertThat(recipientsOfMailsAbout(failed.jobId().toString())).containsExactly("second@taskagent.test");
    }

    @Test
    @Order(6)
    void aConfigureAlertsThatBreaksTheMessageContractIsDeadLettered() {
        String broken = """
                {"type":"ConfigureAlerts","messageId":"%s","jobId":"%s","target":"taskagent",
                 "occurredAt":"2026-11-28T10:00:00Z","version":1,"emailRecipients":null,
                 "emailAlertsEnabled":false,"alertOnFailure":null}""".formatted(UUID.randomUUID(), UUID.randomUUID());
        env.broker().publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_ALERTS_CONFIGURE, broken.getBytes());
        AlertTestSupport.awaitQueueHolds(Infrastructure.get(), DLQ, "\"emailAlertsEnabled\":false", WAIT);
        assertThat(apiSettings().emailAlertsEnabled()).isNotEqualTo(Boolean.FALSE);
    }
}
