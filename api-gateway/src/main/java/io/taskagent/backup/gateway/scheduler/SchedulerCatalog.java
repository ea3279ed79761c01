package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The gateway's read side of the settings services, through their read contracts: the scheduler's
 * ({@code scheduler.v1_settings}, {@code v1_schedules}, {@code v1_commands}) and the alert service's
 * ({@code alerts.v1_settings}, {@code v1_commands}). A view that cannot be read is a {@link CatalogUnavailableException}
 * naming it.
 */
@Repository
public class SchedulerCatalog {

    static final String SETTINGS = "scheduler.v1_settings";
    static final String SCHEDULES = "scheduler.v1_schedules";
    static final String COMMANDS = "scheduler.v1_commands";
    static final String ALERT_COMMANDS = "alerts.v1_commands";

    private final JdbcClient jdbc;

    SchedulerCatalog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Whether the scheduler runs, and its next backup fire.
     *
     * @param running      the stored running state
     * @param nextBackupAt the earliest next fire of an enabled backup schedule (null while stopped)
     */
    public record State(boolean running, Instant nextBackupAt) {
    }

    /** The scheduler's state; empty while it has stored no settings yet. */
    public Optional<State> state() {
        Optional<Boolean> running = CatalogUnavailableException.reading(SETTINGS, () -> jdbc.sql("SELECT running FROM scheduler.v1_settings")
                .query(Boolean.class).optional());
        if (running.isEmpty()) {
            return Optional.empty();
        }
        Instant next = !running.get() ? null : CatalogUnavailableException.reading(SCHEDULES, () -> jdbc.sql("""
                        SELECT min(next_fire_at) FROM scheduler.v1_schedules WHERE enabled AND kind <> 'cleanup'""")
                .query(Timestamp.class).optional().map(Timestamp::toInstant).orElse(null));
        return Optional.of(new State(running.get(), next));
    }

    /**
     * One schedule of the scheduler ({@code scheduler.v1_schedules}).
     *
     * @param kind       interval, daily, weekly, monthly, cron or cleanup
     * @param spec       its definition (hours, {@code HH:MM}, a cron expression...)
     * @param nextFireAt its next fire (null while disabled or not yet planned)
     */
    public record Schedule(String name, String kind, String spec, boolean enabled, Instant nextFireAt) {
    }

    /** Every schedule, the next to fire first (disabled ones last). */
    public List<Schedule> schedules() {
        return CatalogUnavailableException.reading(SCHEDULES, () -> jdbc.sql("""
                        SELECT name, kind, spec, enabled, next_fire_at FROM scheduler.v1_schedules
                        ORDER BY enabled DESC, next_fire_at NULLS LAST, name""")
                .query((rs, n) -> new Schedule(rs.getString("name"), rs.getString("kind"), rs.getString("spec"),
                        rs.getBoolean("enabled"), rs.getTimestamp("next_fire_at") == null ? null
                        : rs.getTimestamp("next_fire_at").toInstant()))
                .list());
    }

    /** The command types whose outcomes the alert service records ({@code alerts.v1_commands}). */
    private static final Set<String> ALERT_SERVICE_COMMANDS = Set.of("ConfigureAlerts");

    /**
     * The outcome of the settings commands published under {@code jobId}, reading only the views of the services
     * they went to: the scheduler's (StartScheduler, StopScheduler, ConfigureSchedule, RequestCleanup;
     * {@code scheduler.v1_commands}) and the alert service's (ConfigureAlerts; {@code alerts.v1_commands}).
     *
     * @param commands the types of the commands published under the job (from the audit log)
     */
    public CommandOutcome command(UUID jobId, Collection<String> commands) {
        List<Outcome> outcomes = new ArrayList<>();
        if (commands.stream().anyMatch(c -> !ALERT_SERVICE_COMMANDS.contains(c))) {
            outcomes.addAll(outcomes(COMMANDS, jobId));
        }
        if (commands.stream().anyMatch(ALERT_SERVICE_COMMANDS::contains)) {
            outcomes.addAll(outcomes(ALERT_COMMANDS, jobId));
        }
        Map<String, String> problems = new TreeMap<>();
        outcomes.forEach(o -> problems.putAll(o.problems()));
        return new CommandOutcome(List.copyOf(commands), outcomes.stream().map(Outcome::command).toList(),
                outcomes.isEmpty() ? null : outcomes.get(0).requestedBy(),
                outcomes.stream().map(Outcome::at).min(Instant::compareTo).orElse(null),
                outcomes.stream().map(Outcome::at).max(Instant::compareTo).orElse(null),
                outcomes.stream().allMatch(o -> APPLIED.equals(o.outcome())), problems);
    }

    /**
     * What came of the settings commands of one job.
     *
     * @param published  the command types published under the job
     * @param handled    those their services have recorded an outcome for
     * @param receivedAt when the first was handled (null while none is)
     * @param finishedAt when the last was handled
     * @param applied    whether every one handled was applied
     * @param problems   the rejected ones' problems, by field
     */
    public record CommandOutcome(List<String> published, List<String> handled, String requestedBy, Instant receivedAt,
                                 Instant finishedAt, boolean applied, Map<String, String> problems) {

        /** Every published command has been handled. */
        public boolean complete() {
            return handled.size() >= published.size();
        }
    }

    /** The outcome value of an applied command in the {@code v1_commands} views. */
    public static final String APPLIED = "APPLIED";

    private record Outcome(String command, String requestedBy, Instant at, String outcome, Map<String, String> problems) {
    }

    private List<Outcome> outcomes(String view, UUID jobId) {
        return CatalogUnavailableException.reading(view, () -> jdbc.sql("""
                        SELECT command, requested_by, received_at, outcome, problems::text AS problems
                        FROM %s WHERE job_id = :id ORDER BY received_at""".formatted(view))
                .param("id", jobId)
                .query((rs, n) -> new Outcome(rs.getString("command"), rs.getString("requested_by"),
                        rs.getTimestamp("received_at").toInstant(), rs.getString("outcome"),
                        rs.getString("problems") == null ? Map.of()
                                : MessageJson.mapper().readValue(rs.getString("problems"),
                                new TypeReference<Map<String, String>>() {
                                })))
                .list());
    }

    static final String ALERT_SETTINGS = "alerts.v1_settings";

    /** The stored settings, in the names of {@code POST /configure}; empty while the scheduler has stored none. */
    public Optional<SchedulerConfigView> config() {
        Map<String, String> cron = new TreeMap<>();
        CatalogUnavailableException.reading(SCHEDULES, () -> jdbc.sql(
                        "SELECT name, spec FROM scheduler.v1_schedules WHERE kind = 'cron' ORDER BY name")
                .query((rs, n) -> cron.put(rs.getString("name"), rs.getString("spec"))).list());
        record Alerts(List<String> recipients, Boolean emailEnabled, Boolean onFailure) {
        }
        Alerts alerts = CatalogUnavailableException.reading(ALERT_SETTINGS, () -> jdbc.sql("""
                        SELECT email_recipients::text AS email_recipients, email_alerts_enabled, alert_on_failure
                        FROM alerts.v1_settings""")
                .query((rs, n) -> new Alerts(rs.getString("email_recipients") == null ? null
                        : MessageJson.mapper().readValue(rs.getString("email_recipients"),
                        new TypeReference<List<String>>() {
                        }), (Boolean) rs.getObject("email_alerts_enabled"), (Boolean) rs.getObject("alert_on_failure")))
                .optional().orElse(new Alerts(null, null, null)));
        return CatalogUnavailableException.reading(SETTINGS, () -> jdbc.sql("SELECT * FROM scheduler.v1_settings")
                .query((rs, n) -> new SchedulerConfigView(rs.getBoolean("running"), rs.getString("time_zone"),
                        rs.getInt("interval_hours"), rs.getBoolean("interval_enabled"), rs.getString("daily_time"),
                        rs.getBoolean("daily_enabled"), rs.getInt("weekly_day"), rs.getBoolean("weekly_enabled"),
                        rs.getBoolean("monthly_enabled"), cron, rs.getString("cleanup_time"),
                        rs.getInt("keep_hourly"), rs.getInt("keep_daily"), rs.getInt("keep_weekly"),
                        rs.getInt("keep_monthly"), rs.getInt("keep_manual"), rs.getInt("keep_pre_restore_days"),
                        rs.getInt("max_backup_size_mb"), rs.getBoolean("compression_enabled"),
                        alerts.recipients(), alerts.emailEnabled(), alerts.onFailure(), rs.getLong("version"),
                        rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by")))
                .optional());
    }
}
