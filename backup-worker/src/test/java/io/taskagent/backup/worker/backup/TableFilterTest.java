package io.taskagent.backup.worker.backup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableFilterTest {

    @Test
    void withoutSettingsEveryTableIsIncluded() {
        assertThat(TableFilter.ALL.includes("public", "tasks")).isTrue();
        assertThat(TableFilter.ALL.includes("Other Schema", "x")).isTrue();
    }

    @Test
    void schemasIncludesAndExcludesCombineWithExclusionsWinning() {
        TableFilter filter = new TableFilter(List.of("public", "audit"), List.of("public.*", "audit.log_2026*"),
                List.of("public.tmp_*", "public.sessions"));
        assertThat(filter.includes("public", "tasks")).isTrue();
        assertThat(filter.includes("public", "tmp_import")).isFalse();
        assertThat(filter.includes("public", "sessions")).isFalse();
        assertThat(filter.includes("audit", "log_2026_01")).isTrue();
        assertThat(filter.includes("audit", "log_2025_12")).isFalse();
        assertThat(filter.includes("other", "tasks")).isFalse();
    }

    @Test
    void patternCharactersOtherThanTheWildcardAreLiteral() {
        TableFilter filter = new TableFilter(List.of(), List.of("public.a.b"), List.of());
        assertThat(filter.includes("public", "a.b")).isTrue();
        assertThat(filter.includes("public", "aXb")).isFalse();
    }
}
