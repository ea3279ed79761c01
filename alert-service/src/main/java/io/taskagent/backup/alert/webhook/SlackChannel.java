package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.model.MessageJson;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** Posts alerts to a Slack incoming webhook ({@code {"text": ...}}, mrkdwn). Off without a URL. */
@Component
class SlackChannel extends ChatWebhookChannel {

    static final String CHANNEL = "slack";
    /** Slack truncates longer messages; keep well below its 40,000 characters and readable. */
    static final int MAX_TEXT = 3900;

    SlackChannel(WebhookSender sender, AlertProperties properties) {
        super(CHANNEL, sender, properties.slack().url(), "alert.slack.url");
    }

    @Override
    byte[] body(Alert alert) {
        return payload(alert);
    }

    /** {@code {"text": "..."}}: the subject in bold, the headline, the facts in a code block, the footer. */
    static byte[] payload(Alert alert) {
        String head = emoji(alert) + " *" + escape(alert.subject()) + "*\n" + escape(alert.headline()) + "\n";
        String foot = escape(alert.footer());
        String body = escape(factBlock(alert));
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
