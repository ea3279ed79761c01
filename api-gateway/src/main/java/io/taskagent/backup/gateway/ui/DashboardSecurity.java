package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.security.ApiAccess;
import io.taskagent.backup.gateway.security.AuthThrottle;
import io.taskagent.backup.gateway.security.TokenAuthenticator;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;

/**
 * The dashboard's own security chain ({@code /}, {@code /ui/**}, {@code /webjars/**}), ordered before the REST API's
 * chain (which takes every other request and stays stateless, bearer-token only, without cookies or CSRF):
 * <ul>
 *   <li>sign-in with an API token posted by a form ({@link TokenSignIn}); a server-side session then holds the token's
 *   name and scopes (cookie HttpOnly, SameSite=Strict, see {@code server.servlet.session} in application.yml), its
 *   id changed at sign-in; sign-out invalidates it;</li>
 *   <li>CSRF protection on every form and every htmx request (Spring Security's synchronizer token, kept in the
 *   session);</li>
 *   <li>access from the scopes of the signed-in token ({@link DashboardAccess}); a refused request gets a page naming
 *   the scope it needs, a request without a session the sign-in page (an htmx request: 401 with
 *   {@code HX-Redirect});</li>
 *   <li>a strict Content-Security-Policy: scripts and styles only from this server (htmx and Chart.js from their
 *   WebJars, never a CDN), no inline script, no framing.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class DashboardSecurity {

    static final String SIGN_IN = "/ui/sign-in";
    static final String SESSION_COOKIE = "JSESSIONID";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
            + "form-action 'self'; frame-ancestors 'none'";

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE) // before the API's chain, which matches every request
    SecurityFilterChain dashboardFilterChain(HttpSecurity http, TokenAuthenticator tokens, AuthThrottle throttle)
            throws Exception {
        http.securityMatcher(DashboardAccess.PATHS)
                .authorizeHttpRequests(requests -> {
                    // the live stream's own async dispatches: the request was authorized when it began
                    requests.dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll();
                    requests.requestMatchers(DashboardAccess.OPEN).permitAll();
                    for (DashboardAccess.Rule rule : DashboardAccess.RULES) {
                        requests.requestMatchers(rule.matcher()).hasAuthority(ApiAccess.authority(rule.scope()));
                    }
                    requests.anyRequest().denyAll();
                })
                .authenticationManager(new ProviderManager(new TokenSignIn(tokens, throttle)))
                .formLogin(form -> form
                        .loginPage(SIGN_IN)
                        .loginProcessingUrl(SIGN_IN)
                        .passwordParameter("token")
                        .failureUrl(SIGN_IN + "?failed")
                        .defaultSuccessUrl("/", true))
                .logout(logout -> logout
                        .logoutUrl("/ui/sign-out")
                        .logoutSuccessUrl(SIGN_IN + "?signed-out")
                        .invalidateHttpSession(true)
                        .deleteCookies(SESSION_COOKIE))
                .exceptionHandling(errors -> errors
                        .defaultAuthenticationEntryPointFor(htmxSignIn(), new RequestHeaderRequestMatcher("HX-Request"))
                        .accessDeniedHandler(denied()))
                .requestCache(cache -> cache.disable())
                .httpBasic(basic -> basic.disable())
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
    }

    /** An htmx request whose session is gone: 401, and htmx loads the sign-in page instead of swapping. */
    private static AuthenticationEntryPoint htmxSignIn() {
        return (request, response, e) -> {
            response.setHeader("HX-Redirect", request.getContextPath() + SIGN_IN);
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        };
    }

    /** A refused request: the "not allowed" page, told which scope the request needs (or that the form expired). */
    private static AccessDeniedHandler denied() {
        AccessDeniedHandlerImpl page = new AccessDeniedHandlerImpl();
        page.setErrorPage("/ui/denied");
        return (request, response, e) -> {
            DashboardAccess.requiredScope(request)
                    .ifPresent(scope -> request.setAttribute(DeniedPage.REQUIRED_SCOPE, scope));
            page.handle(request, response, e);
        };
    }
}
