package io.taskagent.backup.gateway.security;

import io.taskagent.backup.gateway.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Registers the bearer-token filter in front of {@code /api/**}. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    TokenAuthenticator tokenAuthenticator(GatewayProperties properties) {
        TokenAuthenticator authenticator = new TokenAuthenticator(properties);
        if (authenticator.tokenCount() == 0) {
            log.warn("no API tokens are configured (BACKUP_ADMIN_TOKEN or gateway.tokens): every /api call gets 401");
        } else {
            log.info("{} API token(s) configured", authenticator.tokenCount());
        }
        return authenticator;
    }

    @Bean
    FilterRegistrationBean<BearerTokenFilter> bearerTokenFilter(TokenAuthenticator authenticator) {
        FilterRegistrationBean<BearerTokenFilter> registration =
                new FilterRegistrationBean<>(new BearerTokenFilter(authenticator));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
