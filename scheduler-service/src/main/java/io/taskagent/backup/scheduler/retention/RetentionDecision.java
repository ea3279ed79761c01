package io.taskagent.backup.scheduler.retention;

import java.util.List;

/**
 * Keep or delete one backup.
 *
 * @param backup  the backup
 * @param keep    whether it is kept
 * @param reasons every rule that keeps it, or (one) why it goes
 */
record RetentionDecision(StoredBackup backup, boolean keep, List<String> reasons) {

    RetentionDecision {
        reasons = List.copyOf(reasons);
    }
}
