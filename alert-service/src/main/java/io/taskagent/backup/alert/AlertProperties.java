package io.taskagent.backup.alert;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.List;

/**
 * Settings of the alert service ({@code alert.*}). The SMTP server itself is Spring Mail's
 * {@code spring.mail.*} ({@code SPRING_MAIL_HOST}, {@code SPRING_MAIL_PORT}, {@code SPRING_MAIL_USERNAME},
 * {@code SPRING_MAIL_PASSWORD}).
 *
 * @param mail the e-mail channel
 */
@Validated
@ConfigurationProperties("alert")
public record AlertProperties(@Valid @NotNull @DefaultValue Mail mail) {

    /**
     * @param enabled    whether alerts are e-mailed
     * @param from       sender address ({@code ALERT_MAIL_FROM})
     * @param recipients who receives alerts ({@code ALERT_MAIL_RECIPIENTS}, comma-separated)
     */
    public record Mail(@DefaultValue("true") boolean enabled,
                       @NotBlank @Email @DefaultValue("backup-alerts@localhost") String from,
                       @NotNull @DefaultValue List<@NotBlank @Email String> recipients) {
    }
}
