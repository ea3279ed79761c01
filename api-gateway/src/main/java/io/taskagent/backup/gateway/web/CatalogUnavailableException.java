package io.taskagent.backup.gateway.web;

import org.springframework.dao.DataAccessException;

import java.util.function.Supplier;

/**
 * A read contract of another service could not be read (its view does not exist, or the catalog failed): 503 naming
 * the view, never an empty answer that looks like "nothing there".
 */
public class CatalogUnavailableException extends RuntimeException {

    private final String cause;

    /** The message names the relation only; {@link #cause()} is the database's reason, for the log. */
    public CatalogUnavailableException(String relation, RuntimeException cause) {
        super(relation + " is not readable", cause);
        this.cause = rootMessage(cause);
    }

    /** The database's reason (may name hosts or SQL: logged, never answered). */
    public String reason() {
        return cause;
    }

    /** Runs a read of {@code relation}; a database failure becomes this exception, naming the relation. */
    public static <T> T reading(String relation, Supplier<T> query) {
        try {
            return query.get();
        } catch (DataAccessException e) {
            throw new CatalogUnavailableException(relation, e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
