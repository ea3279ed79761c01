package io.taskagent.backup.worker.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * The job lifecycle and, in one place, the transitions it allows. {@link JobStore} performs each transition as an
 * {@code UPDATE ... WHERE status IN (allowed sources)}, so a transition that is not listed here cannot happen.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

    /** The states a job may be in before it enters this one. */
    public Set<JobStatus> allowedFrom() {
        return switch (this) {
            case QUEUED -> EnumSet.noneOf(JobStatus.class);
            // RUNNING -> RUNNING: taken over by another worker after its lease expired
            case RUNNING -> EnumSet.of(QUEUED, RUNNING);
            case SUCCEEDED, FAILED -> EnumSet.of(RUNNING);
        };
    }

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED;
    }
}
