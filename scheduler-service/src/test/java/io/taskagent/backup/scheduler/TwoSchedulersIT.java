package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.scheduler.schedule.BackupScheduler;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two scheduler instances on one catalog and the real broker, ticking the same simulated hour (across the
 * daylight-saving jump in Berlin) at the same instants: each fire, the drill's too, is published exactly once.
 */
class TwoSchedulersIT {

    static final String CATALOG = "backup_catalog_it_sched_two";
    static final String TARGET = "sched-two-" + UUID.randomUUID().toString().substring(0, 8);
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static CommandTap tap;

    @BeforeAll
    static void start() {
        Infrastructure infra = Infrastructure.get();
        infra.dropDatabase(CATALOG);
        infra.ensureDatabase(CATALOG);
        Map<String, String> properties = Map.of(
                "scheduler.target", TARGET,
                "scheduler.time-zone", "Europe/Berlin",
                "scheduler.interval-hours", "1",
                "scheduler.daily-time", "03:00",
                "scheduler.weekly-day", "6",
                "scheduler.monthly-enabled", "false",
                "scheduler.cleanup-time", "05:00",
                "scheduler.cron.five", "0 0/5 * * * *",
                "scheduler.drill.cron", "0 0 3 * * SUN", // 01:00Z on 29 March, inside the simulated hour
                // these instances do not consume the shared command queue
                "spring.rabbitmq.listener.simple.auto-startup", "false");
        first = SchedulerInstances.start(CATALOG, properties);
        second = SchedulerInstances.start(CATALOG, properties);
        tap = new CommandTap(TARGET, Topology.RK_BACKUP_REQUEST, Topology.RK_DRILL_REQUEST);
    }

    @AfterAll
    static void stop() {
        tap.close();
        second.close();
        first.close();
    }

    @Test
    void twoInstancesTickingAnHourOfFiresPublishEachFireOnce() throws Exception {
        BackupScheduler a = first.getBean(BackupScheduler.class);
        BackupScheduler b = second.getBean(BackupScheduler.class);
        Instant start = Instant.parse("2026-03-29T00:30:00Z"); // 01:30 in Berlin; at 02:00 the clocks jump to 03:00
        a.tick(start); // the first start: every schedule is due from now on
        CyclicBarrier together = new CyclicBarrier(2);
        Runnable secondInstance = () -> {
            try {
                for (int s = 30; s <= 3600; s += 30) {
                    together.await();
                    b.tick(start.plusSeconds(s));
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Thread other = new Thread(secondInstance);
        other.start();
        for (int s = 30; s <= 3600; s += 30) {
            together.await();
            a.tick(start.plusSeconds(s));
        }
        other.join();

        // every 5 minutes after 00:30Z: 12; the interval at 01:00Z; daily and weekly (Sunday) at 03:00 CEST = 01:00Z
        List<RequestBackup> published = tap.awaitExactly(RequestBackup.class, 15, Duration.ofSeconds(20));
        assertThat(published).hasSize(15);
        assertThat(published.stream().collect(Collectors.groupingBy(RequestBackup::backupType, Collectors.counting())))
                .containsExactlyInAnyOrderEntriesOf(Map.of("five", 12L, "interval", 1L, "daily", 1L, "weekly", 1L));
        assertThat(published).extracting(RequestBackup::jobId).doesNotHaveDuplicates();

        JdbcClient catalog = first.getBean(JdbcClient.class);
        // and one drill
        List<RequestDrill> drills = tap.awaitExactly(RequestDrill.class, 1, Duration.ofSeconds(20));
        assertThat(drills).singleElement().satisfies(d -> {
            assertThat(d.requestedBy()).isEqualTo("scheduler:drill");
            assertThat(d.backupId()).isNull();
        });
        List<UUID> recorded = catalog.sql("SELECT job_id FROM scheduler.fires WHERE status = 'PUBLISHED'")
                .query(UUID.class).list();
        List<UUID> jobs = new java.util.ArrayList<>(published.stream().map(RequestBackup::jobId).toList());
        jobs.add(drills.get(0).jobId());
        assertThat(recorded).containsExactlyInAnyOrderElementsOf(jobs);
        assertThat(catalog.sql("SELECT fire_at FROM scheduler.fires WHERE schedule = 'drill'")
                .query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
        assertThat(catalog.sql("SELECT count(*) FROM scheduler.fires WHERE status <> 'PUBLISHED'").query(Integer.class)
                .single()).isZero();
        assertThat(catalog.sql("SELECT fire_at FROM scheduler.fires WHERE schedule = 'daily'")
                .query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
    }
}
