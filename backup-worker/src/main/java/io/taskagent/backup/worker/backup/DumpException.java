package io.taskagent.backup.worker.backup;

/** A backup that could not be made; the message is the reason shown to people (no secrets). */
public class DumpException extends Exception {

    public DumpException(String message, Throwable cause) {
        super(message, cause);
    }

    public DumpException(String message) {
        super(message);
    }
}
