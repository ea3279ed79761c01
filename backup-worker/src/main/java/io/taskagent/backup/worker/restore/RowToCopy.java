package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.MessageJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one row of a backup file (a JSON object on one line) into one line of PostgreSQL's COPY text format for the
 * given columns, in one pass over the bytes and without creating strings: numbers keep their digits, booleans become
 * {@code t}/{@code f}, embedded jsonb is copied as its exact JSON text, strings are PostgreSQL's text form already;
 * NULL (or a column the row lacks) is {@code \N}. Only the listed columns are written (generated columns are left
 * out), in the listed order.
 * <p>
 * Values are escaped exactly as the server's own COPY output escapes them (backslash, {@code \b \f \n \r \t \v}), so
 * a table read back with {@code COPY ... TO} gives the very bytes loaded when it holds the very values loaded: the
 * restore's read-back check compares the two.
 */
final class RowToCopy {

    private static final int UNSET = 0;
    private static final int NULL = 1;
    private static final int TRUE = 2;
    private static final int FALSE = 3;
    private static final int NUMBER = 4;
    private static final int PLAIN_STRING = 5;
    private static final int ESCAPED_STRING = 6;
    private static final int JSON = 7;

    private final byte[][] names;
    private final boolean[] json;
    /** Per column: its name needs no escape in JSON ({@link #plain}). */
    private final boolean[] plain;
    private final Map<String, Integer> index = new HashMap<>();
    private final int[] kinds;
    private final Fields fields;
    private final int[] starts;
    private final int[] ends;

    RowToCopy(List<String> columnNames) {
        this(columnNames, java.util.Set.of());
    }

    /**
     * @param embedded the columns whose values the file embeds as JSON (jsonb): any value but null is copied as its
     *                 JSON text, a string with its quotes ({@code "abc"} is a jsonb string), {@code true} as is
     */
    RowToCopy(List<String> columnNames, java.util.Set<String> embedded) {
        names = new byte[columnNames.size()][];
        json = new boolean[columnNames.size()];
        plain = new boolean[columnNames.size()];
        for (int i = 0; i < columnNames.size(); i++) {
            names[i] = columnNames.get(i).getBytes(StandardCharsets.UTF_8);
            index.put(columnNames.get(i), i);
            json[i] = embedded.contains(columnNames.get(i));
            plain[i] = plain(names[i]);
        }
        kinds = new int[names.length];
        fields = new Fields(names.length);
        starts = new int[names.length];
        ends = new int[names.length];
    }

    /** Appends the COPY line for the {@code count} bytes of {@code line} from {@code offset} to {@code out}. */
    void convert(byte[] line, int offset, int count, Out out) throws IOException {
        java.util.Arrays.fill(kinds, UNSET);
        int length = offset + count; // the end: every index below is absolute
        int i = space(line, offset, length);
        if (i == length || line[i] != '{') {
            throw new IOException("a row is not a JSON object");
        }
        i = space(line, i + 1, length);
        int expected = 0; // the dumper writes the columns in order: the next one is tried first
        if (i < length && line[i] == '}') {
            i++;
        } else {
            while (true) {
                if (i == length || line[i] != '"') {
                    throw malformed("a column name", i);
                }
                int nameStart = i + 1;
                int nameEnd;
                int column;
                if (expected < names.length && plain[expected] && named(line, nameStart, length, names[expected])) {
                    column = expected; // the usual case: the next column, its name as is and then the quote
                    nameEnd = nameStart + names[expected].length;
                } else {
                    nameEnd = stringEnd(line, nameStart, length);
                    column = column(line, nameStart, nameEnd, expected);
                }
                i = space(line, nameEnd + 1, length);
                if (i == length || line[i] != ':') {
                    throw malformed("':'", i);
                }
                i = space(line, i + 1, length);
                if (i == length) {
                    throw malformed("a value", i);
                }
                i = value(line, i, length, column);
                if (column >= 0) {
                    expected = column + 1;
                }
                i = space(line, i, length);
                if (i < length && line[i] == ',') {
                    i = space(line, i + 1, length);
                } else if (i < length && line[i] == '}') {
                    i++;
                    break;
                } else {
                    throw malformed("',' or '}'", i);
                }
            }
        }
        if (space(line, i, length) != length) {
            throw malformed("the end of the row", i);
        }
        for (int c = 0; c < names.length; c++) {
            if (c > 0) {
                out.put((byte) '\t');
            }
            int before = out.size;
            byte form = Fields.PLAIN;
            switch (kinds[c]) {
                case UNSET, NULL -> {
                    out.put(NULL_MARK, 0, 2);
                    form = Fields.NULL;
                }
                case TRUE -> out.put((byte) 't');
                case FALSE -> out.put((byte) 'f');
                case NUMBER -> out.put(line, starts[c], ends[c] - starts[c]);
                // a string without escapes holds no byte COPY escapes (no control character, no backslash): as is
                case PLAIN_STRING -> out.put(line, starts[c], ends[c] - starts[c]);
                case JSON -> form = escape(line, starts[c], ends[c], out) ? Fields.ESCAPED : Fields.PLAIN;
                default -> {
                    unescapeJson(line, starts[c], ends[c], out);
                    form = Fields.ESCAPED;
                }
            }
            fields.set(c, before, out.size, form);
        }
        out.put((byte) '\n');
    }

    /** Where each field of the last line {@link #convert} wrote starts and ends in its output, and its form. */
    Fields fields() {
        return fields;
    }

    /** The fields of one COPY text line: offsets in the line, and whether each is plain, has escapes or is NULL. */
    static final class Fields {
        static final byte PLAIN = 0;
        static final byte ESCAPED = 1;
        static final byte NULL = 2;

        final int[] starts;
        final int[] ends;
        final byte[] forms;

        Fields(int count) {
            starts = new int[count];
            ends = new int[count];
            forms = new byte[count];
        }

        void set(int c, int start, int end, byte form) {
            starts[c] = start;
            ends[c] = end;
            forms[c] = form;
        }

        int count() {
            return forms.length;
        }
    }

    private static final byte[] NULL_MARK = {'\\', 'N'};

    /** Parses the value at {@code i}, records it for {@code column} (unless negative: skipped); returns its end. */
    private int value(byte[] line, int i, int length, int column) throws IOException {
        byte b = line[i];
        int kind;
        int start = i;
        int end;
        switch (b) {
            case '"' -> { // one pass: the end, whether it has escapes, and no raw control character (RFC 8259)
                start = i + 1;
                kind = PLAIN_STRING;
                int k = start;
                while (true) {
                    if (k >= length) {
                        throw malformed("the end of a string", length);
                    }
                    byte c = line[k];
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        kind = ESCAPED_STRING;
                        k += 2;
                    } else if (c >= 0 && c < 0x20) {
                        throw new IOException("malformed row: a control character not escaped in a string at byte " + k);
                    } else {
                        k++;
                    }
                }
                end = k;
                i = end + 1;
            }
            case 't' -> {
                i = literal(line, i, length, TRUE_WORD);
                end = i;
                kind = TRUE;
            }
            case 'f' -> {
                i = literal(line, i, length, FALSE_WORD);
                end = i;
                kind = FALSE;
            }
            case 'n' -> {
                i = literal(line, i, length, NULL_WORD);
                end = i;
                kind = NULL;
            }
            case '{', '[' -> {
                i = nestedEnd(line, i, length);
                end = i;
                kind = JSON;
            }
            default -> {
                if (b != '-' && (b < '0' || b > '9')) {
                    throw malformed("a value", i);
                }
                i++;
                while (i < length && ((line[i] >= '0' && line[i] <= '9') || line[i] == '.' || line[i] == 'e'
                        || line[i] == 'E' || line[i] == '+' || line[i] == '-')) {
                    i++;
                }
                end = i;
                kind = NUMBER;
            }
        }
        if (column >= 0) {
            if (json[column] && kind != NULL) { // a jsonb scalar: its JSON text, quotes included
                kind = JSON;
                start = b == '"' ? start - 1 : start;
                end = b == '"' ? end + 1 : end;
            }
            kinds[column] = kind;
            starts[column] = start;
            ends[column] = end;
        }
        return i;
    }

    private static final byte[] TRUE_WORD = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE_WORD = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL_WORD = {'n', 'u', 'l', 'l'};

    private static int literal(byte[] line, int i, int length, byte[] word) throws IOException {
        if (i + word.length > length || !java.util.Arrays.equals(line, i, i + word.length, word, 0, word.length)) {
            throw malformed("true, false or null", i);
        }
        return i + word.length;
    }

    /** The index of the column whose name is {@code line[from, to)} (JSON string content), or -1 if none. */
    private int column(byte[] line, int from, int to, int expected) throws IOException {
        if (expected < names.length && same(line, from, to, names[expected])) {
            return expected;
        }
        for (int k = from; k < to; k++) {
            if (line[k] == '\\') { // an escaped name: decoded by the JSON library (rare: quotes, control characters)
                String name = MessageJson.mapper().readValue(
                        new String(line, from - 1, to - from + 2, StandardCharsets.UTF_8), String.class);
                return index.getOrDefault(name, -1);
            }
        }
        for (int c = 0; c < names.length; c++) {
            if (same(line, from, to, names[c])) {
                return c;
            }
        }
        return -1; // a generated column, or one the target does not have
    }

    private static boolean same(byte[] line, int from, int to, byte[] name) {
        return to - from == name.length && java.util.Arrays.equals(line, from, to, name, 0, name.length);
    }

    /**
     * Whether the JSON string whose content starts at {@code from} is {@code name}: its bytes, then the closing quote.
     * Only for a name JSON writes as is (no quote, backslash or control character): no escape can hide in its bytes.
     */
    private static boolean named(byte[] line, int from, int length, byte[] name) {
        int end = from + name.length;
        return end < length && line[end] == '"' && same(line, from, end, name);
    }

    /** Whether JSON writes {@code name} as is: no quote, backslash or control character to escape. */
    private static boolean plain(byte[] name) {
        for (byte b : name) {
            if (b == '"' || b == '\\' || (b >= 0 && b < 0x20)) {
                return false;
            }
        }
        return true;
    }

    /** The index of the quote ending the JSON string whose content starts at {@code from}. */
    private static int stringEnd(byte[] line, int from, int length) throws IOException {
        for (int i = from; i < length; i++) {
            byte b = line[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                i++;
            }
        }
        throw malformed("the end of a string", length);
    }

    /** The end (exclusive) of the JSON object or array starting at {@code i}. */
    private static int nestedEnd(byte[] line, int i, int length) throws IOException {
        int depth = 0;
        for (; i < length; i++) {
            byte b = line[i];
            if (b == '"') {
                i = stringEnd(line, i + 1, length);
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (--depth == 0) {
                    return i + 1;
                }
            }
        }
        throw malformed("the end of an embedded JSON value", length);
    }

    private static int space(byte[] line, int i, int length) {
        while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n')) {
            i++;
        }
        return i;
    }

    private static IOException malformed(String expected, int at) {
        return new IOException("malformed row: " + expected + " expected at byte " + at);
    }

    /** Raw bytes to COPY text: runs without special bytes are copied whole; returns whether any byte was escaped. */
    private static boolean escape(byte[] b, int from, int to, Out out) {
        int i = from;
        boolean escaped = false;
        while (i < to) {
            int run = i;
            while (run < to && !special(b[run])) {
                run++;
            }
            out.put(b, i, run - i);
            if (run == to) {
                return escaped;
            }
            escapeByte(b[run], out);
            escaped = true;
            i = run + 1;
        }
        return escaped;
    }

    private static boolean special(byte c) {
        return c == '\\' || (c >= 0x08 && c <= 0x0D);
    }

    /** One byte as the server's COPY output writes it. */
    private static void escapeByte(byte c, Out out) {
        switch (c) {
            case '\\' -> out.put2((byte) '\\', (byte) '\\');
            case '\b' -> out.put2((byte) '\\', (byte) 'b');
            case '\t' -> out.put2((byte) '\\', (byte) 't');
            case '\n' -> out.put2((byte) '\\', (byte) 'n');
            case 0x0B -> out.put2((byte) '\\', (byte) 'v');
            case '\f' -> out.put2((byte) '\\', (byte) 'f');
            case '\r' -> out.put2((byte) '\\', (byte) 'r');
            default -> out.put(c);
        }
    }

    /** The content of a JSON string with escapes, decoded and written as COPY text. */
    private static void unescapeJson(byte[] b, int from, int to, Out out) throws IOException {
        int i = from;
        while (i < to) {
            int run = i;
            while (run < to && b[run] != '\\') {
                run++;
            }
            escape(b, i, run, out);
            if (run == to) {
                return;
            }
            if (run + 1 == to) {
                throw malformed("an escape", run);
            }
            byte e = b[run + 1];
            i = run + 2;
            switch (e) {
                case '"', '/' -> out.put(e);
                case '\\' -> escapeByte((byte) '\\', out);
                case 'b' -> escapeByte((byte) '\b', out);
                case 'f' -> escapeByte((byte) '\f', out);
                case 'n' -> escapeByte((byte) '\n', out);
                case 'r' -> escapeByte((byte) '\r', out);
                case 't' -> escapeByte((byte) '\t', out);
                case 'u' -> {
                    int code = hex4(b, i, to);
                    i += 4;
                    if (code >= 0xD800 && code <= 0xDBFF) {
                        if (i + 6 > to || b[i] != '\\' || b[i + 1] != 'u') {
                            throw malformed("the second half of a surrogate pair", i);
                        }
                        int low = hex4(b, i + 2, to);
                        if (low < 0xDC00 || low > 0xDFFF) {
                            throw malformed("the second half of a surrogate pair", i);
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                    if (code == 0) {
                        throw new IOException("malformed row: a string holds the NUL character, which PostgreSQL text cannot");
                    }
                    utf8(code, out);
                }
                default -> throw malformed("a valid escape", run);
            }
        }
    }

    private static int hex4(byte[] b, int i, int to) throws IOException {
        if (i + 4 > to) {
            throw malformed("four hex digits", i);
        }
        int code = 0;
        for (int k = i; k < i + 4; k++) {
            int d = Character.digit(b[k], 16);
            if (d < 0) {
                throw malformed("four hex digits", k);
            }
            code = (code << 4) | d;
        }
        return code;
    }

    private static void utf8(int code, Out out) {
        if (code < 0x80) {
            escapeByte((byte) code, out);
        } else if (code < 0x800) {
            out.put2((byte) (0xC0 | (code >> 6)), (byte) (0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            out.put((byte) (0xE0 | (code >> 12)));
            out.put2((byte) (0x80 | ((code >> 6) & 0x3F)), (byte) (0x80 | (code & 0x3F)));
        } else {
            out.put2((byte) (0xF0 | (code >> 18)), (byte) (0x80 | ((code >> 12) & 0x3F)));
            out.put2((byte) (0x80 | ((code >> 6) & 0x3F)), (byte) (0x80 | (code & 0x3F)));
        }
    }

    /** A growable output buffer. */
    static final class Out {
        byte[] bytes = new byte[1 << 16];
        int size;

        void put(byte b) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = b;
        }

        void put2(byte a, byte b) {
            if (size + 2 > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[size++] = a;
            bytes[size++] = b;
        }

        /** Big-endian, as COPY's binary format writes numbers. */
        void putShort(int v) {
            put2((byte) (v >>> 8), (byte) v);
        }

        void putInt(int v) {
            putShort(v >>> 16);
            putShort(v);
        }

        void putLong(long v) {
            putInt((int) (v >>> 32));
            putInt((int) v);
        }

        void put(byte[] b, int off, int len) {
            if (size + len > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }
}
