package io.taskagent.backup.worker.backup;

/** A backup that could not be made; the message is the reason shown to people (no secrets). */
public class DumpException extends Exception {

    private boolean retryable;

    /** A failure of the destination (unreachable, refusing, full): the job is tried again, per the job rules. */
    public static DumpException storage(String message, Throwable cause) {
        DumpException e = new DumpException(message, cause);
        e.retryable = true;
        return e;
    }

    public boolean retryable() {
        return retryable;
    }

    public DumpException(String message, Throwable cause) {
        super(message, cause);
    }

    public DumpException(String message) {
        super(message);
    }
}
