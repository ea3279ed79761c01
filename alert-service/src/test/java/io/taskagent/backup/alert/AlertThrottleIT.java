package io.taskagent.backup.alert;

import io.micrometer.core.instrument.MeterRegistry;
import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.VerifyFailed;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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

    @RegisterExtension
    static final AlertEnvironment env = new AlertEnvironment();

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
        env.register(registry, CATALOG);
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test");
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
            env.broker().publish(failed);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> decided(target, "ALERT") + decided(target, "SUPPRESSED") == 10);
        assertThat(decided(target, "ALERT")).isEqualTo(1);
        assertThat(decided(target, "SUPPRESSED")).isEqualTo(9);
        assertThat(meters.counter("alerts.suppressed", "kind", "BackupFailed").count())
                .isGreaterThanOrEqualTo(suppressedBefore + 9);
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), target).size() == 1);
        assertThat(body(mailsContaining(env.smtp(), target).get(0))).contains(failures.get(0).jobId().toString())
                .doesNotContain("suppressed");

        clock.advance(Duration.ofMinutes(31));
        env.broker().publish(failures.get(4)); // a redelivered suppressed event stays suppressed, even after the window
        BackupFailed next = BackupFailed.of(UUID.randomUUID(), target, "interval", "failure number 11", 1);
        env.broker().publish(next);

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), next.jobId().toString()).size() == 1);
        MimeMessage mail = mailsContaining(env.smtp(), next.jobId().toString()).get(0);
        assertThat(subject(mail)).isEqualTo("[backup] FAILED: interval backup of " + target + " (+9 suppressed)");
        assertThat(body(mail)).contains("9 similar alerts suppressed since ");
        AlertSent sent = env.broker().awaitEvent(AlertSent.class, e -> e.sourceMessageId().equals(next.messageId()),
                Duration.ofSeconds(30));
        assertThat(sent.suppressedCount()).isEqualTo(9);
        assertThat(mailsContaining(env.smtp(), target)).hasSize(2);
        assertThat(mailsContaining(env.smtp(), failures.get(4).jobId().toString())).isEmpty();
        assertThat(decided(target, "SUPPRESSED")).isEqualTo(9);
    }

    @Test
    void otherTargetsAndOtherKindsAreThrottledSeparately() {
        String a = uniqueTarget("alert-it-throttle-a");
        String b = uniqueTarget("alert-it-throttle-b");
        BackupFailed failedA = BackupFailed.of(UUID.randomUUID(), a, "manual", "x", 1);
        BackupFailed failedB = BackupFailed.of(UUID.randomUUID(), b, "manual", "x", 1);
        VerifyFailed verifyA = VerifyFailed.of(UUID.randomUUID(), a, UUID.randomUUID(), "f.json.zst", List.of("bad"));
        env.broker().publish(failedA);
        env.broker().publish(failedB);
        env.broker().publish(verifyA);
        for (UUID job : List.of(failedA.jobId(), failedB.jobId(), verifyA.jobId())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), job.toString()).size() == 1);
        }
    }
}
