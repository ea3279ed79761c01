package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.security.Scopes;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;

/**
 * Who may do what on the dashboard, in one place, as {@code ApiAccess} is for the REST API: each rule a method and
 * path pattern and the scope the signed-in token needs, first match wins. The scopes are the API's: a page shows what
 * the API would answer to the same token, and a button is offered only with the scope its action needs.
 */
final class DashboardAccess {

    /** The paths the dashboard's security chain guards; everything else is the REST API's chain. */
    static final String[] PATHS = {"/", "/ui/**", "/webjars/**"};

    /** Open to anyone: the sign-in page, the page saying why a request was refused, and the static assets. */
    static final String[] OPEN = {"/ui/sign-in", "/ui/denied", "/ui/assets/**", "/webjars/**"};

    /** A request pattern and the scope a signed-in token needs for it. */
    record Rule(HttpMethod method, String pattern, String scope) {

        RequestMatcher matcher() {
            return PathPatternRequestMatcher.withDefaults().matcher(method, pattern);
        }
    }

    static final List<Rule> RULES = List.of(
            new Rule(HttpMethod.GET, "/ui/restore", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.GET, "/ui/restore/**", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.POST, "/ui/restore/**", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.POST, "/ui/backups/*/drill", Scopes.BACKUP_RESTORE),
            new Rule(HttpMethod.POST, "/ui/scheduler/**", Scopes.SCHEDULER_ADMIN),
            new Rule(HttpMethod.POST, "/ui/**", Scopes.BACKUP_WRITE),
            new Rule(HttpMethod.GET, "/ui/**", Scopes.BACKUP_READ),
            new Rule(HttpMethod.GET, "/", Scopes.BACKUP_READ));

    private DashboardAccess() {
    }

    /** The scope the first matching rule requires, if any rule matches. */
    static Optional<String> requiredScope(HttpServletRequest request) {
        return RULES.stream().filter(rule -> rule.matcher().matches(request)).map(Rule::scope).findFirst();
    }
}
