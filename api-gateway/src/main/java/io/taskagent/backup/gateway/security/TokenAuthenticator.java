package io.taskagent.backup.gateway.security;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.model.management.ManagementProperties;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks bearer tokens against the configured SHA-256 digests. The presented secret is hashed and compared with
 * every configured digest in constant time (no early exit), so timing reveals neither which token nor how much of
 * it matched. Secrets are never stored or logged; only digests are kept.
 */
public class TokenAuthenticator {

    private record Entry(String name, byte[] sha256, Set<String> scopes) {
    }

    private final List<Entry> entries;

    public TokenAuthenticator(GatewayProperties properties) {
        this(properties, new ManagementProperties(""));
    }

    /**
     * The configured tokens, {@code BACKUP_ADMIN_TOKEN} as {@code admin} (every scope) and
     * {@code BACKUP_MANAGEMENT_TOKEN} as {@code management} ({@link Scopes#ACTUATOR_READ} only: metrics and health
     * details, nothing of the API).
     */
    public TokenAuthenticator(GatewayProperties properties, ManagementProperties management) {
        List<Entry> list = new ArrayList<>();
        if (properties.adminToken() != null && !properties.adminToken().isBlank()) {
            list.add(new Entry("admin", sha256(properties.adminToken()), Scopes.ALL));
        }
        if (management.configured()) {
            list.add(new Entry("management", sha256(management.token()), Set.of(Scopes.ACTUATOR_READ)));
        }
        for (GatewayProperties.Token token : properties.tokens()) {
            list.add(new Entry(token.name(), HexFormat.of().parseHex(token.sha256().toLowerCase()),
                    Set.copyOf(token.scopes())));
        }
        this.entries = List.copyOf(list);
    }

    public int tokenCount() {
        return entries.size();
    }

    /** The caller for an {@code Authorization} header value, or empty when it is missing or wrong. */
    public Optional<Caller> authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return authenticateSecret(authorizationHeader.substring(7).trim());
    }

    /** The caller for a presented token secret, or empty when it matches no configured token. */
    public Optional<Caller> authenticateSecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = sha256(secret);
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), presented) && match == null) {
                match = entry;
            }
        }
        return match == null ? Optional.empty() : Optional.of(new Caller(match.name(), match.scopes()));
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
