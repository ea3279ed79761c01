package io.taskagent.backup.gateway.web;

import java.util.Map;

/** A request with invalid fields: 400 listing every field and what is wrong with it. */
public class ValidationException extends RuntimeException {

    private final Map<String, String> errors;

    public ValidationException(Map<String, String> errors) {
        super("invalid request: " + errors);
        this.errors = Map.copyOf(errors);
    }

    public Map<String, String> errors() {
        return errors;
    }
}
