package io.taskagent.backup.scheduler.settings;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's settings and schedules in the catalog ({@code scheduler.settings}, {@code scheduler.schedules};
 * this service is their only writer). Every instance reads them on each tick, so a change made by one instance
 * (through a command) is in force on all of them. On the very first start the defaults from configuration are
 * stored (once, whatever the number of instances starting).
 */
@Repository
public class SettingsStore {

    private static final Logger log = LoggerFactory.getLogger(SettingsStore.class);
    private static final String SELECT = """
            SELECT running, time_zone, interval_hours, interval_enabled, daily_time, daily_enabled, weekly_day,
                   weekly_enabled, monthly_enabled, cleanup_time, keep_hourly, keep_daily, keep_weekly, keep_monthly,
                   keep_manual, keep_pre_restore_days, max_backup_size_mb, compression_enabled, version, created_at,
                   updated_by
            FROM settings WHERE id = 1""";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Settings defaults;

    public SettingsStore(JdbcClient jdbc, TransactionTemplate tx, SchedulerProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.defaults = properties.initialSettings();
    }

    /** The stored settings; on the very first start the defaults from configuration are stored first. */
    public StoredSettings current(Instant now) {
        return load(SELECT).orElseGet(() -> {
            initialise(now);
            return load(SELECT).orElseThrow();
        });
    }

    /** The same, locking the settings until the surrounding transaction ends (for a change). */
    public StoredSettings lockCurrent(Instant now) {
        return load(SELECT + " FOR UPDATE").orElseGet(() -> {
            initialise(now); // joins the surrounding transaction
            return load(SELECT + " FOR UPDATE").orElseThrow();
        });
    }

    private void initialise(Instant now) {
        tx.executeWithoutResult(status -> {
            int inserted = jdbc.sql("""
                            INSERT INTO settings (id, running, time_zone, interval_hours, interval_enabled, daily_time,
                                                  daily_enabled, weekly_day, weekly_enabled, monthly_enabled,
                                                  cleanup_time, keep_hourly, keep_daily, keep_weekly, keep_monthly,
                                                  keep_manual, keep_pre_restore_days, max_backup_size_mb,
                                                  compression_enabled, version, created_at, updated_at, updated_by)
                            VALUES (1, :running, :zone, :intervalHours, :intervalEnabled, :dailyTime, :dailyEnabled,
                                    :weeklyDay, :weeklyEnabled, :monthlyEnabled, :cleanupTime, :keepHourly,
                                    :keepDaily, :keepWeekly, :keepMonthly, :keepManual, :keepPreRestoreDays,
                                    :maxBackupSizeMb, :compressionEnabled, 1, :now, :now, 'configuration')
                            ON CONFLICT (id) DO NOTHING""")
                    .params(columns(defaults)).param("now", Timestamp.from(now))
                    .update();
            if (inserted == 1) {
                for (ScheduleDefinition schedule : defaults.schedules()) {
                    upsertSchedule(schedule, now, now);
                }
                log.info("first start: scheduler settings stored from configuration ({} schedules, running: {})",
                        defaults.schedules().size(), defaults.running());
            }
        });
    }

    /**
     * Stores {@code next} (inside the caller's transaction, after {@link #lockCurrent}). A schedule that is new,
     * changed, re-enabled, or whose time zone changed is due only from {@code now} on; an unchanged one keeps its
     * fires. Returns the new version (the old one when nothing changed).
     */
    public long save(StoredSettings current, Settings next, Instant now, String by) {
        if (next.equals(current.settings())) {
            return current.version();
        }
        jdbc.sql("""
                        UPDATE settings SET running = :running, time_zone = :zone, interval_hours = :intervalHours,
                               interval_enabled = :intervalEnabled, daily_time = :dailyTime,
                               daily_enabled = :dailyEnabled, weekly_day = :weeklyDay, weekly_enabled = :weeklyEnabled,
                               monthly_enabled = :monthlyEnabled, cleanup_time = :cleanupTime,
                               keep_hourly = :keepHourly, keep_daily = :keepDaily, keep_weekly = :keepWeekly,
                               keep_monthly = :keepMonthly, keep_manual = :keepManual,
                               keep_pre_restore_days = :keepPreRestoreDays, max_backup_size_mb = :maxBackupSizeMb,
                               compression_enabled = :compressionEnabled, version = version + 1, updated_at = :now, updated_by = :by
                        WHERE id = 1""")
                .params(columns(next)).param("now", Timestamp.from(now)).param("by", by)
                .update();
        boolean zoneChanged = !next.timeZone().equals(current.settings().timeZone());
        Map<String, StoredSettings.StoredSchedule> before = new HashMap<>();
        current.schedules().forEach(s -> before.put(s.definition().name(), s));
        List<String> names = new ArrayList<>();
        for (ScheduleDefinition schedule : next.schedules()) {
            names.add(schedule.name());
            StoredSettings.StoredSchedule old = before.get(schedule.name());
            boolean unchanged = old != null && old.definition().equals(schedule)
                    && (schedule.kind() == ScheduleDefinition.Kind.INTERVAL || !zoneChanged);
            upsertSchedule(schedule, unchanged ? old.since() : now, now);
        }
        jdbc.sql("DELETE FROM schedules WHERE name NOT IN (:names)").param("names", names).update();
        return current.version() + 1;
    }

    /**
     * Sets the running state (inside the caller's transaction, after {@link #lockCurrent}). Starting a stopped
     * scheduler makes every schedule due only from {@code now} on: fires of the stopped time are not caught up.
     */
    public long setRunning(StoredSettings current, boolean running, Instant now, String by) {
        if (current.settings().running() == running) {
            return current.version();
        }
        jdbc.sql("UPDATE settings SET running = :running, version = version + 1, updated_at = :now, updated_by = :by WHERE id = 1")
                .param("running", running).param("now", Timestamp.from(now)).param("by", by).update();
        if (running) {
            jdbc.sql("UPDATE schedules SET since = :now, updated_at = :now").param("now", Timestamp.from(now)).update();
        }
        return current.version() + 1;
    }

    /**
     * Records the next fires computed from the settings as they are now, under the settings' row lock: a Start, Stop
     * or Configure committing meanwhile is either seen or waited for, never overwritten with stale fires.
     */
    public void refreshNextFires(Instant now, Function<StoredSettings, Map<String, Instant>> nextFires) {
        tx.executeWithoutResult(status -> recordNextFires(nextFires.apply(lockCurrent(now))));
    }

    /** Records each schedule's next fire (null: none) for readers of the catalog, where it changed. */
    public void recordNextFires(Map<String, Instant> next) {
        next.forEach((name, at) -> jdbc.sql("""
                        UPDATE schedules SET next_fire_at = :at
                        WHERE name = :name AND next_fire_at IS DISTINCT FROM :at""")
                .param("at", at == null ? null : Timestamp.from(at)).param("name", name)
                .update());
    }

    private void upsertSchedule(ScheduleDefinition schedule, Instant since, Instant now) {
        jdbc.sql("""
                        INSERT INTO schedules (name, kind, spec, enabled, since, next_fire_at, updated_at)
                        VALUES (:name, :kind, :spec, :enabled, :since, NULL, :now)
                        ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, spec = EXCLUDED.spec,
                               enabled = EXCLUDED.enabled, since = EXCLUDED.since, updated_at = EXCLUDED.updated_at""")
                .param("name", schedule.name()).param("kind", schedule.kind().label()).param("spec", schedule.spec())
                .param("enabled", schedule.enabled()).param("since", Timestamp.from(since))
                .param("now", Timestamp.from(now))
                .update();
    }

    private Optional<StoredSettings> load(String select) {
        Map<String, Instant> since = new HashMap<>();
        Map<String, String> cron = new TreeMap<>();
        record Row(Settings settings, long version, Instant createdAt, String updatedBy) {
        }
        Optional<Row> row = jdbc.sql(select).query((rs, n) -> new Row(settings(rs), rs.getLong("version"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("updated_by"))).optional();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        jdbc.sql("SELECT name, kind, spec, since FROM schedules").query(rs -> {
            since.put(rs.getString("name"), rs.getTimestamp("since").toInstant());
            if ("cron".equals(rs.getString("kind"))) {
                cron.put(rs.getString("name"), rs.getString("spec"));
            }
        });
        Settings read = row.get().settings();
        Settings settings = new Settings(read.running(), read.timeZone(), read.intervalHours(), read.intervalEnabled(),
                read.dailyTime(), read.dailyEnabled(), read.weeklyDay(), read.weeklyEnabled(), read.monthlyEnabled(),
                cron, read.cleanupTime(), read.retention(), read.maxBackupSizeMb(), read.compressionEnabled());
        List<StoredSettings.StoredSchedule> schedules = settings.schedules().stream()
                .map(s -> new StoredSettings.StoredSchedule(s,
                        Objects.requireNonNullElse(since.get(s.name()), row.get().createdAt())))
                .toList();
        return Optional.of(new StoredSettings(settings, row.get().version(), row.get().createdAt(),
                row.get().updatedBy(), schedules));
    }

    private static Settings settings(ResultSet rs) throws SQLException {
        return new Settings(rs.getBoolean("running"), ZoneId.of(rs.getString("time_zone")),
                rs.getInt("interval_hours"), rs.getBoolean("interval_enabled"),
                LocalTime.parse(rs.getString("daily_time")), rs.getBoolean("daily_enabled"),
                DayOfWeek.of(rs.getInt("weekly_day") + 1), rs.getBoolean("weekly_enabled"),
                rs.getBoolean("monthly_enabled"), Map.of(), LocalTime.parse(rs.getString("cleanup_time")),
                new Settings.Retention(rs.getInt("keep_hourly"), rs.getInt("keep_daily"), rs.getInt("keep_weekly"),
                        rs.getInt("keep_monthly"), rs.getInt("keep_manual"), rs.getInt("keep_pre_restore_days")),
                rs.getInt("max_backup_size_mb"), rs.getBoolean("compression_enabled"));
    }

    private static Map<String, Object> columns(Settings s) {
        Map<String, Object> p = new HashMap<>();
        p.put("running", s.running());
        p.put("zone", s.timeZone().getId());
        p.put("intervalHours", s.intervalHours());
        p.put("intervalEnabled", s.intervalEnabled());
        p.put("dailyTime", s.dailyTime().toString());
        p.put("dailyEnabled", s.dailyEnabled());
        p.put("weeklyDay", s.weeklyDay().getValue() - 1);
        p.put("weeklyEnabled", s.weeklyEnabled());
        p.put("monthlyEnabled", s.monthlyEnabled());
        p.put("cleanupTime", s.cleanupTime().toString());
        p.put("keepHourly", s.retention().keepHourly());
        p.put("keepDaily", s.retention().keepDaily());
        p.put("keepWeekly", s.retention().keepWeekly());
        p.put("keepMonthly", s.retention().keepMonthly());
        p.put("keepManual", s.retention().keepManual());
        p.put("keepPreRestoreDays", s.retention().keepPreRestoreDays());
        p.put("maxBackupSizeMb", s.maxBackupSizeMb());
        p.put("compressionEnabled", s.compressionEnabled());
        return p;
    }
}
