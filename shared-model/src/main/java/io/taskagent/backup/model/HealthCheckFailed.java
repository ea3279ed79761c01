package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;

/**
 * Event: a periodic health check found a component down. {@code jobId} identifies the check.
 *
 * @param component broker, catalog, source, storage, ...
 * @param detail what failed, for a person (never a secret)
 */
public record HealthCheckFailed(UUID messageId, UUID jobId, String target, Instant occurredAt, int version,
        String component, String detail) implements BackupMessage {

    public HealthCheckFailed {
        MessageValidation.envelope(messageId, jobId, target, occurredAt, version);
        MessageValidation.require(component != null && !component.isBlank(), "component is missing");
        MessageValidation.require(detail != null && !detail.isBlank(), "detail is missing");
    }

    public static HealthCheckFailed of(UUID jobId, String target, String component, String detail) {
        return new HealthCheckFailed(UUID.randomUUID(), jobId, target, Instant.now(), CURRENT_VERSION, component, detail);
    }

    @Override
    public String exchange() {
        return Topology.EVENTS_EXCHANGE;
    }

    @Override
    public String routingKey() {
        return Topology.RK_HEALTH_CHECK_FAILED;
    }
}
