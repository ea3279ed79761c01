package io.taskagent.backup.alert.delivery;

/**
 * An alert could not be sent on at least one of its channels after every retry. The event is dead-lettered; the
 * channels it did reach are recorded and are not sent again if it is replayed.
 */
public class AlertNotDeliveredException extends RuntimeException {

    AlertNotDeliveredException(String message) {
        super(message);
    }
}
