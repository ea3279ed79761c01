package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.security.ApiAccess;
import io.taskagent.backup.gateway.security.AuthThrottle;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.TokenAuthenticator;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

import java.util.List;

/**
 * Signs in to the dashboard with an API token: the form's {@code token} is checked against the configured tokens
 * exactly as a bearer token is ({@link TokenAuthenticator}: SHA-256, constant time). The session then holds the token's
 * name and scopes, never its secret. A wrong token is refused without saying why, and counted against the client's
 * address ({@link AuthThrottle}, the same limit as the API's bearer check).
 */
final class TokenSignIn implements AuthenticationProvider {

    private final TokenAuthenticator tokens;
    private final AuthThrottle throttle;

    TokenSignIn(TokenAuthenticator tokens, AuthThrottle throttle) {
        this.tokens = tokens;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        Object secret = authentication.getCredentials();
        Caller caller = tokens.authenticateSecret(secret == null ? null : secret.toString().trim())
                .orElseThrow(() -> {
                    // counted against the client's address (a client over the limit gets 429: AuthThrottleFilter)
                    if (authentication.getDetails() instanceof WebAuthenticationDetails details) {
                        throttle.failure(details.getRemoteAddress());
                    }
                    return new BadCredentialsException("sign-in failed");
                });
        List<GrantedAuthority> authorities = caller.scopes().stream().sorted()
                .<GrantedAuthority>map(scope -> new SimpleGrantedAuthority(ApiAccess.authority(scope))).toList();
        return UsernamePasswordAuthenticationToken.authenticated(caller.name(), null, authorities);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
