package io.taskagent.backup.worker.backup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Orders tables so that every table comes after the tables its foreign keys point to (Kahn's algorithm, ties
 * broken by name so the order is stable). Self-references do not constrain the order and are reported; tables in
 * a cycle across tables are appended in name order and reported, for the restore to defer their checks.
 */
final class ForeignKeyOrder {

    record Result(List<SourceSchema.Table> tables, List<String> selfReferencing, List<String> cycles) {
    }

    private ForeignKeyOrder() {
    }

    static Result sort(List<SourceSchema.Table> tables) {
        Map<String, SourceSchema.Table> byName = new HashMap<>();
        tables.forEach(t -> byName.put(t.qualifiedName(), t));
        Map<String, Set<String>> parents = new HashMap<>();
        Map<String, Set<String>> children = new HashMap<>();
        List<String> selfReferencing = new ArrayList<>();
        for (SourceSchema.Table t : tables) {
            parents.put(t.qualifiedName(), new HashSet<>());
            children.putIfAbsent(t.qualifiedName(), new HashSet<>());
        }
        for (SourceSchema.Table t : tables) {
            for (String parent : t.references()) {
                if (parent.equals(t.qualifiedName())) {
                    selfReferencing.add(parent);
                } else if (byName.containsKey(parent)) {
                    parents.get(t.qualifiedName()).add(parent);
                    children.get(parent).add(t.qualifiedName());
                }
            }
        }
        PriorityQueue<String> ready = new PriorityQueue<>(Comparator.naturalOrder());
        parents.forEach((name, ps) -> {
            if (ps.isEmpty()) {
                ready.add(name);
            }
        });
        Map<String, Integer> remaining = new HashMap<>();
        parents.forEach((name, ps) -> remaining.put(name, ps.size()));
        List<SourceSchema.Table> ordered = new ArrayList<>();
        while (!ready.isEmpty()) {
            String next = ready.poll();
            ordered.add(byName.get(next));
            for (String child : children.get(next)) {
                if (remaining.merge(child, -1, Integer::sum) == 0) {
                    ready.add(child);
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        if (ordered.size() < tables.size()) {
            tables.stream().map(SourceSchema.Table::qualifiedName)
                    .filter(n -> remaining.get(n) > 0).sorted()
                    .forEach(n -> {
                        cycles.add(n);
                        ordered.add(byName.get(n));
                    });
        }
        selfReferencing.sort(Comparator.naturalOrder());
        return new Result(List.copyOf(ordered), List.copyOf(selfReferencing), List.copyOf(cycles));
    }
}
