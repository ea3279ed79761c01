package io.taskagent.backup.worker.restore;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time of a restore's phases, in milliseconds, in the order they ran: reported in the job's result. */
final class Phases {

    private final Map<String, Long> millis = new LinkedHashMap<>();
    private long mark = System.nanoTime();

    /** Ends the phase {@code name} now (a phase that ran before under this name gets the time added). */
    void done(String name) {
        long now = System.nanoTime();
        millis.merge(name, (now - mark) / 1_000_000, Long::sum);
        mark = now;
    }

    Map<String, Long> millis() {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(millis));
    }
}
