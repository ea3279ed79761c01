package io.taskagent.backup.gateway.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.taskagent.backup.gateway.security.Caller;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}): every operation needs the bearer token, declared as the
 * {@code bearer} HTTP scheme so that Swagger UI's "Authorize" and "Try it out" send it.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "TaskAgent backup API",
        description = "Every write is a command on the broker, answered 202 once confirmed; reads come from the catalog."),
        security = @SecurityRequirement(name = OpenApiConfiguration.BEARER))
@SecurityScheme(name = OpenApiConfiguration.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token: Authorization: Bearer <token>")
class OpenApiConfiguration {

    static final String BEARER = "bearer";

    static {
        // a controller's Caller is the authenticated token, never a request parameter
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    /**
     * Schemas in the API's snake_case: the document is built by swagger-core on its own (Jackson 2) mapper, which
     * does not see the API's Jackson 3 naming strategy.
     */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }
}
