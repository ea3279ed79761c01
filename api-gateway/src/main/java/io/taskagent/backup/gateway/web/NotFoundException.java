package io.taskagent.backup.gateway.web;

/** An unknown job or backup: 404. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
