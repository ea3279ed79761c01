package io.taskagent.backup.alert.delivery;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Severity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which events are alerted about, how severe each is, and on which channels ({@code alert.routing.*}), with
 * built-in defaults: every channel for every severity. RestoreCompleted is alerted about only when
 * {@code alert.notify-restore-completed} is on. Kind names in settings are matched ignoring case and separators
 * ({@code BackupFailed}, {@code backup-failed}, {@code BACKUPFAILED}).
 */
class AlertRouting {

    /** Every channel there is, in sending order. */
    static final List<String> CHANNELS = List.of("email", "slack", "discord", "webhook");

    /** The events alerted about and their default severities. */
    static final Map<String, Severity> DEFAULT_SEVERITIES = defaults();

    /**
     * @param severity the kind's severity
     * @param channels where it goes (before dropping channels that are not configured)
     */
    record Route(String kind, Severity severity, List<String> channels) {
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();

    AlertRouting(AlertProperties properties) {
        AlertProperties.Routing routing = properties.routing();
        Map<String, Severity> severities = byKind(routing.severities(), "alert.routing.severities");
        Map<String, List<String>> kinds = byKind(routing.kinds(), "alert.routing.kinds");
        routing.channels().forEach((severity, list) -> checkChannels(list, "alert.routing.channels." + severity.label()));
        kinds.forEach((kind, list) -> checkChannels(list, "alert.routing.kinds." + kind));
        DEFAULT_SEVERITIES.forEach((kind, fallback) -> {
            if ("RestoreCompleted".equals(kind) && !properties.notifyRestoreCompleted()) {
                return;
            }
            Severity severity = severities.getOrDefault(kind, fallback);
            List<String> channels = kinds.containsKey(kind) ? kinds.get(kind)
                    : routing.channels().getOrDefault(severity, CHANNELS);
            routes.put(kind, new Route(kind, severity, List.copyOf(channels)));
        });
    }

    /** The route of an event kind; empty when it is not alerted about. */
    Optional<Route> route(String kind) {
        return Optional.ofNullable(routes.get(kind));
    }

    List<Route> routes() {
        return List.copyOf(routes.values());
    }

    private static <T> Map<String, T> byKind(Map<String, T> settings, String property) {
        Map<String, T> result = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            String kind = DEFAULT_SEVERITIES.keySet().stream()
                    .filter(k -> normalize(k).equals(normalize(key)))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(property + " names an unknown event kind '" + key
                            + "'; known: " + String.join(", ", DEFAULT_SEVERITIES.keySet())));
            result.put(kind, value);
        });
        return result;
    }

    private static void checkChannels(List<String> channels, String property) {
        for (String channel : channels) {
            if (!CHANNELS.contains(channel)) {
                throw new IllegalStateException(property + " names an unknown channel '" + channel + "'; known: "
                        + String.join(", ", CHANNELS));
            }
        }
    }

    private static String normalize(String kind) {
        return kind.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static Map<String, Severity> defaults() {
        Map<String, Severity> m = new LinkedHashMap<>();
        m.put("BackupFailed", Severity.CRITICAL);
        m.put("RestoreFailed", Severity.CRITICAL);
        m.put("VerifyFailed", Severity.CRITICAL);
        m.put("BackupAnomaly", Severity.CRITICAL);
        m.put("DrillFailed", Severity.CRITICAL);
        m.put("BackupOversized", Severity.WARNING);
        m.put("BackupStale", Severity.WARNING);
        m.put("DrillOverdue", Severity.WARNING);
        m.put("DiskSpaceLow", Severity.WARNING);
        m.put("HealthCheckFailed", Severity.WARNING);
        m.put("ReplicationFailed", Severity.WARNING);
        m.put("RestoreCompleted", Severity.INFO);
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        routes.values().forEach(r -> lines.add(r.kind() + " (" + r.severity().label() + ") -> " + r.channels()));
        return String.join("; ", lines);
    }
}
