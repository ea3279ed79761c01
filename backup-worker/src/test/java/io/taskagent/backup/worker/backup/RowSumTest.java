package io.taskagent.backup.worker.backup;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
    void isTheSumOfTheRowDigestsModulo2To256() throws Exception {
        List<String> rows = rows(5000, 1);
        BigInteger expected = BigInteger.ZERO;
        for (String row : rows) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(row.getBytes(StandardCharsets.UTF_8));
            expected = expected.add(new BigInteger(1, digest)).mod(BigInteger.TWO.pow(256));
        }
        assertThat(sum(rows).hex()).isEqualTo(String.format("%064x", expected));
        assertThat(sum(rows).rows()).isEqualTo(5000);
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
