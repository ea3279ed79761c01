package io.taskagent.backup.worker.restore;

import io.taskagent.backup.worker.restore.RestoreEngine.Table;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * COPY's binary format for the load: the worker turns each value's text form (as the backup holds it, written by the
 * source server with ISO dates in UTC, every float digit and hex bytea) into the type's binary form, so that the server
 * stores it without running the type's text parser (parsing timestamps, uuids and numbers is most of a text COPY's
 * server time). A table is loaded in binary only when the worker knows every one of its column types (domains count
 * as their base type); any other table is loaded as text. The check that follows is unchanged: the table is read back
 * as text and compared with the text lines the load summed, so a value this class encoded wrongly fails the restore,
 * never passes silently.
 * <p>
 * Each encoder accepts exactly the text its type's output function writes under the backup's settings and refuses
 * anything else with an error naming the column and the type (never the value: it may be personal data).
 */
final class BinaryCopy {

    /** The signature, flags and header extension length that start a binary COPY stream. */
    static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** The field count -1 that ends it. */
    static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    /** Writes one value's binary form, its length word first, from its text form {@code b[from, to)}. */
    interface Encoder {
        void encode(byte[] b, int from, int to, RowToCopy.Out out) throws IOException;
    }

    /** One table's encoders, in the load's column order, with the column names and types for errors. */
    record Plan(Encoder[] encoders, String[] columns, String[] types) {
    }

    private static final Map<String, Encoder> BY_TYPE = Map.ofEntries(
            Map.entry("bool", BinaryCopy::bool),
            Map.entry("int2", (b, f, t, o) -> integer(b, f, t, o, 2)),
            Map.entry("int4", (b, f, t, o) -> integer(b, f, t, o, 4)),
            Map.entry("int8", (b, f, t, o) -> integer(b, f, t, o, 8)),
            Map.entry("float4", BinaryCopy::float4),
            Map.entry("float8", BinaryCopy::float8),
            Map.entry("numeric", BinaryCopy::numeric),
            Map.entry("text", BinaryCopy::text),
            Map.entry("varchar", BinaryCopy::text),
            Map.entry("bpchar", BinaryCopy::text),
            Map.entry("json", BinaryCopy::text),
            Map.entry("jsonb", BinaryCopy::jsonb),
            Map.entry("uuid", BinaryCopy::uuid),
            Map.entry("bytea", BinaryCopy::bytea),
            Map.entry("date", BinaryCopy::date),
            Map.entry("timestamp", (b, f, t, o) -> timestamp(b, f, t, o, false)),
            Map.entry("timestamptz", (b, f, t, o) -> timestamp(b, f, t, o, true)));

    private BinaryCopy() {
    }

    /**
     * The plans of the tables whose every loaded column has an encoder, by qualified name, from the target's catalog
     * (each column's type, a domain resolved to its base type; an enum's binary form is its label).
     */
    static Map<String, Plan> plans(Connection target, List<Table> tables) throws SQLException {
        Map<String, Plan> plans = new HashMap<>();
        try (PreparedStatement s = target.prepareStatement("""
                WITH RECURSIVE base(attname, typ) AS (
                    SELECT a.attname, a.atttypid FROM pg_attribute a
                    WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
                  UNION ALL
                    SELECT b.attname, t.typbasetype FROM base b JOIN pg_type t ON t.oid = b.typ WHERE t.typtype = 'd')
                SELECT b.attname, n.nspname, t.typname, t.typtype
                FROM base b JOIN pg_type t ON t.oid = b.typ JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype <> 'd'""")) {
            for (Table table : tables) {
                s.setString(1, table.sql());
                Map<String, Encoder> byColumn = new HashMap<>();
                Map<String, String> typeOf = new HashMap<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Encoder e = "e".equals(rs.getString(4)) ? BinaryCopy::text
                                : "pg_catalog".equals(rs.getString(2)) ? BY_TYPE.get(rs.getString(3)) : null;
                        if (e != null) {
                            byColumn.put(rs.getString(1), e);
                        }
                        typeOf.put(rs.getString(1), rs.getString(3));
                    }
                }
                List<String> columns = table.columns();
                Encoder[] encoders = new Encoder[columns.size()];
                boolean all = true;
                for (int i = 0; i < encoders.length && all; i++) {
                    encoders[i] = byColumn.get(columns.get(i));
                    all = encoders[i] != null;
                }
                if (all) {
                    plans.put(table.qualified(), new Plan(encoders, columns.toArray(String[]::new),
                            columns.stream().map(typeOf::get).toArray(String[]::new)));
                }
            }
        }
        return plans;
    }

    /** Turns COPY text lines into binary tuples for one table; not thread-safe (it keeps a buffer). */
    static final class Tuples {
        private final Plan plan;
        private final RowToCopy.Out field = new RowToCopy.Out();

        Tuples(Plan plan) {
            this.plan = plan;
        }

        /** Appends to {@code out} the binary tuple of the COPY text line in {@code line} whose fields are {@code fields}. */
        void append(byte[] line, RowToCopy.Fields fields, RowToCopy.Out out) throws IOException {
            Encoder[] encoders = plan.encoders();
            if (fields.count() != encoders.length) {
                throw new IOException("a COPY line has " + fields.count() + " fields, the table " + encoders.length
                        + " columns");
            }
            out.putShort(encoders.length);
            for (int c = 0; c < encoders.length; c++) {
                try {
                    switch (fields.forms[c]) {
                        case RowToCopy.Fields.NULL -> out.putInt(-1);
                        case RowToCopy.Fields.ESCAPED -> {
                            field.size = 0;
                            unescape(line, fields.starts[c], fields.ends[c], field);
                            encoders[c].encode(field.bytes, 0, field.size, out);
                        }
                        default -> encoders[c].encode(line, fields.starts[c], fields.ends[c], out);
                    }
                } catch (IOException | RuntimeException e) {
                    throw new IOException("column " + plan.columns()[c] + " (" + plan.types()[c] + "): "
                            + e.getMessage(), e);
                }
            }
        }
    }

    /** COPY text's escapes undone (RowToCopy writes only backslash and the control characters it names). */
    private static void unescape(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c != '\\') {
                out.put(c);
                continue;
            }
            if (++i == to) {
                throw new IOException("a COPY field ends in a backslash");
            }
            out.put(switch (b[i]) {
                case '\\' -> (byte) '\\';
                case 'b' -> (byte) '\b';
                case 'f' -> (byte) '\f';
                case 'n' -> (byte) '\n';
                case 'r' -> (byte) '\r';
                case 't' -> (byte) '\t';
                case 'v' -> (byte) 0x0B;
                default -> throw new IOException("an unknown COPY escape");
            });
        }
    }

    // --- encoders -----------------------------------------------------------------------------------------------

    private static IOException notA(String what) {
        return new IOException("a value that is not " + what + " in the form the backup writes");
    }

    static void text(byte[] b, int from, int to, RowToCopy.Out out) {
        out.putInt(to - from);
        out.put(b, from, to - from);
    }

    static void jsonb(byte[] b, int from, int to, RowToCopy.Out out) {
        out.putInt(to - from + 1);
        out.put((byte) 1); // jsonb's binary format version: its text follows
        out.put(b, from, to - from);
    }

    static void bool(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        if (to - from != 1 || (b[from] != 't' && b[from] != 'f')) {
            throw notA("a boolean");
        }
        out.putInt(1);
        out.put((byte) (b[from] == 't' ? 1 : 0));
    }

    static void integer(byte[] b, int from, int to, RowToCopy.Out out, int bytes) throws IOException {
        long v = parseLong(b, from, to, "an integer");
        long max = bytes == 8 ? Long.MAX_VALUE : (1L << (bytes * 8 - 1)) - 1;
        if (v > max || v < -max - 1) {
            throw notA("an integer of " + bytes + " bytes");
        }
        out.putInt(bytes);
        switch (bytes) {
            case 2 -> out.putShort((int) v);
            case 4 -> out.putInt((int) v);
            default -> out.putLong(v);
        }
    }

    /** A decimal integer with an optional minus sign; its digits accumulate negatively, so Long.MIN_VALUE parses. */
    private static long parseLong(byte[] b, int from, int to, String what) throws IOException {
        boolean negative = from < to && b[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to || to - i > 19) {
            throw notA(what);
        }
        long v = 0;
        for (; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw notA(what);
            }
            long next = v * 10 - d;
            if (v < Long.MIN_VALUE / 10 || next > v) {
                throw notA(what);
            }
            v = next;
        }
        if (!negative && v == Long.MIN_VALUE) {
            throw notA(what);
        }
        return negative ? v : -v;
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * The server's float output as the text Java reads: the shortest text that reads back exactly, "NaN" or
     * "[-]Infinity" (Java would also read hex floats, a trailing 'd' or 'f' and spaces: not the server's).
     */
    private static String floatText(byte[] b, int from, int to, String what) throws IOException {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'N' || c == 'a'
                    || c == 'I' || c == 'n' || c == 'f' || c == 'i' || c == 't' || c == 'y')) {
                throw notA(what);
            }
        }
        return ascii(b, from, to);
    }

    static void float8(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        double d;
        try {
            d = Double.parseDouble(floatText(b, from, to, "a double precision number"));
        } catch (NumberFormatException e) {
            throw notA("a double precision number");
        }
        out.putInt(8);
        out.putLong(Double.doubleToRawLongBits(d));
    }

    static void float4(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        float f;
        try {
            f = Float.parseFloat(floatText(b, from, to, "a real number")); // rounded once, as the server's strtof does
        } catch (NumberFormatException e) {
            throw notA("a real number");
        }
        out.putInt(4);
        out.putInt(Float.floatToRawIntBits(f));
    }

    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int i = 0; i < 10; i++) {
            HEX['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            HEX['a' + i] = (byte) (10 + i);
            HEX['A' + i] = (byte) (10 + i);
        }
    }

    /** {@code n} hexadecimal digits from {@code i} as a number. */
    private static long hex(byte[] b, int i, int n) throws IOException {
        long v = 0;
        int bad = 0;
        for (int k = i; k < i + n; k++) {
            int d = HEX[b[k] & 0xFF];
            bad |= d;
            v = (v << 4) | (d & 0xF);
        }
        if (bad < 0) {
            throw notA("hexadecimal");
        }
        return v;
    }

    static void uuid(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        if (to - from != 36 || b[from + 8] != '-' || b[from + 13] != '-' || b[from + 18] != '-' || b[from + 23] != '-') {
            throw notA("a uuid");
        }
        out.putInt(16);
        out.putLong(hex(b, from, 8) << 32 | hex(b, from + 9, 4) << 16 | hex(b, from + 14, 4));
        out.putLong(hex(b, from + 19, 4) << 48 | hex(b, from + 24, 12));
    }

    static void bytea(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        if (to - from < 2 || b[from] != '\\' || b[from + 1] != 'x' || ((to - from) & 1) != 0) {
            throw notA("bytea in hex");
        }
        out.putInt((to - from - 2) / 2);
        for (int i = from + 2; i < to; i += 2) {
            out.put((byte) hex(b, i, 2));
        }
    }

    // dates and timestamps: days and microseconds since 2000-01-01, the server's epoch

    private static final long EPOCH_DAY_2000 = 10957; // 2000-01-01 counted from 1970-01-01
    private static final long USECS_PER_DAY = 86_400_000_000L;

    /** Days from 1970-01-01 to a proleptic Gregorian date (year 0 is 1 BC), exact for every year. */
    static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    private static boolean leap(long year) {
        return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    }

    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    /**
     * Parses "Y...Y-MM-DD" from {@code from} ({@code bc}: of a year before 1); returns the days since 2000-01-01 in the
     * high half, the index after the date in the low half (no array to allocate for each value).
     */
    private static long ymd(byte[] b, int from, int to, boolean bc, String what) throws IOException {
        int i = from;
        long year = 0;
        int digits = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9' && digits < 9) {
            year = year * 10 + (b[i++] - '0');
            digits++;
        }
        if (digits < 4 || i + 6 > to || b[i] != '-' || b[i + 3] != '-') {
            throw notA(what);
        }
        int month = two(b, i + 1, what);
        int day = two(b, i + 4, what);
        if (month < 1 || month > 12 || day < 1
                || day > (month == 2 && leap(year) ? 29 : DAYS_IN_MONTH[month - 1])) {
            throw notA(what);
        }
        long days = epochDay(bc ? 1 - year : year, month, day) - EPOCH_DAY_2000;
        if (days > Integer.MAX_VALUE || days < Integer.MIN_VALUE) {
            throw notA(what);
        }
        return days << 32 | (i + 6);
    }

    private static int two(byte[] b, int i, String what) throws IOException {
        int hi = b[i] - '0';
        int lo = b[i + 1] - '0';
        if (hi < 0 || hi > 9 || lo < 0 || lo > 9) {
            throw notA(what);
        }
        return hi * 10 + lo;
    }

    private static final byte[] INFINITY = "infinity".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] BC = " BC".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static boolean is(byte[] b, int from, int to, byte[] word) {
        return to - from == word.length && java.util.Arrays.equals(b, from, to, word, 0, word.length);
    }

    private static boolean endsWith(byte[] b, int from, int to, byte[] word) {
        return to - from >= word.length && java.util.Arrays.equals(b, to - word.length, to, word, 0, word.length);
    }

    /** +1 for "infinity", -1 for "-infinity", 0 otherwise. */
    private static int infinity(byte[] b, int from, int to) {
        if (is(b, from, to, INFINITY)) {
            return 1;
        }
        return to - from == 9 && b[from] == '-' && is(b, from + 1, to, INFINITY) ? -1 : 0;
    }

    static void date(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        int inf = infinity(b, from, to);
        out.putInt(4);
        if (inf != 0) {
            out.putInt(inf > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE);
            return;
        }
        boolean bc = endsWith(b, from, to, BC);
        int end = bc ? to - BC.length : to;
        long d = ymd(b, from, end, bc, "a date");
        if ((int) d != end) {
            throw notA("a date");
        }
        out.putInt((int) (d >> 32));
    }

    /** "Y-MM-DD HH:MM:SS[.ffffff]" then, with a time zone, "+HH[:MM[:SS]]", then " BC" for years before 1. */
    static void timestamp(byte[] b, int from, int to, RowToCopy.Out out, boolean zoned) throws IOException {
        String what = zoned ? "a timestamp with time zone" : "a timestamp";
        int inf = infinity(b, from, to);
        out.putInt(8);
        if (inf != 0) {
            out.putLong(inf > 0 ? Long.MAX_VALUE : Long.MIN_VALUE);
            return;
        }
        boolean bc = endsWith(b, from, to, BC);
        int end = bc ? to - BC.length : to;
        long d = ymd(b, from, end, bc, what);
        int i = (int) d;
        if (i + 9 > end || b[i] != ' ' || b[i + 3] != ':' || b[i + 6] != ':') {
            throw notA(what);
        }
        int hour = two(b, i + 1, what);
        int minute = two(b, i + 4, what);
        int second = two(b, i + 7, what);
        if (hour > 23 || minute > 59 || second > 59) {
            throw notA(what);
        }
        i += 9;
        long micros = 0;
        if (i < end && b[i] == '.') {
            int digits = 0;
            i++;
            while (i < end && b[i] >= '0' && b[i] <= '9') {
                if (++digits > 6) {
                    throw notA(what);
                }
                micros = micros * 10 + (b[i++] - '0');
            }
            if (digits == 0) {
                throw notA(what);
            }
            for (; digits < 6; digits++) {
                micros *= 10;
            }
        }
        long offset = 0;
        if (zoned) {
            if (i + 3 > end || (b[i] != '+' && b[i] != '-')) {
                throw notA(what);
            }
            int sign = b[i] == '-' ? -1 : 1;
            long seconds = two(b, i + 1, what) * 3600L;
            i += 3;
            for (int part = 60; part >= 1 && i < end && b[i] == ':'; part /= 60) {
                if (i + 3 > end) {
                    throw notA(what);
                }
                seconds += two(b, i + 1, what) * (long) part;
                i += 3;
            }
            offset = sign * seconds * 1_000_000L;
        }
        if (i != end) {
            throw notA(what);
        }
        long days = d >> 32;
        out.putLong(days * USECS_PER_DAY + ((hour * 60L + minute) * 60L + second) * 1_000_000L + micros - offset);
    }

    private static final byte[] NAN = "NaN".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] POSITIVE_INFINITY = "Infinity".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NEGATIVE_INFINITY = "-Infinity".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * numeric's binary form: the digit count, the weight of the first base-10000 digit, the sign, the display scale
     * (the text's digits after the point), then the base-10000 digits, leading and trailing zero digits left out.
     */
    static void numeric(byte[] b, int from, int to, RowToCopy.Out out) throws IOException {
        int special = is(b, from, to, NAN) ? 0xC000 : is(b, from, to, POSITIVE_INFINITY) ? 0xD000
                : is(b, from, to, NEGATIVE_INFINITY) ? 0xF000 : -1;
        if (special >= 0) {
            out.putInt(8);
            out.putShort(0);
            out.putShort(0);
            out.putShort(special);
            out.putShort(0);
            return;
        }
        boolean negative = from < to && b[from] == '-';
        int intStart = negative ? from + 1 : from;
        int point = intStart;
        while (point < to && b[point] >= '0' && b[point] <= '9') {
            point++;
        }
        int intDigits = point - intStart;
        int fracStart = point < to && b[point] == '.' ? point + 1 : point;
        int fracEnd = fracStart;
        while (fracEnd < to && b[fracEnd] >= '0' && b[fracEnd] <= '9') {
            fracEnd++;
        }
        int scale = fracEnd - fracStart;
        if (intDigits == 0 || fracEnd != to || (fracStart > point && scale == 0) || scale > 0x3FFF) {
            throw notA("a number");
        }
        // the digits aligned on the point in groups of four: lead zeros before, trail zeros after
        int lead = (4 - intDigits % 4) % 4;
        int trail = (4 - scale % 4) % 4;
        int groups = (lead + intDigits + scale + trail) / 4;
        int weight = (lead + intDigits) / 4 - 1;
        int[] digits = new int[groups];
        for (int g = 0; g < groups; g++) {
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int pos = g * 4 + k - lead; // position among the text's digits, integer ones first
                int d = 0;
                if (pos >= 0 && pos < intDigits) {
                    d = b[intStart + pos] - '0';
                } else if (pos >= intDigits && pos < intDigits + scale) {
                    d = b[fracStart + pos - intDigits] - '0';
                }
                v = v * 10 + d;
            }
            digits[g] = v;
        }
        int first = 0;
        while (first < groups && digits[first] == 0) {
            first++;
        }
        int last = groups;
        while (last > first && digits[last - 1] == 0) {
            last--;
        }
        int n = last - first;
        if (n > 0xFFFF) {
            throw notA("a number");
        }
        out.putInt(8 + 2 * n);
        out.putShort(n);
        out.putShort(n == 0 ? 0 : weight - first);
        out.putShort(negative && n > 0 ? 0x4000 : 0);
        out.putShort(scale);
        for (int g = first; g < last; g++) {
            out.putShort(digits[g]);
        }
    }
}
