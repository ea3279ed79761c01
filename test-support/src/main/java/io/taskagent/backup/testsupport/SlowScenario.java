package io.taskagent.backup.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The fault scenarios too slow for every developer's run (a broker cluster, database restarts, disk full): they run
 * with the Maven profile {@code faults} ({@code mvn verify -Pfaults}, what {@code .ci/run} runs), which sets the
 * system property {@code backup.test.faults=true}. Without it the calling test class is skipped, saying so loudly;
 * under {@code CI=true} it fails instead, so CI never leaves them out unnoticed.
 */
public final class SlowScenario {

    public static final String PROPERTY = "backup.test.faults";

    private SlowScenario() {
    }

    /** Call first in a slow scenario's {@code @BeforeAll}. */
    public static void require(String scenario) {
        if (Boolean.getBoolean(PROPERTY)) {
            return;
        }
        String message = scenario + " is a slow fault scenario: it runs with mvn verify -Pfaults (as .ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + "; CI=true without the profile, so this is a failure, not a skip");
        }
        System.err.println("\n*** SKIPPED " + message + " ***\n");
        Assumptions.abort(message);
    }
}
