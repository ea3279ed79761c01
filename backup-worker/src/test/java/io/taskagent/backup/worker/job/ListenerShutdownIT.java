package io.taskagent.backup.worker.job;

import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's real listener containers, as Spring Boot builds them: each waits for a running job the worker's
 * shutdown grace and 5 s more before it would close the job's channel and interrupt it (Spring AMQP's own default, 5 s,
 * failed a backup that needed longer after a SIGTERM; {@link ListenerShutdown}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ListenerShutdownIT {

    static final String CATALOG = "backup_catalog_it_listener_shutdown";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        WorkerTestContext.registerWithoutListener(registry, CATALOG);
        registry.add("backup.worker.shutdown-grace", () -> "12s");
    }

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Test
    void everyCommandListenerWaitsForARunningJobLongerThanTheGrace() {
        assertThat(listeners.getListenerContainers()).isNotEmpty().allSatisfy(container ->
                assertThat(ReflectionTestUtils.getField(container, "shutdownTimeout")).isEqualTo(17_000L));
    }
}
