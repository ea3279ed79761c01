package io.taskagent.backup.gateway.ui;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

/**
 * How the dashboard writes values (the pages reach it as {@code fmt}): sizes in binary units, counts with
 * separators, durations in words, times in UTC (the page's script shows them in the viewer's zone and keeps UTC in
 * the {@code title}).
 */
public final class Formats {

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    /** e.g. {@code 1.4 MiB}; a dash for null. */
    public String bytes(Number bytes) {
        if (bytes == null) {
            return "–";
        }
        double value = bytes.doubleValue();
        int unit = 0;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%d B", bytes.longValue())
                : String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s", value,
                UNITS[unit]);
    }

    /** e.g. {@code 200,000}. */
    public String count(Number count) {
        return count == null ? "–" : String.format(Locale.ROOT, "%,d", count.longValue());
    }

    /** An instant in UTC, e.g. {@code 2026-05-01 02:00:13 UTC}. */
    public String utc(Instant instant) {
        return instant == null ? "–" : UTC.format(instant);
    }

    /** The ISO form a {@code <time datetime>} holds. */
    public String iso(Instant instant) {
        return instant == null ? "" : DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /** How long ago, e.g. {@code 3 h 5 min ago} (the script keeps it current). */
    public String ago(Instant instant) {
        if (instant == null) {
            return "never";
        }
        Duration age = Duration.between(instant, Instant.now());
        return age.isNegative() ? "in " + words(age.negated()) : words(age) + " ago";
    }

    /** How long until, e.g. {@code in 2 h}. */
    public String until(Instant instant) {
        return instant == null ? "–" : ago(instant);
    }

    /** Milliseconds as words, e.g. {@code 4.2 s}, {@code 3 min 10 s}. */
    public String millis(Number millis) {
        if (millis == null) {
            return "–";
        }
        long ms = millis.longValue();
        return ms < 60_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : words(Duration.ofMillis(ms));
    }

    /** The time from one instant to another as words, e.g. {@code 3.2 s}. */
    public String between(Instant from, Instant to) {
        return from == null || to == null ? "–" : millis(Duration.between(from, to).toMillis());
    }

    /** Seconds as words. */
    public String seconds(Number seconds) {
        return seconds == null ? "–" : millis(Math.round(seconds.doubleValue() * 1000));
    }

    static String words(Duration d) {
        long s = d.getSeconds();
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min" + (s % 60 == 0 || s >= 600 ? "" : " " + (s % 60) + " s");
        }
        if (s < 86400) {
            return (s / 3600) + " h" + ((s % 3600) / 60 == 0 ? "" : " " + ((s % 3600) / 60) + " min");
        }
        return (s / 86400) + " d" + ((s % 86400) / 3600 == 0 ? "" : " " + ((s % 86400) / 3600) + " h");
    }

    /** The first eight characters of an id, as shown in lists (the whole id is in the link and the title). */
    public String shortId(Object id) {
        if (id == null) {
            return "–";
        }
        String text = id instanceof UUID u ? u.toString() : id.toString();
        return text.length() > 8 ? text.substring(0, 8) : text;
    }

    /** A percentage of {@code done} in {@code all}, 0 to 100. */
    public long percent(Number done, Number all) {
        if (done == null || all == null || all.longValue() <= 0) {
            return 0;
        }
        return Math.min(100, Math.round(100.0 * done.longValue() / all.longValue()));
    }
}
