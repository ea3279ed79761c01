package io.taskagent.backup.scheduler.retention;

/** A read of the worker's published views failed; the message names the view. Never answered with an empty list. */
public class WorkerCatalogException extends IllegalStateException {

    WorkerCatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
