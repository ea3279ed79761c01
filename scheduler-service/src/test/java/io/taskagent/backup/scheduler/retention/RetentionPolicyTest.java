package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.scheduler.settings.Settings;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retention policy against a reference model of its rules, written the other way round (group the backups by
 * bucket, take the newest of each, keep the N newest buckets), over thousands of generated histories; plus the
 * edge cases: empty history, daylight-saving changes, month ends in a zone, ISO week 53.
 */
class RetentionPolicyTest {

    static final Set<String> ON_DEMAND = Set.of("manual", "urgent", "pre_migration");
    static final List<String> TYPES = List.of("interval", "interval", "interval", "daily", "weekly", "monthly",
            "nightly", "manual", "urgent", "pre_migration", "pre_restore");
    static final List<ZoneId> ZONES = List.of(ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
            ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kolkata"), ZoneId.of("Pacific/Chatham"), ZoneId.of("UTC"));

    /** The newer of two backups: later, or on a tie the greater id. */
    static final Comparator<StoredBackup> AGE = Comparator.comparing(StoredBackup::createdAt).thenComparing(StoredBackup::id);

    // ---------------------------------------------------------------- the reference model

    /** ISO week by its definition: the week (Monday to Sunday) belongs to the year of its Thursday. */
    static String isoWeek(LocalDate date) {
        LocalDate thursday = date.plusDays(DayOfWeek.THURSDAY.getValue() - date.getDayOfWeek().getValue());
        return thursday.getYear() + "-W" + ((thursday.getDayOfYear() - 1) / 7 + 1);
    }

    static Map<String, Function<Instant, String>> buckets(ZoneId zone) {
        Map<String, Function<Instant, String>> b = new LinkedHashMap<>();
        b.put("hourly", t -> DateTimeFormatter.ofPattern("yyyy-MM-dd HH xxx").format(t.atZone(zone)));
        b.put("daily", t -> LocalDateTime.ofInstant(t, zone).toLocalDate().toString());
        b.put("weekly", t -> isoWeek(LocalDateTime.ofInstant(t, zone).toLocalDate()));
        b.put("monthly", t -> DateTimeFormatter.ofPattern("yyyy-MM").format(t.atZone(zone)));
        return b;
    }

    /** Every reason each backup is kept for; an empty set means deleted. */
    static Map<UUID, Set<String>> reference(List<StoredBackup> history, Settings.Retention r, ZoneId zone,
                                            Map<UUID, String> inUse, Instant now) {
        Map<UUID, Set<String>> keep = new HashMap<>();
        history.forEach(b -> keep.put(b.id(), new HashSet<>()));
        history.stream().max(AGE).ifPresent(b -> keep.get(b.id()).add("newest"));
        inUse.forEach((id, kind) -> {
            if (keep.containsKey(id)) {
                keep.get(id).add("in use by a running " + kind);
            }
        });
        List<StoredBackup> scheduled = history.stream()
                .filter(b -> !ON_DEMAND.contains(b.backupType()) && !b.backupType().equals("pre_restore")).toList();
        Map<String, Integer> counts = Map.of("hourly", r.keepHourly(), "daily", r.keepDaily(), "weekly", r.keepWeekly(),
                "monthly", r.keepMonthly());
        buckets(zone).forEach((rule, bucketOf) -> {
            Map<String, StoredBackup> newestOfBucket = new HashMap<>();
            for (StoredBackup b : scheduled) {
                newestOfBucket.merge(bucketOf.apply(b.createdAt()), b, (x, y) -> AGE.compare(x, y) >= 0 ? x : y);
            }
            newestOfBucket.values().stream().sorted(AGE.reversed()).limit(counts.get(rule))
                    .forEach(b -> keep.get(b.id()).add(rule));
        });
        for (String type : ON_DEMAND) {
            history.stream().filter(b -> b.backupType().equals(type)).sorted(AGE.reversed()).limit(r.keepManual())
                    .forEach(b -> keep.get(b.id()).add("last " + r.keepManual() + " " + type));
        }
        history.stream().filter(b -> b.backupType().equals("pre_restore"))
                .filter(b -> Duration.between(b.createdAt(), now).compareTo(Duration.ofDays(r.keepPreRestoreDays())) < 0)
                .forEach(b -> keep.get(b.id()).add("pre_restore within " + r.keepPreRestoreDays() + " days"));
        return keep;
    }

    // ---------------------------------------------------------------- helpers

    static StoredBackup backup(String type, Instant at) {
        UUID id = UUID.randomUUID();
        return new StoredBackup(id, type + "_backup_x_" + id.toString().substring(0, 8) + ".json.zst", type, at, 1000);
    }

    static Map<UUID, Set<String>> implementation(List<StoredBackup> history, Settings.Retention r, ZoneId zone,
                                                 Map<UUID, String> inUse, Instant now) {
        List<RetentionDecision> decisions = new RetentionPolicy(r, zone).decide(history, inUse, now);
        assertThat(decisions).extracting(d -> d.backup().id()).containsExactlyInAnyOrderElementsOf(
                history.stream().map(StoredBackup::id).toList());
        for (int i = 1; i < decisions.size(); i++) {
            assertThat(AGE.compare(decisions.get(i - 1).backup(), decisions.get(i).backup())).isPositive();
        }
        Map<UUID, Set<String>> keep = new HashMap<>();
        for (RetentionDecision d : decisions) {
            assertThat(d.reasons()).isNotEmpty().doesNotHaveDuplicates();
            keep.put(d.backup().id(), d.keep() ? new HashSet<>(d.reasons()) : new HashSet<>());
        }
        return keep;
    }

    static Set<UUID> kept(Map<UUID, Set<String>> decisions) {
        return decisions.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    // ---------------------------------------------------------------- generated histories

    static List<StoredBackup> history(Random random) {
        int size = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 15 : 120);
        Instant t = Instant.parse("2019-01-01T00:00:00Z").plusSeconds((long) (random.nextDouble() * 11 * 365 * 86400));
        List<StoredBackup> history = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            long gap = switch (random.nextInt(6)) {
                case 0 -> 0; // same instant: ties are broken by id
                case 1 -> random.nextInt(90 * 60);
                case 2 -> random.nextInt(6 * 3600);
                case 3 -> random.nextInt(2 * 86400);
                case 4 -> random.nextInt(9 * 86400);
                default -> random.nextInt(45 * 86400);
            };
            t = t.plusSeconds(gap);
            history.add(backup(TYPES.get(random.nextInt(TYPES.size())), t));
        }
        java.util.Collections.shuffle(history, random);
        return history;
    }

    @Test
    void theImplementationAgreesWithTheReferenceModelOnThousandsOfRandomHistories() {
        long seed = Long.getLong("retention.seed", System.nanoTime());
        Random random = new Random(seed);
        int histories = 2000;
        int deletions = 0;
        for (int n = 0; n < histories; n++) {
            List<StoredBackup> history = history(random);
            Settings.Retention rules = new Settings.Retention(1 + random.nextInt(30), 1 + random.nextInt(40),
                    1 + random.nextInt(10), 1 + random.nextInt(14), 1 + random.nextInt(5), 1 + random.nextInt(10));
            ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
            Map<UUID, String> inUse = new HashMap<>();
            for (StoredBackup b : history) {
                if (random.nextInt(40) == 0) {
                    inUse.put(b.id(), random.nextBoolean() ? "verify" : "restore");
                }
            }
            inUse.put(UUID.randomUUID(), "verify"); // a job on a backup that is not in this history
            Instant now = history.stream().map(StoredBackup::createdAt).max(Comparator.naturalOrder())
                    .orElse(Instant.parse("2026-01-01T00:00:00Z")).plusSeconds(random.nextInt(10 * 86400));

            Map<UUID, Set<String>> expected = reference(history, rules, zone, inUse, now);
            Map<UUID, Set<String>> actual = implementation(history, rules, zone, inUse, now);
            assertThat(actual).as("history %d of seed %d (rerun with -Dretention.seed=%d), %s in %s, %d backups",
                    n, seed, seed, rules, zone, history.size()).isEqualTo(expected);
            deletions += history.size() - kept(actual).size();
        }
        assertThat(deletions).as("the generated histories exercise deletion (seed %d)", seed).isGreaterThan(histories);
    }

    // ---------------------------------------------------------------- edge cases

    static final Settings.Retention DEFAULTS = new Settings.Retention(24, 30, 12, 12, 10, 7);

    @Test
    void anEmptyHistoryDecidesNothing() {
        assertThat(new RetentionPolicy(DEFAULTS, ZoneId.of("UTC")).decide(List.of(), Map.of(), Instant.now())).isEmpty();
    }

    @Test
    void theNewestBackupAndBackupsInUseAreNeverDeletedWhateverTheRules() {
        Settings.Retention one = new Settings.Retention(1, 1, 1, 1, 1, 1);
        StoredBackup oldManual = backup("manual", at("2026-01-01T10:00:00Z"));
        StoredBackup verified = backup("interval", at("2026-01-02T10:00:00Z"));
        StoredBackup plain = backup("interval", at("2026-01-02T11:00:00Z"));
        StoredBackup restoring = backup("interval", at("2026-01-02T12:00:00Z"));
        StoredBackup newest = backup("manual", at("2026-02-01T10:00:00Z"));
        Map<UUID, String> inUse = Map.of(verified.id(), "verify", restoring.id(), "restore");
        List<RetentionDecision> decisions = new RetentionPolicy(one, ZoneId.of("UTC"))
                .decide(List.of(oldManual, verified, plain, restoring, newest), inUse, at("2026-02-02T00:00:00Z"));
        Map<UUID, RetentionDecision> byId = decisions.stream().collect(Collectors.toMap(d -> d.backup().id(), d -> d));
        assertThat(byId.get(newest.id()).reasons()).containsExactly("newest", "last 1 manual");
        assertThat(byId.get(restoring.id()).reasons()).containsExactly("in use by a running restore", "hourly", "daily",
                "weekly", "monthly");
        assertThat(byId.get(verified.id()).reasons()).containsExactly("in use by a running verify");
        assertThat(byId.get(plain.id()).keep()).isFalse();
        assertThat(byId.get(plain.id()).reasons()).containsExactly("kept by no rule (hourly 1, daily 1, weekly 1, monthly 1)");
        assertThat(byId.get(oldManual.id()).reasons()).containsExactly("not among the last 1 manual backups");
    }

    @Test
    void aRepeatedHourAtTheEndOfDaylightSavingIsTwoHoursButOneDay() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        StoredBackup firstTwoThirty = backup("interval", at("2026-10-25T02:30:00+02:00"));
        StoredBackup secondTwoThirty = backup("interval", at("2026-10-25T02:30:00+01:00"));
        StoredBackup sameHourLater = backup("interval", at("2026-10-25T02:45:00+01:00"));
        List<StoredBackup> history = List.of(firstTwoThirty, secondTwoThirty, sameHourLater);
        Settings.Retention hourly = new Settings.Retention(3, 1, 1, 1, 1, 1);
        Map<UUID, Set<String>> decided = implementation(history, hourly, berlin, Map.of(), at("2026-10-25T12:00:00Z"));
        assertThat(decided.get(firstTwoThirty.id())).containsExactly("hourly");
        assertThat(decided.get(secondTwoThirty.id())).isEmpty();
        assertThat(decided.get(sameHourLater.id())).containsExactlyInAnyOrder("newest", "hourly", "daily", "weekly", "monthly");
        assertThat(decided).isEqualTo(reference(history, hourly, berlin, Map.of(), at("2026-10-25T12:00:00Z")));

        // the day the clocks jump forward has 23 hours: 01:59 and 03:00 are consecutive hours of one day
        StoredBackup beforeJump = backup("interval", at("2026-03-29T01:59:00+01:00"));
        StoredBackup afterJump = backup("interval", at("2026-03-29T03:00:00+02:00"));
        Map<UUID, Set<String>> spring = implementation(List.of(beforeJump, afterJump), new Settings.Retention(2, 2, 1, 1, 1, 1),
                berlin, Map.of(), at("2026-03-29T12:00:00Z"));
        assertThat(spring.get(beforeJump.id())).containsExactly("hourly");
        assertThat(spring.get(afterJump.id())).contains("hourly", "daily");
    }

    @Test
    void monthAndDayBucketsFollowTheConfiguredZoneNotUtc() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        StoredBackup lastOfJanuary = backup("monthly", at("2026-01-31T23:30:00+01:00")); // 22:30Z
        StoredBackup firstOfFebruary = backup("monthly", at("2026-02-01T00:30:00+01:00")); // 23:30Z, still January in UTC
        StoredBackup endOfFebruary = backup("monthly", at("2026-02-28T23:59:00+01:00"));
        List<StoredBackup> history = List.of(lastOfJanuary, firstOfFebruary, endOfFebruary);
        Settings.Retention monthly = new Settings.Retention(1, 1, 1, 2, 1, 1);
        Map<UUID, Set<String>> inBerlin = implementation(history, monthly, berlin, Map.of(), at("2026-03-01T12:00:00Z"));
        assertThat(kept(inBerlin)).containsExactlyInAnyOrder(lastOfJanuary.id(), endOfFebruary.id());
        assertThat(inBerlin.get(lastOfJanuary.id())).containsExactly("monthly");
        Map<UUID, Set<String>> inUtc = implementation(history, monthly, ZoneId.of("UTC"), Map.of(), at("2026-03-01T12:00:00Z"));
        assertThat(inUtc.get(firstOfFebruary.id())).containsExactly("monthly");
        assertThat(inUtc.get(lastOfJanuary.id())).isEmpty();
        assertThat(inBerlin).isEqualTo(reference(history, monthly, berlin, Map.of(), at("2026-03-01T12:00:00Z")));
    }

    @Test
    void isoWeek53SpansTheTurnOfTheYear() {
        ZoneId utc = ZoneId.of("UTC");
        StoredBackup thursdayW53 = backup("weekly", at("2026-12-31T12:00:00Z")); // 2026-W53
        StoredBackup sundayW53 = backup("weekly", at("2027-01-03T12:00:00Z")); // still 2026-W53
        StoredBackup mondayW01 = backup("weekly", at("2027-01-04T12:00:00Z")); // 2027-W01
        StoredBackup sundayW52 = backup("weekly", at("2026-12-27T12:00:00Z")); // 2026-W52
        List<StoredBackup> history = List.of(thursdayW53, sundayW53, mondayW01, sundayW52);
        assertThat(isoWeek(LocalDate.of(2027, 1, 3))).isEqualTo("2026-W53");
        Settings.Retention weekly = new Settings.Retention(1, 1, 3, 1, 1, 1);
        Map<UUID, Set<String>> decided = implementation(history, weekly, utc, Map.of(), at("2027-01-05T00:00:00Z"));
        assertThat(decided.get(mondayW01.id())).contains("weekly");
        assertThat(decided.get(sundayW53.id())).containsExactly("weekly");
        assertThat(decided.get(thursdayW53.id())).isEmpty();
        assertThat(decided.get(sundayW52.id())).containsExactly("weekly");
        assertThat(decided).isEqualTo(reference(history, weekly, utc, Map.of(), at("2027-01-05T00:00:00Z")));
    }

    @Test
    void onDemandBackupsKeepTheLastNOfEachTypeAndPreRestoreOnesTheirDays() {
        Instant now = at("2026-05-20T00:00:00Z");
        List<StoredBackup> history = new ArrayList<>();
        Map<String, List<StoredBackup>> byType = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            for (String type : List.of("manual", "urgent", "pre_restore")) {
                StoredBackup b = backup(type, now.minus(Duration.ofDays(3L * i + 1)));
                history.add(b);
                byType.computeIfAbsent(type, t -> new ArrayList<>()).add(b);
            }
        }
        Settings.Retention rules = new Settings.Retention(1, 1, 1, 1, 2, 5); // pre_restore: 5 days
        Map<UUID, Set<String>> decided = implementation(history, rules, ZoneId.of("UTC"), Map.of(), now);
        assertThat(decided.get(byType.get("manual").get(1).id())).containsExactly("last 2 manual");
        assertThat(decided.get(byType.get("manual").get(2).id())).isEmpty();
        assertThat(decided.get(byType.get("urgent").get(1).id())).containsExactly("last 2 urgent");
        assertThat(decided.get(byType.get("pre_restore").get(1).id())).containsExactly("pre_restore within 5 days"); // 4 days
        assertThat(decided.get(byType.get("pre_restore").get(2).id())).isEmpty(); // 7 days
        assertThat(decided).isEqualTo(reference(history, rules, ZoneId.of("UTC"), Map.of(), now));
    }

    @Test
    void hourlyKeepsTheNewestOfEachOfTheLastNHoursThatHaveOneLikeResticsForget() {
        // restic's example: keep-hourly 3 over backups at 10:10, 10:50, 11:20, 13:05, 13:55 keeps 13:55, 11:20, 10:50
        ZoneId utc = ZoneId.of("UTC");
        List<StoredBackup> history = new ArrayList<>();
        for (String t : List.of("10:10", "10:50", "11:20", "13:05", "13:55")) {
            history.add(backup("interval", at("2026-06-01T" + t + ":00Z")));
        }
        Map<UUID, Set<String>> decided = implementation(history, new Settings.Retention(3, 1, 1, 1, 1, 1), utc, Map.of(),
                at("2026-06-01T14:00:00Z"));
        assertThat(history.stream().filter(b -> decided.get(b.id()).contains("hourly")).map(b -> b.createdAt().toString()))
                .containsExactlyInAnyOrder("2026-06-01T13:55:00Z", "2026-06-01T11:20:00Z", "2026-06-01T10:50:00Z");
        assertThat(kept(decided)).hasSize(3);
    }
}
