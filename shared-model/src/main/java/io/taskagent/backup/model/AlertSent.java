package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: an alert went out on a channel. {@code jobId} is the job of the event alerted about.
 *
 * @param alertKind the event alerted about, e.g. BackupFailed
 * @param channel email, slack, discord, webhook
 * @param sourceMessageId the messageId of the event alerted about
 * @param suppressedCount alerts of the same kind and target suppressed since the previous one
 */
public record AlertSent(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String alertKind, String channel, UUID sourceMessageId, int suppressedCount) implements BackupMessage {

    public AlertSent {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(alertKind != null && !alertKind.isBlank(), "alertKind is missing");
        MessageValidation.require(channel != null && !channel.isBlank(), "channel is missing");
        MessageValidation.require(sourceMessageId != null, "sourceMessageId is missing");
        MessageValidation.require(suppressedCount >= 0, "suppressedCount must not be negative");
    }

    public static AlertSent of(UUID jobId, String target, String alertKind, String channel, UUID sourceMessageId, int suppressedCount) {
        return new AlertSent(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, alertKind, channel, sourceMessageId, suppressedCount);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_ALERT_SENT;
    }
}
