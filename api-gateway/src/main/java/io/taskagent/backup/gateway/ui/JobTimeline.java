package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.backup.JobAttempt;
import io.taskagent.backup.gateway.backup.JobView;
import io.taskagent.backup.model.job.JobStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's timeline as its page shows it: requested; each attempt started (the first, or taken over by a worker after
 * the previous attempt's lease expired or its worker handed it back, or retried after a failure) and how an
 * unfinished attempt ended; finished, with the error. From the job ({@code worker.v1_jobs}) and its attempts
 * ({@code worker.v1_job_attempts}); a job recorded before the worker kept its attempts shows its last start only.
 *
 * @param steps      in time order
 * @param takenOver  whether another worker took the job over at least once
 * @param takeOvers  e.g. {@code w2 from w1 (lease expired)}, one per take-over
 */
public record JobTimeline(List<Step> steps, boolean takenOver, List<String> takeOvers) {

    /**
     * One step.
     *
     * @param tone {@code ok}, {@code bad}, {@code warn} or null, for its marker
     */
    public record Step(String what, Instant at, String detail, String tone) {
    }

    static JobTimeline of(JobView job, List<JobAttempt> attempts) {
        List<Step> steps = new ArrayList<>();
        List<String> takeOvers = new ArrayList<>();
        steps.add(new Step(JobStatus.QUEUED.name().equals(job.status()) ? "Queued" : "Requested", job.requestedAt(),
                job.requestedBy() == null ? null : "by " + job.requestedBy(), null));
        if (attempts.isEmpty()) {
            if (job.startedAt() != null) {
                Integer n = job.attempts();
                steps.add(new Step("Started", job.startedAt(), n != null && n > 1
                        ? "attempt " + n + " (earlier attempts were not recorded)" : null, null));
            }
        } else {
            JobAttempt previous = null;
            for (JobAttempt a : attempts) {
                String what;
                String detail = "attempt " + a.attempt() + " on " + a.worker();
                if (previous == null) {
                    what = "Started";
                } else if ("RETRY".equals(previous.outcome())) {
                    what = "Retried";
                } else {
                    what = "Taken over";
                    String why = "HANDED_BACK".equals(previous.outcome()) ? "handed back" : "lease expired";
                    detail += ", from " + previous.worker() + " (" + why + ")";
                    if (!a.worker().equals(previous.worker())) {
                        takeOvers.add(a.worker() + " from " + previous.worker() + " (" + why + ")");
                    }
                }
                steps.add(new Step(what, a.startedAt(), detail, previous == null ? null : "warn"));
                if (a.endedAt() != null && a.outcome() != null) {
                    String ended = switch (a.outcome()) {
                        case "LEASE_EXPIRED" -> "Lease expired";
                        case "HANDED_BACK" -> "Handed back";
                        case "RETRY" -> "Failed, to be retried";
                        default -> null; // the job finished in it: the last step says so
                    };
                    if (ended != null) {
                        String on = "attempt " + a.attempt() + " on " + a.worker();
                        steps.add(new Step(ended, a.endedAt(), a.error() == null ? on : on + ": " + a.error(),
                                "warn"));
                    }
                }
                previous = a;
            }
        }
        if (job.finishedAt() != null) {
            boolean ok = JobStatus.SUCCEEDED.name().equals(job.status());
            steps.add(new Step(ok ? "Succeeded" : "Failed", job.finishedAt(), ok ? null : job.errorMessage(),
                    ok ? "ok" : "bad"));
        }
        return new JobTimeline(List.copyOf(steps), !takeOvers.isEmpty(), List.copyOf(takeOvers));
    }
}
