package io.taskagent.backup.model.management;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The management credential ({@link ManagementProperties}) for every service, and, in a servlet service without Spring
 * Security, the filter that guards its actuator endpoints with it ({@link ManagementAccessFilter}). The gateway,
 * which has Spring Security, checks the same token in its own security chain.
 */
@AutoConfiguration
@EnableConfigurationProperties(ManagementProperties.class)
public class ManagementAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnMissingClass("org.springframework.security.web.SecurityFilterChain")
    static class ActuatorGuard {

        private static final Logger log = LoggerFactory.getLogger(ManagementAutoConfiguration.class);

        @Bean
        FilterRegistrationBean<ManagementAccessFilter> managementAccessFilter(ManagementProperties properties) {
            if (!properties.configured()) {
                log.warn("no BACKUP_MANAGEMENT_TOKEN: /actuator/health answers its status only and /actuator/prometheus "
                        + "is refused to every caller");
            }
            FilterRegistrationBean<ManagementAccessFilter> registration =
                    new FilterRegistrationBean<>(new ManagementAccessFilter(properties));
            registration.addUrlPatterns("/actuator", "/actuator/*");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }
}
