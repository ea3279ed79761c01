package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.messaging.PublishException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * Scheduler administration ({@code /api/backup/scheduler/*}, scope {@code scheduler:admin} to write,
 * {@code backup:read} to read): each write becomes a {@link StartScheduler}, {@link StopScheduler} or
 * {@link ConfigureSchedule} command (and, for the alert settings, a {@link ConfigureAlerts} for the alert service,
 * under the same job id), answered 202 with the job id only after the broker confirmed it. The outcome (applied, or
 * rejected with the problems) is {@code GET /api/backup/jobs/{job_id}}; the settings in force are
 * {@code GET /api/backup/scheduler/config}. The web dashboard's scheduler page calls {@link #start}, {@link #stop} and
 * {@link #configure} itself (the same rules and audit; {@code ui.SchedulerPage}).
 */
@RestController
@RequestMapping("/api/backup/scheduler")
public class SchedulerController {

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final SchedulerCatalog catalog;
    private final String target;

    SchedulerController(AuditedCommands commands, AuditLog audit, SchedulerCatalog catalog,
                        GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.catalog = catalog;
        this.target = properties.target();
    }

    /**
     * Body of {@code POST /start} and {@code /stop}: nothing, or {@code {}}; a field is a 400 naming it (the body is
     * checked like every other write's, so a malformed one is never ignored and acted on).
     */
    public record NoFields() {
    }

    @PostMapping("/start")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<CommandAccepted> startRequest(Caller caller, @RequestBody(required = false) NoFields body) {
        return start(caller);
    }

    @PostMapping("/stop")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<CommandAccepted> stopRequest(Caller caller, @RequestBody(required = false) NoFields body) {
        return stop(caller);
    }

    /** Starts the scheduler (also the dashboard's button, {@code ui.SchedulerPage}). */
    public ResponseEntity<CommandAccepted> start(Caller caller) {
        StartScheduler command = StartScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.start", Map.of("target", target), command);
    }

    /** Stops the scheduler (also the dashboard's button). */
    public ResponseEntity<CommandAccepted> stop(Caller caller) {
        StopScheduler command = StopScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.stop", Map.of("target", target), command);
    }

    @PostMapping("/configure")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ResponseEntity<CommandAccepted> configure(Caller caller, @RequestBody ScheduleConfigRequest body) {
        UUID jobId = UUID.randomUUID();
        Map<String, Object> parameters = body.asParameters();
        Map<String, String> errors = body.problems(jobId, target, caller.name());
        if (!errors.isEmpty()) {
            audit.record(caller, "scheduler.configure", parameters, "REJECTED", null, errors.toString());
            throw new ValidationException(errors);
        }
        boolean published = false;
        if (body.configuresSchedule()) {
            commands.publish(caller, "scheduler.configure", parameters, body.schedule(jobId, target, caller.name()));
            published = true;
        }
        if (body.configuresAlerts()) {
            try {
                commands.publish(caller, "scheduler.configure", parameters, body.alerts(jobId, target, caller.name()));
            } catch (PublishException e) {
                if (!published) {
                    throw e;
                }
                // the schedule settings went out: say so, with the job that follows them, and what to send again
                throw new PublishException("the schedule settings were accepted as job " + jobId
                        + " (GET /api/backup/jobs/" + jobId + "), the alert settings were not; send them again: "
                        + e.getMessage(), e);
            }
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/jobs/" + jobId))
                .body(CommandAccepted.queued(jobId, "scheduler", null, target, null));
    }

    /** The settings in force, as {@code /configure} takes them. */
    @GetMapping({"/config", ""})
    SchedulerConfigView config(Caller caller) {
        return catalog.config().orElseThrow(() -> new NotFoundException("the scheduler has stored no settings yet"));
    }

    private ResponseEntity<CommandAccepted> publish(Caller caller, String action, Map<String, Object> parameters,
                                                    BackupMessage command) {
        commands.publish(caller, action, parameters, command);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/jobs/" + command.jobId()))
                .body(CommandAccepted.queued(command.jobId(), "scheduler", null, target, null));
    }
}
