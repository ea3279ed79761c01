package io.taskagent.backup.gateway.security;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.model.management.ManagementProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The bearer-token API on Spring Security: an opaque-token resource server whose introspector is the static token
 * table ({@link StaticTokenIntrospector}); access rules from {@link ApiAccess}; stateless, no cookies, so no CSRF
 * exposure on {@code /api/**}. The web dashboard ({@code /}, {@code /ui/**}) has its own chain, ordered before this
 * one, with a session cookie and CSRF on ({@code ui.DashboardSecurity}); this chain takes every other request.
 * 401 and 403 are {@code application/problem+json} ({@link ProblemResponses}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    TokenAuthenticator tokenAuthenticator(GatewayProperties properties, ManagementProperties management) {
        TokenAuthenticator authenticator = new TokenAuthenticator(properties, management);
        if (authenticator.tokenCount() == 0) {
            log.warn("no API tokens are configured (BACKUP_ADMIN_TOKEN or gateway.tokens): every /api call gets 401");
        } else {
            log.info("{} API token(s) configured", authenticator.tokenCount());
        }
        return authenticator;
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, TokenAuthenticator authenticator, AuthThrottle throttle)
            throws Exception {
        ProblemResponses problems = new ProblemResponses(throttle);
        http.authorizeHttpRequests(requests -> {
                    requests.requestMatchers(ApiAccess.OPEN.toArray(String[]::new)).permitAll();
                    for (ApiAccess.Rule rule : ApiAccess.RULES) {
                        requests.requestMatchers(rule.matcher()).hasAuthority(ApiAccess.authority(rule.scope()));
                    }
                    requests.anyRequest().denyAll();
                })
                .oauth2ResourceServer(server -> server
                        .opaqueToken(token -> token.introspector(new StaticTokenIntrospector(authenticator)))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .headers(Customizer.withDefaults());
        return http.build();
    }
}
