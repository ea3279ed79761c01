package io.taskagent.backup.alert;

import com.icegreen.greenmail.util.GreenMail;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.taskagent.backup.alert.AlertTestSupport.body;
import static io.taskagent.backup.alert.AlertTestSupport.mailsContaining;
import static io.taskagent.backup.alert.AlertTestSupport.subject;
import static io.taskagent.backup.alert.AlertTestSupport.uniqueTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Events become e-mails on a real SMTP server (GreenMail), through the real broker; e-mail is the only channel. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class AlertMailIT {

    static final String CATALOG = "backup_catalog_it_alerts";
    static final String DLQ = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);

    @RegisterExtension
    static final AlertEnvironment env = new AlertEnvironment();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        env.register(registry, CATALOG);
        registry.add("alert.mail.from", () -> "backups@taskagent.test");
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test,lead@taskagent.test");
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    MeterRegistry meters;

    /** Waits until GreenMail holds {@code count} e-mails (one per recipient) whose body contains {@code text}. */
    private static List<MimeMessage> awaitMails(String text, int count) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> mailsContaining(env.smtp(), text).size() >= count);
        return mailsContaining(env.smtp(), text);
    }

    private int deliveries(UUID messageId) {
        return catalog.sql("SELECT count(*) FROM alerts.deliveries WHERE message_id = :id")
                .param("id", messageId).query(Integer.class).single();
    }

    @Test
    void aFailedBackupIsEmailedToEveryRecipientWithWhatAPersonNeeds() {
        String target = uniqueTarget("alert-it-mail");
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "manual",
                "cannot connect to source database 'nope' at localhost:5432: FATAL: database \"nope\" does not exist", 1);
        env.broker().publish(failed);

        List<MimeMessage> mails = awaitMails(failed.jobId().toString(), 2);
        assertThat(mails).hasSize(2);
        MimeMessage mail = mails.get(0);
        assertThat(subject(mail)).isEqualTo("[backup] FAILED: manual backup of " + target);
        assertThat(mails.stream().flatMap(m -> {
            try {
                return Arrays.stream(m.getAllRecipients()).map(Object::toString);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).distinct()).containsExactlyInAnyOrder("oncall@taskagent.test", "lead@taskagent.test");
        try {
            assertThat(mail.getFrom()[0].toString()).isEqualTo("backups@taskagent.test");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        assertThat(body(mail)).contains("Event:       BackupFailed").contains("Target:      " + target)
                .contains("Job:         " + failed.jobId()).contains("Severity:    critical")
                .contains("Backup type: manual").contains("Attempt:     1")
                .contains("database \"nope\" does not exist")
                .contains("Time:        " + io.taskagent.backup.alert.channel.Alert.TIME.format(failed.occurredAt()))
                .contains("Reported by alert-service on ");

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(failed.messageId()) == 1);
        assertThat(catalog.sql("SELECT outcome FROM alerts.alert_events WHERE message_id = :id")
                .param("id", failed.messageId()).query(String.class).single()).isEqualTo("ALERT");
    }

    @Test
    void theSameEventDeliveredTwiceSendsOneEmail() {
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), uniqueTarget("alert-it-dup"), "interval", "disk full", 1);
        env.broker().publish(failed);
        awaitMails(failed.jobId().toString(), 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(failed.messageId()) == 1);

        env.broker().publish(failed); // a redelivery
        BackupFailed marker = BackupFailed.of(UUID.randomUUID(), uniqueTarget("alert-it-dup"), "interval", "marker", 1);
        env.broker().publish(marker);
        awaitMails(marker.jobId().toString(), 2);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> mailsContaining(env.smtp(), failed.jobId().toString()).size() == 2);
        assertThat(mailsContaining(env.smtp(), failed.jobId().toString()))
                .as("e-mails about the first event (two recipients, once)").hasSize(2);
        assertThat(deliveries(failed.messageId())).isEqualTo(1);
    }

    @Test
    void everyAlertableKindIsEmailedWithItsOwnSubjectAndRestoreCompletedIsNotByDefault() {
        String target = uniqueTarget("alert-it-kinds");
        UUID backupId = UUID.randomUUID();
        List<BackupMessage> events = List.of(
                BackupOversized.of(UUID.randomUUID(), target, "manual", "manual_backup_x.json.zst", 734003200, 524288000),
                RestoreFailed.of(UUID.randomUUID(), target, backupId, "taskagent_copy", "schema mismatch"),
                VerifyFailed.of(UUID.randomUUID(), target, backupId, "manual_backup_x.json.zst",
                        List.of("sha256 differs", "public.tasks: 1 rows read, the manifest says 2")),
                BackupStale.of(UUID.randomUUID(), target, Instant.parse("2026-01-01T00:00:00Z"), 43200),
                DiskSpaceLow.of(UUID.randomUUID(), target, "/var/lib/backups", 1073741824L, 5368709120L),
                HealthCheckFailed.of(UUID.randomUUID(), target, "source", "Connection refused"),
                io.taskagent.backup.model.ReplicationFailed.of(UUID.randomUUID(), target, "offsite",
                        "manual_backup_x.json.zst.enc", 2, Instant.parse("2026-01-01T00:10:00Z"), "offsite unreachable"),
                io.taskagent.backup.model.DrillFailed.of(UUID.randomUUID(), target, backupId, "manual_backup_x.json.zst",
                        List.of("smoke check 'every task has a goal' returned false")));
        RestoreCompleted restored = RestoreCompleted.of(UUID.randomUUID(), target, backupId, "taskagent", false,
                Map.of("public.tasks", 10L), 1000);
        env.broker().publish(restored);
        events.forEach(env.broker()::publish);

        Map<String, String> subjects = Map.of(
                "BackupOversized", "[backup] OVERSIZED: manual backup of " + target + " is 700.0 MiB (limit 500.0 MiB)",
                "RestoreFailed", "[backup] RESTORE FAILED: " + target + " into database taskagent_copy",
                "VerifyFailed", "[backup] VERIFY FAILED: backup manual_backup_x.json.zst of " + target,
                "BackupStale", "[backup] STALE: no successful backup of " + target + " within 12h",
                "DiskSpaceLow", "[backup] DISK LOW: 1.0 GiB free for backups of " + target,
                "HealthCheckFailed", "[backup] UNHEALTHY: source of " + target,
                "ReplicationFailed", "[backup] COPY FAILED: backup manual_backup_x.json.zst.enc of " + target
                        + " to offsite",
                "DrillFailed", "[backup] DRILL FAILED: backup manual_backup_x.json.zst of " + target);
        for (BackupMessage event : events) {
            String kind = event.getClass().getSimpleName();
            MimeMessage mail = awaitMails(event.jobId().toString(), 2).get(0);
            assertThat(subject(mail)).as(kind).isEqualTo(subjects.get(kind));
            assertThat(body(mail)).as(kind).contains("Event:").contains(kind).contains(target);
        }
        assertThat(body(awaitMails(events.get(2).jobId().toString(), 2).get(0)))
                .contains("Problems:").contains("  - sha256 differs");
        assertThat(mailsContaining(env.smtp(), restored.jobId().toString())).as("RestoreCompleted is off by default").isEmpty();
    }

    @Test
    void aCompletedBackupAndAMalformedMessageSendNothing() {
        String target = uniqueTarget("alert-it-quiet");
        BackupCompleted completed = BackupCompleted.of(UUID.randomUUID(), target, "manual", "x.json", 1,
                "a".repeat(64), Map.of(), 1);
        env.broker().publish(completed); // recorded for anomaly detection; the first backup of a target is never one
        String garbage = "garbage-" + UUID.randomUUID();
        env.broker().publishRaw(Topology.EVENTS_EXCHANGE, Topology.RK_BACKUP_FAILED, garbage.getBytes());
        AlertTestSupport.awaitQueueHolds(Infrastructure.get(), DLQ, garbage, Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(30)).until(() -> catalog.sql(
                "SELECT count(*) FROM alerts.backup_history WHERE job_id = :job").param("job", completed.jobId())
                .query(Integer.class).single() == 1);
        assertThat(mailsContaining(env.smtp(), target)).isEmpty();
        assertThat(mailsContaining(env.smtp(), completed.jobId().toString())).isEmpty();
    }

    @Test
    void anSmtpServerThatIsDownIsRetriedThenTheEventIsDeadLetteredAndCountedAndLaterEventsFlow(CapturedOutput output) {
        String target = uniqueTarget("alert-it-smtp");
        double failedBefore = meters.counter("alerts.failed", "channel", "email", "kind", "BackupFailed").count();
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "daily", "timeout", 2);
        env.smtp().stop();
        try {
            env.broker().publish(failed);
            AlertTestSupport.awaitQueueHolds(Infrastructure.get(), DLQ, failed.messageId().toString(),
                    Duration.ofSeconds(30));
            assertThat(meters.counter("alerts.failed", "channel", "email", "kind", "BackupFailed").count())
                    .isGreaterThan(failedBefore);
            assertThat(deliveries(failed.messageId())).isZero();
            assertThat(output.getAll())
                    .contains("sending the BackupFailed alert for job " + failed.jobId() + " via email failed (attempt 1 of 3)")
                    .contains("sending the BackupFailed alert for job " + failed.jobId() + " via email failed after 3 attempts");
        } finally {
            env.smtp().start();
        }
        // the dead-lettered alert reached nobody: the next failure of the same target is not throttled
        BackupFailed next = BackupFailed.of(UUID.randomUUID(), target, "daily", "timeout again", 3);
        env.broker().publish(next);
        assertThat(awaitMails(next.jobId().toString(), 2)).hasSize(2);
    }
}
