package io.taskagent.backup.gateway.backup;

import java.time.Instant;

/**
 * One attempt at a job ({@code worker.v1_job_attempts}): the worker that claimed it, whether it took the job over
 * from an earlier attempt, and how it ended.
 *
 * @param takenOver claimed while the job was running already (after an earlier attempt ended unfinished)
 * @param outcome   SUCCEEDED, FAILED, LEASE_EXPIRED, HANDED_BACK or RETRY; null while it runs
 */
public record JobAttempt(int attempt, String worker, boolean takenOver, Instant startedAt, Instant endedAt,
                         String outcome, String error) {
}
