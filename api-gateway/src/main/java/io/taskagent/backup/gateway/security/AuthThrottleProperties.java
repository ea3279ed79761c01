package io.taskagent.backup.gateway.security;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How wrong tokens are throttled per client ({@code gateway.auth-throttle.*}), on the API's bearer check and the
 * dashboard's sign-in form alike ({@link AuthThrottle}).
 *
 * @param enabled     off: no throttling ({@code GATEWAY_AUTH_THROTTLE_ENABLED}, default on)
 * @param maxFailures wrong tokens a client may present in a burst before it is refused with 429
 *                    ({@code GATEWAY_AUTH_THROTTLE_MAX_FAILURES}, default 10)
 * @param window      the time in which a client is forgiven {@code maxFailures} of them, one at a time
 *                    ({@code GATEWAY_AUTH_THROTTLE_WINDOW}, default 1m: over the limit, one more try every 6 s)
 * @param maxClients  clients remembered at most ({@code GATEWAY_AUTH_THROTTLE_MAX_CLIENTS}, default 10000); an entry
 *                    goes once its client is forgiven everything, the least recently seen first when full
 */
@Validated
@ConfigurationProperties("gateway.auth-throttle")
public record AuthThrottleProperties(@DefaultValue("true") boolean enabled,
                                     @Min(1) @DefaultValue("10") int maxFailures,
                                     @NotNull @DefaultValue("1m") Duration window,
                                     @Min(1) @DefaultValue("10000") int maxClients) {

    public AuthThrottleProperties {
        if (window != null && (window.isNegative() || window.isZero())) {
            throw new IllegalArgumentException("gateway.auth-throttle.window must be positive, was " + window);
        }
    }
}
