package io.taskagent.backup.gateway.health;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * {@code GET /api/backup/health}: every service's health.
 *
 * @param status   {@code UP} only when every service is up
 * @param services by service name: the gateway itself and each of {@code gateway.services}
 */
public record HealthView(String status, Map<String, ServiceHealth> services) {

    /**
     * One service's health.
     *
     * @param status     UP, DOWN or UNREACHABLE
     * @param url        the base URL it was fetched from (absent for the gateway itself)
     * @param httpStatus the HTTP status its {@code /actuator/health} answered
     * @param components its components' statuses (database, broker, storage...)
     * @param error      why it could not be read
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServiceHealth(String status, String url, Integer httpStatus, Map<String, String> components,
                                String error) {
    }
}
