package io.taskagent.backup.model.job;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class JobKindTest {

    @Test
    void labelsAreTheValuesStoredInTheCatalog() {
        assertThat(Arrays.stream(JobKind.values()).map(JobKind::label))
                .containsExactly("backup", "restore", "verify", "cleanup", "drill");
    }

    @Test
    void everyLabelReadsBackAsItsKind() {
        for (JobKind kind : JobKind.values()) {
            assertThat(JobKind.ofLabel(kind.label())).isSameAs(kind);
        }
    }

    @Test
    void anUnknownLabelIsAnErrorNamingIt() {
        assertThatIllegalArgumentException().isThrownBy(() -> JobKind.ofLabel("BACKUP")).withMessageContaining("'BACKUP'");
        assertThatIllegalArgumentException().isThrownBy(() -> JobKind.ofLabel("vacuum")).withMessageContaining("'vacuum'");
        assertThatIllegalArgumentException().isThrownBy(() -> JobKind.ofLabel(null)).withMessageContaining("'null'");
    }
}
