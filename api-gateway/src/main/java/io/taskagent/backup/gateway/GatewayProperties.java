package io.taskagent.backup.gateway;

import io.taskagent.backup.model.Names;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;
import java.util.Set;

/**
 * Settings of the api-gateway ({@code gateway.*}).
 *
 * @param target     the logical database that on-demand backups are requested for
 * @param adminToken secret of a token with every scope, named {@code admin} ({@code BACKUP_ADMIN_TOKEN});
 *                   never logged. Empty: no such token.
 * @param tokens     further API tokens: each a name, the SHA-256 (hex) of its secret, and its scopes
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @NotNull @Pattern(regexp = Names.TARGET_REGEX) @DefaultValue("taskagent") String target,
        String adminToken,
        @NotNull @DefaultValue List<@Valid Token> tokens) {

    /**
     * @param name   who uses it (shown in the audit log)
     * @param sha256 SHA-256 of the secret, 64 hex digits ({@code printf %s "$secret" | sha256sum})
     * @param scopes e.g. {@code backup:read}, {@code backup:write}, {@code backup:restore}, {@code scheduler:admin}
     */
    public record Token(@NotBlank String name,
                        @NotNull @Pattern(regexp = "[0-9a-fA-F]{64}", message = "must be 64 hex digits (SHA-256 of the secret)") String sha256,
                        @NotEmpty Set<String> scopes) {
    }

    @Override
    public String toString() {
        return "GatewayProperties[target=" + target + ", adminToken=" + (adminToken == null || adminToken.isEmpty() ? "unset" : "***")
                + ", tokens=" + tokens.stream().map(Token::name).toList() + "]";
    }
}
