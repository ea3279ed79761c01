package io.taskagent.backup.model.management;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;

/**
 * Guards {@code /actuator/**} of a service without Spring Security (worker, scheduler, alert service; the gateway
 * does the same in its security chain):
 * <ul>
 *   <li>{@code /actuator/health} (and its groups, e.g. {@code /liveness}) is open and, without the credential, shows
 *   the status only ({@code show-details} and {@code show-components} are {@code when-authorized});</li>
 *   <li>with {@code Authorization: Bearer <backup.management.token>} the request carries the principal
 *   {@code management}, so health shows its components and details, and every other exposed endpoint
 *   ({@code /actuator/prometheus}) answers;</li>
 *   <li>anything else under {@code /actuator} without it, or any request with a wrong token, is 401.</li>
 * </ul>
 */
public class ManagementAccessFilter extends HttpFilter {

    static final String PRINCIPAL = "management";

    private final ManagementProperties properties;

    public ManagementAccessFilter(ManagementProperties properties) {
        this.properties = properties;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            String secret = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : null;
            if (!properties.matches(secret)) {
                refuse(response, "invalid management token");
                return;
            }
            chain.doFilter(new Authenticated(request), response);
            return;
        }
        if (isHealth(path)) {
            chain.doFilter(request, response);
            return;
        }
        refuse(response, "this endpoint needs the management token (Authorization: Bearer <BACKUP_MANAGEMENT_TOKEN>)");
    }

    static boolean isHealth(String path) {
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
    }

    private static void refuse(HttpServletResponse response, String detail) throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Bearer realm=\"management\"");
        response.setContentType("application/problem+json");
        response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** The request as the management principal: Spring Boot's health endpoint then shows components and details. */
    private static final class Authenticated extends HttpServletRequestWrapper {

        private static final Principal MANAGEMENT = () -> PRINCIPAL;

        Authenticated(HttpServletRequest request) {
            super(request);
        }

        @Override
        public Principal getUserPrincipal() {
            return MANAGEMENT;
        }

        @Override
        public String getRemoteUser() {
            return PRINCIPAL;
        }

        @Override
        public boolean isUserInRole(String role) {
            return PRINCIPAL.equals(role);
        }
    }
}
