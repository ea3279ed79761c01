package io.taskagent.backup.gateway.scheduler;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.audit.AuditLog;
import io.taskagent.backup.gateway.audit.AuditedCommands;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
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
    ResponseEntity<Map<String, Object>> start(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller) {
        caller.require(Scopes.SCHEDULER_ADMIN);
        StartScheduler command = StartScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.start", Map.of("target", target), command);
    }

    @PostMapping("/stop")
    ResponseEntity<Map<String, Object>> stop(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller) {
        caller.require(Scopes.SCHEDULER_ADMIN);
        StopScheduler command = StopScheduler.of(UUID.randomUUID(), target, caller.name());
        return publish(caller, "scheduler.stop", Map.of("target", target), command);
    }

    @PostMapping("/configure")
    ResponseEntity<Map<String, Object>> configure(@RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller,
                                                  @RequestBody ScheduleConfigRequest body) {
        caller.require(Scopes.SCHEDULER_ADMIN);
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

    private ResponseEntity<Map<String, Object>> publish(Caller caller, String action, Map<String, Object> parameters,
                                                        BackupMessage command) {
        commands.publish(caller, action, parameters, command);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("command_id", command.jobId());
        response.put("status", "ACCEPTED");
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(response);
    }
}
