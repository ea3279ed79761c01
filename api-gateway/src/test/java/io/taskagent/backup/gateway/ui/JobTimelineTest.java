package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.backup.JobAttempt;
import io.taskagent.backup.gateway.backup.JobView;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JobTimelineTest {

    static final Instant T0 = Instant.parse("2026-05-01T02:00:00Z");

    private static JobView job(String status, Instant started, Instant finished, int attempts, String error) {
        return new JobView(UUID.randomUUID(), "backup", "manual", "taskagent", status, "admin", T0, started, finished,
                attempts, error, null, null, null, null, null, null, null);
    }

    private static List<String> steps(JobTimeline timeline) {
        return timeline.steps().stream().map(s -> s.what() + (s.detail() == null ? "" : ": " + s.detail())).toList();
    }

    @Test
    void aQueuedJobIsOnlyQueued() {
        JobTimeline t = JobTimeline.of(job("QUEUED", null, null, 0, null), List.of());
        assertThat(steps(t)).containsExactly("Queued: by admin");
        assertThat(t.takenOver()).isFalse();
    }

    @Test
    void aJobTakenOverAfterItsLeaseExpiredThenRetriedShowsEachAttemptAndHowItEnded() {
        List<JobAttempt> attempts = List.of(
                new JobAttempt(1, "w1", false, T0.plusSeconds(1), T0.plusSeconds(60), "LEASE_EXPIRED", null),
                new JobAttempt(2, "w2", true, T0.plusSeconds(65), T0.plusSeconds(70), "RETRY", "source unreachable"),
                new JobAttempt(3, "w2", true, T0.plusSeconds(100), T0.plusSeconds(130), "SUCCEEDED", null));
        JobTimeline t = JobTimeline.of(job("SUCCEEDED", T0.plusSeconds(100), T0.plusSeconds(130), 3, null), attempts);
        assertThat(steps(t)).containsExactly("Requested: by admin", "Started: attempt 1 on w1",
                "Lease expired: attempt 1 on w1", "Taken over: attempt 2 on w2, from w1 (lease expired)",
                "Failed, to be retried: attempt 2 on w2: source unreachable", "Retried: attempt 3 on w2",
                "Succeeded");
        assertThat(t.takenOver()).isTrue();
        assertThat(t.takeOvers()).containsExactly("w2 from w1 (lease expired)");
        assertThat(t.steps().get(t.steps().size() - 1).tone()).isEqualTo("ok");
    }

    @Test
    void aJobHandedBackAtShutDownIsTakenOverAndItsFailureCarriesTheError() {
        List<JobAttempt> attempts = List.of(
                new JobAttempt(1, "w1", false, T0.plusSeconds(1), T0.plusSeconds(5), "HANDED_BACK", "shutting down"),
                new JobAttempt(1, "w2", true, T0.plusSeconds(6), T0.plusSeconds(9), "FAILED", "disk full"));
        JobTimeline t = JobTimeline.of(job("FAILED", T0.plusSeconds(6), T0.plusSeconds(9), 1, "disk full"), attempts);
        assertThat(steps(t)).containsExactly("Requested: by admin", "Started: attempt 1 on w1",
                "Handed back: attempt 1 on w1: shutting down", "Taken over: attempt 1 on w2, from w1 (handed back)",
                "Failed: disk full");
        assertThat(t.steps().get(t.steps().size() - 1).tone()).isEqualTo("bad");
    }

    @Test
    void aJobRecordedBeforeAttemptsWereKeptShowsItsLastStart() {
        JobTimeline t = JobTimeline.of(job("RUNNING", T0.plusSeconds(30), null, 2, null), List.of());
        assertThat(steps(t)).containsExactly("Requested: by admin",
                "Started: attempt 2 (earlier attempts were not recorded)");
        assertThat(t.takenOver()).isFalse();
    }
}
