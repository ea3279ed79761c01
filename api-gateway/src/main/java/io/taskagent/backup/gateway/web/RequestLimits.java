package io.taskagent.backup.gateway.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what a request to the REST API ({@code /api/**}) may send ({@code gateway.request.*}).
 *
 * @param maxBodySize the largest request body accepted ({@code GATEWAY_REQUEST_MAX_BODY_SIZE}, default 1MB = 1 MiB);
 *                    a larger one is answered 413 before anything reads it as JSON. Every write of the API takes a
 *                    few hundred bytes; the body is held in memory up to this size while it is checked
 */
@Validated
@ConfigurationProperties("gateway.request")
public record RequestLimits(@NotNull @DefaultValue("1MB") DataSize maxBodySize) {

    public RequestLimits {
        if (maxBodySize != null && (maxBodySize.toBytes() < 1 || maxBodySize.toBytes() > Integer.MAX_VALUE - 8)) {
            throw new IllegalArgumentException("gateway.request.max-body-size must be between 1 byte and 2 GB, was "
                    + maxBodySize);
        }
    }
}
