package io.taskagent.backup.model.job;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The job lifecycle and, in one place, the transitions it allows: {@code QUEUED -> RUNNING -> SUCCEEDED | FAILED},
 * and {@code RUNNING -> RUNNING} when a worker takes over a job whose lease expired. The worker's job store performs
 * each transition as an {@code UPDATE ... WHERE status IN (allowed sources)} built from {@link #allowedFrom()}, so a
 * transition that is not listed here cannot happen. The names are the values stored in {@code worker.jobs.status}.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

    /** The states a job may be in before it enters this one (none for {@link #QUEUED}: a job is created queued). */
    public Set<JobStatus> allowedFrom() {
        return switch (this) {
            case QUEUED -> EnumSet.noneOf(JobStatus.class);
            // RUNNING -> RUNNING: taken over by another worker after its lease expired
            case RUNNING -> EnumSet.of(QUEUED, RUNNING);
            case SUCCEEDED, FAILED -> EnumSet.of(RUNNING);
        };
    }

    /** Whether a job in this state can change no more. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** The states of a job that is not finished yet (queued or running). */
    public static List<JobStatus> active() {
        return Arrays.stream(values()).filter(s -> !s.isFinal()).toList();
    }
}
