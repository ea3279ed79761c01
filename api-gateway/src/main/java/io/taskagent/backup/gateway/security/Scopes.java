package io.taskagent.backup.gateway.security;

import java.util.Set;

/** The scopes a token can hold. */
public final class Scopes {

    public static final String BACKUP_READ = "backup:read";
    public static final String BACKUP_WRITE = "backup:write";
    public static final String BACKUP_RESTORE = "backup:restore";
    public static final String SCHEDULER_ADMIN = "scheduler:admin";
    /**
     * The actuator beyond health's status: {@code /actuator/prometheus}, the health details, the actuator index. Held
     * by the management token ({@code BACKUP_MANAGEMENT_TOKEN}, named {@code management}, this scope only) and admin.
     */
    public static final String ACTUATOR_READ = "actuator:read";

    public static final Set<String> ALL = Set.of(BACKUP_READ, BACKUP_WRITE, BACKUP_RESTORE, SCHEDULER_ADMIN, ACTUATOR_READ);

    private Scopes() {
    }
}
