package io.taskagent.backup.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Command: change the alert service's settings. Every field is present in the JSON; {@code null} keeps the current
 * value (a value set through the API, or else the service's configuration). The alert service checks the values
 * with {@link AlertRules} (not this record, so that an invalid address is answered, not dead-lettered): an invalid
 * command changes nothing and is recorded as REJECTED with its problems in {@code alerts.v1_commands}; an applied
 * one is announced with {@link AlertSettingsChanged}. The settings apply to the alerts of every target;
 * {@code target} is the one named by the request, as in the other commands.
 *
 * @param emailRecipients    who receives alert e-mails; replaces the configured {@code ALERT_MAIL_RECIPIENTS}; an
 *                           empty list means nobody (the e-mail channel is then off)
 * @param emailAlertsEnabled whether alerts are e-mailed; {@code false} turns the e-mail channel off, the other
 *                           channels still send
 * @param alertOnFailure     whether the failure events ({@link AlertRules#FAILURE_EVENTS}) are alerted about;
 *                           {@code false} records them as suppressed and sends nothing
 * @param requestedBy        who asked
 */
public record ConfigureAlerts(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        List<String> emailRecipients, Boolean emailAlertsEnabled, Boolean alertOnFailure, String requestedBy)
        implements BackupMessage {

    public ConfigureAlerts {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(requestedBy != null && !requestedBy.isBlank(), "requestedBy is missing");
        if (emailRecipients != null) {
            // kept as sent, blanks and nulls included: AlertRules names them, so the command is answered
            emailRecipients = Collections.unmodifiableList(new ArrayList<>(emailRecipients));
        }
    }

    public static ConfigureAlerts of(UUID jobId, String target, List<String> emailRecipients,
                                     Boolean emailAlertsEnabled, Boolean alertOnFailure, String requestedBy) {
        return new ConfigureAlerts(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, emailRecipients,
                emailAlertsEnabled, alertOnFailure, requestedBy);
    }

    @Override
    public String exchange() {
        return Topology.COMMANDS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_ALERTS_CONFIGURE;
    }
}
