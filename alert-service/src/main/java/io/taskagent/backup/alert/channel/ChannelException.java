package io.taskagent.backup.alert.channel;

/**
 * A channel could not deliver an alert. Its message is safe to log: it names the channel and what went wrong but
 * never a webhook URL, token or key.
 */
public class ChannelException extends RuntimeException {

    public ChannelException(String message) {
        super(message);
    }
}
