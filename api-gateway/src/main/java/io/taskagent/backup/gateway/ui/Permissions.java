package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.security.Scopes;

/**
 * What the signed-in token may do, for the pages to offer only the actions it may take (the security chain decides
 * again on every request: {@link DashboardAccess}).
 */
public record Permissions(boolean read, boolean write, boolean restore, boolean admin) {

    static final Permissions NONE = new Permissions(false, false, false, false);

    static Permissions of(Caller caller) {
        return caller == null ? NONE : new Permissions(caller.scopes().contains(Scopes.BACKUP_READ),
                caller.scopes().contains(Scopes.BACKUP_WRITE), caller.scopes().contains(Scopes.BACKUP_RESTORE),
                caller.scopes().contains(Scopes.SCHEDULER_ADMIN));
    }
}
