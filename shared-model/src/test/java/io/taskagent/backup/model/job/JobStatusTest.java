package io.taskagent.backup.model.job;

import org.junit.jupiter.api.Test;

import static io.taskagent.backup.model.job.JobStatus.FAILED;
import static io.taskagent.backup.model.job.JobStatus.QUEUED;
import static io.taskagent.backup.model.job.JobStatus.RUNNING;
import static io.taskagent.backup.model.job.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

class JobStatusTest {

    @Test
    void aJobIsCreatedQueuedAndEntersNoOtherStateFromNowhere() {
        assertThat(QUEUED.allowedFrom()).isEmpty();
    }

    @Test
    void aQueuedJobIsClaimedAndARunningOneTakenOver() {
        assertThat(RUNNING.allowedFrom()).containsExactlyInAnyOrder(QUEUED, RUNNING);
    }

    @Test
    void onlyARunningJobFinishes() {
        assertThat(SUCCEEDED.allowedFrom()).containsExactly(RUNNING);
        assertThat(FAILED.allowedFrom()).containsExactly(RUNNING);
    }

    @Test
    void nothingLeavesAFinalState() {
        for (JobStatus to : JobStatus.values()) {
            assertThat(to.allowedFrom()).noneMatch(JobStatus::isFinal);
        }
        assertThat(SUCCEEDED.isFinal()).isTrue();
        assertThat(FAILED.isFinal()).isTrue();
        assertThat(QUEUED.isFinal()).isFalse();
        assertThat(RUNNING.isFinal()).isFalse();
    }

    @Test
    void theActiveStatesAreTheUnfinishedOnes() {
        assertThat(JobStatus.active()).containsExactly(QUEUED, RUNNING);
    }
}
