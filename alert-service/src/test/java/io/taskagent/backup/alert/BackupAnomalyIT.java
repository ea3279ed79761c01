package io.taskagent.backup.alert;

import io.taskagent.backup.model.AlertSent;
import io.taskagent.backup.model.BackupAnomaly;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupMessage;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.taskagent.backup.alert.AlertTestSupport.body;
import static io.taskagent.backup.alert.AlertTestSupport.mailsContaining;
import static io.taskagent.backup.alert.AlertTestSupport.subject;
import static io.taskagent.backup.alert.AlertTestSupport.uniqueTarget;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Completed backups feed the history; one that departs from it raises BackupAnomaly, which is alerted once. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BackupAnomalyIT {

    static final String CATALOG = "backup_catalog_it_alerts_anomaly";

    @RegisterExtension
    static final AlertEnvironment env = new AlertEnvironment();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        env.register(registry, CATALOG);
        registry.add("alert.mail.recipients", () -> "oncall@taskagent.test");
    }

    @Autowired
    JdbcClient catalog;

    private static BackupCompleted backup(String target, int minutesAgo, long size, long tasks, long users) {
        return new BackupCompleted(UUID.randomUUID(), UUID.randomUUID(), target,
                Instant.now().minus(Duration.ofMinutes(minutesAgo)), BackupMessage.CURRENT_VERSION, "interval",
                "interval_backup_" + minutesAgo + ".json.zst", size, "b".repeat(64),
                Map.of("public.tasks", tasks, "public.users", users), 1000);
    }

    private int recorded(String target) {
        return catalog.sql("SELECT count(*) FROM alerts.backup_history WHERE target = :target")
                .param("target", target).query(Integer.class).single();
    }

    private List<BackupAnomaly> anomalies(String target) {
        return env.broker().events().stream().filter(e -> e instanceof BackupAnomaly && e.target().equals(target))
                .map(BackupAnomaly.class::cast).toList();
    }

    @Test
    void threeSteadyBackupsThenOneWithATableAtTenPercentRaiseBackupAnomalyAndOneAlert() {
        String target = uniqueTarget("alert-it-anomaly");
        env.broker().publish(backup(target, 40, 50_000, 10_000, 500));
        env.broker().publish(backup(target, 30, 51_000, 10_100, 500));
        env.broker().publish(backup(target, 20, 50_500, 10_050, 500));
        BackupCompleted lossy = backup(target, 10, 45_000, 1_005, 500);
        env.broker().publish(lossy);

        BackupAnomaly anomaly = env.broker().awaitEvent(BackupAnomaly.class, e -> e.target().equals(target),
                Duration.ofSeconds(30));
        assertThat(anomaly.jobId()).isEqualTo(lossy.jobId());
        assertThat(anomaly.fileName()).isEqualTo(lossy.fileName());
        assertThat(anomaly.backupType()).isEqualTo("interval");
        assertThat(anomaly.findings()).contains("public.tasks: 1005 rows, median of the last 3 backups 10050 (10%)")
                .noneMatch(f -> f.startsWith("public.users")).noneMatch(f -> f.startsWith("size"));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailsContaining(env.smtp(), lossy.jobId().toString()).size() == 1);
        MimeMessage mail = mailsContaining(env.smtp(), lossy.jobId().toString()).get(0);
        assertThat(subject(mail)).isEqualTo("[backup] ANOMALY: interval backup of " + target
                + " departs from its history (possible data loss)");
        assertThat(body(mail)).contains("Event:       BackupAnomaly").contains("Severity:    critical")
                .contains("Findings:").contains("  - public.tasks: 1005 rows, median of the last 3 backups 10050 (10%)")
                .contains("File:        " + lossy.fileName());
        env.broker().awaitEvent(AlertSent.class, e -> e.sourceMessageId().equals(anomaly.messageId()), Duration.ofSeconds(30));

        // in the read contract, parsed: the dashboard marks it on the backups chart
        await().atMost(Duration.ofSeconds(30)).until(() -> catalog.sql(
                "SELECT published_at IS NOT NULL FROM alerts.v1_backup_anomalies WHERE job_id = :job")
                .param("job", lossy.jobId()).query(Boolean.class).optional().orElse(false));
        java.util.Map<String, Object> row = catalog.sql("""
                        SELECT target, backup_type, file_name, completed_at, size_bytes, total_rows,
                               array_to_string(findings, '|') AS findings, detected_at
                        FROM alerts.v1_backup_anomalies WHERE job_id = :job""").param("job", lossy.jobId())
                .query().singleRow();
        assertThat(row.get("target")).isEqualTo(target);
        assertThat(row.get("backup_type")).isEqualTo("interval");
        assertThat(row.get("file_name")).isEqualTo(lossy.fileName());
        assertThat(((java.sql.Timestamp) row.get("completed_at")).toInstant())
                // PostgreSQL keeps microseconds, rounding the nanoseconds
                .isCloseTo(lossy.occurredAt(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MICROS));
        assertThat(row.get("size_bytes")).isEqualTo(45_000L);
        assertThat(row.get("total_rows")).isEqualTo(1_505L);
        assertThat(((String) row.get("findings")).split("\\|")).containsExactlyElementsOf(anomaly.findings());
        assertThat(((java.sql.Timestamp) row.get("detected_at")).toInstant())
                // PostgreSQL keeps microseconds, rounding the nanoseconds
                .isCloseTo(anomaly.occurredAt(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MICROS));
        assertThat(catalog.sql("SELECT count(*) FROM alerts.v1_backup_anomalies WHERE target = :target")
                .param("target", target).query(Integer.class).single()).as("the steady backups are not listed")
                .isEqualTo(1);

        // the same BackupCompleted again, and the same BackupAnomaly again: nothing new
        env.broker().publish(lossy);
        env.broker().publish(anomaly);
        BackupCompleted marker = backup(uniqueTarget("alert-it-anomaly-marker"), 5, 1, 1, 1);
        env.broker().publish(marker);
        await().atMost(Duration.ofSeconds(30)).until(() -> catalog.sql(
                "SELECT count(*) FROM alerts.backup_history WHERE job_id = :job").param("job", marker.jobId())
                .query(Integer.class).single() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> anomalies(target).size() == 2);
        assertThat(anomalies(target)).as("BackupAnomaly events (the re-published one included)").hasSize(2)
                .allMatch(a -> a.messageId().equals(anomaly.messageId()));
        assertThat(mailsContaining(env.smtp(), lossy.jobId().toString())).hasSize(1);
        assertThat(recorded(target)).isEqualTo(4);
    }

    @Test
    void steadyBackupsRaiseNothing() {
        String target = uniqueTarget("alert-it-steady");
        for (int i = 0; i < 5; i++) {
            env.broker().publish(backup(target, 50 - i * 10, 50_000 + i * 100, 10_000 + i * 10, 500));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> recorded(target) == 5);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> anomalies(target).isEmpty());
        assertThat(anomalies(target)).isEmpty();
        assertThat(mailsContaining(env.smtp(), target)).isEmpty();
    }
}
