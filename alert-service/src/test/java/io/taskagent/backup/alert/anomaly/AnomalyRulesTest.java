package io.taskagent.backup.alert.anomaly;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.anomaly.AnomalyRules.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AnomalyRulesTest {

    static final AlertProperties.Anomaly DEFAULTS = new AlertProperties.Anomaly(true, 5, 3, 0.5, 3.0, 0.2);

    private static Snapshot backup(long size, long tasks, long users) {
        return new Snapshot(size, tasks + users, Map.of("public.tasks", tasks, "public.users", users));
    }

    private static final List<Snapshot> STEADY = List.of(backup(50_000, 10_000, 500), backup(51_000, 10_100, 500),
            backup(50_500, 10_050, 500));

    @Test
    void aBackupLikeItsHistoryHasNoFindings() {
        assertThat(AnomalyRules.findings(backup(50_800, 10_080, 505), STEADY, DEFAULTS)).isEmpty();
    }

    @Test
    void aTableAtTenPercentOfItsMedianIsAFinding() {
        assertThat(AnomalyRules.findings(backup(50_000, 1_005, 500), STEADY, DEFAULTS))
                .contains("public.tasks: 1005 rows, median of the last 3 backups 10050 (10%)");
    }

    @Test
    void aTableLosingMoreThanTwentyPercentIsAFindingButTwentyIsNot() {
        assertThat(AnomalyRules.findings(backup(50_000, 8_040, 500), STEADY, DEFAULTS)).isEmpty(); // 80% of 10050
        assertThat(AnomalyRules.findings(backup(50_000, 8_000, 500), STEADY, DEFAULTS))
                .containsExactly("public.tasks: 8000 rows, median of the last 3 backups 10050 (80%)");
    }

    @Test
    void aMissingTableIsAFinding() {
        Snapshot withoutUsers = new Snapshot(50_000, 10_050, Map.of("public.tasks", 10_050L));
        assertThat(AnomalyRules.findings(withoutUsers, STEADY, DEFAULTS))
                .containsExactly("public.users: missing from the backup, median of the last 3 backups 500 rows");
    }

    @Test
    void aNewTableIsNotAFinding() {
        Snapshot withNew = new Snapshot(50_000, 10_550, Map.of("public.tasks", 10_050L, "public.users", 500L,
                "public.audit", 0L));
        assertThat(AnomalyRules.findings(withNew, STEADY, DEFAULTS)).isEmpty();
    }

    @Test
    void totalRowsAndSizeBelowHalfOrAboveThreeTimesTheMedianAreFindings() {
        assertThat(AnomalyRules.findings(backup(24_000, 10_050, 500), STEADY, DEFAULTS))
                .containsExactly("size: 24000 bytes, median of the last 3 backups 50500 bytes (48%)");
        assertThat(AnomalyRules.findings(backup(160_000, 40_000, 500), STEADY, DEFAULTS))
                .containsExactly("total rows: 40500, median of the last 3 backups 10550 (384%)",
                        "size: 160000 bytes, median of the last 3 backups 50500 bytes (317%)");
        assertThat(AnomalyRules.findings(backup(150_000, 30_000, 500), STEADY, DEFAULTS)).isEmpty();
    }

    @Test
    void nothingIsJudgedBeforeEnoughHistory() {
        assertThat(AnomalyRules.findings(backup(1, 1, 1), STEADY.subList(0, 2), DEFAULTS)).isEmpty();
        assertThat(AnomalyRules.findings(backup(1, 1, 1), List.of(), DEFAULTS)).isEmpty();
    }

    @Test
    void emptyHistoriesAndZeroMediansAreNotJudged() {
        List<Snapshot> empty = List.of(new Snapshot(0, 0, Map.of()), new Snapshot(0, 0, Map.of()),
                new Snapshot(0, 0, Map.of()));
        assertThat(AnomalyRules.findings(backup(10, 10, 10), empty, DEFAULTS)).isEmpty();
    }

    @Test
    void theMedianResistsOneOutlierAndConfiguredRatiosApply() {
        List<Snapshot> withOutlier = List.of(backup(50_000, 10_000, 500), backup(5_000, 100, 500),
                backup(50_000, 10_000, 500), backup(50_000, 10_000, 500), backup(50_000, 10_000, 500));
        assertThat(AnomalyRules.findings(backup(50_000, 10_000, 500), withOutlier, DEFAULTS)).isEmpty();
        AlertProperties.Anomaly strict = new AlertProperties.Anomaly(true, 5, 3, 0.9, 1.1, 0.05);
        assertThat(AnomalyRules.findings(backup(50_000, 9_000, 500), withOutlier, strict))
                .containsExactly("public.tasks: 9000 rows, median of the last 5 backups 10000 (90%)");
    }

    @Test
    void mediansAndPercentages() {
        assertThat(AnomalyRules.median(new long[]{3, 1, 2})).isEqualTo(2);
        assertThat(AnomalyRules.median(new long[]{4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(AnomalyRules.percent(0.1)).isEqualTo("10%");
        assertThat(AnomalyRules.percent(0.004)).isEqualTo("0.4%");
        assertThat(AnomalyRules.percent(3.84)).isEqualTo("384%");
    }
}
