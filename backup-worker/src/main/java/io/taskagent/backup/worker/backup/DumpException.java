package io.taskagent.backup.worker.backup;

import io.taskagent.backup.worker.storage.StorageFullException;

import java.sql.SQLException;

/** A backup that could not be made; the message is the reason shown to people (no secrets). */
public class DumpException extends Exception {

    private boolean retryable;
    private StorageFullException storageFull;

    /** A failure of the destination (unreachable, refusing, full): the job is tried again, per the job rules. */
    public static DumpException storage(String message, Throwable cause) {
        DumpException e = new DumpException(message, cause);
        e.retryable = true;
        e.storageFull = StorageFullException.in(cause);
        return e;
    }

    /**
     * The source database's server went away or refused connections for a while (restarted, shut down, network
     * lost: {@link #connectionLost}): the attempt fails and the job is tried again, per the job rules.
     */
    public static DumpException sourceUnavailable(String message, Throwable cause) {
        DumpException e = new DumpException(message, cause);
        e.retryable = true;
        return e;
    }

    /**
     * Whether {@code e} (or a cause) says the connection to the server was lost or could not be made: SQLSTATE class
     * 08 (connection exception), 57P01 / 57P02 (the server shut down), 57P03 (the server is starting or stopping).
     * A missing database, a refused password or a broken query are not: they stay failures until someone acts.
     */
    public static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    String state = s.getSQLState();
                    if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                            || state.equals("57P03"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The destination was full (no space, or its quota reached), else null. */
    public StorageFullException storageFull() {
        return storageFull;
    }

    public DumpException(String message, Throwable cause) {
        super(message, cause);
    }

    public DumpException(String message) {
        super(message);
    }
}
