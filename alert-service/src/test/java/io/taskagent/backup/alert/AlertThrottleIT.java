package io.taskagent.backup.alert;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.VerifyFailed;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.taskagent.backup.alert.AlertTestSupport.body;
import static io.taskagent.backup.alert.AlertTestSupport.mailsContaining;
import static io.taskagent.backup.alert.AlertTestSupport.subject;
import static io.taskagent.backup.alert.AlertTestSupport.uniqueTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Throttling with the default 30-minute window, on the real broker and catalog; the service's clock is moved past
 * the window instead of waiting for it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AlertThrottleIT {

    static final String CATALOG = "backup_catalog_it_alerts_throttle";
    static final int SMTP_PORT = AlertTestSupport.freePort();

    static GreenMail smtp;
    static BrokerProbe broker;

    @TestConfiguration
    static class Clocks {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test");
        registry.add("backup.messaging.retry-backoff", () -> "100ms");
        registry.add("backup.messaging.retry-attempts", () -> "3");
    }

    @BeforeAll
    static void start() {
        smtp = new GreenMail(new ServerSetup(SMTP_PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
        broker.purge(Topology.ALERT_EVENTS_QUEUE);
        broker.purge(Topology.deadLetterQueue(Topology.ALERT_EVENTS_QUEUE));
    }

    @AfterAll
    static void stop() {
        broker.close();
        smtp.stop();
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    MeterRegistry meters;
    @Autowired
    MutableClock clock;

    private int decided(String target, String outcome) {
        return catalog.sql("SELECT count(*) FROM alerts.alert_events WHERE target = :target AND outcome = :outcome")
                .param("target", target).param("outcome", outcome).query(Integer.class).single();
    }

    @Test
    void tenFailuresOfOneTargetWithinTheWindowProduceOneAlertAndTheNextReportsTheNineSuppressed() throws Exception {
        String target = uniqueTarget("alert-it-throttle");
        double suppressedBefore = meters.counter("alerts.suppressed", "kind", "BackupFailed").count();
        List<BackupFailed> failures = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            BackupFailed failed = BackupFailed.of(UUID.randomUUID(), target, "interval", "failure number " + i, 1);
            failures.add(failed);
            broker.publish(failed);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> decided(target, "ALERT") + decided(target, "SUPPRESSED") == 10);
        assertThat(decided(target, "ALERT")).isEqualTo(1);
        assertThat(decided(target, "SUPPRESSED")).isEqualTo(9);
        assertThat(meters.counter("alerts.suppressed", "kind", "BackupFailed").count())
                .isGreaterThanOrEqualTo(suppressedBefore + 9);
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(smtp, target).size() == 1);
        assertThat(body(mailsContaining(smtp, target).get(0))).contains(failures.get(0).jobId().toString())
                .doesNotContain("suppressed");

        clock.advance(Duration.ofMinutes(31));
        broker.publish(failures.get(4)); // a redelivered suppressed event stays suppressed, even after the window
        BackupFailed next = BackupFailed.of(UUID.randomUUID(), target, "interval", "failure number 11", 1);
        broker.publish(next);

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(smtp, next.jobId().toString()).size() == 1);
        MimeMessage mail = mailsContaining(smtp, next.jobId().toString()).get(0);
        assertThat(subject(mail)).isEqualTo("[backup] FAILED: interval backup of " + target + " (+9 suppressed)");
        assertThat(body(mail)).contains("9 similar alerts suppressed since ");
        AlertSent sent = broker.awaitEvent(AlertSent.class, e -> e.sourceMessageId().equals(next.messageId()),
                Duration.ofSeconds(30));
        assertThat(sent.suppressedCount()).isEqualTo(9);
        assertThat(mailsContaining(smtp, target)).hasSize(2);
        assertThat(mailsContaining(smtp, failures.get(4).jobId().toString())).isEmpty();
        assertThat(decided(target, "SUPPRESSED")).isEqualTo(9);
    }

    @Test
    void otherTargetsAndOtherKindsAreThrottledSeparately() {
        String a = uniqueTarget("alert-it-throttle-a");
        String b = uniqueTarget("alert-it-throttle-b");
        BackupFailed failedA = BackupFailed.of(UUID.randomUUID(), a, "manual", "x", 1);
        BackupFailed failedB = BackupFailed.of(UUID.randomUUID(), b, "manual", "x", 1);
        VerifyFailed verifyA = VerifyFailed.of(UUID.randomUUID(), a, UUID.randomUUID(), "f.json.zst", List.of("bad"));
        broker.publish(failedA);
        broker.publish(failedB);
        broker.publish(verifyA);
        for (UUID job : List.of(failedA.jobId(), failedB.jobId(), verifyA.jobId())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(smtp, job.toString()).size() == 1);
        }
    }
}
