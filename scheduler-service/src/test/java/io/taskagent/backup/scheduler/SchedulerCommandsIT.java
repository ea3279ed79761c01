package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.ScheduleRejected;
import io.taskagent.backup.model.SchedulerStateChanged;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.scheduler.schedule.BackupScheduler;
import io.taskagent.backup.scheduler.settings.Settings;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.testsupport.BrokerProbe;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stop, configure and start through commands on the real broker take effect, are refused with the field named when
 * invalid, and survive a restart of the service (a new application context on the same catalog).
 */
class SchedulerCommandsIT {

    static final String CATALOG = "backup_catalog_it_sched_cmd";
    static final String TARGET = "sched-cmd-" + UUID.randomUUID().toString().substring(0, 8);
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Map<String, String> PROPERTIES = Map.of("scheduler.target", TARGET);
    static BrokerProbe broker;
    static CommandTap tap;

    @BeforeAll
    static void start() {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        broker = new BrokerProbe(infra).captureEvents();
        tap = new CommandTap(TARGET, Topology.RK_BACKUP_REQUEST);
    }

    @AfterAll
    static void stop() {
        tap.close();
        broker.close();
    }

    private static ConfigureSchedule configure(String timeZone, Integer intervalHours, String dailyTime,
                                               Map<String, String> cron, Integer keepDaily, Integer maxBackupSizeMb) {
        return ConfigureSchedule.of(UUID.randomUUID(), TARGET, timeZone, intervalHours, null, dailyTime, null, null,
                null, false, cron, null, null, keepDaily, null, null, null, null, maxBackupSizeMb, null, "it-admin");
    }

    private static <T extends io.taskagent.backup.model.BackupMessage> T answer(Class<T> type, UUID jobId) {
        return broker.awaitEvent(type, e -> e.jobId().equals(jobId), WAIT);
    }

    /** The first slot of an {@code hours}-hour interval schedule after now (plus a second). */
    private static Instant nextSlot(int hours) {
        long seconds = hours * 3600L;
        return Instant.ofEpochSecond((Instant.now().getEpochSecond() / seconds + 1) * seconds).plusSeconds(1);
    }

    @Test
    void stopConfigureAndStartThroughCommandsTakeEffectAndSurviveARestart() {
        ConfigurableApplicationContext before = SchedulerInstances.start(CATALOG, PROPERTIES);
        try {
            StopScheduler stop = StopScheduler.of(UUID.randomUUID(), TARGET, "it-admin");
            broker.publish(stop);
            SchedulerStateChanged stopped = answer(SchedulerStateChanged.class, stop.jobId());
            assertThat(stopped.running()).isFalse();
            assertThat(stopped.changedBy()).isEqualTo("it-admin");
            assertThat(stopped.schedules()).extracting(SchedulerStateChanged.Schedule::nextFireAt).containsOnlyNulls();
            before.getBean(BackupScheduler.class).tick(nextSlot(6));
            assertThat(tap.awaitExactly(RequestBackup.class, 0, Duration.ofSeconds(1))).as("stopped: nothing fires").isEmpty();

            ConfigureSchedule invalid = configure(null, 2, "25:00", null, 400, null);
            broker.publish(invalid);
            ScheduleRejected rejected = answer(ScheduleRejected.class, invalid.jobId());
            assertThat(rejected.command()).isEqualTo("ConfigureSchedule");
            assertThat(rejected.problems()).containsOnlyKeys("dailyTime", "keepDaily");
            assertThat(rejected.problems().get("keepDaily")).isEqualTo("must be 1 to 365 but was 400");
            Settings unchanged = before.getBean(SettingsStore.class).current(Instant.now()).settings();
            assertThat(unchanged.intervalHours()).as("the old configuration stays in force").isEqualTo(6);
            assertThat(unchanged.retention().keepDaily()).isEqualTo(30);

            ConfigureSchedule valid = configure("Europe/Berlin", 2, "05:15", Map.of("nightly", "0 0 1 * * *"), 40, 800);
            broker.publish(valid);
            SchedulerStateChanged configured = answer(SchedulerStateChanged.class, valid.jobId());
            assertThat(configured.running()).isFalse();
            assertThat(configured.timeZone()).isEqualTo("Europe/Berlin");
            assertThat(configured.schedules()).extracting(SchedulerStateChanged.Schedule::name)
                    .containsExactly("interval", "daily", "weekly", "monthly", "nightly", "cleanup");
            assertThat(configured.schedules()).filteredOn(s -> s.name().equals("interval"))
                    .singleElement().extracting(SchedulerStateChanged.Schedule::spec).isEqualTo("every 2 h");
            assertThat(configured.retention().keepDaily()).isEqualTo(40);
            assertThat(configured.maxBackupSizeMb()).isEqualTo(800);
            assertThat(configured.settingsVersion()).isGreaterThan(stopped.settingsVersion());

            // the same command delivered again: announced again, not applied again
            broker.publish(valid);
            broker.awaitEvent(SchedulerStateChanged.class,
                    e -> e.jobId().equals(valid.jobId()) && !e.messageId().equals(configured.messageId()), WAIT);
            assertThat(before.getBean(SettingsStore.class).current(Instant.now()).version())
                    .isEqualTo(configured.settingsVersion());

            StopScheduler foreign = StopScheduler.of(UUID.randomUUID(), "another-target", "it-admin");
            broker.publish(foreign);
            assertThat(answer(ScheduleRejected.class, foreign.jobId()).problems()).containsOnlyKeys("target");

            String dlq = Topology.deadLetterQueue(Topology.SCHEDULER_COMMANDS_QUEUE);
            long dead = broker.messageCount(dlq);
            broker.publishRaw(Topology.COMMANDS_EXCHANGE, Topology.RK_SCHEDULER_CONFIGURE, "{\"type\":\"ConfigureSchedule\",".getBytes());
            broker.awaitMessageCount(dlq, dead + 1, WAIT);
        } finally {
            before.close();
        }

        ConfigurableApplicationContext after = SchedulerInstances.start(CATALOG, PROPERTIES);
        try {
            Settings restarted = after.getBean(SettingsStore.class).current(Instant.now()).settings();
            assertThat(restarted.running()).as("still stopped after the restart").isFalse();
            assertThat(restarted.intervalHours()).isEqualTo(2);
            assertThat(restarted.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
            assertThat(restarted.cron()).containsExactly(Map.entry("nightly", "0 0 1 * * *"));
            assertThat(restarted.retention().keepDaily()).isEqualTo(40);
            assertThat(restarted.monthlyEnabled()).isFalse();
            after.getBean(BackupScheduler.class).tick(nextSlot(2));
            assertThat(tap.awaitExactly(RequestBackup.class, 0, Duration.ofSeconds(1))).isEmpty();

            StartScheduler startCommand = StartScheduler.of(UUID.randomUUID(), TARGET, "it-admin");
            broker.publish(startCommand);
            SchedulerStateChanged started = answer(SchedulerStateChanged.class, startCommand.jobId());
            assertThat(started.running()).isTrue();
            assertThat(started.schedules()).filteredOn(s -> s.name().equals("interval")).singleElement()
                    .satisfies(s -> assertThat(s.nextFireAt()).isNotNull());
            assertThat(started.schedules()).filteredOn(s -> s.name().equals("monthly")).singleElement()
                    .satisfies(s -> assertThat(s.nextFireAt()).as("disabled").isNull());

            Instant slot = nextSlot(2);
            after.getBean(BackupScheduler.class).tick(slot);
            RequestBackup fired = tap.await(RequestBackup.class, r -> r.backupType().equals("interval"), WAIT);
            assertThat(fired.requestedBy()).isEqualTo("scheduler:interval");
            after.getBean(BackupScheduler.class).tick(slot.plusSeconds(30));
            assertThat(tap.awaitExactly(RequestBackup.class, 1, Duration.ofSeconds(1)).stream()
                    .filter(r -> r.backupType().equals("interval"))).hasSize(1);
        } finally {
            after.close();
        }
    }
}
