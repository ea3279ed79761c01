package io.taskagent.backup.worker.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.taskagent.backup.model.job.JobKind;
import io.taskagent.backup.model.job.JobStatus;
import org.springframework.stereotype.Component;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a claimed job of any kind through its kind's {@link JobHandler}, for the command listener and for a
 * take-over alike. The job's lease is renewed from here until the job is recorded as finished and announced, so a
 * slow step after the work itself (the catalog, the broker's confirm) cannot let another worker take a job over
 * that is all but done.
 * <p>
 * Metrics of every job kind: {@code backup.jobs.in.flight{kind}} (jobs this worker runs now, from start-up) and
 * {@code backup.job.duration{kind, target, outcome}} with outcome {@code success}, {@code failure} or {@code retry}
 * (the job is to run again: tried later, or its lease was lost), read from the job's status once it ran.
 */
@Component
public class JobExecutor {

    private final LeaseKeeper leases;
    private final JobHandlers handlers;
    private final JobStore jobs;
    private final MeterRegistry meters;
    private final Map<JobKind, AtomicInteger> inFlight = new EnumMap<>(JobKind.class);
    private final Map<java.util.UUID, JobStore.Job> running = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean draining;

    JobExecutor(LeaseKeeper leases, JobHandlers handlers, JobStore jobs, MeterRegistry meters) {
        this.leases = leases;
        this.handlers = handlers;
        this.jobs = jobs;
        this.meters = meters;
        for (JobKind kind : JobKind.values()) {
            AtomicInteger running = new AtomicInteger();
            inFlight.put(kind, running);
            Gauge.builder("backup.jobs.in.flight", running, AtomicInteger::get).tag("kind", kind.label())
                    .description("jobs of this kind this worker is running").register(meters);
        }
    }

    /** Fails a job that used up its attempts, announcing it with its own kind's failure event. */
    void giveUp(JobStore.Job job, String reason) {
        handlers.forKind(job.kind()).giveUp(job, reason);
    }

    /** The worker is shutting down: it takes no new job (commands are put back, expired leases left to others). */
    public void drain() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** The jobs this worker runs now. */
    public java.util.Collection<JobStore.Job> running() {
        return java.util.List.copyOf(running.values());
    }

    /** Whether this worker runs job {@code id} now. */
    public boolean runs(java.util.UUID id) {
        return running.containsKey(id);
    }

    void run(JobStore.Job job) {
        running.put(job.id(), job);
        try {
            execute(job);
        } finally {
            running.remove(job.id());
        }
    }

    private void execute(JobStore.Job job) {
        AtomicInteger running = inFlight.get(job.kind());
        running.incrementAndGet();
        Timer.Sample sample = Timer.start(meters);
        try (LeaseKeeper.Heartbeat ignored = leases.keep(job.id())) {
            handlers.forKind(job.kind()).execute(job);
        } finally {
            running.decrementAndGet();
            sample.stop(meters.timer("backup.job.duration", "kind", job.kind().label(), "target", job.target(),
                    "outcome", outcome(job)));
        }
    }

    private String outcome(JobStore.Job job) {
        try {
            JobStatus status = jobs.status(job.id()).orElse(null);
            return status == JobStatus.SUCCEEDED ? "success" : status == JobStatus.FAILED ? "failure" : "retry";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
