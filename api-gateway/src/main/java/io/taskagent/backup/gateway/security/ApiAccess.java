package io.taskagent.backup.gateway.security;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;

/**
 * Who may call what, in one place: each rule is a method and path pattern and the scope it needs, first match wins.
 * {@link SecurityConfiguration} turns the table into Spring Security rules ({@code SCOPE_<scope>} authorities), and
 * the 403 answer names the scope from the same table.
 */
public final class ApiAccess {

    /** A request pattern and the scope a token needs for it. */
    public record Rule(HttpMethod method, String pattern, String scope) {

        RequestMatcher matcher() {
            return PathPatternRequestMatcher.withDefaults().matcher(method, pattern);
        }
    }

    /**
     * Bearer-token API and actuator rules; health (its status only: details need {@code actuator:read}, see
     * {@code management.endpoint.health.roles}), the OpenAPI document, Swagger UI and the AsyncAPI document of the
     * messages are open; {@code /actuator/prometheus} needs {@code actuator:read} (the management token).
     */
    public static final List<Rule> RULES = List.of(
            new Rule(HttpMethod.POST, "/api/backup/restore", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.POST, "/api/backup/drills", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.POST, "/api/backup/scheduler/**", Scopes.SCHEDULER_ADMIN),
            new Rule(HttpMethod.POST, "/api/backup/**", Scopes.BACKUP_WRITE),
            new Rule(HttpMethod.GET, "/api/backup/**", Scopes.BACKUP_READ),
            new Rule(HttpMethod.GET, "/actuator/**", Scopes.ACTUATOR_READ));

    /** Paths anyone may read. */
    public static final List<String> OPEN = List.of("/actuator/health", "/actuator/health/**",
            "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**", "/asyncapi.yaml", "/error");

    private ApiAccess() {
    }

    /** The scope the first matching rule requires, if any rule matches. */
    static Optional<String> requiredScope(HttpServletRequest request) {
        return RULES.stream().filter(rule -> rule.matcher().matches(request)).map(Rule::scope).findFirst();
    }

    /** The authority a token holding {@code scope} has. */
    public static String authority(String scope) {
        return "SCOPE_" + scope;
    }
}
