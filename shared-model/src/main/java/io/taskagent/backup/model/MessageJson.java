package io.taskagent.backup.model;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;

/**
 * The one JSON set-up for messages, shared by every service: ISO-8601 instants, camelCase names, unknown fields
 * tolerated (a newer producer may add fields), missing primitives refused.
 */
public final class MessageJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .build();

    private MessageJson() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(BackupMessage message) {
        return MAPPER.writeValueAsBytes(message);
    }

    /**
     * Parses and validates a message body.
     *
     * @throws InvalidMessageException naming what is wrong, for a body that is not a valid message
     */
    public static BackupMessage read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidMessageException("empty message body");
        }
        try {
            return MAPPER.readValue(body, BackupMessage.class);
        } catch (JacksonException e) {
            Throwable cause = rootCause(e);
            if (cause instanceof InvalidMessageException invalid) {
                throw new InvalidMessageException("invalid message: " + invalid.getMessage(), e);
            }
            throw new InvalidMessageException("unparseable message: " + e.getOriginalMessage()
                    + " in " + preview(body), e);
        }
    }

    /** Parses a body and checks it is the expected kind. */
    /**
     * Reads a message as it arrived on a queue: besides {@link #read(byte[])}, its type must be the one its routing
     * key is for ({@link BackupMessage#routingKey()}). A broker's topic permission checks the routing key only, so a
     * publisher allowed {@code backup.request} could otherwise send any command under it; such a message is refused
     * (and dead-lettered by the listener). A null {@code receivedRoutingKey} (not from a queue) is not checked.
     */
    public static BackupMessage readReceived(byte[] body, String receivedRoutingKey) {
        BackupMessage message = read(body);
        if (receivedRoutingKey != null && !receivedRoutingKey.equals(message.routingKey())) {
            throw new InvalidMessageException(message.getClass().getSimpleName() + " " + message.messageId()
                    + " arrived with routing key '" + receivedRoutingKey + "'; it must be published with '"
                    + message.routingKey() + "'");
        }
        return message;
    }

    public static <T extends BackupMessage> T read(byte[] body, Class<T> expected) {
        BackupMessage message = read(body);
        if (!expected.isInstance(message)) {
            throw new InvalidMessageException("expected " + expected.getSimpleName() + " but got "
                    + message.getClass().getSimpleName());
        }
        return expected.cast(message);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof InvalidMessageException) {
                return t;
            }
            t = t.getCause();
        }
        return t;
    }

    private static String preview(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
        return "'" + text.replaceAll("\\p{Cntrl}", "?") + (body.length > 120 ? "...'" : "'");
    }
}
