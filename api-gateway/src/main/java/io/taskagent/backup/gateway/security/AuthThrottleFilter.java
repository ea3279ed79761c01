package io.taskagent.backup.gateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Refuses, with 429 and {@code Retry-After}, a request that presents a token (an {@code Authorization} header, or the
 * dashboard's sign-in form) from a client that presented too many wrong ones ({@link AuthThrottle}), before the
 * security chains look at the token. Requests without a token (health, the sign-in page itself) pass.
 */
public class AuthThrottleFilter extends OncePerRequestFilter {

    /** The dashboard's sign-in form ({@code ui.DashboardSecurity}). */
    static final String SIGN_IN = "/ui/sign-in";

    private final AuthThrottle throttle;

    public AuthThrottleFilter(AuthThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean signIn = "POST".equals(request.getMethod()) && SIGN_IN.equals(path);
        if (!signIn && request.getHeader(HttpHeaders.AUTHORIZATION) == null) {
            chain.doFilter(request, response);
            return;
        }
        var wait = throttle.refusal(request.getRemoteAddr());
        if (wait.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
        response.setStatus(429);
        response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
        if (signIn) {
            response.setContentType(MediaType.TEXT_HTML_VALUE + ";charset=UTF-8");
            response.getOutputStream().write(("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<title>Too many attempts</title></head><body><p>Too many failed sign-ins from this address. "
                    + "Try again in " + seconds + " s.</p><p><a href=\"" + SIGN_IN + "\">Sign in</a></p></body></html>")
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"Too many requests\",\"status\":429,"
                    + "\"detail\":\"too many invalid tokens from this client: try again in " + seconds + " s\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        AuthThrottle authThrottle(AuthThrottleProperties properties) {
            return new AuthThrottle(properties);
        }

        @Bean
        FilterRegistrationBean<AuthThrottleFilter> authThrottleFilter(AuthThrottle throttle) {
            FilterRegistrationBean<AuthThrottleFilter> registration =
                    new FilterRegistrationBean<>(new AuthThrottleFilter(throttle));
            registration.addUrlPatterns("/*");
            // first: a refused client costs no body read, no token check
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }
}
