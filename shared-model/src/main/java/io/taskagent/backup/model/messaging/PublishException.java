package io.taskagent.backup.model.messaging;

/** The broker did not confirm a message, refused it, or could not route it. The caller must not assume it was sent. */
public class PublishException extends RuntimeException {

    public PublishException(String message) {
        super(message);
    }

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
