package io.taskagent.backup.worker.backup;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tables a backup holds: the configured schemas (none = every non-system schema), then include and exclude
 * lists of {@code schema.table} names where {@code *} matches any run of characters. An empty include list
 * includes everything; exclusions win.
 */
record TableFilter(List<String> schemas, List<String> include, List<String> exclude) {

    public static final TableFilter ALL = new TableFilter(List.of(), List.of(), List.of());

    public TableFilter {
        schemas = List.copyOf(schemas);
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public boolean includes(String schema, String table) {
        if (!schemas.isEmpty() && !schemas.contains(schema)) {
            return false;
        }
        String name = schema + "." + table;
        if (!include.isEmpty() && include.stream().noneMatch(p -> matches(p, name))) {
            return false;
        }
        return exclude.stream().noneMatch(p -> matches(p, name));
    }

    private static boolean matches(String pattern, String name) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.matches(regex.toString(), name);
    }
}
