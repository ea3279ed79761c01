package io.taskagent.backup.worker.restore;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import com.google.common.hash.Hashing;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RowSumTest {

    private static RowSum sum(List<String> rows) {
        RowSum sum = new RowSum();
        for (String row : rows) {
            byte[] bytes = row.getBytes(StandardCharsets.UTF_8);
            sum.add(bytes, 0, bytes.length);
        }
        return sum;
    }

    private static List<String> rows(int n, long seed) {
        Random random = new Random(seed);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add("{\"id\":" + random.nextInt(50) + ",\"t\":\"" + Long.toHexString(random.nextLong()) + "\"}");
        }
        return rows;
    }

    @Test
    void isTheSumOfTheRowsMurmurHash3Modulo2To128() {
        Random random = new Random(4);
        BigInteger expected = BigInteger.ZERO;
        RowSum sum = new RowSum();
        for (int length = 0; length < 200; length++) { // every tail length, several blocks
            byte[] row = new byte[length + 3];
            random.nextBytes(row);
            sum.add(row, 3, length); // an offset into a larger buffer, as the restore passes rows
            byte[] hash = Hashing.murmur3_128().hashBytes(row, 3, length).asBytes(); // h1 then h2, little-endian
            expected = expected.add(new BigInteger(1, reverse(java.util.Arrays.copyOfRange(hash, 0, 8))))
                    .add(new BigInteger(1, reverse(java.util.Arrays.copyOfRange(hash, 8, 16))).shiftLeft(64));
        }
        assertThat(sum.hex()).isEqualTo(String.format("%032x", expected.mod(BigInteger.TWO.pow(128))));
        assertThat(sum.rows()).isEqualTo(200);
    }

    private static byte[] reverse(byte[] bytes) {
        for (int i = 0; i < bytes.length / 2; i++) {
            byte b = bytes[i];
            bytes[i] = bytes[bytes.length - 1 - i];
            bytes[bytes.length - 1 - i] = b;
        }
        return bytes;
    }

    @Test
    void theOrderDoesNotMatterButEveryRowDoes() {
        List<String> rows = rows(2000, 2);
        List<String> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(3));
        assertThat(sum(shuffled).sameRowsAs(sum(rows))).isTrue();

        List<String> changed = new ArrayList<>(rows);
        changed.set(1234, changed.get(1234).replace("\"t\":\"", "\"t\":\"x"));
        assertThat(sum(changed).sameRowsAs(sum(rows))).isFalse();

        List<String> duplicated = new ArrayList<>(rows);
        duplicated.set(10, rows.get(11)); // same count, one row twice and one missing
        assertThat(sum(duplicated).sameRowsAs(sum(rows))).isFalse();
        assertThat(sum(rows.subList(0, 1999)).sameRowsAs(sum(rows))).isFalse();
    }
}
