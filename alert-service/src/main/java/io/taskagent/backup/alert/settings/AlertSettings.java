package io.taskagent.backup.alert.settings;

import io.taskagent.backup.alert.AlertProperties;

import java.util.List;

/**
 * The alert settings in force: each one set through the API ({@code ConfigureAlerts}, stored in
 * {@code alerts.settings}) or else taken from the configuration.
 *
 * @param emailRecipients    who receives alert e-mails (empty: the e-mail channel is off)
 * @param emailAlertsEnabled whether alerts are e-mailed
 * @param alertOnFailure     whether the failure events are alerted about
 * @param version            applied ConfigureAlerts commands so far (0: none, all from the configuration)
 * @param updatedBy          who applied the last one (null while there was none)
 */
public record AlertSettings(List<String> emailRecipients, boolean emailAlertsEnabled, boolean alertOnFailure,
                            long version, String updatedBy) {

    public AlertSettings {
        emailRecipients = List.copyOf(emailRecipients);
    }

    /** The settings before anything was set through the API. */
    public static AlertSettings fromConfiguration(AlertProperties properties) {
        return new AlertSettings(properties.mail().recipients(), properties.mail().enabled(),
                properties.alertOnFailure(), 0, null);
    }

    /** Whether alerts can be e-mailed: switched on and someone to send them to. */
    public boolean emailOn() {
        return emailAlertsEnabled && !emailRecipients.isEmpty();
    }
}
