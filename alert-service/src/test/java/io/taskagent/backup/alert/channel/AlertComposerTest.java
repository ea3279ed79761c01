package io.taskagent.backup.alert.channel;

import io.taskagent.backup.model.BackupAnomaly;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.BackupOversized;
import io.taskagent.backup.model.BackupStale;
import io.taskagent.backup.model.DiskSpaceLow;
import io.taskagent.backup.model.HealthCheckFailed;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.RestoreFailed;
import io.taskagent.backup.model.VerifyFailed;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertComposerTest {

    static final UUID JOB = UUID.fromString("5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10");
    static final Instant AT = Instant.parse("2026-11-28T10:00:02Z");

    private final AlertComposer composer = AlertComposer.reportingFrom("backup-host-1");

    @Test
    void aFailedBackupSaysWhatWhereWhichJobWhyWhenAndWhichHost() {
        BackupFailed failed = new BackupFailed(UUID.randomUUID(), JOB, "taskagent", AT, 1, "manual", "disk full", 2);
        Alert alert = composer.compose(failed, Severity.CRITICAL, 0, null);
        assertThat(alert.subject()).isEqualTo("[backup] FAILED: manual backup of taskagent");
        assertThat(alert.text()).isEqualTo("""
                A backup failed.

                Event:       BackupFailed
                Severity:    critical
                Target:      taskagent
                Backup type: manual
                Job:         5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10
                Attempt:     2
                Time:        2026-11-28 10:00:02 UTC
                Reason:      disk full

                Reported by alert-service on backup-host-1.
                Job details: GET /api/backup/jobs/5d1c7e0a-3b9f-4c52-8e0f-2a6b7c8d9e10
                """);
        assertThat(alert.kind()).isEqualTo("BackupFailed");
        assertThat(alert.suppressedNote()).isNull();
    }

    @Test
    void anAlertAfterSuppressedOnesSaysHowMany() {
        BackupFailed failed = new BackupFailed(UUID.randomUUID(), JOB, "taskagent", AT, 1, "manual", "disk full", 1);
        Alert alert = composer.compose(failed, Severity.CRITICAL, 9, AT.minus(Duration.ofMinutes(40)));
        assertThat(alert.subject()).isEqualTo("[backup] FAILED: manual backup of taskagent (+9 suppressed)");
        assertThat(alert.text()).contains("9 similar alerts suppressed since 2026-11-28 09:20:02 UTC (BackupFailed of taskagent, throttled).");
        assertThat(composer.compose(failed, Severity.CRITICAL, 1, AT).suppressedNote()).startsWith("1 similar alert suppressed");
    }

    @Test
    void everyAlertableKindHasASubjectAndItsFigures() {
        UUID backup = UUID.randomUUID();
        Map<BackupMessage, List<String>> expected = mapOf(
                new BackupOversized(UUID.randomUUID(), JOB, "t", AT, 1, "manual", "f.json.zst", 734003200, 524288000),
                List.of("[backup] OVERSIZED: manual backup of t is 700.0 MiB (limit 500.0 MiB)", "734003200 bytes", "f.json.zst"),
                new RestoreFailed(UUID.randomUUID(), JOB, "t", AT, 1, null, "t_copy", "schema mismatch"),
                List.of("[backup] RESTORE FAILED: t into database t_copy", "(not resolved)", "schema mismatch"),
                new RestoreCompleted(UUID.randomUUID(), JOB, "t", AT, 1, backup, "t", true, Map.of("public.a", 3L, "public.b", 4L), 61000),
                List.of("[backup] RESTORE DRY RUN OK: t into database t", "Rows:", "7", "1m 1s", "public.a: 3"),
                new VerifyFailed(UUID.randomUUID(), JOB, "t", AT, 1, backup, "f.json.zst", List.of("sha256 differs")),
                List.of("[backup] VERIFY FAILED: backup f.json.zst of t", "Problems:\n  - sha256 differs", backup.toString()),
                new BackupStale(UUID.randomUUID(), JOB, "t", AT, 1, null, 43200),
                List.of("[backup] STALE: no successful backup of t within 12h", "never"),
                new io.taskagent.backup.model.DrillOverdue(UUID.randomUUID(), JOB, "t", AT, 1,
                        Instant.parse("2026-11-29T04:01:00Z"), 8 * 86400),
                List.of("[backup] DRILL OVERDUE: no restore drill of t passed within 8d",
                        "Last passed drill:", "2026-11-29"),
                new DiskSpaceLow(UUID.randomUUID(), JOB, "t", AT, 1, "/var/lib/backups", 1073741824L, 5368709120L),
                List.of("[backup] DISK LOW: 1.0 GiB free for backups of t", "/var/lib/backups", "5.0 GiB"),
                new HealthCheckFailed(UUID.randomUUID(), JOB, "t", AT, 1, "source", "Connection refused"),
                List.of("[backup] UNHEALTHY: source of t", "Connection refused"),
                new BackupAnomaly(UUID.randomUUID(), JOB, "t", AT, 1, "interval", "f.json.zst", List.of("public.tasks: 1 rows")),
                List.of("[backup] ANOMALY: interval backup of t departs from its history (possible data loss)",
                        "Findings:\n  - public.tasks: 1 rows"));
        expected.forEach((event, texts) -> {
            Alert alert = composer.compose(event, Severity.WARNING, 0, null);
            assertThat(alert.subject()).as(event.getClass().getSimpleName()).isEqualTo(texts.get(0));
            assertThat(alert.text()).as(event.getClass().getSimpleName())
                    .contains("Event:").contains(event.getClass().getSimpleName()).contains("Target:")
                    .containsPattern("Time: +2026-11-28 10:00:02 UTC").containsPattern("Severity: +warning")
                    .contains(texts.subList(1, texts.size()));
        });
    }

    @Test
    void aCompletedBackupIsNotAnAlert() {
        BackupCompleted completed = BackupCompleted.of(JOB, "t", "manual", "f.json", 1, "a".repeat(64), Map.of(), 1);
        assertThatThrownBy(() -> composer.compose(completed, Severity.INFO, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizesAndDurationsReadWell() {
        assertThat(AlertComposer.bytes(512)).isEqualTo("512 B");
        assertThat(AlertComposer.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(AlertComposer.duration(Duration.ofSeconds(43200))).isEqualTo("12h");
        assertThat(AlertComposer.duration(Duration.ofSeconds(90061))).isEqualTo("1d 1h 1m 1s");
        assertThat(AlertComposer.duration(Duration.ofMillis(250))).isEqualTo("250ms");
    }

    private static Map<BackupMessage, List<String>> mapOf(Object... pairs) {
        Map<BackupMessage, List<String>> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> texts = (List<String>) pairs[i + 1];
            map.put((BackupMessage) pairs[i], texts);
        }
        return map;
    }
}
