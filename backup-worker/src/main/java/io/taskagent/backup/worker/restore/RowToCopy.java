package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.MessageJson;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one row of a backup file (a JSON object on one line) into one line of PostgreSQL's COPY text format for the
 * given columns: numbers keep their digits, booleans become {@code t}/{@code f}, embedded jsonb is copied as its
 * exact JSON text, strings are PostgreSQL's text form already; NULL is {@code \N}. Only the listed columns are
 * written (generated columns are left out), in the listed order.
 */
final class RowToCopy {

    private final Map<String, Integer> index = new HashMap<>();
    private final int columns;
    private final byte[][] values;
    private final int[] starts;
    private final int[] ends;
    private final boolean[] raw;

    RowToCopy(List<String> columnNames) {
        for (int i = 0; i < columnNames.size(); i++) {
            index.put(columnNames.get(i), i);
        }
        columns = columnNames.size();
        values = new byte[columns][];
        starts = new int[columns];
        ends = new int[columns];
        raw = new boolean[columns];
    }

    /** Appends the COPY line for {@code line[0, length)} to {@code out}. */
    void convert(byte[] line, int length, Out out) throws IOException {
        java.util.Arrays.fill(values, null);
        try (JsonParser p = MessageJson.mapper().createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a row is not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                Integer i = index.get(p.currentName());
                JsonToken token = p.nextToken();
                if (i == null) {
                    p.skipChildren(); // a generated column, or one the target does not have
                    continue;
                }
                switch (token) {
                    case VALUE_NULL -> values[i] = null;
                    case VALUE_TRUE -> set(i, T, false);
                    case VALUE_FALSE -> set(i, F, false);
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> set(i, p.getString().getBytes(StandardCharsets.US_ASCII), true);
                    case VALUE_STRING -> set(i, p.getString().getBytes(StandardCharsets.UTF_8), false);
                    case START_OBJECT, START_ARRAY -> {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        int end = (int) p.currentLocation().getByteOffset();
                        values[i] = line;
                        starts[i] = start;
                        ends[i] = end;
                        raw[i] = false;
                    }
                    default -> throw new IOException("unexpected " + token + " in a row");
                }
            }
        }
        for (int i = 0; i < columns; i++) {
            if (i > 0) {
                out.put((byte) '\t');
            }
            if (values[i] == null) {
                out.put((byte) '\\');
                out.put((byte) 'N');
            } else if (raw[i]) {
                out.put(values[i], starts[i], ends[i] - starts[i]);
            } else {
                escape(values[i], starts[i], ends[i], out);
            }
        }
        out.put((byte) '\n');
    }

    private static final byte[] T = {'t'};
    private static final byte[] F = {'f'};

    private void set(int i, byte[] bytes, boolean isRaw) {
        values[i] = bytes;
        starts[i] = 0;
        ends[i] = bytes.length;
        raw[i] = isRaw;
    }

    private static void escape(byte[] b, int from, int to, Out out) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            switch (c) {
                case '\\' -> { out.put((byte) '\\'); out.put((byte) '\\'); }
                case '\n' -> { out.put((byte) '\\'); out.put((byte) 'n'); }
                case '\r' -> { out.put((byte) '\\'); out.put((byte) 'r'); }
                case '\t' -> { out.put((byte) '\\'); out.put((byte) 't'); }
                default -> out.put(c);
            }
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

        void put(byte[] b, int off, int len) {
            if (size + len > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
            }
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }
}
