package io.taskagent.backup.gateway.status;

import io.taskagent.backup.gateway.security.Caller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/backup/status}: the verdict over every target's backups, the scheduler's running state and next
 * fire, disk usage per destination and the last drill, as {@link BackupStatus} computes them (the dashboard's
 * overview shows the same per target).
 */
@RestController
class StatusController {

    private final BackupStatus status;

    StatusController(BackupStatus status) {
        this.status = status;
    }

    @GetMapping("/api/backup/status")
    StatusView status(Caller caller) {
        return status.status(null);
    }
}
