package io.taskagent.backup.alert.delivery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Alert history per channel ({@code alerts.deliveries}, written only by this service): one row per event and
 * channel that was delivered. Checked before sending, so a redelivered event sends nothing twice on a channel.
 */
@Repository
class DeliveryLog {

    private final JdbcClient jdbc;

    DeliveryLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The channels {@code messageId} was delivered on. */
    Set<String> channels(UUID messageId) {
        return Set.copyOf(jdbc.sql("SELECT channel FROM deliveries WHERE message_id = :id")
                .param("id", messageId).query(String.class).list());
    }

    void record(UUID messageId, String channel, String eventType, UUID jobId, String target,
                String recipients, String subject) {
        jdbc.sql("""
                        INSERT INTO deliveries (message_id, channel, event_type, job_id, target, recipients, subject)
                        VALUES (:id, :channel, :eventType, :jobId, :target, :recipients, :subject)
                        ON CONFLICT (message_id, channel) DO NOTHING""")
                .param("id", messageId).param("channel", channel).param("eventType", eventType)
                .param("jobId", jobId).param("target", target).param("recipients", recipients)
                .param("subject", subject)
                .update();
    }

    /** Channels {@code messageId} was delivered on whose AlertSent is not confirmed yet. */
    List<String> unannounced(UUID messageId) {
        return jdbc.sql("SELECT channel FROM deliveries WHERE message_id = :id AND announced_at IS NULL ORDER BY channel")
                .param("id", messageId).query(String.class).list();
    }

    void markAnnounced(UUID messageId, String channel) {
        jdbc.sql("UPDATE deliveries SET announced_at = now() WHERE message_id = :id AND channel = :channel")
                .param("id", messageId).param("channel", channel).update();
    }
}
