package io.taskagent.backup.worker.restore;

/** The fields of a COPY text line the server wrote, as {@link RowToCopy#fields()} gives them for the lines it writes. */
final class CopyLines {

    private CopyLines() {
    }

    /** {@code line[from, to)}: one line, its newline included. */
    static RowToCopy.Fields fields(byte[] line, int from, int to) {
        int count = 1;
        for (int i = from; i < to - 1; i++) {
            count += line[i] == '\t' ? 1 : 0;
        }
        RowToCopy.Fields fields = new RowToCopy.Fields(count);
        int start = from;
        for (int c = 0; c < count; c++) {
            int i = start;
            boolean escaped = false;
            while (i < to - 1 && line[i] != '\t') {
                if (line[i] == '\\') {
                    escaped = true;
                    i++;
                }
                i++;
            }
            boolean isNull = i - start == 2 && line[start] == '\\' && line[start + 1] == 'N';
            fields.set(c, start, i, isNull ? RowToCopy.Fields.NULL : escaped ? RowToCopy.Fields.ESCAPED
                    : RowToCopy.Fields.PLAIN);
            start = i + 1;
        }
        return fields;
    }
}
