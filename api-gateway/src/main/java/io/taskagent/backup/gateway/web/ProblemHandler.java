package io.taskagent.backup.gateway.web;

import io.taskagent.backup.model.messaging.PublishException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.Map;
import java.util.TreeMap;

/** Every error as RFC 9457 {@code application/problem+json}; never {@code 200} with a failure inside. */
@RestControllerAdvice
// before Spring Boot's own problem-details handler, after the dashboard's HTML error pages (ui.DashboardAdvice)
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ProblemHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(ValidationException.class)
    ProblemDetail invalid(ValidationException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "invalid request: " + String.join("; ", new TreeMap<>(e.errors()).entrySet().stream()
                        .map(en -> en.getKey() + " " + en.getValue()).toList()));
        problem.setTitle("Invalid request");
        problem.setProperty("errors", new TreeMap<>(e.errors()));
        return problem;
    }

    /**
     * A body that is not JSON, or JSON with an unknown field or a value of the wrong type: 400 naming the field
     * (snake_case, as sent) and what is wrong.
     */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return invalid(new ValidationException(Map.of(path(unknown, unknown.getPropertyName()),
                    "is not a field of this request (known: " + unknown.getKnownPropertyIds().stream()
                            .map(String::valueOf).sorted().toList() + ")")));
        }
        if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
            return invalid(new ValidationException(Map.of(path(mismatch, null),
                    "must be of type " + typeName(mismatch.getTargetType()))));
        }
        if (cause instanceof InputCoercionException range && !range.getPath().isEmpty()) {
            return invalid(new ValidationException(Map.of(path(range, null),
                    "is out of range for type " + typeName(range.getTargetType()))));
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, notJson(cause));
        problem.setTitle("Invalid request");
        return problem;
    }

    /**
     * Why a body is not JSON this endpoint takes, in words of its own: never Jackson's message, which quotes the
     * offending token (a client that pasted a secret into the wrong place must not get it back in an error or a log).
     */
    private static String notJson(Throwable cause) {
        String what = "the request body is not valid JSON for this endpoint";
        if (cause instanceof StreamConstraintsException) {
            return what + ": it exceeds a limit of the JSON reader (nesting depth at most "
                    + StreamReadConstraints.defaults().getMaxNestingDepth() + " levels, numbers and strings of bounded "
                    + "length)";
        }
        if (cause instanceof JacksonException json && json.getLocation() != null
                && json.getLocation().getLineNr() > 0) {
            String kind = cause instanceof MismatchedInputException ? "not of the expected shape" : "malformed";
            return what + ": " + kind + " at line " + json.getLocation().getLineNr() + ", column "
                    + json.getLocation().getColumnNr();
        }
        return cause == null ? what + " (a JSON body is required)" : what;
    }

    private static String typeName(Class<?> type) {
        return type == null ? "another type" : type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static String path(JacksonException e, String last) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        if (path.isEmpty() && last != null) {
            path.append(last);
        }
        return path.toString();
    }

    @ExceptionHandler(CatalogUnavailableException.class)
    ProblemDetail catalogUnavailable(CatalogUnavailableException e) {
        log.warn("catalog read failed: {}: {}", e.getMessage(), e.reason());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        problem.setTitle("Catalog unavailable");
        return problem;
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail mismatch(MethodArgumentTypeMismatchException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "invalid value for '" + e.getName() + "'");
        problem.setTitle("Invalid request");
        return problem;
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        problem.setTitle("Not found");
        return problem;
    }

    @ExceptionHandler(ConflictException.class)
    ProblemDetail conflict(ConflictException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        problem.setTitle("Conflict");
        return problem;
    }

    @ExceptionHandler(PublishException.class)
    ProblemDetail unavailable(PublishException e) {
        log.warn("command not accepted by the broker: {}", e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "the command was not accepted by the message broker: " + e.getMessage());
        problem.setTitle("Broker unavailable");
        return problem;
    }
}
