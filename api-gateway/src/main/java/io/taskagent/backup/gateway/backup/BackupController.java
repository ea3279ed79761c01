package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.cleanup.CleanupRunQueries;
import io.taskagent.backup.gateway.cleanup.CleanupRunView;
import io.taskagent.backup.gateway.scheduler.SchedulerCatalog;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.ScheduleBounds;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import io.swagger.v3.oas.annotations.Parameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * On-demand backups, job status and history ({@code /api/backup}). A create answers 202 only after the broker
 * confirmed the {@link RequestBackup} command; otherwise 503 and no job exists. The web dashboard's "Start backup"
 * calls {@link #create} itself (the same validation, confirm and audit; {@code ui.JobsPage}).
 */
@RestController
@RequestMapping("/api/backup")
public class BackupController {

    static final Set<String> ON_DEMAND_TYPES = ScheduleBounds.ON_DEMAND_TYPES;
    /** Request header naming a create, so that sending it again does not make a second job. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final List<String> STATUSES = Arrays.stream(JobStatus.values()).map(Enum::name).sorted().toList();
    private static final List<String> KINDS = Arrays.stream(JobKind.values()).map(JobKind::label).sorted().toList();

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final CatalogQueries catalog;
    private final SchedulerCatalog scheduler;
    private final CleanupRunQueries cleanupRuns;
    private final String target;

    BackupController(AuditedCommands commands, AuditLog audit, CatalogQueries catalog, SchedulerCatalog scheduler,
                     CleanupRunQueries cleanupRuns, GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.cleanupRuns = cleanupRuns;
        this.target = properties.target();
    }

    /** Body of {@code POST /api/backup/create}; {@code backup_type} defaults to {@code manual}. */
    public record CreateBackupRequest(String backupType) {
    }

    /** A create without an idempotency key (the dashboard's): every call is a new job. */
    public ResponseEntity<CommandAccepted> create(Caller caller, CreateBackupRequest body) {
        return create(caller, body, null);
    }

    /**
     * With an {@code Idempotency-Key} header, the job id is derived from the caller, the key, the target and the
     * backup type: a client that sends a create again after a 503 or a lost answer (the broker may have taken the
     * first command although its confirm never came) names the same job, and the worker runs it once (a second
     * command of a job is a no-op).
     */
    @PostMapping("/create")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ResponseEntity<CommandAccepted> create(Caller caller, @RequestBody(required = false) CreateBackupRequest body,
                                                  @Parameter(description = "optional: the same key names the same "
                                                          + "job, so a create sent again after a 503 runs once")
                                                  @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
                                                  String idempotencyKey) {
        String type = body == null || body.backupType() == null ? "manual" : body.backupType();
        Map<String, Object> parameters = idempotencyKey == null ? Map.of("backup_type", type, "target", target)
                : Map.of("backup_type", type, "target", target, "idempotency_key", idempotencyKey);
        if (!ON_DEMAND_TYPES.contains(type)) {
            audit.record(caller, "backup.create", parameters, "REJECTED", null, "invalid backup_type");
            throw new ValidationException(Map.of("backup_type",
                    "must be one of " + ON_DEMAND_TYPES.stream().sorted().toList() + " but was '" + type + "'"));
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200
                || !idempotencyKey.chars().allMatch(c -> c > 32 && c < 127))) {
            audit.record(caller, "backup.create", parameters, "REJECTED", null, "invalid " + IDEMPOTENCY_KEY);
            throw new ValidationException(Map.of(IDEMPOTENCY_KEY,
                    "must be 1 to 200 visible ASCII characters without spaces"));
        }
        RequestBackup command = RequestBackup.newJob(target, type, caller.name());
        if (idempotencyKey != null) {
            UUID jobId = UUID.nameUUIDFromBytes(String.join("\n", "backup.create", caller.name(), target, type,
                    idempotencyKey).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            command = new RequestBackup(command.messageId(), jobId, command.target(), command.occurredAt(),
                    command.version(), command.backupType(), command.requestedBy());
        }
        commands.publish(caller, "backup.create", parameters, command);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/backup/jobs/" + command.jobId()))
                .body(CommandAccepted.queued(command.jobId(), JobKind.BACKUP.label(), type, target, null));
    }

    /**
     * A job of any kind: a worker job from the worker's catalog; else, for a command this gateway published, what its
     * service recorded (a settings command's outcome, a cleanup's retention decision) or, while nobody has, that the
     * broker confirmed it ({@code QUEUED}).
     */
    @GetMapping("/jobs/{id}")
    public JobView job(Caller caller, @PathVariable UUID id) {
        Optional<JobView> workerJob = catalog.job(id);
        if (workerJob.isPresent()) {
            return workerJob.get();
        }
        List<AuditLog.AcceptedCommand> accepted = audit.acceptedCommands(id);
        if (accepted.isEmpty()) {
            throw new NotFoundException("no job " + id);
        }
        AuditLog.AcceptedCommand first = accepted.get(0);
        String kind = first.kind();
        if (AuditLog.SCHEDULER_KIND.equals(kind)) {
            return JobView.ofCommands(id, scheduler.command(id, accepted.stream().map(AuditLog.AcceptedCommand::command)
                    .distinct().toList()), first);
        }
        if (JobKind.CLEANUP.label().equals(kind)) {
            SchedulerCatalog.CommandOutcome refused = scheduler.command(id, List.of(first.command()));
            if (!refused.applied()) {
                return JobView.ofCommands(id, refused, first);
            }
            Optional<CleanupRunView> decided = cleanupRuns.find(id);
            if (decided.isPresent() && decided.get().dryRun()) {
                return new JobView(id, kind, "dry_run", first.target(), JobStatus.SUCCEEDED.name(), first.tokenName(),
                        first.at(), decided.get().decidedAt(), decided.get().decidedAt(), 1, null, null, null, null,
                        null, null, null, "retention decided (dry run): GET /api/backup/cleanup/" + id);
            }
            return JobView.queued(id, kind, null, first.target(), first.tokenName(), first.at(), decided.isPresent()
                    ? "decided by the scheduler, the deletions not yet picked up by a worker"
                    : "accepted by the broker, not yet decided by the scheduler");
        }
        return JobView.queued(id, kind, null, first.target(), first.tokenName(), first.at(),
                "accepted by the broker, not yet picked up by a worker");
    }

    @GetMapping("/jobs")
    List<JobView> jobs(Caller caller,
                       @RequestParam(name = "status_filter", required = false) String statusFilter,
                       @Parameter(deprecated = true, description = "old spelling of status_filter")
                       @RequestParam(name = "status", required = false) String status,
                       @RequestParam(required = false) String kind,
                       @RequestParam(defaultValue = "50") int limit) {
        Map<String, String> errors = new LinkedHashMap<>();
        String normalized = status(statusFilter, status, errors);
        if (kind != null && !KINDS.contains(kind)) {
            errors.put("kind", "must be one of " + KINDS);
        }
        limit(limit, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return catalog.jobs(limit, normalized, kind);
    }

    @GetMapping("/backups/{id}")
    BackupView backup(Caller caller, @PathVariable UUID id) {
        return catalog.backup(id).orElseThrow(() -> new NotFoundException("no backup " + id));
    }

    @GetMapping("/history")
    List<HistoryEntry> history(Caller caller,
                               @RequestParam(defaultValue = "50") int limit,
                               @RequestParam(name = "status_filter", required = false) String statusFilter,
                               @Parameter(deprecated = true, description = "old spelling of status_filter")
                               @RequestParam(name = "status", required = false) String status,
                               @RequestParam(name = "backup_type", required = false) String backupType,
                               @RequestParam(required = false) String target) {
        Map<String, String> errors = new LinkedHashMap<>();
        limit(limit, errors);
        String normalized = status(statusFilter, status, errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return catalog.history(limit, normalized, backupType, target);
    }

    /** The status filter, from {@code status_filter} or its old spelling {@code status} (not both). */
    private static String status(String statusFilter, String status, Map<String, String> errors) {
        if (statusFilter != null && status != null) {
            errors.put("status_filter", "give status_filter or its old spelling status, not both");
            return null;
        }
        String given = statusFilter != null ? statusFilter : status;
        String field = statusFilter != null ? "status_filter" : "status";
        String normalized = given == null ? null : given.toUpperCase(java.util.Locale.ROOT);
        if (normalized != null && !STATUSES.contains(normalized)) {
            errors.put(field, "must be one of " + STATUSES + " but was '" + given + "'");
        }
        return normalized;
    }

    private static void limit(int limit, Map<String, String> errors) {
        if (limit < 1 || limit > 1000) {
            errors.put("limit", "must be between 1 and 1000 but was " + limit);
        }
    }
}
