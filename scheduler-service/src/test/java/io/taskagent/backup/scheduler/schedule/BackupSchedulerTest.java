package io.taskagent.backup.scheduler.schedule;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.PublishException;
import io.taskagent.backup.scheduler.retention.CleanupService;
import io.taskagent.backup.scheduler.retention.WorkerCatalog;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.Settings;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.settings.StoredSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;

/**
 * The scheduler's tick driven by a test clock over whole months, with an in-memory fire log: each kind of schedule
 * fires at the right instants, around daylight-saving changes too; missed fires are coalesced; nothing fires while
 * stopped; an unconfirmed fire is retried with the same job.
 */
class BackupSchedulerTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    /** The fire log in memory: one claim per (schedule, instant), shared by any number of schedulers. */
    static final class InMemoryFireLog extends FireLog {
        final Map<String, Map<Instant, UUID>> claimed = new TreeMap<>();
        final Map<String, List<Instant>> skipped = new TreeMap<>();
        final List<PendingFire> stalePending = new ArrayList<>();
        final Map<UUID, String> published = new HashMap<>();

        InMemoryFireLog() {
            super(null);
        }

        @Override
        synchronized boolean exists(String schedule, Instant fireAt) {
            return claimed.getOrDefault(schedule, Map.of()).containsKey(fireAt)
                    || skipped.getOrDefault(schedule, List.of()).contains(fireAt);
        }

        @Override
        synchronized boolean claim(String schedule, Instant fireAt, UUID jobId) {
            return !exists(schedule, fireAt)
                    && claimed.computeIfAbsent(schedule, s -> new TreeMap<>()).put(fireAt, jobId) == null;
        }

        @Override
        synchronized boolean skip(String schedule, Instant fireAt) {
            return !exists(schedule, fireAt) && skipped.computeIfAbsent(schedule, s -> new ArrayList<>()).add(fireAt);
        }

        @Override
        synchronized void markPublished(String schedule, Instant fireAt) {
            published.put(claimed.get(schedule).get(fireAt), schedule);
        }

        @Override
        synchronized List<PendingFire> takeOverStalePending(Duration grace) {
            List<PendingFire> taken = List.copyOf(stalePending);
            stalePending.clear();
            return taken;
        }

        @Override
        synchronized java.util.Optional<Instant> latest(String schedule) {
            List<Instant> all = new ArrayList<>(claimed.getOrDefault(schedule, Map.of()).keySet());
            all.addAll(skipped.getOrDefault(schedule, List.of()));
            return all.stream().max(Instant::compareTo);
        }

        List<Instant> fires(String schedule) {
            return List.copyOf(claimed.getOrDefault(schedule, Map.of()).keySet());
        }
    }

    /** Settings held in memory, every schedule due from {@code since}. */
    static final class FixedSettings extends SettingsStore {
        volatile StoredSettings stored;

        FixedSettings(SchedulerProperties properties, Instant since) {
            super(null, null, properties);
            Settings settings = properties.initialSettings();
            stored = new StoredSettings(settings, 1, since, "test", settings.schedules().stream()
                    .map(d -> new StoredSettings.StoredSchedule(d, since)).toList());
        }

        @Override
        public StoredSettings current(Instant now) {
            return stored;
        }

        @Override
        public void recordNextFires(Map<String, Instant> next) {
        }

        @Override
        public void refreshNextFires(Instant now, Function<StoredSettings, Map<String, Instant>> next) {
        }

        void running(boolean running) {
            stored = new StoredSettings(stored.settings().withRunning(running), stored.version() + 1, stored.createdAt(),
                    "test", stored.schedules());
        }
    }

    static SchedulerProperties properties(boolean catchUp, Map<String, String> cron) {
        return properties(catchUp, cron, new SchedulerProperties.Drill(false, "0 0 4 * * SUN", 0, Duration.ofDays(8)));
    }

    static SchedulerProperties properties(boolean catchUp, Map<String, String> cron, SchedulerProperties.Drill drill) {
        return new SchedulerProperties(true, "taskagent", "Europe/Berlin", 6, true, "02:30", true, 6, true, true, cron,
                "03:00", new SchedulerProperties.Retention(24, 30, 12, 12, 10, 7), 500, true, catchUp,
                Duration.ofMinutes(5), Duration.ofSeconds(30), false, null, Duration.ofMinutes(60), Map.of(), drill);
    }

    final InMemoryFireLog fires = new InMemoryFireLog();
    final List<RequestBackup> requests = new ArrayList<>();
    final List<RequestDrill> drills = new ArrayList<>();
    final List<UUID> cleanups = new ArrayList<>();
    final ConfirmingPublisher publisher = mock(ConfirmingPublisher.class);
    final CleanupService cleanup = mock(CleanupService.class);
    final WorkerCatalog catalog = mock(WorkerCatalog.class);

    BackupSchedulerTest() {
        doAnswer(i -> {
            synchronized (requests) {
                Object command = i.getArgument(0);
                if (command instanceof RequestDrill drill) {
                    drills.add(drill);
                } else {
                    requests.add((RequestBackup) command);
                }
            }
            return null;
        }).when(publisher).publishCommand(any());
        doAnswer(i -> {
            synchronized (cleanups) {
                cleanups.add(i.getArgument(0));
            }
            return null;
        }).when(cleanup).run(any(), anyBoolean(), anyString(), any());
    }

    BackupScheduler scheduler(SchedulerProperties properties, SettingsStore settings) {
        return new BackupScheduler(fires, settings, publisher, cleanup, properties, new SimpleMeterRegistry(), catalog);
    }

    static Instant at(int month, int day, int hour, int minute, String offset) {
        return OffsetDateTime.of(2026, month, day, hour, minute, 0, 0, ZoneOffset.of(offset)).toInstant();
    }

    /** Ticks every {@code step} from {@code from} (exclusive) to {@code to} (inclusive). */
    static void run(BackupScheduler scheduler, Instant from, Instant to, Duration step) {
        for (Instant t = from.plus(step); !t.isAfter(to); t = t.plus(step)) {
            scheduler.tick(t);
        }
    }

    /** Expected local fires at {@code time} (Berlin) on each listed day of a month, as instants. */
    static List<Instant> localFires(int month, List<Integer> days, int hour, int minute) {
        List<Instant> all = new ArrayList<>();
        for (int day : days) {
            all.add(java.time.ZonedDateTime.of(LocalDate.of(2026, month, day), java.time.LocalTime.of(hour, minute), BERLIN)
                    .toInstant());
        }
        return all;
    }

    static List<Integer> days(int from, int to) {
        List<Integer> all = new ArrayList<>();
        for (int d = from; d <= to; d++) {
            all.add(d);
        }
        return all;
    }

    @Test
    void acrossMarchEveryKindFiresAtItsInstantsIncludingTheDaylightSavingJump() {
        SchedulerProperties p = properties(true, Map.of("nightly", "0 30 2 * * *"));
        Instant start = at(3, 1, 0, 0, "+01:00");
        Instant end = at(4, 1, 0, 0, "+02:00");
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        run(scheduler, start, end, Duration.ofMinutes(1));

        List<Instant> interval = fires.fires("interval");
        assertThat(interval).hasSize(31 * 4).first().isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
        for (int i = 1; i < interval.size(); i++) {
            assertThat(Duration.between(interval.get(i - 1), interval.get(i))).isEqualTo(Duration.ofHours(6));
        }
        List<Instant> daily = fires.fires("daily");
        assertThat(daily).hasSize(31).contains(at(3, 28, 2, 30, "+01:00"), at(3, 29, 3, 30, "+02:00"),
                at(3, 30, 2, 30, "+02:00"));
        assertThat(daily).isEqualTo(localFires(3, days(1, 31), 2, 30)); // java.time moves 02:30 on the 29th to 03:30
        assertThat(fires.fires("weekly")).containsExactly(at(3, 1, 2, 30, "+01:00"), at(3, 8, 2, 30, "+01:00"),
                at(3, 15, 2, 30, "+01:00"), at(3, 22, 2, 30, "+01:00"), at(3, 29, 3, 30, "+02:00"));
        assertThat(fires.fires("monthly")).containsExactly(at(3, 1, 2, 30, "+01:00"));
        List<Integer> notThe29th = days(1, 31);
        notThe29th.remove(Integer.valueOf(29));
        assertThat(fires.fires("nightly")).as("Spring cron skips a time the clocks jump over")
                .isEqualTo(localFires(3, notThe29th, 2, 30));
        assertThat(fires.fires("cleanup")).isEqualTo(localFires(3, days(1, 31), 3, 0));

        assertThat(requests).hasSize(124 + 31 + 5 + 1 + 30);
        assertThat(requests).allSatisfy(r -> {
            assertThat(fires.published).containsEntry(r.jobId(), r.backupType());
            assertThat(r.requestedBy()).isEqualTo("scheduler:" + r.backupType());
            assertThat(r.target()).isEqualTo("taskagent");
        });
        assertThat(requests).extracting(RequestBackup::jobId).doesNotHaveDuplicates();
        assertThat(cleanups).hasSize(31).doesNotHaveDuplicates();
        assertThat(fires.skipped).isEmpty();
    }

    @Test
    void acrossOctoberTheRepeatedHourFiresCalendarSchedulesOnceAndCronTwice() {
        SchedulerProperties p = properties(true, Map.of("nightly", "0 30 2 * * *"));
        Instant start = at(10, 1, 0, 0, "+02:00");
        Instant end = at(11, 1, 0, 0, "+01:00");
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        run(scheduler, start, end, Duration.ofMinutes(1));

        assertThat(fires.fires("interval")).hasSize(124); // 31 days and an hour: still every 6 h of elapsed time
        assertThat(fires.fires("daily")).hasSize(31).contains(at(10, 25, 2, 30, "+02:00"))
                .doesNotContain(at(10, 25, 2, 30, "+01:00"));
        assertThat(fires.fires("nightly")).hasSize(32).contains(at(10, 25, 2, 30, "+02:00"), at(10, 25, 2, 30, "+01:00"));
        assertThat(fires.fires("weekly")).containsExactly(at(10, 4, 2, 30, "+02:00"), at(10, 11, 2, 30, "+02:00"),
                at(10, 18, 2, 30, "+02:00"), at(10, 25, 2, 30, "+02:00"));
        assertThat(fires.fires("monthly")).containsExactly(at(10, 1, 2, 30, "+02:00"));
    }

    @Test
    void twoSchedulersTickingTheSameInstantsShareOneFireLogAndFireEachOnce() throws Exception {
        SchedulerProperties p = properties(true, Map.of("quarter", "0 0/15 * * * *"));
        Instant start = at(3, 29, 0, 30, "+01:00");
        FixedSettings settings = new FixedSettings(p, start);
        BackupScheduler a = scheduler(p, settings);
        BackupScheduler b = scheduler(p, settings);
        Thread other = new Thread(() -> run(b, start, start.plus(Duration.ofHours(2)), Duration.ofSeconds(20)));
        other.start();
        run(a, start, start.plus(Duration.ofHours(2)), Duration.ofSeconds(20));
        other.join();
        assertThat(fires.fires("quarter")).hasSize(8);
        assertThat(requests.stream().filter(r -> r.backupType().equals("quarter"))).hasSize(8);
        assertThat(requests).extracting(RequestBackup::jobId).doesNotHaveDuplicates();
    }

    @Test
    void firesMissedWhileEveryInstanceWasDownAreCaughtUpOncePerSchedule() {
        SchedulerProperties p = properties(true, Map.of("hourly", "0 0 * * * *"));
        Instant start = at(3, 1, 0, 0, "+01:00");
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        run(scheduler, start, at(3, 5, 12, 0, "+01:00"), Duration.ofMinutes(1));
        int before = requests.size();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : List.of("interval", "daily", "weekly", "hourly", "cleanup", "monthly")) {
            counts.put(s, fires.fires(s).size());
        }

        // down from 12:00 on the 5th to 09:10 on the 9th (a Monday: the weekly Sunday fire was missed too)
        Instant back = at(3, 9, 9, 10, "+01:00");
        scheduler.tick(back);
        assertThat(fires.fires("interval")).hasSize(counts.get("interval") + 1).last().isEqualTo(Instant.parse("2026-03-09T06:00:00Z"));
        assertThat(fires.fires("daily")).hasSize(counts.get("daily") + 1).last().isEqualTo(at(3, 9, 2, 30, "+01:00"));
        assertThat(fires.fires("weekly")).hasSize(counts.get("weekly") + 1).last().isEqualTo(at(3, 8, 2, 30, "+01:00"));
        assertThat(fires.fires("hourly")).hasSize(counts.get("hourly") + 1).last().isEqualTo(at(3, 9, 9, 0, "+01:00"));
        assertThat(fires.fires("cleanup")).hasSize(counts.get("cleanup") + 1);
        assertThat(fires.fires("monthly")).hasSize(counts.get("monthly"));
        assertThat(requests).hasSize(before + 4);

        scheduler.tick(back.plusSeconds(30));
        assertThat(requests).as("caught up once, not again").hasSize(before + 4);
        run(scheduler, back, at(3, 9, 10, 0, "+01:00"), Duration.ofMinutes(1));
        assertThat(fires.fires("hourly")).last().isEqualTo(at(3, 9, 10, 0, "+01:00"));
    }

    @Test
    void withCatchUpOffMissedFiresAreRecordedAsSkippedAndTheNextOnesFire() {
        SchedulerProperties p = properties(false, Map.of());
        Instant start = at(3, 1, 0, 0, "+01:00");
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        run(scheduler, start, at(3, 2, 0, 0, "+01:00"), Duration.ofMinutes(1));
        int before = requests.size();

        scheduler.tick(at(3, 4, 9, 10, "+01:00"));
        assertThat(requests).hasSize(before);
        assertThat(fires.skipped.keySet()).containsExactlyInAnyOrder("interval", "daily", "cleanup");
        assertThat(fires.skipped.get("daily")).containsExactly(at(3, 4, 2, 30, "+01:00"));

        run(scheduler, at(3, 4, 9, 10, "+01:00"), at(3, 4, 13, 0, "+01:00"), Duration.ofMinutes(1));
        assertThat(requests).hasSize(before + 1);
        assertThat(fires.fires("interval")).last().isEqualTo(Instant.parse("2026-03-04T12:00:00Z"));
    }

    @Test
    void nothingFiresWhileStoppedNorAtOrBeforeAScheduleWasSetUp() {
        SchedulerProperties p = properties(true, Map.of());
        Instant start = at(3, 1, 2, 30, "+01:00"); // exactly a daily and the monthly fire: set up then, not due
        FixedSettings settings = new FixedSettings(p, start);
        BackupScheduler scheduler = scheduler(p, settings);
        scheduler.tick(start);
        assertThat(requests).isEmpty();

        settings.running(false);
        run(scheduler, start, at(3, 3, 0, 0, "+01:00"), Duration.ofMinutes(1));
        assertThat(requests).isEmpty();
        assertThat(cleanups).isEmpty();
    }

    @Test
    void aFireTheBrokerDidNotConfirmStaysPendingAndIsPublishedAgainWithTheSameJob() {
        SchedulerProperties p = properties(true, Map.of());
        Instant start = at(3, 1, 6, 59, "+01:00"); // only the interval fire at 06:00Z is due
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        doThrow(new PublishException("the broker did not confirm RequestBackup within 10000 ms"))
                .doAnswer(i -> requests.add(i.getArgument(0)))
                .when(publisher).publishCommand(any());

        Instant fire = Instant.parse("2026-03-01T06:00:00Z");
        scheduler.tick(fire.plusSeconds(5));
        UUID job = fires.claimed.get("interval").get(fire);
        assertThat(fires.published).doesNotContainKey(job);
        assertThat(requests).isEmpty();

        fires.stalePending.add(new FireLog.PendingFire("interval", fire, job));
        scheduler.tick(fire.plusSeconds(90));
        assertThat(requests).extracting(RequestBackup::jobId).containsExactly(job);
        assertThat(fires.published).containsEntry(job, "interval");
    }

    @Test
    void theDrillFiresOnSundaysAtFourInTheSchedulersZoneOncePerWeekAndNotWhenOff() {
        SchedulerProperties on = properties(true, Map.of(), new SchedulerProperties.Drill(true, "0 0 4 * * SUN", 0,
                Duration.ofDays(8)));
        Instant start = at(3, 1, 0, 0, "+01:00"); // a Sunday, before 04:00
        Instant end = at(4, 1, 0, 0, "+02:00");
        run(scheduler(on, new FixedSettings(on, start)), start, end, Duration.ofMinutes(1));

        // Sundays of March 2026: 1, 8, 15, 22, 29 (the last one after the daylight-saving jump)
        assertThat(fires.fires("drill")).isEqualTo(localFires(3, List.of(1, 8, 15, 22, 29), 4, 0));
        assertThat(drills).hasSize(5).allSatisfy(d -> {
            assertThat(d.backupId()).as("the newest backup").isNull();
            assertThat(d.requestedBy()).isEqualTo("scheduler:drill");
            assertThat(d.target()).isEqualTo("taskagent");
        });
        assertThat(drills).extracting(RequestDrill::jobId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(fires.claimed.get("drill").values());

        InMemoryFireLog otherLog = new InMemoryFireLog();
        drills.clear();
        SchedulerProperties off = properties(true, Map.of(), new SchedulerProperties.Drill(false, "0 0 4 * * SUN", 0,
                Duration.ofDays(8)));
        run(new BackupScheduler(otherLog, new FixedSettings(off, start), publisher, cleanup, off,
                new SimpleMeterRegistry(), catalog), start, end, Duration.ofMinutes(1));
        assertThat(otherLog.fires("drill")).isEmpty();
        assertThat(drills).isEmpty();
    }

    @Test
    void aDrillCronReplacesTheWeeklyDefault() {
        SchedulerProperties p = properties(true, Map.of(), new SchedulerProperties.Drill(true, "0 15 1 * * MON-FRI", 0,
                Duration.ofDays(8)));
        Instant start = at(3, 1, 0, 0, "+01:00");
        Instant end = at(3, 8, 0, 0, "+01:00");
        run(scheduler(p, new FixedSettings(p, start)), start, end, Duration.ofMinutes(1));
        assertThat(fires.fires("drill")).isEqualTo(localFires(3, days(2, 6), 1, 15));
        assertThat(drills).hasSize(5);
    }

    @Test
    void afterEveryThirdBackupADrillFiresOnceItIsRecordedCountingFromThePreviousOne() {
        SchedulerProperties p = properties(true, Map.of(), new SchedulerProperties.Drill(true, "0 0 4 1 1 *", 3,
                Duration.ofDays(8)));
        Instant start = at(3, 2, 0, 0, "+01:00");
        List<Instant> backups = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            backups.add(start.plus(Duration.ofMinutes(10L * i)));
        }
        // the worker's catalog as it grows: the backups recorded up to each tick
        org.mockito.Mockito.when(catalog.nthBackupAfter(anyString(), any(), org.mockito.ArgumentMatchers.anyInt()))
                .thenAnswer(i -> {
                    Instant after = i.getArgument(1);
                    int n = i.getArgument(2);
                    return backups.stream().filter(b -> b.isAfter(after)).skip(n - 1).findFirst();
                });
        BackupScheduler scheduler = scheduler(p, new FixedSettings(p, start));
        for (Instant t = start; !t.isAfter(start.plus(Duration.ofMinutes(80))); t = t.plus(Duration.ofSeconds(30))) {
            scheduler.tick(t);
        }
        // the 3rd and the 6th backup; the 7th waits for two more
        assertThat(fires.fires("drill_after_backups")).containsExactly(backups.get(2), backups.get(5));
        assertThat(drills).hasSize(2).allSatisfy(d -> assertThat(d.requestedBy())
                .isEqualTo("scheduler:drill_after_backups"));
        assertThat(fires.fires("drill")).isEmpty();
    }

    @Test
    void nextFiresAndTheRunningStateAreExportedAsGauges() {
        SchedulerProperties p = properties(true, Map.of(), new SchedulerProperties.Drill(true, "0 0 4 * * SUN", 0,
                Duration.ofDays(8)));
        Instant start = at(3, 2, 0, 0, "+01:00"); // a Monday
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        FixedSettings settings = new FixedSettings(p, start);
        BackupScheduler scheduler = new BackupScheduler(fires, settings, publisher, cleanup, p, meters, catalog);
        scheduler.tick(start.plusSeconds(30));
        assertThat(meters.get("scheduler.next.fire.seconds").tag("schedule", "drill").gauge().value())
                .isEqualTo(at(3, 8, 4, 0, "+01:00").getEpochSecond());
        assertThat(meters.get("scheduler.next.fire.seconds").tag("schedule", "daily").gauge().value())
                .isEqualTo(at(3, 2, 2, 30, "+01:00").getEpochSecond());
        assertThat(meters.get("scheduler.running").gauge().value()).isEqualTo(1.0);

        settings.running(false);
        scheduler.tick(start.plusSeconds(60));
        assertThat(meters.get("scheduler.running").gauge().value()).isZero();
        assertThat(meters.find("scheduler.next.fire.seconds").gauges()).as("nothing fires while stopped").isEmpty();
    }
}
