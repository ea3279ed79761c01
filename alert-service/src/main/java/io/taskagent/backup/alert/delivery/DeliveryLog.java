package io.taskagent.backup.alert.delivery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.UUID;

/**
 * Alert history ({@code alerts.deliveries}, written only by this service): one row per event and channel that was
 * delivered. Checked before sending, so a redelivered event sends nothing twice.
 */
@Repository
public class DeliveryLog {

    private final JdbcClient jdbc;

    public DeliveryLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean delivered(UUID messageId, String channel) {
        return jdbc.sql("SELECT count(*) FROM deliveries WHERE message_id = :id AND channel = :channel")
                .param("id", messageId).param("channel", channel).query(Integer.class).single() > 0;
    }

    public void record(UUID messageId, String channel, String eventType, UUID jobId, String target,
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
}
