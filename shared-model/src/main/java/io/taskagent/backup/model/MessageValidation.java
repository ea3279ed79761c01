package io.taskagent.backup.model;

import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks shared by the compact constructors of every message record: a message that fails them can never be
 * built, so a consumer that parses one gets a clear {@link InvalidMessageException} and dead-letters it.
 */
final class MessageValidation {

    static final Pattern TARGET = Names.TARGET;

    static final Pattern BACKUP_TYPE = Names.BACKUP_TYPE;

    private MessageValidation() {
    }

    static void envelope(UUID messageId, UUID jobId, String target, Instant occurredAt, int version) {
        require(messageId != null, "messageId is missing");
        require(jobId != null, "jobId is missing");
        require(target != null && TARGET.matcher(target).matches(),
                "target must match " + TARGET.pattern() + " but was " + quote(target));
        require(occurredAt != null, "occurredAt is missing");
        require(version >= 1 && version <= BackupMessage.CURRENT_VERSION,
                "version " + version + " is not supported (this code reads 1.." + BackupMessage.CURRENT_VERSION + ")");
    }

    static void backupType(String backupType) {
        require(backupType != null && BACKUP_TYPE.matcher(backupType).matches(),
                "backupType must match " + BACKUP_TYPE.pattern() + " but was " + quote(backupType));
    }

    static void fileName(String fileName) {
        require(Names.isPlainFileName(fileName), "fileName must be a plain file name (" + Names.PLAIN_FILE_NAME.pattern()
                + ", no '..') but was " + quote(fileName));
    }

    static void require(boolean condition, String problem) {
        if (!condition) {
            throw new InvalidMessageException(problem);
        }
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return "'" + shown + "'";
    }
}
