package io.taskagent.backup.model.job;

/**
 * What a job of the worker does. {@link #label()} is the value stored in {@code worker.jobs.kind} (and shown by
 * {@code worker.v1_jobs}); it is spelled here once, for the worker that writes it and every service that reads it.
 */
public enum JobKind {
    BACKUP("backup"), RESTORE("restore"), VERIFY("verify"), CLEANUP("cleanup"), DRILL("drill");

    private final String label;

    JobKind(String label) {
        this.label = label;
    }

    /** The stored value ({@code worker.jobs.kind}). */
    public String label() {
        return label;
    }

    /**
     * The kind stored as {@code label}.
     *
     * @throws IllegalArgumentException naming the value when no kind is stored so
     */
    public static JobKind ofLabel(String label) {
        for (JobKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown job kind '" + label + "' (known: backup, restore, verify, cleanup, drill)");
    }
}
