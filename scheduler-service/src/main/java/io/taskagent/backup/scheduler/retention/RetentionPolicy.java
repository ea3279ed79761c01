package io.taskagent.backup.scheduler.retention;

import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.scheduler.settings.Settings;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Which backups of a target to keep, with the semantics of restic's {@code forget}:
 * <ul>
 * <li>scheduled backups (every type but the on-demand and {@code pre_restore} ones) follow GFS rules: keep-hourly N
 * keeps the newest backup of each of the last N hours that have one; daily, weekly (ISO weeks) and monthly likewise.
 * Each rule goes through the backups newest first, independently of the others, and keeps the first backup of each
 * bucket it has not seen yet until it has N buckets. The buckets are local hours (with their UTC offset, so an hour
 * the clocks repeat counts twice), local dates, ISO weeks and months in the configured zone;</li>
 * <li>on-demand backups ({@code manual}, {@code urgent}, {@code pre_migration}): the newest N of each type;</li>
 * <li>{@code pre_restore} safety backups: those of the last N days (N x 24 h before now);</li>
 * <li>never deleted: the target's newest backup, and a backup a running (or queued) verify or restore uses.</li>
 * </ul>
 * A backup is kept if any rule keeps it; the decision lists every rule that does. Ties in time are broken by id, so
 * the decision is a function of the history alone.
 */
final class RetentionPolicy {

    static final Set<String> ON_DEMAND = ScheduleBounds.ON_DEMAND_TYPES;
    static final String PRE_RESTORE = ScheduleBounds.PRE_RESTORE_TYPE;
    static final String NEWEST = "newest";

    /** Newest first; ties broken by id. */
    static final Comparator<StoredBackup> NEWEST_FIRST =
            Comparator.comparing(StoredBackup::createdAt).thenComparing(StoredBackup::id).reversed();

    private record Rule(String name, int count, Function<ZonedDateTime, Object> bucket) {
    }

    /** A local hour and the offset it had: the two occurrences of a repeated hour are two buckets. */
    private record Hour(LocalDateTime hour, ZoneOffset offset) {
    }

    private final Settings.Retention retention;
    private final ZoneId zone;
    private final List<Rule> rules;

    RetentionPolicy(Settings.Retention retention, ZoneId zone) {
        this.retention = retention;
        this.zone = zone;
        this.rules = List.of(
                new Rule("hourly", retention.keepHourly(),
                        t -> new Hour(t.toLocalDateTime().truncatedTo(ChronoUnit.HOURS), t.getOffset())),
                new Rule("daily", retention.keepDaily(), ZonedDateTime::toLocalDate),
                new Rule("weekly", retention.keepWeekly(),
                        t -> List.of(t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))),
                new Rule("monthly", retention.keepMonthly(), YearMonth::from));
    }

    /**
     * The decision for each backup, newest first.
     *
     * @param backups the target's available backups
     * @param inUse   backups a running or queued verify or restore uses, with the job's kind
     * @param now     the time of the cleanup
     */
    List<RetentionDecision> decide(Collection<StoredBackup> backups, Map<UUID, String> inUse, Instant now) {
        List<StoredBackup> sorted = backups.stream().sorted(NEWEST_FIRST).toList();
        Map<UUID, List<String>> reasons = new LinkedHashMap<>();
        sorted.forEach(b -> reasons.put(b.id(), new ArrayList<>()));
        if (!sorted.isEmpty()) {
            reasons.get(sorted.get(0).id()).add(NEWEST);
        }
        for (StoredBackup b : sorted) {
            String kind = inUse.get(b.id());
            if (kind != null) {
                reasons.get(b.id()).add("in use by a running " + kind);
            }
        }
        List<StoredBackup> scheduled = sorted.stream()
                .filter(b -> !ON_DEMAND.contains(b.backupType()) && !PRE_RESTORE.equals(b.backupType())).toList();
        for (Rule rule : rules) {
            Set<Object> seen = new HashSet<>();
            for (StoredBackup b : scheduled) {
                if (seen.size() == rule.count()) {
                    break;
                }
                if (seen.add(rule.bucket().apply(b.createdAt().atZone(zone)))) {
                    reasons.get(b.id()).add(rule.name());
                }
            }
        }
        Map<String, Integer> perType = new HashMap<>();
        Instant preRestoreCutoff = now.minus(Duration.ofDays(retention.keepPreRestoreDays()));
        for (StoredBackup b : sorted) {
            if (ON_DEMAND.contains(b.backupType())
                    && perType.merge(b.backupType(), 1, Integer::sum) <= retention.keepManual()) {
                reasons.get(b.id()).add("last " + retention.keepManual() + " " + b.backupType());
            } else if (PRE_RESTORE.equals(b.backupType()) && b.createdAt().isAfter(preRestoreCutoff)) {
                reasons.get(b.id()).add("pre_restore within " + retention.keepPreRestoreDays() + " days");
            }
        }
        return sorted.stream().map(b -> {
            List<String> why = reasons.get(b.id());
            return why.isEmpty() ? new RetentionDecision(b, false, List.of(deleteReason(b)))
                    : new RetentionDecision(b, true, why);
        }).toList();
    }

    private String deleteReason(StoredBackup b) {
        if (ON_DEMAND.contains(b.backupType())) {
            return "not among the last " + retention.keepManual() + " " + b.backupType() + " backups";
        }
        if (PRE_RESTORE.equals(b.backupType())) {
            return "pre_restore backup older than " + retention.keepPreRestoreDays() + " days";
        }
        return "kept by no rule (hourly " + retention.keepHourly() + ", daily " + retention.keepDaily()
                + ", weekly " + retention.keepWeekly() + ", monthly " + retention.keepMonthly() + ")";
    }
}
