package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.settings.AlertSettings;

import java.net.URI;
import java.util.Map;

/**
 * A chat service's incoming webhook (Slack, Discord): off without a URL; posts the JSON body its subclass makes of an
 * alert. The subclasses differ only in that body (field name, markup, escaping, length limit).
 */
abstract class ChatWebhookChannel implements AlertChannel {

    private final String name;
    private final WebhookSender sender;
    private final URI uri;

    /** @param url the configured URL (null or blank: the channel is off), checked as property {@code property} */
    ChatWebhookChannel(String name, WebhookSender sender, String url, String property) {
        this.name = name;
        this.sender = sender;
        this.uri = url == null || url.isBlank() ? null : WebhookSender.uri(url, property);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean enabled(AlertSettings settings) {
        return uri != null;
    }

    @Override
    public String send(Alert alert, AlertSettings settings) {
        sender.post(name + " webhook", uri, body(alert), Map.of());
        return name + " " + uri.getHost();
    }

    /** The request body for {@code alert}. */
    abstract byte[] body(Alert alert);

    /** The alert's facts, its details and the suppressed-alerts note, one per line: the message's code block. */
    static String factBlock(Alert alert) {
        StringBuilder block = new StringBuilder(alert.fieldLines());
        if (!alert.details().isEmpty()) {
            block.append('\n').append(alert.detailLines());
        }
        if (alert.suppressedNote() != null) {
            block.append('\n').append(alert.suppressedNote()).append('\n');
        }
        return block.toString().strip();
    }
}
