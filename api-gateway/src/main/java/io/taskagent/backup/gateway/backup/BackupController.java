package io.taskagent.backup.gateway.backup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.RequestBackup;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * On-demand backups, job status and history ({@code /api/backup}). A create answers 202 only after the broker
 * confirmed the {@link RequestBackup} command; otherwise 503 and no job exists.
 */
@RestController
@RequestMapping("/api/backup")
class BackupController {

    static final Set<String> ON_DEMAND_TYPES = Set.of("manual", "urgent", "pre_migration");
    private static final Set<String> STATUSES = Set.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED");

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final CatalogQueries catalog;
    private final String target;

    BackupController(AuditedCommands commands, AuditLog audit, CatalogQueries catalog,
                     GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.catalog = catalog;
        this.target = properties.target();
    }

    /** Body of {@code POST /api/backup/create}; {@code backup_type} defaults to {@code manual}. */
    record CreateBackupRequest(String backupType) {
    }

    @PostMapping("/create")
    ResponseEntity<Map<String, Object>> create(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                               @RequestBody(required = false) CreateBackupRequest body) {
        caller.require(Scopes.BACKUP_WRITE);
        String type = body == null || body.backupType() == null ? "manual" : body.backupType();
        Map<String, Object> parameters = Map.of("backup_type", type, "target", target);
        if (!ON_DEMAND_TYPES.contains(type)) {
            audit.record(caller, "backup.create", parameters, "REJECTED", null, "invalid backup_type");
            throw new ValidationException(Map.of("backup_type",
                    "must be one of " + ON_DEMAND_TYPES.stream().sorted().toList() + " but was '" + type + "'"));
        }
        RequestBackup command = RequestBackup.newJob(target, type, caller.name());
        commands.publish(caller, "backup.create", parameters, command);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("job_id", command.jobId());
        response.put("status", "QUEUED");
        response.put("backup_type", type);
        response.put("target", target);
        response.put("message", "backup requested; follow it at /api/backup/jobs/" + command.jobId());
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/backup/jobs/" + command.jobId()))
                .body(response);
    }

    @GetMapping("/jobs/{id}")
    Map<String, Object> job(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller, @PathVariable UUID id) {
        caller.require(Scopes.BACKUP_READ);
        return catalog.job(id)
                .or(() -> audit.acceptedCommand(id).filter(BackupController::becomesAWorkerJob).map(accepted -> {
                    Map<String, Object> queued = new LinkedHashMap<>();
                    queued.put("id", id);
                    queued.put("status", "QUEUED");
                    queued.put("requested_at", accepted.get("at"));
                    queued.put("detail", "accepted by the broker, not yet picked up by a worker");
                    return queued;
                }))
                .orElseThrow(() -> new NotFoundException("no job " + id));
    }

    /** The actions whose commands become worker jobs (the others go to the scheduler). */
    private static final Set<String> WORKER_JOB_ACTIONS = Set.of("backup.create", "backup.restore", "backup.verify");

    private static boolean becomesAWorkerJob(Map<String, Object> accepted) {
        return WORKER_JOB_ACTIONS.contains(String.valueOf(accepted.get("action")));
    }

    @GetMapping("/jobs")
    List<Map<String, Object>> jobs(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                   @RequestParam(required = false) String status,
                                   @RequestParam(required = false) String kind,
                                   @RequestParam(defaultValue = "50") int limit) {
        caller.require(Scopes.BACKUP_READ);
        Map<String, String> errors = new LinkedHashMap<>();
        String normalized = status == null ? null : status.toUpperCase();
        if (normalized != null && !STATUSES.contains(normalized)) {
            errors.put("status", "must be one of " + STATUSES.stream().sorted().toList());
        }
        if (kind != null && !Set.of("backup", "restore", "verify", "cleanup").contains(kind)) {
            errors.put("kind", "must be one of [backup, cleanup, restore, verify]");
        }
        if (limit < 1 || limit > 1000) {
            errors.put("limit", "must be between 1 and 1000 but was " + limit);
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return catalog.jobs(limit, normalized, kind);
    }

    @GetMapping("/backups/{id}")
    Map<String, Object> backup(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller, @PathVariable UUID id) {
        caller.require(Scopes.BACKUP_READ);
        return catalog.backup(id).orElseThrow(() -> new NotFoundException("no backup " + id));
    }

    @GetMapping("/history")
    List<Map<String, Object>> history(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                      @RequestParam(defaultValue = "50") int limit,
                                      @RequestParam(name = "status_filter", required = false) String status,
                                      @RequestParam(name = "backup_type", required = false) String backupType,
                                      @RequestParam(required = false) String target) {
        caller.require(Scopes.BACKUP_READ);
        Map<String, String> errors = new LinkedHashMap<>();
        if (limit < 1 || limit > 1000) {
            errors.put("limit", "must be between 1 and 1000 but was " + limit);
        }
        String normalizedStatus = status == null ? null : status.toUpperCase();
        if (normalizedStatus != null && !STATUSES.contains(normalizedStatus)) {
            errors.put("status_filter", "must be one of " + STATUSES.stream().sorted().toList());
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return catalog.history(limit, normalizedStatus, backupType, target);
    }
}
