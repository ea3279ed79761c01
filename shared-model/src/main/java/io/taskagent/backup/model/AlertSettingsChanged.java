package io.taskagent.backup.model;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Event: the alert service applied a {@link ConfigureAlerts}; these are the settings now in force (values set through
 * the API, else the service's configuration). {@code jobId} is the command's job. A redelivered command is not
 * applied again, only announced again with the settings in force then.
 *
 * @param emailRecipients    who receives alert e-mails
 * @param emailAlertsEnabled whether alerts are e-mailed (the e-mail channel also needs a recipient and an SMTP server)
 * @param alertOnFailure     whether the failure events ({@link AlertRules#FAILURE_EVENTS}) are alerted about
 * @param settingsVersion    increases with every applied change of the stored settings
 * @param changedBy          who asked for the change
 */
public record AlertSettingsChanged(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        List<String> emailRecipients, boolean emailAlertsEnabled, boolean alertOnFailure, long settingsVersion,
        String changedBy) implements BackupMessage {

    public AlertSettingsChanged {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(emailRecipients != null, "emailRecipients is missing");
        emailRecipients = List.copyOf(emailRecipients);
        MessageValidation.require(settingsVersion > 0, "settingsVersion must be positive");
        MessageValidation.require(changedBy != null && !changedBy.isBlank(), "changedBy is missing");
    }

    public static AlertSettingsChanged of(UUID jobId, String target, List<String> emailRecipients,
                                          boolean emailAlertsEnabled, boolean alertOnFailure, long settingsVersion,
                                          String changedBy) {
        return new AlertSettingsChanged(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION,
                emailRecipients, emailAlertsEnabled, alertOnFailure, settingsVersion, changedBy);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_ALERT_SETTINGS_CHANGED;
    }
}
