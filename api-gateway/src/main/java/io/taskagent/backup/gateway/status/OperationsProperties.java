package io.taskagent.backup.gateway.status;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The gateway's status and health settings ({@code gateway.*}, beside {@code GatewayProperties}).
 *
 * @param backupDirectory where the worker stores backups ({@code BACKUP_STORAGE_DIR}); reported, and, when this
 *                        gateway can see it, used to refuse restore names that are links leading outside it
 * @param staleAfter      {@code GET /status} is {@code degraded} when no backup succeeded within this window
 * @param services        base URLs of the other services, by name, whose {@code /actuator/health} {@code GET /health}
 *                        fetches
 * @param healthTimeout   connect and request time-out of each of those calls
 */
@Validated
@ConfigurationProperties("gateway")
public record OperationsProperties(
        @NotNull @DefaultValue("./backups") String backupDirectory,
        @NotNull @DefaultValue("26h") Duration staleAfter,
        @NotNull @DefaultValue Map<String, @NotNull URI> services,
        @NotNull @DefaultValue("5s") Duration healthTimeout) {
}
