package io.taskagent.backup.gateway.cleanup;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.RequestCleanup;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * Retention cleanup on request ({@code POST /api/backup/cleanup}, a {@link RequestCleanup} for the scheduler, which
 * decides) and its stored decisions ({@code GET /api/backup/cleanup/{id}}, 404 until the scheduler has decided).
 */
@RestController
@RequestMapping("/api/backup/cleanup")
public class CleanupController {

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final CleanupRunQueries runs;
    private final String target;

    CleanupController(AuditedCommands commands, AuditLog audit, CleanupRunQueries runs,
                      GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.runs = runs;
        this.target = properties.target();
    }

    /** Body of {@code POST /api/backup/cleanup}; {@code dry_run} defaults to false. */
    public record CleanupRequest(Boolean dryRun) {
    }

    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ResponseEntity<CommandAccepted> request(Caller caller, @RequestBody(required = false) CleanupRequest body) {
        boolean dryRun = body != null && Boolean.TRUE.equals(body.dryRun());
        Map<String, Object> parameters = Map.of("dry_run", dryRun, "target", target);
        RequestCleanup command = RequestCleanup.of(UUID.randomUUID(), target, dryRun, caller.name());
        commands.publish(caller, "backup.cleanup", parameters, command);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/backup/cleanup/" + command.jobId()))
                .body(CommandAccepted.queued(command.jobId(), JobKind.CLEANUP.label(), null, target, dryRun));
    }

    @GetMapping("/{id}")
    CleanupRunView result(Caller caller, @PathVariable UUID id) {
        return runs.find(id).orElseThrow(() -> new NotFoundException("no cleanup decisions stored for " + id
                + " (yet)"));
    }
}
