package io.taskagent.backup.model.management;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The management credential of every service ({@code backup.management.*}).
 *
 * @param token the secret ({@code BACKUP_MANAGEMENT_TOKEN}) that Prometheus and the gateway's {@code /health}
 *              present as {@code Authorization: Bearer <token>} to read {@code /actuator/prometheus} and the health
 *              details. Empty: nobody can (health still answers its status). Never logged.
 */
@ConfigurationProperties("backup.management")
public record ManagementProperties(@DefaultValue("") String token) {

    /** Whether a management token is configured. */
    public boolean configured() {
        return token != null && !token.isBlank();
    }

    /**
     * Whether {@code presented} is the configured token: both SHA-256-hashed and compared in constant time, so
     * timing tells nothing about how much of it matched. Never true when no token is configured.
     */
    public boolean matches(String presented) {
        if (!configured() || presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(sha256(token), sha256(presented));
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ManagementProperties[token=" + (configured() ? "***" : "unset") + "]";
    }
}
