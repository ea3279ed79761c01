package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.DeleteBackups;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.scheduler.CommandTap;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention per destination, decided over the worker's real catalog views: the local directory keeps only the
 * newest backup ({@code scheduler.destination-retention.local.*}), the off-site copies follow the stored rules
 * (three days). Backups the off-site rules keep lose only their local copy; those no destination keeps go entirely;
 * a kept backup whose off-site copy is still pending keeps its local copy, the last verified one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DestinationRetentionIT {

    static final String CATALOG = "backup_catalog_it_sched_dest";
    static final String TARGET = "sched-dest-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static BrokerProbe broker;
    static CommandTap tap;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        ServiceSchemas.create(CATALOG, "worker");
        infra.springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("scheduler.timer-enabled", () -> "false");
        registry.add("scheduler.target", () -> TARGET);
        registry.add("scheduler.retention.keep-hourly", () -> "1");
        registry.add("scheduler.retention.keep-daily", () -> "3");
        registry.add("scheduler.retention.keep-weekly", () -> "1");
        registry.add("scheduler.retention.keep-monthly", () -> "1");
        registry.add("scheduler.retention.keep-manual", () -> "2");
        for (String rule : new String[]{"keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-manual",
                "keep-pre-restore-days"}) {
            registry.add("scheduler.destination-retention.local." + rule, () -> "1");
        }
    }

    @BeforeAll
    static void broker() {
        broker = new BrokerProbe(Infrastructure.get()).captureEvents();
        tap = new CommandTap(TARGET, Topology.RK_CLEANUP_EXECUTE);
    }

    @AfterAll
    static void close() {
        tap.close();
        broker.close();
    }

    @Autowired
    JdbcClient catalog;
    @Autowired
    SettingsStore settings;

    /** A backup as the worker records it: job, backups row, its local (primary) copy and its off-site copy. */
    UUID backup(String type, Instant createdAt, String offsiteStatus) {
        UUID id = UUID.randomUUID();
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                        VALUES (:id, 'backup', :type, :target, 'SUCCEEDED', 'it', :at, :at);
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                    compression, format_version, row_counts, table_count, duration_ms,
                                                    created_at)
                        VALUES (:id, :id, :target, :type, :file, 1000, :sha, 'zstd', 2, '{}', 0, 10, :at);
                        INSERT INTO worker.backup_copies (backup_id, destination, status, is_primary, size_bytes, sha256)
                        VALUES (:id, 'local', 'AVAILABLE', true, 1000, :sha);
                        INSERT INTO worker.backup_copies (backup_id, destination, status, verified_at)
                        VALUES (:id, 'offsite', :offsite, CASE WHEN :offsite = 'AVAILABLE' THEN now() END)""")
                .param("id", id).param("type", type).param("target", TARGET).param("at", Timestamp.from(createdAt))
                .param("file", type + "_backup_it_" + id.toString().substring(0, 8) + ".json.zst")
                .param("sha", "0".repeat(64)).param("offsite", offsiteStatus).update();
        return id;
    }

    @Test
    void eachDestinationKeepsWhatItsOwnRulesKeepAndTheLastVerifiedCopyOfAKeptBackupStays() {
        settings.current(Instant.parse("2026-01-01T00:00:00Z"));
        Instant noon = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(12));
        UUID[] daily = new UUID[6];
        for (int d = 1; d <= 5; d++) {
            daily[d] = backup("daily", noon.minus(Duration.ofDays(d)), "AVAILABLE");
        }
        UUID newestManual = backup("manual", noon.minus(Duration.ofDays(6)), "AVAILABLE");
        UUID pendingManual = backup("manual", noon.minus(Duration.ofDays(7)), "PENDING");

        RequestCleanup dry = RequestCleanup.of(UUID.randomUUID(), TARGET, true, "it-admin");
        broker.publish(dry);
        Map<UUID, CleanupCompleted.Decision> decided = broker.awaitEvent(CleanupCompleted.class,
                        e -> e.jobId().equals(dry.jobId()), WAIT).decisions().stream()
                .collect(Collectors.toMap(CleanupCompleted.Decision::backupId, d -> d));
        assertThat(decided.get(daily[1]).keep()).isTrue();
        assertThat(decided.get(daily[1]).dropCopies()).as("the newest stays everywhere").isEmpty();
        assertThat(decided.get(daily[1]).reasons()).contains("local: newest", "offsite: daily");
        for (int d = 2; d <= 3; d++) {
            assertThat(decided.get(daily[d]).keep()).as("day %d: kept off-site", d).isTrue();
            assertThat(decided.get(daily[d]).dropCopies()).as("day %d", d).containsExactly("local");
            assertThat(decided.get(daily[d]).reasons()).containsExactly("offsite: daily");
        }
        for (int d = 4; d <= 5; d++) {
            assertThat(decided.get(daily[d]).keep()).as("day %d: no destination keeps it", d).isFalse();
            assertThat(decided.get(daily[d]).reasons().get(0)).startsWith("kept by no destination's rules");
        }
        assertThat(decided.get(newestManual).dropCopies()).isEmpty();
        assertThat(decided.get(pendingManual).keep()).isTrue();
        assertThat(decided.get(pendingManual).dropCopies()).as("its off-site copy is not made yet").isEmpty();
        assertThat(decided.get(pendingManual).reasons())
                .contains("offsite: last 2 manual", "local: the last verified copy of a kept backup");

        RequestCleanup real = RequestCleanup.of(UUID.randomUUID(), TARGET, false, "it-admin");
        broker.publish(real);
        DeleteBackups delete = tap.await(DeleteBackups.class, d -> d.jobId().equals(real.jobId()), WAIT);
        assertThat(delete.deletions()).extracting(d -> d.backupId() + " " + d.destination())
                .containsExactlyInAnyOrder(daily[2] + " local", daily[3] + " local", daily[4] + " null",
                        daily[5] + " null");
        assertThat(delete.deletions()).filteredOn(d -> d.destination() != null)
                .allMatch(d -> d.reason().startsWith("local: kept by none of its rules"));
    }
}
