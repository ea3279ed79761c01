package io.taskagent.backup.model;

/**
 * A message that cannot be parsed or does not satisfy its contract. Consumers never retry it: it goes to the
 * dead-letter queue at once, with this message as the reason.
 */
public class InvalidMessageException extends RuntimeException {

    public InvalidMessageException(String message) {
        super(message);
    }

    public InvalidMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
