package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.model.MessageJson;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Posts alerts to a Discord webhook ({@code {"content": ...}}, at most 2000 characters, mentions disabled so an
 * error text cannot ping anyone). Off without a URL.
 */
@Component
class DiscordChannel extends ChatWebhookChannel {

    static final String CHANNEL = "discord";
    static final int MAX_CONTENT = 2000;

    DiscordChannel(WebhookSender sender, AlertProperties properties) {
        super(CHANNEL, sender, properties.discord().url(), "alert.discord.url");
    }

    @Override
    byte[] body(Alert alert) {
        return payload(alert);
    }

    /** The subject in bold, the headline, the facts in a code block (cut to fit 2000 characters), the footer. */
    static byte[] payload(Alert alert) {
        String head = cut("**" + alert.subject().replace("*", "\\*") + "**\n" + alert.headline() + "\n", 400);
        String foot = cut(alert.footer(), 300);
        String body = factBlock(alert).replace("```", "'''");
        int budget = MAX_CONTENT - head.length() - foot.length() - "```\n\n```\n".length();
        body = cut(body, budget);
        ObjectNode json = MessageJson.mapper().createObjectNode();
        json.put("content", head + "```\n" + body + "\n```\n" + foot);
        json.putObject("allowed_mentions").putArray("parse");
        return MessageJson.mapper().writeValueAsBytes(json);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, Math.max(0, max - 3)) + "...";
    }
}
