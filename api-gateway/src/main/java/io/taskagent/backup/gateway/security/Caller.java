package io.taskagent.backup.gateway.security;

import java.util.Set;

/** The authenticated token behind a request: its name (never its secret) and scopes. */
public record Caller(String name, Set<String> scopes) {

    public static final String REQUEST_ATTRIBUTE = "taskagent.backup.caller";

    /** @throws ForbiddenException when the token lacks {@code scope} */
    public void require(String scope) {
        if (!scopes.contains(scope)) {
            throw new ForbiddenException("token '" + name + "' lacks the scope " + scope);
        }
    }
}
