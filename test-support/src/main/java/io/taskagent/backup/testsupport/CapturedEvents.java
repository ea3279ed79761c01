package io.taskagent.backup.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every event published on the real broker while a test class runs: a {@link BrokerProbe} capturing events, opened
 * before the class (and before its Spring context starts) and closed after it. Register it as
 * {@code @RegisterExtension static final CapturedEvents broker = new CapturedEvents();} and use {@link #probe()}.
 */
public final class CapturedEvents implements BeforeAllCallback, AfterAllCallback {

    private BrokerProbe probe;

    @Override
    public void beforeAll(ExtensionContext context) {
        probe = new BrokerProbe(Infrastructure.get()).captureEvents();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (probe != null) {
            probe.close();
        }
    }

    /** The probe (open while the class runs). */
    public BrokerProbe probe() {
        return probe;
    }
}
