package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
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
     * The outcome of the settings commands published under {@code jobId}: the scheduler's (StartScheduler,
     * StopScheduler, ConfigureSchedule, RequestCleanup; {@code scheduler.v1_commands}) and the alert service's
     * (ConfigureAlerts; {@code alerts.v1_commands}), as one job of kind {@code scheduler}: SUCCEEDED when every
     * command recorded was applied, FAILED with the problems when one was rejected; empty while none is recorded.
     */
    public Optional<CommandOutcome> command(UUID jobId) {
        List<Outcome> outcomes = new ArrayList<>(outcomes(COMMANDS, jobId));
        outcomes.addAll(outcomes(ALERT_COMMANDS, jobId));
        if (outcomes.isEmpty()) {
            return Optional.empty();
        }
        boolean applied = outcomes.stream().allMatch(o -> "APPLIED".equals(o.outcome()));
        Map<String, String> problems = new TreeMap<>();
        outcomes.forEach(o -> problems.putAll(o.problems()));
        Outcome first = outcomes.get(0);
        Instant last = outcomes.stream().map(Outcome::at).max(Instant::compareTo).orElse(first.at());
        return Optional.of(new CommandOutcome(String.join("+", outcomes.stream().map(Outcome::command).toList()),
                first.requestedBy(), first.at(), last, applied, applied ? Map.of() : problems));
    }

    /**
     * What came of the settings commands of one job.
     *
     * @param commands    the command types, joined with '+', e.g. {@code ConfigureSchedule+ConfigureAlerts}
     * @param receivedAt  when the first was handled
     * @param finishedAt  when the last was handled
     * @param applied     whether every one was applied
     * @param problems    the rejected ones' problems, by field
     */
    public record CommandOutcome(String commands, String requestedBy, Instant receivedAt, Instant finishedAt,
                                 boolean applied, Map<String, String> problems) {
    }

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
