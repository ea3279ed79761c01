package io.taskagent.backup.alert.webhook;

import com.sun.net.httpserver.HttpServer;
import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.ChannelException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** Against a local HTTP server: 2xx is success, anything else a failure whose message holds no secret. */
class WebhookSenderTest {

    static final String TOKEN = "T0KEN-abc123-secret";

    HttpServer server;
    final List<String> headers = new CopyOnWriteArrayList<>();
    final List<String> paths = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    final CountDownLatch released = new CountDownLatch(1);
    WebhookSender sender;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            headers.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Test")));
            paths.add(exchange.getRequestURI().getPath());
            contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/slow")) {
                try {
                    // answers only once the test is over, long after the client's request time-out
                    released.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (path.startsWith("/moved")) {
                exchange.getResponseHeaders().add("Location", "/ok/elsewhere");
            }
            int status = path.startsWith("/fail") ? 500 : path.startsWith("/gone") ? 404
                    : path.startsWith("/empty") ? 204 : path.startsWith("/moved") ? 302 : 200;
            byte[] answer = ("error at " + exchange.getRequestURI() + "\n" + "x".repeat(500)).getBytes(StandardCharsets.UTF_8);
            if (status == 204) {
                exchange.sendResponseHeaders(204, -1);
            } else {
                exchange.sendResponseHeaders(status, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
            exchange.close();
        });
        server.start();
        // a request time-out far above a loaded machine's answer time: only the handler that never answers (/slow) hits it
        AlertProperties.Http http = new AlertProperties.Http(Duration.ofSeconds(2), Duration.ofMillis(3000));
        sender = new WebhookSender(new AlertProperties(new AlertProperties.Mail(true, "a@b.c", List.of()),
                new AlertProperties.Slack(null), new AlertProperties.Discord(null), new AlertProperties.Webhook(null, null),
                http, new AlertProperties.Throttle(Duration.ofMinutes(30)),
                new AlertProperties.Anomaly(true, 5, 3, 0.5, 3, 0.2),
                new AlertProperties.Routing(null, null, null), false, true));
    }

    @AfterEach
    void stop() {
        released.countDown();
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void twoHundredsAreSuccessAndHeadersAreSent() {
        assertThatNoException().isThrownBy(() -> sender.post("slack webhook", uri("/ok/" + TOKEN), "{}".getBytes(), Map.of("X-Test", "1")));
        assertThatNoException().isThrownBy(() -> sender.post("discord webhook", uri("/empty/" + TOKEN), "{}".getBytes(), Map.of()));
        assertThat(headers).contains("1");
        assertThat(contentTypes).allMatch(t -> t.toLowerCase().startsWith("application/json")
                && t.toLowerCase().contains("charset=utf-8"));
    }

    @Test
    void aRedirectIsNotFollowedButIsAFailure() {
        assertThatThrownBy(() -> sender.post("generic webhook", uri("/moved/" + TOKEN), "{}".getBytes(), Map.of()))
                .isInstanceOf(ChannelException.class).hasMessageStartingWith("generic webhook answered HTTP 302")
                .hasMessageNotContaining(TOKEN);
        assertThat(paths).noneMatch(p -> p.startsWith("/ok"));
    }

    @Test
    void otherAnswersAreFailuresNamingTheStatusButNeverTheUrl() {
        assertThatThrownBy(() -> sender.post("slack webhook", uri("/fail/" + TOKEN + "?token=" + TOKEN), "{}".getBytes(), Map.of()))
                .isInstanceOf(ChannelException.class)
                .hasMessageStartingWith("slack webhook answered HTTP 500: error at ")
                .hasMessageNotContaining(TOKEN).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> sender.post("generic webhook", uri("/gone/" + TOKEN), "{}".getBytes(), Map.of()))
                .hasMessageContaining("HTTP 404").hasMessageNotContaining(TOKEN);
    }

    @Test
    void timeoutsAndUnreachableHostsAreFailuresWithoutTheUrl() throws Exception {
        assertThatThrownBy(() -> sender.post("discord webhook", uri("/slow/" + TOKEN), "{}".getBytes(), Map.of()))
                .isInstanceOf(ChannelException.class).hasMessageContaining("did not answer within 3000 ms")
                .hasMessageNotContaining(TOKEN);
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThatThrownBy(() -> sender.post("generic webhook", URI.create("http://127.0.0.1:" + closed + "/" + TOKEN),
                "{}".getBytes(), Map.of()))
                .isInstanceOf(ChannelException.class).hasMessageStartingWith("generic webhook unreachable")
                .hasMessageNotContaining(TOKEN);
    }

    @Test
    void aBadUrlIsRefusedNamingOnlyTheSetting() {
        assertThatThrownBy(() -> WebhookSender.uri("ftp://host/" + TOKEN, "alert.slack.url"))
                .hasMessage("alert.slack.url must be an http(s) URL");
        assertThatThrownBy(() -> WebhookSender.uri("not a url " + TOKEN, "alert.discord.url"))
                .hasMessage("alert.discord.url must be an http(s) URL");
    }
}
