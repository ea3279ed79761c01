package io.taskagent.backup.alert;

import io.taskagent.backup.alert.channel.Severity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the alert service ({@code alert.*}). The SMTP server itself is Spring Mail's
 * {@code spring.mail.*} ({@code SPRING_MAIL_HOST}, {@code SPRING_MAIL_PORT}, {@code SPRING_MAIL_USERNAME},
 * {@code SPRING_MAIL_PASSWORD}). Webhook URLs embed their tokens: they are secrets, like the signing key, and no
 * {@code toString} here shows them.
 *
 * @param mail                   the e-mail channel
 * @param slack                  the Slack incoming-webhook channel (off without a URL)
 * @param discord                the Discord webhook channel (off without a URL)
 * @param webhook                the generic JSON webhook channel (off without a URL)
 * @param http                   time-outs of webhook calls
 * @param throttle               how often the same alert may go out
 * @param anomaly                when a successful backup counts as an anomaly (possible data loss)
 * @param routing                which events go to which channels, by severity
 * @param notifyRestoreCompleted whether a completed restore is announced ({@code ALERT_NOTIFY_RESTORE_COMPLETED})
 * @param alertOnFailure         whether BackupFailed, RestoreFailed and VerifyFailed are alerted about
 *                               ({@code ALERT_ON_FAILURE}); off, they are recorded as suppressed
 *                               <p>
 *                               {@code mail.recipients}, {@code mail.enabled} and {@code alertOnFailure} apply until
 *                               a {@code ConfigureAlerts} command sets them ({@code alerts.settings})
 */
@Validated
@ConfigurationProperties("alert")
public record AlertProperties(@Valid @NotNull @DefaultValue Mail mail,
                              @Valid @NotNull @DefaultValue Slack slack,
                              @Valid @NotNull @DefaultValue Discord discord,
                              @Valid @NotNull @DefaultValue Webhook webhook,
                              @Valid @NotNull @DefaultValue Http http,
                              @Valid @NotNull @DefaultValue Throttle throttle,
                              @Valid @NotNull @DefaultValue Anomaly anomaly,
                              @Valid @NotNull @DefaultValue Routing routing,
                              @DefaultValue("false") boolean notifyRestoreCompleted,
                              @DefaultValue("true") boolean alertOnFailure) {

    /**
     * @param enabled    whether alerts are e-mailed
     * @param from       sender address ({@code ALERT_MAIL_FROM})
     * @param recipients who receives alerts ({@code ALERT_MAIL_RECIPIENTS}, comma-separated)
     */
    public record Mail(@DefaultValue("true") boolean enabled,
                       @NotBlank @Email @DefaultValue("backup-alerts@localhost") String from,
                       @NotNull @DefaultValue List<@NotBlank @Email String> recipients) {
    }

    /** @param url incoming-webhook URL ({@code ALERT_SLACK_WEBHOOK_URL}); a secret */
    public record Slack(String url) {

        public boolean configured() {
            return url != null && !url.isBlank();
        }

        @AssertTrue(message = "must be an http(s) URL")
        public boolean isUrlValid() {
            return !configured() || httpUrl(url);
        }

        @Override
        public String toString() {
            return "Slack[url=" + mask(url) + "]";
        }
    }

    /** @param url webhook URL ({@code ALERT_DISCORD_WEBHOOK_URL}); a secret */
    public record Discord(String url) {

        public boolean configured() {
            return url != null && !url.isBlank();
        }

        @AssertTrue(message = "must be an http(s) URL")
        public boolean isUrlValid() {
            return !configured() || httpUrl(url);
        }

        @Override
        public String toString() {
            return "Discord[url=" + mask(url) + "]";
        }
    }

    /**
     * @param url    where the JSON is POSTed ({@code ALERT_WEBHOOK_URL}); treated as a secret
     * @param secret key of the {@code X-Backup-Signature} HMAC-SHA256 header ({@code ALERT_WEBHOOK_SECRET}); no
     *               header without it
     */
    public record Webhook(String url, String secret) {

        public boolean configured() {
            return url != null && !url.isBlank();
        }

        public boolean signed() {
            return secret != null && !secret.isEmpty();
        }

        @AssertTrue(message = "must be an http(s) URL")
        public boolean isUrlValid() {
            return !configured() || httpUrl(url);
        }

        @Override
        public String toString() {
            return "Webhook[url=" + mask(url) + ", secret=" + mask(secret) + "]";
        }
    }

    /**
     * @param connectTimeout longest wait for a webhook's TCP/TLS connection
     * @param requestTimeout longest wait for a webhook's answer
     */
    public record Http(@NotNull @DefaultValue("5s") Duration connectTimeout,
                       @NotNull @DefaultValue("10s") Duration requestTimeout) {
    }

    /**
     * @param window the same alert (event kind and target) goes out at most once per window
     *               ({@code ALERT_THROTTLE_WINDOW}); {@code 0} turns throttling off
     */
    public record Throttle(@NotNull @DefaultValue("30m") Duration window) {

        @AssertTrue(message = "must not be negative")
        public boolean isWindowValid() {
            return window == null || !window.isNegative();
        }
    }

    /**
     * A successful backup is an anomaly when its total rows or size, or a table's rows, depart from the median of
     * the target's previous backups.
     *
     * @param enabled      whether completed backups are checked ({@code ALERT_ANOMALY_ENABLED})
     * @param history      previous successful backups the medians are taken over, N ({@code ALERT_ANOMALY_HISTORY})
     * @param minHistory   previous backups needed before anything is judged ({@code ALERT_ANOMALY_MIN_HISTORY})
     * @param minRatio     total rows or size below this share of the median is an anomaly
     *                     ({@code ALERT_ANOMALY_MIN_RATIO}, 0.5 = 50%)
     * @param maxRatio     total rows or size above this multiple of the median is an anomaly
     *                     ({@code ALERT_ANOMALY_MAX_RATIO}, 3.0 = 300%)
     * @param maxTableLoss a table that lost more than this share of its median rows is an anomaly
     *                     ({@code ALERT_ANOMALY_MAX_TABLE_LOSS}, 0.2 = 20%)
     */
    public record Anomaly(@DefaultValue("true") boolean enabled,
                          @Min(1) @Max(100) @DefaultValue("5") int history,
                          @Min(1) @Max(100) @DefaultValue("3") int minHistory,
                          @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.5") double minRatio,
                          @DecimalMin("1.0") @DefaultValue("3.0") double maxRatio,
                          @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") @DefaultValue("0.2")
                          double maxTableLoss) {

        @AssertTrue(message = "min-history must not exceed history")
        public boolean isHistoryConsistent() {
            return minHistory <= history;
        }
    }

    /**
     * Which events go where. Every kind has a severity (built-in defaults: critical for BackupFailed, RestoreFailed,
     * VerifyFailed, BackupAnomaly and DrillFailed; warning for BackupOversized, BackupStale, DrillOverdue,
     * DiskSpaceLow, HealthCheckFailed and ReplicationFailed; info for RestoreCompleted), each severity a list of channels (default: every channel), and
     * a kind may name its own channels instead. An empty list sends that severity or kind nowhere. A channel that
     * is not configured (no URL, no recipients) is off whatever the routing says.
     *
     * @param severities kind ({@code BackupFailed}) to severity, overriding the defaults
     * @param channels   severity to channels ({@code email}, {@code slack}, {@code discord}, {@code webhook});
     *                   {@code ALERT_ROUTE_CRITICAL}, {@code ALERT_ROUTE_WARNING}, {@code ALERT_ROUTE_INFO}
     * @param kinds      kind to channels, overriding its severity's list
     */
    public record Routing(Map<String, Severity> severities,
                          Map<Severity, List<@Pattern(regexp = CHANNELS, message = "must be email, slack, discord or webhook") String>> channels,
                          Map<String, List<@Pattern(regexp = CHANNELS, message = "must be email, slack, discord or webhook") String>> kinds) {

        static final String CHANNELS = "email|slack|discord|webhook";

        public Routing {
            severities = severities == null ? Map.of() : Map.copyOf(severities);
            channels = channels == null ? Map.of() : Map.copyOf(channels);
            kinds = kinds == null ? Map.of() : Map.copyOf(kinds);
        }
    }

    private static boolean httpUrl(String value) {
        try {
            URI uri = new URI(value.trim());
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (Exception e) {
            return false;
        }
    }

    private static String mask(String secret) {
        return secret == null || secret.isBlank() ? "(none)" : "(set)";
    }
}
