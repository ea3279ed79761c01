package io.taskagent.backup.alert.settings;

import io.taskagent.backup.model.command.CommandLog;
import io.taskagent.backup.model.AlertRules;
import io.taskagent.backup.model.AlertSettingsChanged;
import io.taskagent.backup.model.ConfigureAlerts;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.Map;

/**
 * Carries out {@link ConfigureAlerts}: checked with {@link AlertRules}, applied in one transaction with the record
 * of its message id ({@code alerts.commands}), then announced with {@link AlertSettingsChanged} (the settings in
 * force). A redelivered command is not applied again; an applied one is announced again. An invalid one changes
 * nothing and is recorded as REJECTED with its problems (the gateway reads them in {@code alerts.v1_commands}); it is
 * acknowledged, not dead-lettered. A transient failure that outlasts the retries propagates (the caller
 * dead-letters).
 */
@Service
public class AlertCommands {

    private static final Logger log = LoggerFactory.getLogger(AlertCommands.class);
    private static final String COMMAND = "ConfigureAlerts";

    private final AlertSettingsStore settings;
    private final CommandLog commands;
    private final ConfirmingPublisher publisher;
    private final TransactionTemplate tx;
    private final Retry retry;

    AlertCommands(AlertSettingsStore settings, CommandLog commands, ConfirmingPublisher publisher,
                  TransactionTemplate tx, Retry retry) {
        this.settings = settings;
        this.commands = commands;
        this.publisher = publisher;
        this.tx = tx;
        this.retry = retry;
    }

    /** Handles one command received at {@code now}. */
    public void handle(ConfigureAlerts command, Instant now) {
        CommandLog.Outcome outcome = retry.get("applying " + COMMAND + " " + command.jobId(),
                () -> tx.execute(status -> apply(command, now)));
        if (!outcome.applied()) {
            return;
        }
        AlertSettings current = retry.get("reading the alert settings", settings::current);
        AlertSettingsChanged changed = AlertSettingsChanged.of(command.jobId(), command.target(),
                current.emailRecipients(), current.emailAlertsEnabled(), current.alertOnFailure(), current.version(),
                current.updatedBy());
        retry.run("publishing AlertSettingsChanged for " + command.jobId(), () -> publisher.publishEvent(changed));
    }

    private CommandLog.Outcome apply(ConfigureAlerts command, Instant now) {
        var before = commands.outcome(command.messageId());
        if (before.isPresent()) {
            log.info("{} {} (job {}) was handled before ({}): not applying it again", COMMAND, command.messageId(),
                    command.jobId(), before.get().applied() ? "applied" : "rejected");
            return before.get();
        }
        AlertSettingsStore.Stored stored = settings.lock();
        Map<String, String> problems = AlertRules.problems(command);
        CommandLog.Outcome outcome = new CommandLog.Outcome(problems.isEmpty(), problems);
        if (outcome.applied()) {
            long version = settings.apply(stored, command, now);
            log.info("alert settings changed by {} (job {}, settings version {}): {}", command.requestedBy(),
                    command.jobId(), version, describe(command));
        } else {
            log.warn("{} by {} (job {}) rejected, the alert settings are unchanged: {}", COMMAND,
                    command.requestedBy(), command.jobId(), problems);
        }
        commands.record(command.messageId(), command.jobId(), COMMAND, command.requestedBy(), now, outcome);
        return outcome;
    }

    private static String describe(ConfigureAlerts command) {
        StringBuilder text = new StringBuilder();
        if (command.emailRecipients() != null) {
            text.append("email recipients ").append(command.emailRecipients().size()).append("; ");
        }
        if (command.emailAlertsEnabled() != null) {
            text.append("email alerts ").append(command.emailAlertsEnabled() ? "on" : "off").append("; ");
        }
        if (command.alertOnFailure() != null) {
            text.append("alert on failure ").append(command.alertOnFailure() ? "on" : "off").append("; ");
        }
        return text.isEmpty() ? "nothing set" : text.substring(0, text.length() - 2);
    }
}
