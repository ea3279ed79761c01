package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestDrill;
import io.taskagent.backup.model.job.JobKind;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Restore drills ({@code /api/backup/drills}): start one (scope {@code backup:restore}), list them newest first with
 * outcome, recovery time and backup, and show one with every comparison. Read from the worker's read contract
 * {@code worker.v1_jobs} (jobs of kind {@code drill}, their result document). The web dashboard's drill button calls
 * {@link #start} itself.
 */
@RestController
@RequestMapping("/api/backup/drills")
public class DrillController {

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final JdbcClient jdbc;
    private final String source;

    DrillController(AuditedCommands commands, AuditLog audit, JdbcClient jdbc, GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.jdbc = jdbc;
        this.source = properties.target();
    }

    /** Body of {@code POST /api/backup/drills}: the backup to drill; none: the newest available one. */
    public record DrillRequest(String backupId) {
    }

    /**
     * One drill.
     *
     * @param status        QUEUED, RUNNING, SUCCEEDED (passed) or FAILED
     * @param passed        the backup rebuilt its database exactly (null while not finished)
     * @param recoveryMs    wall time from the drill's start to a usable database (the RTO)
     * @param problemCount  differences found (or why it could not run)
     * @param details       the whole result (every comparison), in {@code GET /drills/{id}} only
     */
    public record DrillView(UUID jobId, String status, Boolean passed, Instant requestedAt, Instant finishedAt, UUID backupId,
                     String fileName, Long recoveryMs, Long tables, Long rows, int problemCount, List<String> problems,
                     JsonNode details) {
    }

    @PostMapping
    public ResponseEntity<CommandAccepted> start(Caller caller, @RequestBody(required = false) DrillRequest body) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        String backup = body == null ? null : body.backupId();
        parameters.put("backup_id", backup);
        UUID backupId = null;
        if (backup != null) {
            try {
                backupId = UUID.fromString(backup);
            } catch (IllegalArgumentException e) {
                audit.record(caller, "backup.drill", parameters, "REJECTED", null, "backup_id is not a UUID");
                throw new ValidationException(Map.of("backup_id", "must be a UUID"));
            }
        }
        RequestDrill command = RequestDrill.of(UUID.randomUUID(), source, backupId, caller.name());
        commands.publish(caller, "backup.drill", parameters, command);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/drills/" + command.jobId()))
                .body(CommandAccepted.queued(command.jobId(), JobKind.DRILL.label(), null, source, null));
    }

    private static final String SELECT = """
            SELECT id, status, requested_at, finished_at, subject_id, result::text AS result
            FROM worker.v1_jobs WHERE kind = 'drill'""";

    @GetMapping
    public List<DrillView> list(Caller caller, @RequestParam(defaultValue = "20") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new ValidationException(Map.of("limit", "must be 1 to 1000"));
        }
        return CatalogUnavailableException.reading("worker.v1_jobs", () -> jdbc.sql(SELECT
                        + " ORDER BY requested_at DESC LIMIT :limit").param("limit", limit)
                .query((rs, n) -> view(rs, false)).list());
    }

    @GetMapping("/{id}")
    DrillView one(Caller caller, @PathVariable UUID id) {
        return CatalogUnavailableException.reading("worker.v1_jobs", () -> jdbc.sql(SELECT + " AND id = :id")
                        .param("id", id).query((rs, n) -> view(rs, true)).optional())
                .orElseThrow(() -> new NotFoundException("no drill " + id));
    }

    private static DrillView view(ResultSet rs, boolean details) throws SQLException {
        String status = rs.getString("status");
        JsonNode result = rs.getString("result") == null ? null : MessageJson.mapper().readTree(rs.getString("result"));
        List<String> problems = result == null || !result.has("problems") ? List.of()
                : result.get("problems").valueStream().map(JsonNode::asString).toList();
        UUID backupId = rs.getObject("subject_id", UUID.class);
        if (backupId == null && result != null && result.hasNonNull("backup_id")) {
            backupId = UUID.fromString(result.get("backup_id").asString());
        }
        boolean finished = "SUCCEEDED".equals(status) || "FAILED".equals(status);
        return new DrillView(rs.getObject("id", UUID.class), status, finished ? "SUCCEEDED".equals(status) : null,
                instant(rs.getTimestamp("requested_at")), instant(rs.getTimestamp("finished_at")), backupId,
                text(result, "file_name"), number(result, "recovery_ms"), number(result, "tables"),
                number(result, "rows"), problems.size(), problems, details ? result : null);
    }

    private static String text(JsonNode result, String field) {
        return result != null && result.hasNonNull(field) ? result.get(field).asString() : null;
    }

    private static Long number(JsonNode result, String field) {
        return result != null && result.hasNonNull(field) ? result.get(field).asLong() : null;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
