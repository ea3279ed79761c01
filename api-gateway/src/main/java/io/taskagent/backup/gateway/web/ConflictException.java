package io.taskagent.backup.gateway.web;

/** The request conflicts with work in progress (e.g. a second restore of the same target): 409. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
