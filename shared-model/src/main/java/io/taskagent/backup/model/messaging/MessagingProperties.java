package io.taskagent.backup.model.messaging;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Messaging settings shared by every service ({@code backup.messaging.*}).
 *
 * @param confirmTimeout how long a publisher waits for the broker's confirm before reporting a failure
 * @param retryAttempts  attempts of a consumer's transient work (catalog writes, publishing) before the message is
 *                       dead-lettered
 * @param retryBackoff   first back-off between such attempts; doubled each time
 */
@Validated
@ConfigurationProperties("backup.messaging")
public record MessagingProperties(
        @NotNull @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("4") @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(20) int retryAttempts,
        @NotNull @DefaultValue("500ms") Duration retryBackoff) {
}
