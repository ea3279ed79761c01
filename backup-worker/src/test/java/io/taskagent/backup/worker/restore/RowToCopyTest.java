package io.taskagent.backup.worker.restore;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowToCopyTest {

    private static String copy(List<String> columns, String json) throws IOException {
        RowToCopy converter = new RowToCopy(columns);
        RowToCopy.Out out = new RowToCopy.Out();
        byte[] row = json.getBytes(StandardCharsets.UTF_8);
        converter.convert(row, 0, row.length, out);
        return new String(out.bytes, 0, out.size, StandardCharsets.UTF_8);
    }

    @Test
    void writesEveryKindOfValueAsCopyText() throws IOException {
        assertThat(copy(List.of("id", "n", "f", "ok", "no", "gone", "doc", "tags"),
                "{\"id\":\"7f1c\",\"n\":-12.50,\"f\":1.5e-7,\"ok\":true,\"no\":false,\"gone\":null,"
                        + "\"doc\":{\"a\": [1, {\"b\": \"x}\\\"]\"}], \"c\": null},\"tags\":\"{a,b}\"}"))
                .isEqualTo("7f1c\t-12.50\t1.5e-7\tt\tf\t\\N\t{\"a\": [1, {\"b\": \"x}\\\\\"]\"}], \"c\": null}\t{a,b}\n");
    }

    @Test
    void theFieldsOfTheLineItWroteAreTheFieldsOfThatLine() throws IOException {
        RowToCopy converter = new RowToCopy(List.of("a", "b", "c", "d", "e", "missing"), java.util.Set.of("d"));
        RowToCopy.Out out = new RowToCopy.Out();
        out.put((byte) 'x'); // a line that does not start the buffer
        byte[] row = "{\"a\":\"tab\\there\",\"b\":\"plain\",\"c\":null,\"d\":{\"k\":\"back\\\\slash\"},\"e\":12}"
                .getBytes(StandardCharsets.UTF_8);
        converter.convert(row, 0, row.length, out);
        RowToCopy.Fields written = converter.fields();
        RowToCopy.Fields parsed = CopyLines.fields(out.bytes, 1, out.size);
        assertThat(written.starts).containsExactly(parsed.starts);
        assertThat(written.ends).containsExactly(parsed.ends);
        assertThat(written.forms).containsExactly(parsed.forms).containsExactly(RowToCopy.Fields.ESCAPED,
                RowToCopy.Fields.PLAIN, RowToCopy.Fields.NULL, RowToCopy.Fields.ESCAPED, RowToCopy.Fields.PLAIN,
                RowToCopy.Fields.NULL);
    }

    @Test
    void aJsonbScalarIsCopiedAsItsJsonText() throws IOException {
        RowToCopy converter = new RowToCopy(List.of("s", "b", "n", "o", "z", "t"),
                java.util.Set.of("s", "b", "n", "o", "z"));
        RowToCopy.Out out = new RowToCopy.Out();
        byte[] row = "{\"s\":\"a\\\\b\\\"c\",\"b\":true,\"n\":1.5,\"o\":{\"k\":\"v\"},\"z\":null,\"t\":\"plain\"}"
                .getBytes(StandardCharsets.UTF_8);
        converter.convert(row, 0, row.length, out);
        assertThat(new String(out.bytes, 0, out.size, StandardCharsets.UTF_8))
                .as("a jsonb string keeps its quotes and escapes (backslashes doubled for COPY), true stays true")
                .isEqualTo("\"a\\\\\\\\b\\\\\"c\"\ttrue\t1.5\t{\"k\":\"v\"}\t\\N\tplain\n");
    }

    @Test
    void escapesAsTheServersCopyOutputDoes() throws IOException {
        // JSON escapes decoded, then backslash, backspace, tab, newline, vertical tab, form feed, carriage return escaped
        assertThat(copy(List.of("t"), "{\"t\":\"a\\\\b\\b\\t\\n\\u000b\\f\\r\\\"\\/\\u0001z\"}"))
                .isEqualTo("a\\\\b\\b\\t\\n\\v\\f\\r\"/\u0001z\n");
        assertThat(copy(List.of("t"), "{\"t\":\"\\\\x0aff\"}")).isEqualTo("\\\\x0aff\n"); // bytea's hex form
    }

    @Test
    void decodesUnicodeEscapesToUtf8() throws IOException {
        assertThat(copy(List.of("t"), "{\"t\":\"\\u00e9\\u20ac\\ud83d\\ude00 é\"}")).isEqualTo("é€😀 é\n");
        assertThatThrownBy(() -> copy(List.of("t"), "{\"t\":\"\\ud83d x\"}")).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> copy(List.of("t"), "{\"t\":\"a\\u0000\"}")).hasMessageContaining("NUL");
    }

    @Test
    void writesTheListedColumnsInTheirOrderWhateverTheRowsOrder() throws IOException {
        assertThat(copy(List.of("a", "b", "c"), "{ \"c\" : 3 , \"total\":9, \"a\":1 }"))
                .as("b is missing: NULL; total (e.g. generated) is not a listed column: left out")
                .isEqualTo("1\t\\N\t3\n");
        assertThat(copy(List.of("say \"hi\"", "Ünï"), "{\"say \\\"hi\\\"\":\"x\",\"\\u00dcn\\u00ef\":\"y\"}"))
                .isEqualTo("x\ty\n");
        assertThat(copy(List.of(), "{}")).isEqualTo("\n");
    }

    @Test
    void everyPositionOfAQuoteEscapeOrControlCharacterInALongStringIsFound() throws IOException {
        // one pass finds a string's end, its escapes and any raw control character: each at each offset, after
        // one- and two-byte characters
        for (int at = 0; at < 24; at++) {
            String before = "é".repeat(at / 2) + "x".repeat(at % 2); // two-byte characters too: `at` bytes
            String after = "y".repeat(23 - at);
            assertThat(copy(List.of("t", "u"), "{\"t\":\"" + before + "\\n" + after + "\",\"u\":\"" + before + "\"}"))
                    .as("an escape at byte %d", at).isEqualTo(before + "\\n" + after + "\t" + before + "\n");
            assertThat(copy(List.of("t"), "{\"t\":\"" + before + "\\\"" + after + "\"}"))
                    .as("an escaped quote at byte %d", at).isEqualTo(before + "\"" + after + "\n");
            String raw = "{\"t\":\"" + before + "\u001f" + after + "\"}";
            int offset = 6 + at;
            assertThatThrownBy(() -> copy(List.of("t"), raw)).as("a raw control character at byte %d", at)
                    .hasMessageContaining("control character not escaped in a string at byte " + offset);
        }
    }

    @Test
    void aColumnIsFoundByItsWholeNameWhereverItComes() throws IOException {
        List<String> columns = List.of("id", "ids", "a\\b", "x\"y", "é");
        assertThat(copy(columns, "{\"id\":1,\"ids\":2,\"a\\\\b\":3,\"x\\\"y\":4,\"é\":5}"))
                .as("in order").isEqualTo("1\t2\t3\t4\t5\n");
        assertThat(copy(columns, "{\"ids\":2,\"id\":1,\"é\":5,\"x\\\"y\":4,\"a\\\\b\":3}"))
                .as("a name that starts as the next one's, escaped names, out of order").isEqualTo("1\t2\t3\t4\t5\n");
        assertThat(copy(List.of("id", "idx"), "{\"i\":0,\"idx\":7}")).as("a shorter name, not a column")
                .isEqualTo("\\N\t7\n");
    }

    @Test
    void refusesMalformedRowsNamingWhatIsWrong() {
        assertThatThrownBy(() -> copy(List.of("a"), "[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":1")).hasMessageContaining("',' or '}' expected");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":\"open}")).hasMessageContaining("end of a string");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":tru}")).hasMessageContaining("true, false or null");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":{\"b\":[1}")).hasMessageContaining("embedded JSON");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":1} x")).hasMessageContaining("end of the row");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":\"\\q\"}")).hasMessageContaining("valid escape");
        assertThatThrownBy(() -> copy(List.of("a"), "{a:1}")).hasMessageContaining("column name");
        // a raw tab or newline inside a string is not JSON (RFC 8259 escapes them) and would split the COPY line
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":\"x\ty\"}"))
                .hasMessageContaining("control character not escaped in a string at byte 7");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":\"x\u0001\"}")).hasMessageContaining("control character");
        assertThatThrownBy(() -> copy(List.of("a"), "{\"a\":\"x\\\"}")).as("an escape at the end")
                .hasMessageContaining("end of a string");
    }
}
