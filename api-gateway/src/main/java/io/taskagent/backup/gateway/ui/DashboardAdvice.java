package io.taskagent.backup.gateway.ui;

import io.taskagent.backup.gateway.GatewayProperties;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.gateway.web.CatalogUnavailableException;
import io.taskagent.backup.gateway.web.ConflictException;
import io.taskagent.backup.gateway.web.NotFoundException;
import io.taskagent.backup.gateway.web.ValidationException;
import io.taskagent.backup.model.messaging.PublishException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

import java.util.HashMap;
import java.util.Map;

/**
 * What every dashboard page gets: the signed-in token ({@code me}) and what it may do ({@code can}), the formats
 * ({@code fmt}), the protected database ({@code source}) and the page's path (for the navigation); and errors as a
 * page (the REST API answers them as problem+json, {@code ProblemHandler}): a catalog view that cannot be read or a
 * broker that did not confirm is a 503 page naming it, never an empty page that looks like "nothing there".
 */
@ControllerAdvice(basePackageClasses = DashboardAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class DashboardAdvice {

    private static final Logger log = LoggerFactory.getLogger(DashboardAdvice.class);
    private static final Formats FORMATS = new Formats();

    private final String source;

    DashboardAdvice(GatewayProperties properties) {
        this.source = properties.target();
    }

    /** The signed-in token, or null on the sign-in page. */
    static Caller signedIn() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return null;
        }
        return Caller.of(authentication);
    }

    @ModelAttribute
    void common(Model model, HttpServletRequest request) {
        Caller me = signedIn();
        model.addAttribute("me", me);
        model.addAttribute("myScopes", me == null ? "" : String.join(", ", me.scopes().stream().sorted().toList()));
        model.addAttribute("can", Permissions.of(me));
        model.addAttribute("fmt", FORMATS);
        model.addAttribute("source", source);
        model.addAttribute("path", request.getRequestURI().substring(request.getContextPath().length()));
    }

    @ExceptionHandler(CatalogUnavailableException.class)
    ModelAndView catalogUnavailable(CatalogUnavailableException e, HttpServletRequest request) {
        log.warn("catalog read failed: {}: {}", e.getMessage(), e.reason());
        return problem(request, HttpStatus.SERVICE_UNAVAILABLE, "Catalog unavailable", e.getMessage());
    }

    @ExceptionHandler(PublishException.class)
    ModelAndView brokerUnavailable(PublishException e, HttpServletRequest request) {
        log.warn("command not accepted by the broker: {}", e.getMessage());
        return problem(request, HttpStatus.SERVICE_UNAVAILABLE, "Broker unavailable",
                "the command was not accepted by the message broker: " + e.getMessage());
    }

    @ExceptionHandler(NotFoundException.class)
    ModelAndView notFound(NotFoundException e, HttpServletRequest request) {
        return problem(request, HttpStatus.NOT_FOUND, "Not found", e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    ModelAndView conflict(ConflictException e, HttpServletRequest request) {
        return problem(request, HttpStatus.CONFLICT, "Conflict", e.getMessage());
    }

    @ExceptionHandler(ValidationException.class)
    ModelAndView invalid(ValidationException e, HttpServletRequest request) {
        return problem(request, HttpStatus.BAD_REQUEST, "Invalid request", String.join("; ",
                new java.util.TreeMap<>(e.errors()).entrySet().stream().map(en -> en.getKey() + " " + en.getValue())
                        .toList()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ModelAndView mismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return problem(request, HttpStatus.BAD_REQUEST, "Invalid request", "invalid value for '" + e.getName() + "'");
    }

    private ModelAndView problem(HttpServletRequest request, HttpStatus status, String title, String detail) {
        Caller me = signedIn();
        Map<String, Object> model = new HashMap<>();
        model.put("title", title);
        model.put("detail", detail);
        model.put("status", status.value());
        model.put("me", me);
        model.put("myScopes", me == null ? "" : String.join(", ", me.scopes().stream().sorted().toList()));
        model.put("can", Permissions.of(me));
        model.put("fmt", FORMATS);
        model.put("source", source);
        model.put("path", request.getRequestURI().substring(request.getContextPath().length()));
        return new ModelAndView("ui/problem", model, status);
    }
}
