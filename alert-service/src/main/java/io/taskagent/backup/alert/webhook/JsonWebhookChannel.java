package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.settings.AlertSettings;
import io.taskagent.backup.model.MessageJson;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Posts alerts as JSON to any HTTP endpoint: {@code {"alert": {...}, "event": {the event as on the broker}}}.
 * With a secret configured, each request carries {@code X-Backup-Signature: sha256=<hex HMAC-SHA256(secret, raw
 * body)>} and {@code X-Backup-Timestamp} (epoch seconds, also signed as {@code alert.sentAt} inside the body), so the
 * receiver can check origin and freshness. Off without a URL.
 */
@Component
class JsonWebhookChannel implements AlertChannel {

    static final String CHANNEL = "webhook";
    static final String SIGNATURE_HEADER = "X-Backup-Signature";
    static final String TIMESTAMP_HEADER = "X-Backup-Timestamp";

    private final WebhookSender sender;
    private final URI uri;
    private final String secret;
    private final Clock clock;

    JsonWebhookChannel(WebhookSender sender, AlertProperties properties, Clock clock) {
        this.sender = sender;
        this.uri = properties.webhook().configured()
                ? WebhookSender.uri(properties.webhook().url(), "alert.webhook.url") : null;
        this.secret = properties.webhook().signed() ? properties.webhook().secret() : null;
        this.clock = clock;
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public boolean enabled(AlertSettings settings) {
        return uri != null;
    }

    @Override
    public String send(Alert alert, AlertSettings settings) {
        Instant now = clock.instant();
        byte[] body = payload(alert, now);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Backup-Event", alert.kind());
        headers.put("X-Backup-Message-Id", alert.messageId().toString());
        headers.put(TIMESTAMP_HEADER, String.valueOf(now.getEpochSecond()));
        if (secret != null) {
            headers.put(SIGNATURE_HEADER, "sha256=" + Hmac.sha256Hex(secret, body));
        }
        sender.post("generic webhook", uri, body, headers);
        return "webhook " + uri.getHost();
    }

    static byte[] payload(Alert alert, Instant sentAt) {
        ObjectNode json = MessageJson.mapper().createObjectNode();
        ObjectNode a = json.putObject("alert");
        a.put("kind", alert.kind());
        a.put("severity", alert.severity().label());
        a.put("subject", alert.subject());
        a.put("headline", alert.headline());
        a.put("target", alert.target());
        a.put("jobId", alert.jobId().toString());
        a.put("sourceMessageId", alert.messageId().toString());
        a.put("occurredAt", alert.event().occurredAt().toString());
        a.put("suppressedCount", alert.suppressedCount());
        if (alert.suppressedSince() != null) {
            a.put("suppressedSince", alert.suppressedSince().toString());
        }
        a.put("host", alert.host());
        a.put("sentAt", sentAt.getEpochSecond());
        a.put("text", alert.text());
        json.set("event", MessageJson.mapper().readTree(MessageJson.write(alert.event())));
        return MessageJson.mapper().writeValueAsBytes(json);
    }
}
