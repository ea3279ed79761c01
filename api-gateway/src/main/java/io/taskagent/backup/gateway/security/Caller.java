package io.taskagent.backup.gateway.security;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The authenticated token behind a request: its name (never its secret) and scopes. Controllers take it as a
 * parameter ({@link CallerArgumentResolver}) for the audit log; who may call what is decided by {@link ApiAccess}
 * before a controller runs.
 */
public record Caller(String name, Set<String> scopes) {

    /** The caller an authentication (a bearer token, or a dashboard session signed in with one) stands for. */
    public static Caller of(Authentication authentication) {
        return new Caller(authentication.getName(), authentication.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(a -> a.startsWith("SCOPE_"))
                .map(a -> a.substring("SCOPE_".length()))
                .collect(Collectors.toUnmodifiableSet()));
    }
}
