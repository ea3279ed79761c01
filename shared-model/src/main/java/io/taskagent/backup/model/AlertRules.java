package io.taskagent.backup.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the alert settings, part of the {@link ConfigureAlerts} contract: the alert service enforces them and
 * the gateway checks them too, to answer 400 naming every invalid field.
 * <p>
 * An e-mail address is accepted when it is {@code local-part@domain} (the dot-atom form of RFC 5322, without
 * quoted local parts, comments, display names or IP-literal domains):
 * <ul>
 * <li>at most {@value #MAX_ADDRESS_LENGTH} characters, no spaces, exactly one {@code @};</li>
 * <li>the local part: 1 to {@value #MAX_LOCAL_PART_LENGTH} of the ASCII letters, digits and
 * {@code !#$%&'*+/=?^_`{|}~-}, with single dots between them (not first, not last, never two in a row);</li>
 * <li>the domain: one or more labels separated by dots, each 1 to 63 ASCII letters, digits and hyphens, not starting
 * or ending with a hyphen (an internationalised domain is written in its {@code xn--} form); a single label such as
 * {@code localhost} is accepted, as the service's configuration accepts it.</li>
 * </ul>
 * A list holds at most {@value #MAX_RECIPIENTS} recipients, none blank, none twice (compared ignoring case).
 */
public final class AlertRules {

    public static final int MAX_RECIPIENTS = 50;
    public static final int MAX_ADDRESS_LENGTH = 254;
    public static final int MAX_LOCAL_PART_LENGTH = 64;

    private static final String ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
    /** The part before the {@code @}: dot-separated atoms. */
    public static final Pattern LOCAL_PART = Pattern.compile(ATOM + "(\\." + ATOM + ")*");
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    /** The part after the {@code @}: dot-separated host name labels. */
    public static final Pattern DOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");

    /**
     * The failure events: alerted about only while {@code alertOnFailure} is on; while it is off they are recorded
     * as suppressed and nothing is sent.
     */
    public static final Set<Class<? extends BackupMessage>> FAILURE_EVENTS = Set.of(BackupFailed.class,
            RestoreFailed.class, VerifyFailed.class);

    private AlertRules() {
    }

    /** Whether {@code event} is one of the {@link #FAILURE_EVENTS}. */
    public static boolean isFailureEvent(BackupMessage event) {
        return FAILURE_EVENTS.contains(event.getClass());
    }

    /**
     * What is wrong with the settings of {@code command}, keyed by record component name ({@code emailRecipients}
     * for the list, {@code emailRecipients[0]} for its first address); empty when it may be applied. A list longer
     * than {@value #MAX_RECIPIENTS} is reported as such, without checking each address.
     */
    public static Map<String, String> problems(ConfigureAlerts command) {
        Map<String, String> problems = new LinkedHashMap<>();
        List<String> recipients = command.emailRecipients();
        if (recipients == null) {
            return Map.of();
        }
        if (recipients.size() > MAX_RECIPIENTS) {
            problems.put("emailRecipients", "at most " + MAX_RECIPIENTS + " recipients, got " + recipients.size());
            return Collections.unmodifiableMap(problems);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
            String address = recipients.get(i);
            String problem = addressProblem(address);
            if (problem == null) {
                Integer first = seen.putIfAbsent(address.toLowerCase(Locale.ROOT), i);
                if (first != null) {
                    problem = quote(address) + " is listed twice (also emailRecipients[" + first + "])";
                }
            }
            if (problem != null) {
                problems.put("emailRecipients[" + i + "]", problem);
            }
        }
        return Collections.unmodifiableMap(problems);
    }

    /** Why {@code address} is not an acceptable e-mail address (see the class comment), or null when it is one. */
    public static String addressProblem(String address) {
        if (address == null || address.isBlank()) {
            return "must not be blank";
        }
        if (address.length() > MAX_ADDRESS_LENGTH) {
            return "is longer than " + MAX_ADDRESS_LENGTH + " characters";
        }
        if (!address.strip().equals(address)) {
            return quote(address) + " has spaces around it";
        }
        int at = address.indexOf('@');
        if (at < 0 || at != address.lastIndexOf('@')) {
            return quote(address) + " is not an e-mail address of the form local-part@domain";
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.isEmpty() || domain.isEmpty()) {
            return quote(address) + " is not an e-mail address of the form local-part@domain";
        }
        if (local.length() > MAX_LOCAL_PART_LENGTH) {
            return quote(address) + ": the part before '@' is longer than " + MAX_LOCAL_PART_LENGTH + " characters";
        }
        if (!LOCAL_PART.matcher(local).matches()) {
            return quote(address) + ": the part before '@' may hold ASCII letters, digits and !#$%&'*+/=?^_`{|}~-"
                    + " with single dots between them";
        }
        if (!DOMAIN.matcher(domain).matches()) {
            return quote(address) + ": the domain must be dot-separated labels of ASCII letters, digits and"
                    + " inner hyphens (at most 63 characters each)";
        }
        return null;
    }

    private static String quote(String value) {
        return MessageValidation.quote(value).replaceAll("\\p{Cntrl}", "?");
    }
}
