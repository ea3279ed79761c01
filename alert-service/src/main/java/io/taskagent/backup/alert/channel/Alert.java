package io.taskagent.backup.alert.channel;

import io.taskagent.backup.model.BackupMessage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * One alert, as every channel renders it: what happened (subject, headline), the facts a person needs (labelled
 * fields: event, target, job, error or figures, time), details (problems, findings), how many similar alerts were
 * suppressed before it, and where it was reported from.
 *
 * @param event           the event alerted about
 * @param severity        its severity
 * @param subject         one line: e-mail subject, chat title
 * @param headline        one sentence saying what happened
 * @param fields          labelled facts, in order
 * @param detailsTitle    title of {@code details} ("Problems", "Findings"), or null
 * @param details         one line each; may be empty
 * @param suppressedCount similar alerts (same kind and target) suppressed since the previous one went out
 * @param suppressedSince when the previous one went out (null when nothing was suppressed)
 * @param host            the host this service runs on
 * @param link            where to look further (e.g. the job's API), or null
 */
public record Alert(BackupMessage event, Severity severity, String subject, String headline, List<Field> fields,
                    String detailsTitle, List<String> details, int suppressedCount, Instant suppressedSince,
                    String host, String link) {

    public static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** A labelled fact, e.g. "Target" - "taskagent". */
    public record Field(String label, String value) {
    }

    public Alert {
        fields = List.copyOf(fields);
        details = List.copyOf(details);
    }

    /** The event's kind: BackupFailed, VerifyFailed... */
    public String kind() {
        return event.getClass().getSimpleName();
    }

    public UUID messageId() {
        return event.messageId();
    }

    public UUID jobId() {
        return event.jobId();
    }

    public String target() {
        return event.target();
    }

    /** "9 similar alerts suppressed since ..." or null when none were. */
    public String suppressedNote() {
        if (suppressedCount <= 0) {
            return null;
        }
        return suppressedCount + " similar alert" + (suppressedCount == 1 ? "" : "s") + " suppressed"
                + (suppressedSince == null ? "" : " since " + TIME.format(suppressedSince))
                + " (" + kind() + " of " + target() + ", throttled).";
    }

    /** The facts as aligned "Label: value" lines. */
    public String fieldLines() {
        int width = 13;
        for (Field f : fields) {
            width = Math.max(width, f.label().length() + 2);
        }
        StringBuilder text = new StringBuilder();
        for (Field f : fields) {
            text.append(String.format("%-" + width + "s", f.label() + ":")).append(f.value()).append('\n');
        }
        return text.toString();
    }

    /** The details under their title, or an empty string. */
    public String detailLines() {
        if (details.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(detailsTitle == null ? "Details" : detailsTitle).append(":\n");
        details.forEach(d -> text.append("  - ").append(d).append('\n'));
        return text.toString();
    }

    /** "Reported by alert-service on host." plus the link. */
    public String footer() {
        return "Reported by alert-service on " + host + "." + (link == null ? "" : "\n" + link);
    }

    /** The whole alert as plain text: the e-mail body, and the body of chat messages. */
    public String text() {
        StringBuilder text = new StringBuilder(headline).append("\n\n").append(fieldLines());
        if (!details.isEmpty()) {
            text.append('\n').append(detailLines());
        }
        if (suppressedNote() != null) {
            text.append('\n').append(suppressedNote()).append('\n');
        }
        text.append('\n').append(footer()).append('\n');
        return text.toString();
    }
}
