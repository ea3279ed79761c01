package io.taskagent.backup.alert.channel;

import java.util.Locale;

/** How urgent an alert is; routing sends each severity to its own channels. */
public enum Severity {
    /** Data is or may be lost, or cannot be restored: a person must act now. */
    CRITICAL,
    /** Something degrades and will become critical if left alone. */
    WARNING,
    /** For the record (e.g. a restore completed). */
    INFO;

    /** The lower-case name used in configuration, payloads and e-mails. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
