package io.taskagent.backup.gateway;

import io.taskagent.backup.testsupport.Infrastructure;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.taskagent.backup.gateway.GatewayTestSupport.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Repeated wrong tokens from one client, on the real gateway: over the limit its requests with a token are refused
 * with 429 and {@code Retry-After} (a right token too, so guessing gains nothing), while other clients, with a right
 * token or a wrong one, and the same client without a token, are not affected; the REST API's bearer check and the
 * dashboard's sign-in form alike; after the wait the client is served again. Clients are told apart by
 * {@code X-Forwarded-For}, which this gateway is explicitly configured to trust from the loopback address
 * ({@code server.forward-headers-strategy=native}, {@code server.tomcat.remoteip.internal-proxies}); without that
 * configuration the header is ignored and the connection's address counts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class AuthThrottleIT {

    static final String CATALOG = "backup_catalog_it_gateway_throttle";
    static final int MAX_FAILURES = 5;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        GatewayTestSupport.freshCatalog(CATALOG);
        Infrastructure.get().springProperties(CATALOG).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("gateway.admin-token", () -> ADMIN);
        registry.add("gateway.auth-throttle.max-failures", () -> MAX_FAILURES);
        registry.add("gateway.auth-throttle.window", () -> "20s"); // one allowance back every 4 s
        registry.add("server.forward-headers-strategy", () -> "native");
        registry.add("server.tomcat.remoteip.internal-proxies", () -> "127\\.0\\.0\\.1|0:0:0:0:0:0:0:1");
    }

    @Value("${local.server.port}")
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> api(String client, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/backup/history"))
                .header("X-Forwarded-For", client);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Wrong tokens from {@code client} until refused: 401 for each allowance, then 429 (checked) with its wait. */
    private HttpResponse<String> exhaust(String client, java.util.function.Supplier<HttpResponse<String>> wrong,
                                         int refusedStatusBefore) {
        int attempts = 0;
        HttpResponse<String> response;
        do {
            response = wrong.get();
            attempts++;
            if (response.statusCode() != 429) {
                assertThat(response.statusCode()).as("attempt %d from %s", attempts, client).isEqualTo(refusedStatusBefore);
            }
        } while (response.statusCode() != 429 && attempts < MAX_FAILURES + 3);
        // the allowance, plus at most one that came back while the attempts ran
        assertThat(attempts).as("attempts from %s until 429", client).isBetween(MAX_FAILURES + 1, MAX_FAILURES + 2);
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                assertThat(Integer.parseInt(seconds)).isBetween(1, 4));
        return response;
    }

    @Test
    void aClientGuessingBearerTokensGets429AndOtherClientsAreUnaffected() throws Exception {
        String guesser = "203.0.113.7";
        String other = "203.0.113.8";
        HttpResponse<String> refused = exhaust(guesser, () -> call(() -> api(guesser, "guess-" + Math.random())), 401);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("too many invalid tokens").doesNotContain(ADMIN);

        assertThat(api(guesser, ADMIN).statusCode()).as("the right token from the guesser: refused too").isEqualTo(429);
        assertThat(api(other, ADMIN).statusCode()).as("the right token from another client").isEqualTo(200);
        assertThat(api(other, "wrong").statusCode()).as("a wrong one from another client: its own count").isEqualTo(401);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/actuator/health")).header("X-Forwarded-For", guesser).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("no token, no throttle").isEqualTo(200);
        assertThat(api(guesser, null).statusCode()).as("no token: 401, not counted, not refused").isEqualTo(401);

        // once an allowance is back (Retry-After), the guesser's right token works again
        Awaitility.await("the guesser served again").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> api(guesser, ADMIN).statusCode() == 200);
    }

    @Test
    void aClientGuessingAtTheSignInFormGets429AndAnotherSignsIn() throws Exception {
        String guesser = "198.51.100.9";
        Dashboard guessing = new Dashboard(guesser);
        HttpResponse<String> refused = exhaust(guesser, () -> call(() -> guessing.signIn("guess-" + Math.random())), 302);
        assertThat(refused.body()).contains("Too many failed sign-ins").doesNotContain(ADMIN);
        assertThat(guessing.signIn(ADMIN).statusCode()).as("the right token from the guesser").isEqualTo(429);

        Dashboard other = new Dashboard("198.51.100.10");
        HttpResponse<String> signedIn = other.signIn(ADMIN);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("failed"));
        // the bearer API of the same address shares the count: the guesser is refused there too
        assertThat(api(guesser, ADMIN).statusCode()).isEqualTo(429);
    }

    /** A browser of one client address: its own cookies, the form's CSRF token. */
    final class Dashboard {
        final String address;
        final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

        Dashboard(String address) {
            this.address = address;
        }

        HttpResponse<String> signIn(String token) throws Exception {
            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                    + "/ui/sign-in")).header("X-Forwarded-For", address).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"")
                    .matcher(page.body());
            assertThat(csrf.find()).as("the sign-in form's CSRF token").isTrue();
            String value = csrf.group(1) != null ? csrf.group(1) : csrf.group(2);
            String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&_csrf="
                    + URLEncoder.encode(value, StandardCharsets.UTF_8);
            return browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/ui/sign-in"))
                    .header("X-Forwarded-For", address).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    interface Call {
        HttpResponse<String> send() throws Exception;
    }

    private static HttpResponse<String> call(Call call) {
        try {
            return call.send();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
