package io.taskagent.backup.alert.delivery;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The retry window of alerts that could not be delivered ({@code alert.redelivery.*}, {@link AlertRedelivery}).
 *
 * @param enabled  whether dead-lettered alerts are given back to the alert queue at all
 *                 ({@code ALERT_REDELIVERY_ENABLED})
 * @param interval how often the dead-letter queue is looked through ({@code ALERT_REDELIVERY_INTERVAL})
 * @param window   how long after its first dead-lettering an alert is still given back
 *                 ({@code ALERT_REDELIVERY_WINDOW}); older ones stay in the dead-letter queue, counted as
 *                 {@code alerts.expired}
 * @param maxPerPass most messages looked at in one pass ({@code ALERT_REDELIVERY_MAX_PER_PASS})
 */
@Validated
@ConfigurationProperties("alert.redelivery")
public record RedeliveryProperties(@DefaultValue("true") boolean enabled,
                                   @NotNull @DefaultValue("1m") Duration interval,
                                   @NotNull @DefaultValue("6h") Duration window,
                                   @Min(1) @Max(100000) @DefaultValue("1000") int maxPerPass) {

    @AssertTrue(message = "interval must be at least 1s")
    public boolean isIntervalValid() {
        return interval == null || interval.compareTo(Duration.ofSeconds(1)) >= 0;
    }

    @AssertTrue(message = "window must not be negative")
    public boolean isWindowValid() {
        return window == null || !window.isNegative();
    }
}
