package io.taskagent.backup.model;

import java.util.regex.Pattern;

/**
 * The naming rules every service applies, in one place: message records check them in their compact constructors,
 * the gateway answers 400 with them, the worker refuses a stored name that breaks them.
 */
public final class Names {

    /** A logical target (database) name: lowercase letters, digits, '_' and '-', 1 to 63 characters. */
    public static final String TARGET_REGEX = "[a-z0-9][a-z0-9_-]{0,62}";

    /** {@link #TARGET_REGEX}, compiled (configuration properties use the regex in their {@code @Pattern}). */
    public static final Pattern TARGET = Pattern.compile(TARGET_REGEX);

    /** A backup type: built-in types (manual, interval, daily...) or a schedule's name. */
    public static final Pattern BACKUP_TYPE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    /** A plain backup file name: letters, digits, '.', '_' and '-', no path, at most 201 characters. */
    public static final Pattern PLAIN_FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");

    /**
     * A database this system may create (a restore's {@code create_database}): a plain lowercase PostgreSQL identifier,
     * 1 to 63 characters, so that it needs no quoting anywhere.
     */
    public static final String DATABASE_REGEX = "[a-z_][a-z0-9_]{0,62}";
    private static final Pattern DATABASE = Pattern.compile(DATABASE_REGEX);

    /** A backup destination's name in configuration, the catalog and messages ({@code local}, {@code offsite}). */
    public static final String DESTINATION_REGEX = "[a-z][a-z0-9-]{0,31}";
    private static final Pattern DESTINATION = Pattern.compile(DESTINATION_REGEX);

    private Names() {
    }

    public static boolean isDestination(String name) {
        return name != null && DESTINATION.matcher(name).matches();
    }

    public static boolean isDatabase(String name) {
        return name != null && DATABASE.matcher(name).matches();
    }

    public static boolean isTarget(String name) {
        return name != null && TARGET.matcher(name).matches();
    }

    /** A plain file name: {@link #PLAIN_FILE_NAME} and no {@code ..} anywhere (never a path). */
    public static boolean isPlainFileName(String name) {
        return name != null && PLAIN_FILE_NAME.matcher(name).matches() && !name.contains("..");
    }
}
