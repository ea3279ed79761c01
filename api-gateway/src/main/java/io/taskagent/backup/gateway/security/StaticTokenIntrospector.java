package io.taskagent.backup.gateway.security;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;

import java.util.List;
import java.util.Map;

/**
 * Introspects a bearer token against the configured static tokens ({@link TokenAuthenticator}: SHA-256 digests,
 * constant-time comparison). The principal's name is the token's name, never its secret; its scopes become
 * {@code SCOPE_<scope>} authorities.
 */
class StaticTokenIntrospector implements OpaqueTokenIntrospector {

    private final TokenAuthenticator tokens;

    StaticTokenIntrospector(TokenAuthenticator tokens) {
        this.tokens = tokens;
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        Caller caller = tokens.authenticateSecret(token).orElseThrow(() -> new BadOpaqueTokenException("invalid bearer token"));
        List<GrantedAuthority> authorities = caller.scopes().stream().sorted()
                .<GrantedAuthority>map(scope -> new SimpleGrantedAuthority(ApiAccess.authority(scope))).toList();
        return new DefaultOAuth2AuthenticatedPrincipal(caller.name(),
                Map.of("sub", caller.name(), "scope", String.join(" ", caller.scopes().stream().sorted().toList())),
                authorities);
    }
}
