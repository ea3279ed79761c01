package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.ChannelException;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs JSON to webhooks ({@link HttpClient}, bounded connect and request time-outs). Anything but a 2xx answer is a
 * failure. Webhook URLs carry their tokens, so no message of this class contains one: failures name the channel,
 * the status and a redacted start of the answer.
 */
@Component
class WebhookSender {

    private static final int MAX_ANSWER_SHOWN = 200;

    private final HttpClient client;
    private final Duration requestTimeout;

    WebhookSender(AlertProperties properties) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.http().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = properties.http().requestTimeout();
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
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "taskagent-backup-alert-service")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new ChannelException(label + " did not answer within " + requestTimeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new ChannelException(label + " unreachable: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + redact(e.getMessage(), uri)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException(label + " call interrupted");
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            String answer = response.body() == null ? "" : response.body().strip();
            if (answer.length() > MAX_ANSWER_SHOWN) {
                answer = answer.substring(0, MAX_ANSWER_SHOWN) + "...";
            }
            throw new ChannelException(label + " answered HTTP " + status
                    + (answer.isEmpty() ? "" : ": " + redact(answer, uri).replaceAll("\\p{Cntrl}", " ")));
        }
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
