package io.taskagent.backup.alert;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** BackupFailed events become e-mails on a real SMTP server (GreenMail), through the real broker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AlertMailIT {

    static final String CATALOG = "backup_catalog_it_alerts";

    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP);

    static BrokerProbe broker;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> ServerSetupTest.SMTP.getPort());
        registry.add("alert.mail.from", () -> "backups@taskagent.test");
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test,lead@taskagent.test");
        registry.add("backup.messaging.retry-backoff", () -> "100ms");
        registry.add("backup.messaging.retry-attempts", () -> "3");
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get());
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
        broker.purge(Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE));
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void emptyMailbox() throws Exception {
        smtp.purgeEmailFromAllMailboxes();
    }

    /** Waits until GreenMail holds {@code count} messages (one per recipient and e-mail). */
    private static void awaitReceived(int count) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> smtp.getReceivedMessages().length >= count);
    }

    @Test
    void aFailedBackupIsEmailedToEveryRecipientWithWhatAPersonNeeds() throws Exception {
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), "taskagent", "manual",
                "cannot connect to source database 'nope' at localhost:5432: FATAL: database \"nope\" does not exist", 1);
        broker.publish(failed);

        awaitReceived(2);
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("[backup] FAILED: manual backup of taskagent");
        assertThat(Arrays.stream(mail.getAllRecipients()).map(Object::toString))
                .containsExactlyInAnyOrder("oncall@taskagent.test", "lead@taskagent.test");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("backups@taskagent.test");
        String body = (String) mail.getContent();
        assertThat(body).contains("Target:      taskagent").contains(failed.jobId().toString())
                .contains("database \"nope\" does not exist").contains("Reported by alert-service on");

        await().atMost(Duration.ofSeconds(5)).until(() -> catalog.sql(
                        "SELECT count(*) FROM alerts.deliveries WHERE message_id = :id")
                .param("id", failed.messageId()).query(Integer.class).single() == 1);
    }

    @Test
    void theSameEventDeliveredTwiceSendsOneEmail() throws Exception {
        BackupFailed failed = BackupFailed.of(UUID.randomUUID(), "taskagent", "interval", "disk full", 1);
        broker.publish(failed);
        awaitReceived(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> catalog.sql(
                        "SELECT count(*) FROM alerts.deliveries WHERE message_id = :id")
                .param("id", failed.messageId()).query(Integer.class).single() == 1);

        broker.publish(failed); // a redelivery
        BackupFailed marker = BackupFailed.of(UUID.randomUUID(), "taskagent", "interval", "marker", 1);
        broker.publish(marker);
        awaitReceived(4);
        Thread.sleep(500);
        long aboutFirst = Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return ((String) m.getContent()).contains(failed.jobId().toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).count();
        assertThat(aboutFirst).as("e-mails about the first event (two recipients, once)").isEqualTo(2);
    }

    @Test
    void eventsThatNeedNoAlertAndMalformedMessagesSendNothing() throws Exception {
        broker.publish(BackupCompleted.of(UUID.randomUUID(), "taskagent", "manual", "x.json", 1, "a".repeat(64),
                Map.of(), 1)); // not bound to the alert queue at all
        String dlq = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
        long before = broker.messageCount(dlq);
        broker.publishRaw(Topology.EVENTS_EXCHANGE, Topology.RK_BACKUP_FAILED, "garbage".getBytes());
        broker.awaitMessageCount(dlq, before + 1, Duration.ofSeconds(15));
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void anSmtpServerThatIsDownIsRetriedThenTheEventIsDeadLetteredAndCounted() throws Exception {
        String dlq = Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE);
        long before = broker.messageCount(dlq);
        smtp.stop();
        try {
            BackupFailed failed = BackupFailed.of(UUID.randomUUID(), "taskagent", "daily", "timeout", 2);
            broker.publish(failed);
            broker.awaitMessageCount(dlq, before + 1, Duration.ofSeconds(30));
            assertThat(meters.counter("alerts.failed", "channel", "email", "kind", "BackupFailed").count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(catalog.sql("SELECT count(*) FROM alerts.deliveries WHERE message_id = :id")
                    .param("id", failed.messageId()).query(Integer.class).single()).isZero();
        } finally {
            smtp.start();
        }
    }
}
