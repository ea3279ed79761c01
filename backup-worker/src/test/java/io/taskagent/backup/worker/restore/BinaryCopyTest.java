package io.taskagent.backup.worker.restore;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The binary encoders' exact output for known values, and their refusals (BinaryCopyIT proves them on the server). */
class BinaryCopyTest {

    interface Encode {
        void apply(byte[] b, int from, int to, RowToCopy.Out out) throws IOException;
    }

    static ByteBuffer encode(Encode encoder, String text) throws IOException {
        RowToCopy.Out out = new RowToCopy.Out();
        byte[] b = ("«" + text + "»").getBytes(StandardCharsets.UTF_8); // offsets that are not zero
        int from = "«".getBytes(StandardCharsets.UTF_8).length;
        encoder.apply(b, from, b.length - from, out);
        ByteBuffer buffer = ByteBuffer.wrap(out.bytes, 0, out.size);
        assertThat(buffer.getInt()).as("length word").isEqualTo(out.size - 4);
        return buffer;
    }

    @Test
    void datesAndTimestampsCountFromTheServersEpoch() throws IOException {
        assertThat(BinaryCopy.epochDay(2000, 1, 1)).isEqualTo(10957);
        assertThat(BinaryCopy.epochDay(1970, 1, 1)).isZero();
        assertThat(encode(BinaryCopy::date, "2000-01-01").getInt()).isZero();
        assertThat(encode(BinaryCopy::date, "1999-12-31").getInt()).isEqualTo(-1);
        assertThat(encode(BinaryCopy::date, "infinity").getInt()).isEqualTo(Integer.MAX_VALUE);
        assertThat(encode(BinaryCopy::date, "-infinity").getInt()).isEqualTo(Integer.MIN_VALUE);
        // 1 BC is year 0 of the proleptic calendar: 730485 days before 2000-01-01 (the server's -2451545 + 1721060)
        assertThat(encode(BinaryCopy::date, "0001-01-01 BC").getInt()).isEqualTo(-730485);
        assertThat(encode((b, f, t, o) -> BinaryCopy.timestamp(b, f, t, o, false), "1999-12-31 23:59:59.123456")
                .getLong()).isEqualTo(-876_544L);
        assertThat(encode((b, f, t, o) -> BinaryCopy.timestamp(b, f, t, o, true), "2000-01-01 09:00:00.5+09")
                .getLong()).isEqualTo(500_000L);
        assertThat(encode((b, f, t, o) -> BinaryCopy.timestamp(b, f, t, o, true), "2000-01-01 00:00:00-03:30")
                .getLong()).isEqualTo(12_600_000_000L);
    }

    @Test
    void numericsAreBase10000DigitsAlignedOnThePoint() throws IOException {
        ByteBuffer n = encode(BinaryCopy::numeric, "1.50");
        assertThat(new int[]{n.getShort(), n.getShort(), n.getShort(), n.getShort(), n.getShort(), n.getShort()})
                .containsExactly(2, 0, 0, 2, 1, 5000);
        n = encode(BinaryCopy::numeric, "-0.00000000000000000001");
        assertThat(new int[]{n.getShort(), n.getShort(), n.getShort() & 0xFFFF, n.getShort(), n.getShort()})
                .containsExactly(1, -5, 0x4000, 20, 1);
        n = encode(BinaryCopy::numeric, "0.000");
        assertThat(new int[]{n.getShort(), n.getShort(), n.getShort(), n.getShort()}).containsExactly(0, 0, 0, 3);
        n = encode(BinaryCopy::numeric, "-Infinity");
        assertThat(new int[]{n.getShort(), n.getShort(), n.getShort() & 0xFFFF, n.getShort()})
                .containsExactly(0, 0, 0xF000, 0);
        n = encode(BinaryCopy::numeric, "123456789");
        assertThat(new int[]{n.getShort(), n.getShort(), n.getShort(), n.getShort(), n.getShort(), n.getShort(),
                n.getShort()}).containsExactly(3, 2, 0, 0, 1, 2345, 6789);
    }

    @Test
    void integersUuidsByteaAndJsonb() throws IOException {
        assertThat(encode((b, f, t, o) -> BinaryCopy.integer(b, f, t, o, 8), "-9223372036854775808").getLong())
                .isEqualTo(Long.MIN_VALUE);
        assertThat(encode((b, f, t, o) -> BinaryCopy.integer(b, f, t, o, 2), "-32768").getShort()).isEqualTo((short) -32768);
        ByteBuffer u = encode(BinaryCopy::uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(u.getLong()).isEqualTo(0xa0eebc999c0b4ef8L);
        assertThat(u.getLong()).isEqualTo(0xbb6d6bb9bd380a11L);
        ByteBuffer by = encode(BinaryCopy::bytea, "\\x00ff10");
        assertThat(new byte[]{by.get(), by.get(), by.get()}).containsExactly(0, (byte) 0xff, 0x10);
        assertThat(by.hasRemaining()).isFalse();
        ByteBuffer jb = encode(BinaryCopy::jsonb, "{\"a\": 1}");
        assertThat(jb.get()).isEqualTo((byte) 1);
        assertThat(jb.remaining()).isEqualTo(8);
    }

    @Test
    void aValueNotInTheBackupsFormIsRefusedNamingItsColumnAndTypeNotItsValue() throws IOException {
        assertThatThrownBy(() -> encode((b, f, t, o) -> BinaryCopy.integer(b, f, t, o, 2), "32768"))
                .hasMessageContaining("not an integer of 2 bytes");
        assertThatThrownBy(() -> encode((b, f, t, o) -> BinaryCopy.integer(b, f, t, o, 8), "9223372036854775808"))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> encode(BinaryCopy::date, "2023-02-29")).hasMessageContaining("not a date");
        assertThatThrownBy(() -> encode(BinaryCopy::numeric, "1e5")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> encode(BinaryCopy::float8, "0x1p3")).hasMessageContaining("double precision");
        assertThatThrownBy(() -> encode(BinaryCopy::uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g"))
                .hasMessageContaining("hexadecimal");

        BinaryCopy.Plan plan = new BinaryCopy.Plan(new BinaryCopy.Encoder[]{BinaryCopy::text,
                (b, f, t, o) -> BinaryCopy.timestamp(b, f, t, o, true)}, new String[]{"name", "due_at"},
                new String[]{"text", "timestamptz"});
        BinaryCopy.Tuples tuples = new BinaryCopy.Tuples(plan);
        byte[] line = "secret name\t2024-13-01 00:00:00+00\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> tuples.append(line, CopyLines.fields(line, 0, line.length), new RowToCopy.Out()))
                .hasMessage("column due_at (timestamptz): a value that is not a timestamp with time zone in the form "
                        + "the backup writes")
                .hasMessageNotContaining("2024").hasMessageNotContaining("secret");
        byte[] short1 = "only one\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> tuples.append(short1, CopyLines.fields(short1, 0, short1.length), new RowToCopy.Out()))
                .hasMessageContaining("has 1 fields, the table 2 columns");
        byte[] longer = "a\t\\N\tb\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> tuples.append(longer, CopyLines.fields(longer, 0, longer.length), new RowToCopy.Out()))
                .hasMessageContaining("has 3 fields, the table 2 columns");
    }

    @Test
    void aTupleIsItsFieldCountThenEachFieldEscapesUndoneAndNullAsMinusOne() throws IOException {
        BinaryCopy.Plan plan = new BinaryCopy.Plan(new BinaryCopy.Encoder[]{BinaryCopy::text, BinaryCopy::text,
                BinaryCopy::bool}, new String[]{"a", "b", "c"}, new String[]{"text", "text", "bool"});
        byte[] line = "x\\ty\\\\z\t\\N\tt\n".getBytes(StandardCharsets.UTF_8);
        RowToCopy.Out out = new RowToCopy.Out();
        new BinaryCopy.Tuples(plan).append(line, CopyLines.fields(line, 0, line.length), out);
        ByteBuffer b = ByteBuffer.wrap(out.bytes, 0, out.size);
        assertThat(b.getShort()).isEqualTo((short) 3);
        byte[] first = new byte[b.getInt()];
        b.get(first);
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("x\ty\\z");
        assertThat(b.getInt()).isEqualTo(-1);
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(b.get()).isEqualTo((byte) 1);
        assertThat(b.hasRemaining()).isFalse();
    }
}
