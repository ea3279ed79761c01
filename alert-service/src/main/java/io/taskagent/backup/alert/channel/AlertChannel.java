package io.taskagent.backup.alert.channel;

import io.taskagent.backup.alert.settings.AlertSettings;

/** A way of reaching people: e-mail, Slack, Discord, a generic webhook. */
public interface AlertChannel {

    /** The channel's name in routing, delivery rows, metrics and AlertSent: email, slack, discord, webhook. */
    String name();

    /** Whether it is configured (recipients, a URL) and switched on, under the settings in force. */
    boolean enabled(AlertSettings settings);

    /**
     * Sends one alert; throws when it did not arrive (the caller retries). An exception's message never contains a
     * secret (password, webhook URL, signing key).
     *
     * @param settings the settings in force, read once for this alert
     * @return who or what received it, for the alert history (never a secret)
     */
    String send(Alert alert, AlertSettings settings);
}
