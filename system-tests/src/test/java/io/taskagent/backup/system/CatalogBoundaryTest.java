package io.taskagent.backup.system;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One owner per table: a service may name another service's schema only through that service's published read
 * contract, the {@code v<N>_*} views its own migrations create. Every string literal and text block of a service's
 * main Java sources, and its migrations, are scanned for {@code <schema>.<name>} (a constant holding a relation's
 * name is a literal too): a name that is a table of another service's migrations, or a {@code v<N>_} name that
 * service's migrations do not create as a view, fails the build.
 */
class CatalogBoundaryTest {

    /** Each service module and the catalog schema it owns. */
    static final Map<String, String> OWNERS = Map.of(
            "api-gateway", "gateway",
            "backup-worker", "worker",
            "scheduler-service", "scheduler",
            "alert-service", "alerts");

    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])(" + String.join("|", OWNERS.values())
            + ")\\.([a-z_][a-z0-9_]*)\\b");
    private static final Pattern CONTRACT = Pattern.compile("v[0-9]+_[a-z0-9_]+");
    private static final Pattern STRING = Pattern.compile("\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"",
            Pattern.DOTALL);
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "(?i)CREATE\\s+(?:UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:\\w+\\.)?([a-z_][a-z0-9_]*)");
    private static final Pattern CREATE_VIEW = Pattern.compile(
            "(?i)CREATE\\s+(?:OR\\s+REPLACE\\s+)?VIEW\\s+(?:\\w+\\.)?([a-z_][a-z0-9_]*)");

    /** The relations a schema's own migrations create. */
    record Relations(Set<String> tables, Set<String> views) {
    }

    @Test
    void noServiceReadsAnotherServicesTablesExceptThroughItsDeclaredViews() throws IOException {
        Map<String, Relations> relations = new HashMap<>();
        for (Map.Entry<String, String> owner : OWNERS.entrySet()) {
            relations.put(owner.getValue(), relations(Path.of("..", owner.getKey(), "src", "main", "resources", "db",
                    "migration", owner.getValue())));
        }
        assertThat(relations.get("worker").views()).as("the worker's read contract").contains("v1_jobs", "v1_backups");
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, String> owner : OWNERS.entrySet()) {
            try (Stream<Path> files = Files.walk(Path.of("..", owner.getKey(), "src", "main"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".java")) {
                        violations.addAll(violations(owner.getValue(), file.toString(), strings(Files.readString(file)),
                                relations));
                    } else if (name.endsWith(".sql")) {
                        violations.addAll(violations(owner.getValue(), file.toString(), List.of(Files.readString(file)),
                                relations));
                    }
                }
            }
        }
        assertThat(violations).as("another service's relations named outside its read contract").isEmpty();
    }

    @Test
    void theCheckFindsADirectReadAnUndeclaredViewAndAllowsAContractViewAndOtherNames() {
        Map<String, Relations> relations = Map.of(
                "worker", new Relations(Set.of("jobs"), Set.of("v1_jobs")),
                "scheduler", new Relations(Set.of("settings"), Set.of("v1_settings")),
                "alerts", new Relations(Set.of("throttle"), Set.of()),
                "gateway", new Relations(Set.of("audit_log"), Set.of()));
        List<String> strings = strings("""
                class X {
                    String a = "SELECT id FROM worker.jobs WHERE status = 'RUNNING'";
                    static final String VIEW = "scheduler.settings";
                    String b = \"\"\"
                            SELECT running FROM scheduler.v1_settings
                            JOIN alerts.throttle t ON true JOIN worker.v2_jobs j ON true\"\"\";
                    String c = "scheduler.configure"; // an action name, not a relation of the scheduler
                    String d = "SELECT 1 FROM gateway.audit_log";
                }
                """);
        assertThat(violations("gateway", "X.java", strings, relations)).containsExactly(
                "X.java: worker.jobs is a table of worker", "X.java: scheduler.settings is a table of scheduler",
                "X.java: alerts.throttle is a table of alerts",
                "X.java: worker.v2_jobs is not a view worker's migrations create");
    }

    static Relations relations(Path migrations) throws IOException {
        Set<String> tables = new HashSet<>();
        Set<String> views = new HashSet<>();
        try (Stream<Path> files = Files.list(migrations)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).toList()) {
                String sql = Files.readString(file);
                Matcher t = CREATE_TABLE.matcher(sql);
                while (t.find()) {
                    tables.add(t.group(1));
                }
                Matcher v = CREATE_VIEW.matcher(sql);
                while (v.find()) {
                    views.add(v.group(1));
                }
            }
        }
        return new Relations(tables, views);
    }

    /** The string literals and text blocks of a Java source. */
    static List<String> strings(String source) {
        List<String> strings = new ArrayList<>();
        Matcher m = STRING.matcher(source);
        while (m.find()) {
            strings.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return strings;
    }

    static List<String> violations(String ownSchema, String where, List<String> texts, Map<String, Relations> relations) {
        List<String> found = new ArrayList<>();
        for (String text : texts) {
            Matcher m = QUALIFIED.matcher(text);
            while (m.find()) {
                String schema = m.group(1);
                String name = m.group(2);
                if (schema.equals(ownSchema)) {
                    continue;
                }
                Relations theirs = relations.get(schema);
                if (theirs.tables().contains(name)) {
                    found.add(where + ": " + schema + "." + name + " is a table of " + schema);
                } else if (CONTRACT.matcher(name).matches() && !theirs.views().contains(name)) {
                    found.add(where + ": " + schema + "." + name + " is not a view " + schema + "'s migrations create");
                }
            }
        }
        return found;
    }
}
