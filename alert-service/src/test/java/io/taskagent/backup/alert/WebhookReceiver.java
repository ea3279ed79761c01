package io.taskagent.backup.alert;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A local HTTP server standing in for Slack, Discord and a generic webhook: records every request. */
final class WebhookReceiver implements AutoCloseable {

    /** One request as received: path, headers (lower-case names), raw body. */
    record Received(String path, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            String path = exchange.getRequestURI().getPath();
            int status = statusByPath.getOrDefault(path, path.startsWith("/discord") ? 204 : 200);
            if (status / 100 == 2) {
                received.add(new Received(path, headers, body));
            }
            byte[] answer = status == 204 ? new byte[0]
                    : (status / 100 == 2 ? "ok" : "invalid_token for " + path).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, status == 204 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers requests to {@code path} with {@code status} from now on (non-2xx requests are not recorded). */
    void answer(String path, int status) {
        statusByPath.put(path, status);
    }

    List<Received> received(String path, Predicate<String> bodyFilter) {
        return received.stream().filter(r -> r.path().equals(path) && bodyFilter.test(r.text())).toList();
    }

    /** Waits until at least {@code count} requests to {@code path} whose body matches were received. */
    List<Received> await(String path, Predicate<String> bodyFilter, int count, Duration timeout) {
        return Awaitility.await(count + " request(s) to " + path).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> received(path, bodyFilter), found -> found.size() >= count);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
