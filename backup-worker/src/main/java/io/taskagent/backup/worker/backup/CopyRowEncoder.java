package io.taskagent.backup.worker.backup;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns one row of PostgreSQL's COPY text format (tab-separated, {@code \N} for NULL, backslash escapes) into one
 * JSON object, in a single pass over the bytes and without creating strings. The server only has to produce its
 * cheap text output; the JSON is made here, on the worker's cores.
 */
final class CopyRowEncoder {

    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[][] keys;
    private final ColumnKind[] kinds;

    /** @param columns the columns in table order, as COPY writes them */
    CopyRowEncoder(List<SourceSchema.Column> columns) {
        keys = new byte[columns.size()][];
        kinds = new ColumnKind[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ByteBuffer key = new ByteBuffer(64);
            key.put((byte) (i == 0 ? '{' : ','));
            byte[] name = columns.get(i).name().getBytes(StandardCharsets.UTF_8);
            key.put((byte) '"');
            escapeJson(name, 0, name.length, key);
            key.put((byte) '"');
            key.put((byte) ':');
            keys[i] = key.toArray();
            kinds[i] = columns.get(i).kind();
        }
    }

    /** Appends the JSON object for {@code row} (a COPY text line, with or without its newline) to {@code out}. */
    void encode(byte[] row, int length, ByteBuffer out) {
        if (length > 0 && row[length - 1] == '\n') {
            length--;
        }
        if (keys.length == 0) {
            out.put((byte) '{');
            out.put((byte) '}');
            return;
        }
        int column = 0;
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || row[i] == '\t') {
                if (column >= keys.length) {
                    throw new IllegalStateException("COPY row has more fields than the table's " + keys.length + " columns");
                }
                out.put(keys[column]);
                field(row, start, i, kinds[column], out);
                column++;
                start = i + 1;
            }
        }
        if (column != keys.length) {
            throw new IllegalStateException("COPY row has " + column + " fields, the table has " + keys.length + " columns");
        }
        out.put((byte) '}');
    }

    private static void field(byte[] row, int from, int to, ColumnKind kind, ByteBuffer out) {
        if (to - from == 2 && row[from] == '\\' && row[from + 1] == 'N') {
            out.put(NULL);
            return;
        }
        switch (kind) {
            case BOOLEAN -> out.put(row[from] == 't' ? TRUE : FALSE);
            case NUMBER -> {
                byte first = row[from];
                if ((first >= '0' && first <= '9') || (first == '-' && to - from > 1 && row[from + 1] >= '0' && row[from + 1] <= '9')) {
                    out.put(row, from, to - from);
                } else { // NaN, Infinity, -Infinity
                    out.put((byte) '"');
                    out.put(row, from, to - from);
                    out.put((byte) '"');
                }
            }
            case JSON -> unescapeCopy(row, from, to, out);
            case STRING -> {
                out.put((byte) '"');
                copyToJsonString(row, from, to, out);
                out.put((byte) '"');
            }
        }
    }

    /** COPY-escaped bytes to raw bytes (for jsonb, whose text is JSON already); runs without escapes are copied whole. */
    private static void unescapeCopy(byte[] row, int from, int to, ByteBuffer out) {
        out.ensure(to - from);
        byte[] dst = out.array();
        int o = out.size();
        int i = from;
        while (i < to) {
            int run = i;
            while (run < to && row[run] != '\\') {
                run++;
            }
            System.arraycopy(row, i, dst, o, run - i);
            o += run - i;
            if (run + 1 < to) {
                dst[o++] = unescaped(row[run + 1]);
                i = run + 2;
            } else {
                if (run < to) {
                    dst[o++] = row[run];
                }
                i = to;
            }
        }
        out.skip(o - out.size());
    }

    /** COPY-escaped bytes to the inside of a JSON string, in one step; runs of plain bytes are copied whole. */
    private static void copyToJsonString(byte[] row, int from, int to, ByteBuffer out) {
        int i = from;
        while (i < to) {
            int run = i;
            byte b = 0;
            while (run < to) {
                b = row[run];
                if (b == '\\' || b == '"' || (b >= 0 && b < 0x20)) {
                    break;
                }
                run++;
            }
            out.put(row, i, run - i);
            if (run == to) {
                return;
            }
            out.ensure(6);
            if (b == '\\' && run + 1 < to) {
                byte c = row[run + 1];
                switch (c) {
                    case '\\' -> {
                        out.putUnchecked((byte) '\\');
                        out.putUnchecked((byte) '\\');
                    }
                    case 'n', 'r', 't', 'b', 'f' -> {
                        out.putUnchecked((byte) '\\');
                        out.putUnchecked(c);
                    }
                    default -> jsonChar(unescaped(c), out);
                }
                i = run + 2;
            } else {
                jsonChar(b, out);
                i = run + 1;
            }
        }
    }

    private static byte unescaped(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'v' -> 0x0B;
            default -> c;
        };
    }

    private static void jsonChar(byte b, ByteBuffer out) {
        switch (b) {
            case '"' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) '"'); }
            case '\\' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) '\\'); }
            case '\n' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) 'n'); }
            case '\r' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) 'r'); }
            case '\t' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) 't'); }
            case '\b' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) 'b'); }
            case '\f' -> { out.putUnchecked((byte) '\\'); out.putUnchecked((byte) 'f'); }
            default -> {
                if (b >= 0 && b < 0x20) {
                    out.putUnchecked((byte) '\\');
                    out.putUnchecked((byte) 'u');
                    out.putUnchecked((byte) '0');
                    out.putUnchecked((byte) '0');
                    out.putUnchecked(HEX[(b >> 4) & 0xF]);
                    out.putUnchecked(HEX[b & 0xF]);
                } else {
                    out.putUnchecked(b);
                }
            }
        }
    }

    /** JSON-escapes UTF-8 bytes (for column names). */
    static void escapeJson(byte[] bytes, int from, int to, ByteBuffer out) {
        out.ensure(6 * (to - from));
        for (int i = from; i < to; i++) {
            jsonChar(bytes[i], out);
        }
    }
}
