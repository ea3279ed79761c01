package io.taskagent.backup.gateway.security;

import io.taskagent.backup.gateway.GatewayProperties;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TokenAuthenticatorTest {

    private static String sha256(String secret) {
        return HexFormat.of().formatHex(TokenAuthenticator.sha256(secret));
    }

    private final TokenAuthenticator authenticator = new TokenAuthenticator(new GatewayProperties("taskagent",
            "admin-secret", List.of(new GatewayProperties.Token("reader", sha256("reader-secret"),
            Set.of(Scopes.BACKUP_READ)))));

    @Test
    void theAdminTokenHasEveryScope() {
        assertThat(authenticator.authenticate("Bearer admin-secret")).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("admin");
            assertThat(c.scopes()).containsExactlyInAnyOrderElementsOf(Scopes.ALL);
        });
    }

    @Test
    void aConfiguredTokenIsKnownByTheDigestOfItsSecret() {
        assertThat(authenticator.authenticate("bearer reader-secret")).hasValueSatisfying(c -> {
            assertThat(c.name()).isEqualTo("reader");
            assertThat(c.scopes()).containsExactly(Scopes.BACKUP_READ);
        });
    }

    @Test
    void missingMalformedOrWrongTokensAreRefused() {
        assertThat(authenticator.authenticate(null)).isEmpty();
        assertThat(authenticator.authenticate("")).isEmpty();
        assertThat(authenticator.authenticate("Bearer ")).isEmpty();
        assertThat(authenticator.authenticate("Basic YWRtaW46YWRtaW4=")).isEmpty();
        assertThat(authenticator.authenticate("Bearer admin-secreT")).isEmpty();
        assertThat(authenticator.authenticate("Bearer " + sha256("reader-secret"))).as("the digest is not the secret").isEmpty();
    }

    @Test
    void withoutAnyTokenEverythingIsRefused() {
        TokenAuthenticator none = new TokenAuthenticator(new GatewayProperties("taskagent", "", List.of()));
        assertThat(none.tokenCount()).isZero();
        assertThat(none.authenticate("Bearer ")).isEmpty();
        assertThat(none.authenticate("Bearer anything")).isEmpty();
    }

    @Test
    void theCallerNeverShowsTheSecret() {
        assertThat(authenticator.authenticate("Bearer admin-secret").orElseThrow().toString()).doesNotContain("admin-secret");
        assertThat(new GatewayProperties("taskagent", "admin-secret", List.of()).toString()).doesNotContain("admin-secret");
    }
}
