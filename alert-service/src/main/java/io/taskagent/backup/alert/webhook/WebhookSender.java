package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.ChannelException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs JSON to webhooks through Spring's {@link RestClient} (on the JDK's HTTP client: HTTP/1.1, no redirects
 * followed, the connect time-out {@code alert.http.connect-timeout} and the time-out for the whole answer
 * {@code alert.http.request-timeout}). Anything but a 2xx answer is a failure.
 * <p>
 * Webhook URLs carry their tokens, so no message of this class contains one: failures name the channel, the status
 * and a redacted start of the answer, never the message of Spring's exceptions (which quote the URL). For the same
 * reason the client is built here and not from Spring Boot's {@code RestClient.Builder}: that one records an
 * observation per request whose {@code http.url} would carry the token into traces.
 */
@Component
class WebhookSender {

    private static final int MAX_ANSWER_SHOWN = 200;
    /** Only the start of an answer is read: enough to show, bounded whatever the server sends. */
    private static final int MAX_ANSWER_READ = 4096;
    private static final MediaType JSON = new MediaType("application", "json", StandardCharsets.UTF_8);

    private final RestClient client;
    private final Duration connectTimeout;
    private final Duration requestTimeout;

    /** The status and the start of the body of an answer. */
    private record Answer(int status, String start) {
    }

    WebhookSender(AlertProperties properties) {
        this.connectTimeout = properties.http().connectTimeout();
        this.requestTimeout = properties.http().requestTimeout();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(requestTimeout);
        this.client = RestClient.builder()
                .requestFactory(factory)
                .defaultHeader(HttpHeaders.USER_AGENT, "taskagent-backup-alert-service")
                .build();
    }

    /** Parses a configured webhook URL, naming only the setting when it is not one. */
    static URI uri(String url, String setting) {
        try {
            URI uri = new URI(url.trim());
            if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalStateException(setting + " must be an http(s) URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(setting + " must be an http(s) URL");
        }
    }

    /**
     * POSTs {@code body} as JSON.
     *
     * @param label names the webhook in failures, e.g. "slack webhook"
     * @throws ChannelException on a time-out, an I/O error or a non-2xx answer; its message holds no secret
     */
    void post(String label, URI uri, byte[] body, Map<String, String> headers) {
        Answer answer;
        try {
            answer = client.post()
                    .uri(uri)
                    .contentType(JSON)
                    .headers(h -> headers.forEach(h::set))
                    .body(body)
                    .exchange((request, response) -> new Answer(response.getStatusCode().value(), start(response)));
        } catch (RestClientException e) {
            throw failure(label, uri, e);
        }
        if (answer == null || answer.status() < 200 || answer.status() > 299) {
            int status = answer == null ? 0 : answer.status();
            String shown = answer == null ? "" : answer.start().strip();
            if (shown.length() > MAX_ANSWER_SHOWN) {
                shown = shown.substring(0, MAX_ANSWER_SHOWN) + "...";
            }
            throw new ChannelException(label + " answered HTTP " + status
                    + (shown.isEmpty() ? "" : ": " + redact(shown, uri).replaceAll("\\p{Cntrl}", " ")));
        }
    }

    /** The start of the answer's body (at most {@value #MAX_ANSWER_READ} bytes), as text. */
    private static String start(ClientHttpResponse response) throws IOException {
        try (InputStream in = response.getBody()) {
            return new String(in.readNBytes(MAX_ANSWER_READ), StandardCharsets.UTF_8);
        }
    }

    /** A failure to get an answer, told from the cause (Spring's own message quotes the URL). */
    private ChannelException failure(String label, URI uri, RestClientException e) {
        if (Thread.currentThread().isInterrupted()) {
            return new ChannelException(label + " call interrupted");
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                return new ChannelException(label + " could not be connected to within " + connectTimeout.toMillis()
                        + " ms");
            }
            if (cause instanceof HttpTimeoutException) {
                return new ChannelException(label + " did not answer within " + requestTimeout.toMillis() + " ms");
            }
        }
        if (cause == e) {
            return new ChannelException(label + " call failed: " + e.getClass().getSimpleName());
        }
        return new ChannelException(label + " unreachable: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : " " + redact(cause.getMessage(), uri)));
    }

    /** Removes the URL and its path and query (where tokens live) from a text. */
    static String redact(String text, URI uri) {
        String result = text.replace(uri.toString(), "(webhook URL)");
        for (String part : new String[]{uri.getRawPath(), uri.getRawQuery(), uri.getRawUserInfo()}) {
            if (part != null && part.length() > 1) {
                result = result.replace(part, "(redacted)");
            }
        }
        return result;
    }
}
