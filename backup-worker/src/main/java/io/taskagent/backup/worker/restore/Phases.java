package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.job.JobProgress;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time of a restore's phases, in milliseconds, in the order they ran: reported in the job's result. With the
 * job's {@link JobProgress}, also what the restore does now ({@link #begin}) and how many rows and tables it loaded,
 * for {@code GET /jobs/{id}} and the progress events.
 */
final class Phases {

    private final Map<String, Long> millis = new LinkedHashMap<>();
    private final JobProgress progress;
    private long mark = System.nanoTime();

    Phases() {
        this(null);
    }

    Phases(JobProgress progress) {
        this.progress = progress;
    }

    /** Ends the phase {@code name} now (a phase that ran before under this name gets the time added). */
    void done(String name) {
        long now = System.nanoTime();
        millis.merge(name, (now - mark) / 1_000_000, Long::sum);
        mark = now;
    }

    /** The restore is in {@code phase} now: checking, safety_backup, loading, keys, verifying. */
    void begin(String phase) {
        if (progress != null) {
            progress.phase(phase);
        }
    }

    /** The rows and tables the restore loads. */
    void total(Map<String, Long> rows) {
        if (progress != null) {
            progress.total(rows.values().stream().mapToLong(Long::longValue).sum(), rows.size());
        }
    }

    /** {@code n} more rows loaded. */
    void rows(long n) {
        if (progress != null && n > 0) {
            progress.addRows(n);
        }
    }

    /** One more table loaded. */
    void tableDone() {
        if (progress != null) {
            progress.tableDone();
        }
    }

    Map<String, Long> millis() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(millis));
    }
}
