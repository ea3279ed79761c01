package io.taskagent.backup.worker.dump;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class CopyTextDecoderTest {

    private static String decode(String copyText) {
        byte[] in = copyText.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[in.length];
        int n = CopyTextDecoder.decode(in, out);
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void undoesCopyEscapesAndDropsTheRowTerminator() {
        // row_to_json wrote {"a":"x\ny","b":"back\\slash"}; COPY doubled each backslash
        assertThat(decode("{\"a\":\"x\\\\ny\",\"b\":\"back\\\\\\\\slash\"}\n"))
                .isEqualTo("{\"a\":\"x\\ny\",\"b\":\"back\\\\slash\"}");
    }

    @Test
    void turnsEscapedControlCharactersBackIntoBytes() {
        assertThat(decode("a\\tb\\nc\\rd\\be\\ff\\vg\n")).isEqualTo("a\tb\nc\rd\be\ff\u000Bg");
    }

    @Test
    void leavesMultibyteTextAlone() {
        assertThat(decode("{\"t\":\"ユーザー 🚀\"}\n")).isEqualTo("{\"t\":\"ユーザー 🚀\"}");
    }
}
