package io.taskagent.backup.worker.backup;

import io.taskagent.backup.model.MessageJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CopyRowEncoderTest {

    private static SourceSchema.Column column(String name, ColumnKind kind) {
        return new SourceSchema.Column(name, "t", true, false, null, kind);
    }

    private static String encode(List<SourceSchema.Column> columns, String copyLine) {
        ByteBuffer out = new ByteBuffer(16);
        byte[] row = copyLine.getBytes(StandardCharsets.UTF_8);
        new CopyRowEncoder(columns).encode(row, row.length, out);
        return new String(out.toArray(), StandardCharsets.UTF_8);
    }

    @Test
    void writesEachKindExactly() {
        var columns = List.of(column("n", ColumnKind.NUMBER), column("b", ColumnKind.BOOLEAN),
                column("j", ColumnKind.JSON), column("s", ColumnKind.STRING), column("z", ColumnKind.STRING));
        String json = encode(columns, "-12.3400000000000000001\tt\t{\"a\": [1, \"x\\\\ny\"]}\thello\t\\N\n");
        assertThat(json).isEqualTo("{\"n\":-12.3400000000000000001,\"b\":true,\"j\":{\"a\": [1, \"x\\ny\"]},\"s\":\"hello\",\"z\":null}");
        assertThat(MessageJson.mapper().readTree(json).get("j").get("a").get(1).asString()).isEqualTo("x\ny");
    }

    @Test
    void nonFiniteNumbersBecomeStrings() {
        var columns = List.of(column("a", ColumnKind.NUMBER), column("b", ColumnKind.NUMBER), column("c", ColumnKind.NUMBER));
        assertThat(encode(columns, "NaN\tInfinity\t-Infinity")).isEqualTo("{\"a\":\"NaN\",\"b\":\"Infinity\",\"c\":\"-Infinity\"}");
    }

    @Test
    void copyEscapesBecomeJsonEscapesAndTextSurvivesExactly() {
        String text = "tab\there \"quoted\" back\\slash\nnew line\r\u000b\u0001 ユーザー 🚀 \\x00ff";
        String copy = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
                .replace("\u000b", "\\v");
        String json = encode(List.of(column("t", ColumnKind.STRING)), copy + "\n");
        assertThat(MessageJson.mapper().readTree(json).get("t").asString()).isEqualTo(text);
    }

    @Test
    void columnNamesAreEscaped() {
        String json = encode(List.of(column("we\"ird Name", ColumnKind.BOOLEAN)), "f");
        assertThat(json).isEqualTo("{\"we\\\"ird Name\":false}");
    }

    @Test
    void aTableWithoutColumnsGivesEmptyObjects() {
        assertThat(encode(List.of(), "\n")).isEqualTo("{}");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsRefused() {
        assertThatThrownBy(() -> encode(List.of(column("a", ColumnKind.STRING)), "x\ty"))
                .hasMessageContaining("more fields");
        assertThatThrownBy(() -> encode(List.of(column("a", ColumnKind.STRING), column("b", ColumnKind.STRING)), "x"))
                .hasMessageContaining("1 fields");
    }
}
