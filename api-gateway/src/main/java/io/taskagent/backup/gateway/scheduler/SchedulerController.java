package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CommandAccepted;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * Scheduler administration ({@code /api/backup/scheduler/*}, scope {@code scheduler:admin}): each request becomes a
 * {@link StartScheduler}, {@link StopScheduler} or {@link ConfigureSchedule} command, answered 202 with the command id
 * only after the broker confirmed it. The scheduler applies it and announces the outcome; the new state shows in
 * {@code GET /api/backup/status}.
 */
@RestController
@RequestMapping("/api/backup/scheduler")
class SchedulerController {

    private final AuditedCommands commands;
    private final AuditLog audit;
    private final String target;

    SchedulerController(AuditedCommands commands, AuditLog audit, GatewayProperties properties) {
        this.commands = commands;
        this.audit = audit;
        this.target = properties.target();
    }

    @PostMapping("/start")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<CommandAccepted> start(Caller caller) {
        StartScheduler command = StartScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.start", Map.of("target", target), command);
    }

    @PostMapping("/stop")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<CommandAccepted> stop(Caller caller) {
        StopScheduler command = StopScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.stop", Map.of("target", target), command);
    }

    @PostMapping("/configure")
    @ResponseStatus(HttpStatus.ACCEPTED)
    ResponseEntity<CommandAccepted> configure(Caller caller, @RequestBody ScheduleConfigRequest body) {
        Map<String, Object> parameters = body.asParameters();
        Map<String, String> errors = body.validate();
        if (!errors.isEmpty()) {
            audit.record(caller, "scheduler.configure", parameters, "REJECTED", null, errors.toString());
            throw new ValidationException(errors);
        }
        ConfigureSchedule command = ConfigureSchedule.of(UUID.randomUUID(), target, body.timeZone(),
                body.intervalHours(), body.intervalEnabled(), body.dailyTime(), body.dailyEnabled(), body.weeklyDay(),
                body.weeklyEnabled(), body.monthlyEnabled(), body.cronSchedules(), body.cleanupTime(),
                body.keepHourly(), body.keepDaily(), body.keepWeekly(), body.keepMonthly(), body.keepManual(),
                body.keepPreRestoreDays(), body.maxBackupSizeMb(), caller.name());
        return publish(caller, "scheduler.configure", parameters, command);
    }

    private ResponseEntity<CommandAccepted> publish(Caller caller, String action, Map<String, Object> parameters,
                                                    BackupMessage command) {
        commands.publish(caller, action, parameters, command);
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/backup/jobs/" + command.jobId()))
                .body(CommandAccepted.queued(command.jobId(), "scheduler", null, target, null));
    }
}
