package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.model.MessageJson;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.Map;

/**
 * Posts alerts to a Discord webhook ({@code {"content": ...}}, at most 2000 characters, mentions disabled so an
 * error text cannot ping anyone). Off without a URL.
 */
@Component
class DiscordChannel implements AlertChannel {

    static final String CHANNEL = "discord";
    static final int MAX_CONTENT = 2000;

    private final WebhookSender sender;
    private final URI uri;

    DiscordChannel(WebhookSender sender, AlertProperties properties) {
        this.sender = sender;
        this.uri = properties.discord().configured()
                ? WebhookSender.uri(properties.discord().url(), "alert.discord.url") : null;
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
        sender.post("discord webhook", uri, payload(alert), Map.of());
        return "discord " + uri.getHost();
    }

    /** The subject in bold, the headline, the facts in a code block (cut to fit 2000 characters), the footer. */
    static byte[] payload(Alert alert) {
        StringBuilder block = new StringBuilder(alert.fieldLines());
        if (!alert.details().isEmpty()) {
            block.append('\n').append(alert.detailLines());
        }
        if (alert.suppressedNote() != null) {
            block.append('\n').append(alert.suppressedNote()).append('\n');
        }
        String head = cut("**" + alert.subject().replace("*", "\\*") + "**\n" + alert.headline() + "\n", 400);
        String foot = cut(alert.footer(), 300);
        String body = block.toString().strip().replace("```", "'''");
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
