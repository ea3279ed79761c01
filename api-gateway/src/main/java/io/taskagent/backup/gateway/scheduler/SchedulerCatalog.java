package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.model.MessageJson;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The gateway's read side of the scheduler, through the scheduler's read contract ({@code scheduler.v1_settings},
 * {@code v1_schedules}, {@code v1_commands}). A view that cannot be read is a {@link CatalogUnavailableException}
 * naming it.
 */
@Repository
public class SchedulerCatalog {

    static final String SETTINGS = "scheduler.v1_settings";
    static final String SCHEDULES = "scheduler.v1_schedules";
    static final String COMMANDS = "scheduler.v1_commands";

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

    /** A scheduler command's outcome as a job (kind {@code scheduler}); empty until the scheduler handled it. */
    public Optional<JobView> command(UUID jobId) {
        return CatalogUnavailableException.reading(COMMANDS, () -> jdbc.sql("""
                        SELECT command, requested_by, received_at, outcome, problems::text AS problems
                        FROM scheduler.v1_commands WHERE job_id = :id ORDER BY received_at LIMIT 1""")
                .param("id", jobId)
                .query((rs, n) -> {
                    boolean applied = "APPLIED".equals(rs.getString("outcome"));
                    Map<String, String> problems = rs.getString("problems") == null ? null
                            : new TreeMap<>(MessageJson.mapper().readValue(rs.getString("problems"),
                            new TypeReference<Map<String, String>>() {
                            }));
                    Instant at = rs.getTimestamp("received_at").toInstant();
                    return new JobView(jobId, "scheduler", rs.getString("command"), null,
                            applied ? "SUCCEEDED" : "FAILED", rs.getString("requested_by"), at, at, at, 1,
                            applied ? null : "rejected by the scheduler: " + problems, null, null, null, null,
                            rs.getString("outcome"), applied ? null : problems, null);
                })
                .optional());
    }
}
