package io.taskagent.backup.gateway.backup;

import java.time.Instant;

/**
 * One copy of a backup ({@code worker.v1_backup_copies}): the destination holding it and its state.
 *
 * @param status        AVAILABLE, PENDING (being copied, or to be tried again at {@code nextAttemptAt}), FAILED
 *                      (given up after {@code attempts}) or DELETED (by retention)
 * @param primary       the destination the backup was written to
 * @param verifiedAt    when its checksum was last checked on the destination (a copy is checked when made)
 * @param error         why the last attempt failed
 */
public record CopyView(String destination, String status, boolean primary, Long sizeBytes, Instant copiedAt,
                       Instant verifiedAt, int attempts, Instant nextAttemptAt, String error) {
}
