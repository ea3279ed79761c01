package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.CleanupCompleted;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.ScheduleRejected;
import io.taskagent.backup.model.SchedulerStateChanged;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import io.taskagent.backup.testsupport.ServiceSchemas;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler's read contract: after Flyway the views {@code scheduler.v1_settings}, {@code v1_schedules},
 * {@code v1_cleanup_runs} and {@code v1_commands} exist with their listed columns and show what the scheduler wrote:
 * the settings after each ConfigureSchedule (compression included, its first-start value from configuration), the
 * outcome of every scheduler command by job id (APPLIED, or REJECTED with the problems keyed by field), the
 * schedules and the cleanup decisions.
 */
class ReadContractIT {

    static final String CATALOG = "backup_catalog_it_sched_contract";
    static final String TARGET = "sched-rc-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static final TypeReference<Map<String, String>> PROBLEMS = new TypeReference<>() {
    };
    static BrokerProbe broker;
    static ConfigurableApplicationContext scheduler;
    static JdbcClient catalog;

    @BeforeAll
    static void start() {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        ServiceSchemas.create(CATALOG, "worker");
        broker = new BrokerProbe(infra).captureEvents();
        scheduler = SchedulerInstances.start(CATALOG, Map.of("scheduler.target", TARGET,
                "scheduler.compression-enabled", "false"));
        catalog = scheduler.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
        broker.close();
    }

    static ConfigureSchedule configure(Integer intervalHours, Map<String, String> cron, Integer keepDaily,
                                       Boolean compressionEnabled) {
        return ConfigureSchedule.of(UUID.randomUUID(), TARGET, null, intervalHours, null, null, null, null, null, null,
                cron, null, null, keepDaily, null, null, null, null, null, compressionEnabled, "it-admin");
    }

    static <T extends BackupMessage> T answer(Class<T> type, UUID jobId) {
        return broker.awaitEvent(type, e -> e.jobId().equals(jobId), WAIT);
    }

    static Map<String, Object> settingsView() {
        return catalog.sql("""
                        SELECT interval_hours, keep_daily, keep_weekly, compression_enabled, version, updated_by
                        FROM scheduler.v1_settings""")
                .query().singleRow();
    }

    record CommandRow(UUID messageId, String command, String requestedBy, String outcome, Map<String, String> problems) {
    }

    static CommandRow commandView(UUID jobId) {
        return catalog.sql("""
                        SELECT message_id, command, requested_by, outcome, problems::text FROM scheduler.v1_commands
                        WHERE job_id = :job""")
                .param("job", jobId)
                .query((rs, n) -> new CommandRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                        rs.getString(4),
                        rs.getString(5) == null ? null : MessageJson.mapper().readValue(rs.getString(5), PROBLEMS)))
                .single();
    }

    @Test
    void theViewsExistWithTheirContractColumns() {
        Map<String, List<String>> contract = new LinkedHashMap<>();
        contract.put("v1_settings", List.of("running", "time_zone", "interval_hours", "interval_enabled", "daily_time",
                "daily_enabled", "weekly_day", "weekly_enabled", "monthly_enabled", "cleanup_time", "keep_hourly",
                "keep_daily", "keep_weekly", "keep_monthly", "keep_manual", "keep_pre_restore_days",
                "max_backup_size_mb", "compression_enabled", "version", "updated_at", "updated_by"));
        contract.put("v1_schedules", List.of("name", "kind", "spec", "enabled", "next_fire_at", "updated_at"));
        contract.put("v1_cleanup_runs", List.of("job_id", "target", "dry_run", "requested_by", "decided_at",
                "kept_count", "delete_count", "delete_bytes", "decisions"));
        contract.put("v1_commands", List.of("message_id", "job_id", "command", "requested_by", "received_at",
                "outcome", "problems"));
        contract.forEach((view, columns) -> {
            assertThat(catalog.sql("SELECT count(*) FROM information_schema.views WHERE table_schema = 'scheduler' AND table_name = :v")
                    .param("v", view).query(Integer.class).single()).as("view scheduler.%s", view).isEqualTo(1);
            assertThat(catalog.sql("""
                            SELECT column_name FROM information_schema.columns
                            WHERE table_schema = 'scheduler' AND table_name = :v ORDER BY ordinal_position""")
                    .param("v", view).query(String.class).list()).as("columns of scheduler.%s", view)
                    .containsExactlyElementsOf(columns);
        });
    }

    @Test
    void settingsAndCommandOutcomesAreReadableThroughTheViews() {
        ConfigureSchedule first = configure(3, Map.of("nightly", "0 0 1 * * *"), 20, null);
        broker.publish(first);
        SchedulerStateChanged configured = answer(SchedulerStateChanged.class, first.jobId());
        assertThat(configured.compressionEnabled()).as("first start: from configuration").isFalse();
        Map<String, Object> settings = settingsView();
        assertThat(settings).containsEntry("interval_hours", 3).containsEntry("keep_daily", 20)
                .containsEntry("compression_enabled", false).containsEntry("updated_by", "it-admin")
                .containsEntry("version", configured.settingsVersion());
        CommandRow applied = commandView(first.jobId());
        assertThat(applied).isEqualTo(new CommandRow(first.messageId(), "ConfigureSchedule", "it-admin", "APPLIED", null));
        assertThat(catalog.sql("SELECT name, kind, spec, enabled FROM scheduler.v1_schedules WHERE name = 'nightly'")
                .query().singleRow()).containsEntry("kind", "cron").containsEntry("spec", "0 0 1 * * *")
                .containsEntry("enabled", true);
        assertThat(catalog.sql("SELECT name FROM scheduler.v1_schedules ORDER BY name").query(String.class).list())
                .containsExactly("cleanup", "daily", "interval", "monthly", "nightly", "weekly");

        ConfigureSchedule on = configure(null, null, null, true);
        broker.publish(on);
        assertThat(answer(SchedulerStateChanged.class, on.jobId()).compressionEnabled()).isTrue();
        assertThat(settingsView()).containsEntry("compression_enabled", true).containsEntry("interval_hours", 3);

        // a producer older than compressionEnabled: the field is absent, the stored value is kept
        UUID olderJob = UUID.randomUUID();
        String older = """
                {"type": "ConfigureSchedule", "messageId": "%s", "jobId": "%s", "target": "%s",
                 "occurredAt": "%s", "version": 1, "timeZone": null, "intervalHours": null, "intervalEnabled": null,
                 "dailyTime": null, "dailyEnabled": null, "weeklyDay": null, "weeklyEnabled": null,
                 "monthlyEnabled": null, "cronSchedules": null, "cleanupTime": null, "keepHourly": null,
                 "keepDaily": null, "keepWeekly": 5, "keepMonthly": null, "keepManual": null,
                 "keepPreRestoreDays": null, "maxBackupSizeMb": null, "requestedBy": "older-gateway"}"""
                .formatted(UUID.randomUUID(), olderJob, TARGET, Instant.now());
        broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_SCHEDULER_CONFIGURE, older.getBytes());
        assertThat(answer(SchedulerStateChanged.class, olderJob).compressionEnabled()).isTrue();
        assertThat(settingsView()).containsEntry("keep_weekly", 5).containsEntry("compression_enabled", true);
        assertThat(commandView(olderJob).outcome()).isEqualTo("APPLIED");

        ConfigureSchedule invalid = configure(0, Map.of("daily", "0 0 1 * * *"), null, false);
        broker.publish(invalid);
        ScheduleRejected rejected = answer(ScheduleRejected.class, invalid.jobId());
        assertThat(rejected.problems()).containsOnlyKeys("intervalHours", "cronSchedules.daily")
                .containsEntry("intervalHours", "must be 1 to 168 but was 0");
        CommandRow refused = commandView(invalid.jobId());
        assertThat(refused.outcome()).isEqualTo("REJECTED");
        assertThat(refused.command()).isEqualTo("ConfigureSchedule");
        assertThat(refused.problems()).as("the problems as announced, keyed by field").isEqualTo(rejected.problems());
        assertThat(settingsView()).as("nothing changed").containsEntry("compression_enabled", true)
                .containsEntry("interval_hours", 3);

        StopScheduler stop = StopScheduler.of(UUID.randomUUID(), TARGET, "it-admin");
        broker.publish(stop);
        answer(SchedulerStateChanged.class, stop.jobId());
        assertThat(commandView(stop.jobId())).isEqualTo(new CommandRow(stop.messageId(), "StopScheduler", "it-admin",
                "APPLIED", null));
        assertThat(catalog.sql("SELECT running FROM scheduler.v1_settings").query(Boolean.class).single()).isFalse();
    }

    @Test
    void cleanupDecisionsAreReadableThroughTheView() {
        UUID backup = UUID.randomUUID();
        Instant at = Instant.now().minus(Duration.ofHours(1));
        catalog.sql("""
                        INSERT INTO worker.jobs (id, kind, type, target, status, requested_by, requested_at, finished_at)
                        VALUES (:id, 'backup', 'manual', :target, 'SUCCEEDED', 'it', :at, :at)""")
                .param("id", backup).param("target", TARGET).param("at", Timestamp.from(at)).update();
        catalog.sql("""
                        INSERT INTO worker.backups (id, job_id, target, backup_type, file_name, size_bytes, sha256,
                                                    compression, format_version, row_counts, table_count, duration_ms,
                                                    created_at)
                        VALUES (:id, :id, :target, 'manual', :file, 1000, :sha, 'zstd', 1, '{}', 0, 10, :at)""")
                .param("id", backup).param("target", TARGET).param("file", "manual_backup_rc.json.zst")
                .param("sha", "0".repeat(64)).param("at", Timestamp.from(at)).update();
        RequestCleanup dry = RequestCleanup.of(UUID.randomUUID(), TARGET, true, "it-admin");
        broker.publish(dry);
        CleanupCompleted report = answer(CleanupCompleted.class, dry.jobId());
        assertThat(report.decisions()).extracting(CleanupCompleted.Decision::backupId).containsExactly(backup);
        Map<String, Object> run = catalog.sql("""
                        SELECT target, dry_run, requested_by, kept_count, delete_count, delete_bytes
                        FROM scheduler.v1_cleanup_runs WHERE job_id = :job""")
                .param("job", dry.jobId()).query().singleRow();
        assertThat(run).containsEntry("target", TARGET).containsEntry("dry_run", true)
                .containsEntry("requested_by", "it-admin").containsEntry("kept_count", 1)
                .containsEntry("delete_count", 0).containsEntry("delete_bytes", 0L);
    }
}
