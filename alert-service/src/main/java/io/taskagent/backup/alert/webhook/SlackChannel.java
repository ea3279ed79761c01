package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.model.MessageJson;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.Map;

/** Posts alerts to a Slack incoming webhook ({@code {"text": ...}}, mrkdwn). Off without a URL. */
@Component
class SlackChannel implements AlertChannel {

    static final String CHANNEL = "slack";
    /** Slack truncates longer messages; keep well below its 40,000 characters and readable. */
    static final int MAX_TEXT = 3900;

    private final WebhookSender sender;
    private final URI uri;

    SlackChannel(WebhookSender sender, AlertProperties properties) {
        this.sender = sender;
        this.uri = properties.slack().configured()
                ? WebhookSender.uri(properties.slack().url(), "alert.slack.url") : null;
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public boolean enabled() {
        return uri != null;
    }

    @Override
    public String send(Alert alert) {
        sender.post("slack webhook", uri, payload(alert), Map.of());
        return "slack " + uri.getHost();
    }

    /** {@code {"text": "..."}}: the subject in bold, the headline, the facts in a code block, the footer. */
    static byte[] payload(Alert alert) {
        StringBuilder block = new StringBuilder(alert.fieldLines());
        if (!alert.details().isEmpty()) {
            block.append('\n').append(alert.detailLines());
        }
        if (alert.suppressedNote() != null) {
            block.append('\n').append(alert.suppressedNote()).append('\n');
        }
        String head = emoji(alert) + " *" + escape(alert.subject()) + "*\n" + escape(alert.headline()) + "\n";
        String foot = escape(alert.footer());
        String body = escape(block.toString().strip());
        int budget = MAX_TEXT - head.length() - foot.length() - 10;
        if (body.length() > budget) {
            body = body.substring(0, Math.max(0, budget - 3)) + "...";
        }
        ObjectNode json = MessageJson.mapper().createObjectNode();
        json.put("text", head + "```\n" + body + "\n```\n" + foot);
        return MessageJson.mapper().writeValueAsBytes(json);
    }

    private static String emoji(Alert alert) {
        return switch (alert.severity()) {
            case CRITICAL -> ":rotating_light:";
            case WARNING -> ":warning:";
            case INFO -> ":information_source:";
        };
    }

    /** Slack's three control characters in message text. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
