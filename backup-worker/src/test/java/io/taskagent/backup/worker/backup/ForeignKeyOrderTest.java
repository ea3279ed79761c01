package io.taskagent.backup.worker.backup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ForeignKeyOrderTest {

    private static SourceSchema.Table table(String name, String... references) {
        return new SourceSchema.Table(name.hashCode(), "public", name, "r", List.of(), List.of(), List.of(references), 0, 0);
    }

    private static List<String> names(ForeignKeyOrder.Result result) {
        return result.tables().stream().map(SourceSchema.Table::name).toList();
    }

    @Test
    void parentsComeBeforeChildrenWhateverTheInputOrder() {
        var result = ForeignKeyOrder.sort(List.of(
                table("task_dependencies", "public.tasks"),
                table("tasks", "public.goals", "public.tasks"),
                table("goals", "public.projects"),
                table("projects", "public.users"),
                table("users")));
        assertThat(names(result)).containsExactly("users", "projects", "goals", "tasks", "task_dependencies");
        assertThat(result.selfReferencing()).containsExactly("public.tasks");
        assertThat(result.cycles()).isEmpty();
    }

    @Test
    void independentTablesAreOrderedByNameSoTheOrderIsStable() {
        var result = ForeignKeyOrder.sort(List.of(table("zeta"), table("alpha"), table("mid", "public.zeta")));
        assertThat(names(result)).containsExactly("alpha", "zeta", "mid");
    }

    @Test
    void cyclesAreAppendedAndReported() {
        var result = ForeignKeyOrder.sort(List.of(
                table("a", "public.b"), table("b", "public.a"), table("root"), table("leaf", "public.root")));
        assertThat(names(result)).containsExactly("root", "leaf", "a", "b");
        assertThat(result.cycles()).containsExactly("public.a", "public.b");
    }

    @Test
    void referencesToTablesOutsideTheDumpAreIgnored() {
        var result = ForeignKeyOrder.sort(List.of(table("orders", "other.customers")));
        assertThat(names(result)).containsExactly("orders");
    }
}
