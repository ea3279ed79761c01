package io.taskagent.backup.gateway.status;

import io.taskagent.backup.gateway.web.CommandAccepted;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each destination's free space joined to what it holds ({@link BackupStatus#withSpace}). */
class DestinationSpaceTest {

    static final Instant AT = Instant.parse("2026-05-01T02:00:00Z");

    private static StatusView.Destination held(String name) {
        return new StatusView.Destination(name, 3, 300, CommandAccepted.mebibytes(300), AT, 0, 0, null, null, null);
    }

    @Test
    void aDestinationHoldingCopiesGetsItsSpaceAndOneMeasuredForTheTargetIsListedEmpty() {
        List<StatusView.Space> space = List.of(
                new StatusView.Space("local", "taskagent", 5_000L, 10_000L, AT),
                new StatusView.Space("offsite", "taskagent", null, null, AT),
                new StatusView.Space("archive", "taskagent", 7L, null, AT),
                new StatusView.Space("other", "billing", 9L, null, AT));
        List<StatusView.Destination> all = BackupStatus.withSpace(List.of(held("local"), held("offsite")), space,
                "taskagent");
        assertThat(all).extracting(StatusView.Destination::name).containsExactly("archive", "local", "offsite");
        assertThat(all.get(1).freeBytes()).isEqualTo(5_000L);
        assertThat(all.get(1).quotaBytes()).isEqualTo(10_000L);
        assertThat(all.get(1).copies()).isEqualTo(3);
        assertThat(all.get(2).freeBytes()).as("unknown (S3)").isNull();
        assertThat(all.get(2).spaceCheckedAt()).isEqualTo(AT);
        assertThat(all.get(0).copies()).isZero();

        assertThat(BackupStatus.withSpace(List.of(), space, null)).as("every target's").hasSize(4);
        assertThat(BackupStatus.withSpace(List.of(held("s3")), List.of(), "taskagent").get(0).spaceCheckedAt())
                .as("never measured").isNull();
    }
}
