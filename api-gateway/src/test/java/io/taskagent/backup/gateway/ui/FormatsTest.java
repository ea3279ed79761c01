package io.taskagent.backup.gateway.ui;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FormatsTest {

    final Formats fmt = new Formats();

    @Test
    void sizesAreHumanReadableInBinaryUnits() {
        assertThat(fmt.bytes(512)).isEqualTo("512 B");
        assertThat(fmt.bytes(1536)).isEqualTo("1.50 KiB");
        assertThat(fmt.bytes(8_650_000)).isEqualTo("8.25 MiB");
        assertThat(fmt.bytes(62_400_000_000L)).isEqualTo("58.1 GiB");
        assertThat(fmt.bytes(null)).isEqualTo("–");
    }

    @Test
    void timesAreUtcAndDurationsWords() {
        assertThat(fmt.utc(Instant.parse("2026-05-01T02:00:13Z"))).isEqualTo("2026-05-01 02:00:13 UTC");
        assertThat(fmt.iso(Instant.parse("2026-05-01T02:00:13Z"))).isEqualTo("2026-05-01T02:00:13Z");
        assertThat(fmt.millis(4_260)).isEqualTo("4.3 s");
        assertThat(Formats.words(Duration.ofMinutes(185))).isEqualTo("3 h 5 min");
        assertThat(Formats.words(Duration.ofHours(50))).isEqualTo("2 d 2 h");
        assertThat(fmt.ago(Instant.now().minus(Duration.ofMinutes(3)))).isEqualTo("3 min ago");
        assertThat(fmt.count(226_000)).isEqualTo("226,000");
        assertThat(fmt.percent(98_000, 226_000)).isEqualTo(43);
    }
}
