package io.taskagent.backup.gateway.cleanup;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The scheduler's retention decisions of one cleanup ({@code GET /api/backup/cleanup/{job_id}}).
 *
 * @param keptCount   backups kept
 * @param deleteCount backups to delete (or deleted, once the worker has carried the cleanup out)
 * @param deleteBytes their size
 */
public record CleanupRunView(UUID jobId, String target, boolean dryRun, String requestedBy, Instant decidedAt,
                             int keptCount, int deleteCount, long deleteBytes, List<Decision> decisions) {

    /**
     * What retention decided for one backup.
     *
     * @param decision {@code keep} or {@code delete}
     * @param reasons  the rules that kept it, or why it goes
     */
    public record Decision(UUID backupId, String fileName, String backupType, Instant createdAt, long sizeBytes,
                           String decision, List<String> reasons) {
    }
}
