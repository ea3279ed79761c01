package io.taskagent.backup.scheduler.command;

import io.taskagent.backup.model.command.CommandLog;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.ConfigureSchedule;
import io.taskagent.backup.model.RequestCleanup;
import io.taskagent.backup.model.ScheduleRejected;
import io.taskagent.backup.model.StartScheduler;
import io.taskagent.backup.model.StopScheduler;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import io.taskagent.backup.scheduler.retention.CleanupService;
import io.taskagent.backup.scheduler.schedule.ScheduleCalendar;
import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.scheduler.settings.SettingsStore;
import io.taskagent.backup.scheduler.settings.SettingsValidator;
import io.taskagent.backup.scheduler.settings.StoredSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.Map;

/**
 * Carries out scheduler commands. Start, stop and configure are applied in one transaction with the record of the
 * command (a redelivered command is not applied again, its outcome is announced again), then announced:
 * {@code SchedulerStateChanged}, or {@link ScheduleRejected} naming every invalid field, the old settings staying in
 * force. A cleanup request is decided (once per job id) and published by the {@link CleanupService}.
 */
@Service
class SchedulerCommands {

    private static final Logger log = LoggerFactory.getLogger(SchedulerCommands.class);

    private final SettingsStore settings;
    private final CommandLog commands;
    private final CleanupService cleanup;
    private final ConfirmingPublisher publisher;
    private final TransactionTemplate tx;
    private final Retry retry;
    private final SchedulerProperties properties;

    SchedulerCommands(SettingsStore settings, CommandLog commands, CleanupService cleanup,
                      ConfirmingPublisher publisher, TransactionTemplate tx, Retry retry,
                      SchedulerProperties properties) {
        this.settings = settings;
        this.commands = commands;
        this.cleanup = cleanup;
        this.publisher = publisher;
        this.tx = tx;
        this.retry = retry;
        this.properties = properties;
    }

    /** Handles one (valid) command at {@code now}; a transient failure that outlasts the retries propagates. */
    void handle(BackupMessage command, Instant now) {
        String kind = command.getClass().getSimpleName();
        if (!command.target().equals(properties.target())) {
            Map<String, String> problems = Map.of("target",
                    "this scheduler schedules '" + properties.target() + "', not '" + command.target() + "'");
            log.warn("{} {} refused: {}", kind, command.jobId(), problems.get("target"));
            // recorded like any refusal, so that its job reads REJECTED with the reason (scheduler.v1_commands)
            retry.run("recording the refusal of " + kind + " " + command.jobId(), () -> tx.execute(status -> {
                if (commands.outcome(command.messageId()).isEmpty()) {
                    commands.record(command.messageId(), command.jobId(), kind, requestedBy(command), now,
                            new CommandLog.Outcome(false, problems));
                }
                return null;
            }));
            retry.run("publishing ScheduleRejected", () -> publisher.publishEvent(
                    ScheduleRejected.of(command.jobId(), command.target(), kind, problems)));
            return;
        }
        if (command instanceof RequestCleanup request) {
            retry.run("cleanup " + request.jobId(),
                    () -> cleanup.run(request.jobId(), request.dryRun(), request.requestedBy(), now));
            return;
        }
        CommandLog.Outcome outcome = retry.get("applying " + kind + " " + command.jobId(),
                () -> tx.execute(status -> apply(command, kind, now)));
        if (outcome.applied()) {
            StoredSettings stored = retry.get("reading the settings", () -> settings.current(now));
            retry.run("publishing SchedulerStateChanged", () -> publisher.publishEvent(ScheduleCalendar.stateChanged(
                    stored, now, command.jobId(), properties.target(), requestedBy(command))));
        } else {
            retry.run("publishing ScheduleRejected", () -> publisher.publishEvent(ScheduleRejected.of(command.jobId(),
                    command.target(), kind, outcome.problems())));
        }
    }

    private CommandLog.Outcome apply(BackupMessage command, String kind, Instant now) {
        var before = commands.outcome(command.messageId());
        if (before.isPresent()) {
            log.info("{} {} was handled before: announcing its outcome again", kind, command.messageId());
            return before.get();
        }
        StoredSettings current = settings.lockCurrent(now);
        String by = requestedBy(command);
        CommandLog.Outcome outcome;
        if (command instanceof StartScheduler) {
            settings.setRunning(current, true, now, by);
            outcome = new CommandLog.Outcome(true, Map.of());
            log.info("scheduler started by {}", by);
        } else if (command instanceof StopScheduler) {
            settings.setRunning(current, false, now, by);
            outcome = new CommandLog.Outcome(true, Map.of());
            log.info("scheduler stopped by {}", by);
        } else {
            SettingsValidator.Result result = SettingsValidator.merge(current.settings(), (ConfigureSchedule) command);
            if (result.accepted()) {
                long version = settings.save(current, result.settings(), now, by);
                log.info("scheduler configured by {} (settings version {})", by, version);
            } else {
                log.warn("configuration by {} refused: {}", by, result.problems());
            }
            outcome = new CommandLog.Outcome(result.accepted(), result.problems());
        }
        commands.record(command.messageId(), command.jobId(), kind, by, now, outcome);
        if (outcome.applied()) {
            settings.recordNextFires(ScheduleCalendar.nextFires(settings.current(now), now));
        }
        return outcome;
    }

    private static String requestedBy(BackupMessage command) {
        if (command instanceof StartScheduler c) {
            return c.requestedBy();
        } else if (command instanceof StopScheduler c) {
            return c.requestedBy();
        } else if (command instanceof ConfigureSchedule c) {
            return c.requestedBy();
        } else if (command instanceof RequestCleanup c) {
            return c.requestedBy();
        }
        throw new IllegalArgumentException(command.getClass().getSimpleName() + " is not a scheduler command");
    }
}
