package io.taskagent.backup.gateway.security;

/** The caller is authenticated but lacks a scope: 403. */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}
