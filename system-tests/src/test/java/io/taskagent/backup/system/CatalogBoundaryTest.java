package io.taskagent.backup.system;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One owner per table: a service's SQL (string literals and text blocks in its main Java sources, and its
 * migrations) may name another service's schema only through that service's published read contract, the
 * {@code v<N>_*} views its own migrations create. A direct read of another service's table fails the build.
 */
class CatalogBoundaryTest {

    /** Each service module and the catalog schema it owns. */
    static final Map<String, String> OWNERS = Map.of(
            "api-gateway", "gateway",
            "backup-worker", "worker",
            "scheduler-service", "scheduler",
            "alert-service", "alerts");

    private static final Pattern SQL = Pattern.compile("(?i)\\b(select|insert|update|delete|from|join)\\b");
    private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])(" + String.join("|", OWNERS.values())
            + ")\\.([a-z_][a-z0-9_]*)\\b");
    private static final Pattern CONTRACT = Pattern.compile("v[0-9]+_[a-z0-9_]+");
    private static final Pattern STRING = Pattern.compile("\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"",
            Pattern.DOTALL);

    @Test
    void noServiceReadsAnotherServicesTablesExceptThroughItsDeclaredViews() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, String> owner : OWNERS.entrySet()) {
            Path module = Path.of("..", owner.getKey(), "src", "main");
            try (Stream<Path> files = Files.walk(module)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".java")) {
                        violations.addAll(violations(owner.getValue(), file.toString(), sqlStrings(Files.readString(file))));
                    } else if (name.endsWith(".sql")) {
                        violations.addAll(violations(owner.getValue(), file.toString(), List.of(Files.readString(file))));
                    }
                }
            }
        }
        assertThat(violations).as("another service's tables named directly (read its v1_* views instead)").isEmpty();
    }

    @Test
    void theCheckFindsADirectReadAndAllowsAContractView() {
        List<String> sql = sqlStrings("""
                class X {
                    String a = "SELECT id FROM worker.jobs WHERE status = 'RUNNING'";
                    String b = \"\"\"
                            SELECT running FROM scheduler.v1_settings
                            JOIN alerts.throttle t ON true\"\"\";
                    String c = "gateway.services.worker"; // a property name, not SQL
                    String d = "SELECT 1 FROM gateway.audit_log";
                }
                """);
        assertThat(violations("gateway", "X.java", sql))
                .containsExactly("X.java: worker.jobs", "X.java: alerts.throttle");
    }

    /** The string literals and text blocks of a Java source that look like SQL. */
    static List<String> sqlStrings(String source) {
        List<String> strings = new ArrayList<>();
        Matcher m = STRING.matcher(source);
        while (m.find()) {
            String text = m.group(1) != null ? m.group(1) : m.group(2);
            if (SQL.matcher(text).find()) {
                strings.add(text);
            }
        }
        return strings;
    }

    static List<String> violations(String ownSchema, String where, List<String> sqlTexts) {
        List<String> found = new ArrayList<>();
        for (String sql : sqlTexts) {
            Matcher m = QUALIFIED.matcher(sql);
            while (m.find()) {
                if (!m.group(1).equals(ownSchema) && !CONTRACT.matcher(m.group(2)).matches()) {
                    found.add(where + ": " + m.group(1) + "." + m.group(2));
                }
            }
        }
        return found;
    }
}
