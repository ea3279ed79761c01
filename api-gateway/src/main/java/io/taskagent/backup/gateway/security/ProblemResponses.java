package io.taskagent.backup.gateway.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import io.taskagent.backup.model.MessageJson;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 401 and 403 as {@code application/problem+json}, like every other error of the API. A wrong token is told it is
 * invalid, not why, and counted against its client ({@link AuthThrottle}); a token without the scope is told which
 * scope the request needs.
 */
class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final AuthThrottle throttle;

    ProblemResponses(AuthThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            throttle.failure(request.getRemoteAddr()); // a token was presented and is wrong (a missing one is not)
        }
        String detail = e instanceof InsufficientAuthenticationException && request.getHeader(HttpHeaders.AUTHORIZATION) == null
                ? "missing bearer token (Authorization: Bearer <token>)" : "invalid bearer token";
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"taskagent-backup\"");
        write(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", detail);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        String name = caller == null ? "?" : caller.getName();
        String detail = ApiAccess.requiredScope(request)
                .map(scope -> "token '" + name + "' lacks the scope " + scope)
                .orElse("token '" + name + "' may not call " + request.getMethod() + " " + request.getRequestURI());
        write(request, response, HttpStatus.FORBIDDEN, "Forbidden", detail);
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title,
                              String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI().replaceAll("[^A-Za-z0-9/._~-]", ""));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(MessageJson.mapper().writeValueAsBytes(problem));
    }
}
