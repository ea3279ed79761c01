package io.taskagent.backup.worker.dump;

/**
 * Undoes the escaping of PostgreSQL's COPY text format for a one-column row ({@code \\}, {@code \n}, {@code \r},
 * {@code \t}, {@code \b}, {@code \f}, {@code \v}), dropping the row's trailing newline. The column holds JSON made
 * by {@code row_to_json}, so the result is one JSON object.
 */
final class CopyTextDecoder {

    private CopyTextDecoder() {
    }

    /**
     * Decodes {@code row} into {@code out} and returns the decoded length. {@code out} must be at least as long
     * as {@code row}.
     */
    static int decode(byte[] row, byte[] out) {
        int length = row.length;
        if (length > 0 && row[length - 1] == '\n') {
            length--;
        }
        int o = 0;
        for (int i = 0; i < length; i++) {
            byte b = row[i];
            if (b != '\\' || i + 1 >= length) {
                out[o++] = b;
                continue;
            }
            byte next = row[++i];
            out[o++] = switch (next) {
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'v' -> 0x0B;
                default -> next; // "\\" and any other escaped byte stand for themselves
            };
        }
        return o;
    }
}
