package io.taskagent.backup.alert;

import com.icegreen.greenmail.util.GreenMail;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.taskagent.backup.testsupport.Infrastructure;
import jakarta.mail.internet.MimeMessage;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Helpers of the alert ITs. The broker is shared with other test runs (their workers publish events for
 * "taskagent" into the alert queue), so tests use their own target names and look for their own messages,
 * never at global counts.
 */
final class AlertTestSupport {

    private AlertTestSupport() {
    }

    /** A target name no other test uses. */
    static String uniqueTarget(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String body(MimeMessage mail) {
        try {
            return (String) mail.getContent();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String subject(MimeMessage mail) {
        try {
            return mail.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The e-mails GreenMail received (one per recipient) whose body contains {@code text}. */
    static List<MimeMessage> mailsContaining(GreenMail smtp, String text) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> body(m).contains(text)).toList();
    }

    /**
     * Whether {@code queue} holds a message whose body contains {@code text}. Browses the queue: takes every message
     * without acknowledging it, then closes the channel, which returns them all.
     */
    static boolean queueHolds(Infrastructure infra, String queue, String text) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setVirtualHost(infra.rabbitVhost);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        try (Connection connection = factory.newConnection("alert-it-browser")) {
            Channel channel = connection.createChannel();
            List<String> bodies = new ArrayList<>();
            GetResponse response;
            while ((response = channel.basicGet(queue, false)) != null) {
                bodies.add(new String(response.getBody(), StandardCharsets.UTF_8));
            }
            channel.close();
            return bodies.stream().anyMatch(b -> b.contains(text));
        } catch (Exception e) {
            throw new IllegalStateException("cannot browse " + queue + ": " + e, e);
        }
    }

    /** Waits until {@code queue} holds a message whose body contains {@code text}. */
    static void awaitQueueHolds(Infrastructure infra, String queue, String text, Duration timeout) {
        Awaitility.await(queue + " holding a message containing " + text).atMost(timeout)
                .pollInterval(Duration.ofMillis(200)).until(() -> queueHolds(infra, queue, text));
    }
}
