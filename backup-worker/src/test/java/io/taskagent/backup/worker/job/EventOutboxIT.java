package io.taskagent.backup.worker.job;

import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.worker.WorkerTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox on the real catalog and broker: an event stored with its job's state change but never published (the
 * worker died right after the commit) is published by the relay; a published one is not published again; a state
 * change that did not happen stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class EventOutboxIT {

    static final String CATALOG = "backup_catalog_it_worker_outbox";
    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        WorkerTestContext.registerWithoutListener(registry, CATALOG);
        registry.add("backup.worker.outbox-grace", () -> "1s");
        registry.add("backup.worker.outbox-interval-ms", () -> "300");
    }

    @Autowired
    EventOutbox outbox;
    @Autowired
    JdbcClient jdbc;

    private static BackupFailed failure() {
        return BackupFailed.of(UUID.randomUUID(), "outbox-it", "manual", "disk on fire", 1);
    }

    private long sent(BackupFailed event) {
        return events.probe().events().stream().filter(e -> e.messageId().equals(event.messageId())).count();
    }

    private Object publishedAt(BackupFailed event) {
        return jdbc.sql("SELECT published_at FROM outbox WHERE message_id = :id").param("id", event.messageId())
                .query().singleValue();
    }

    @Test
    void anEventStoredButNeverSentIsRelayed() {
        BackupFailed orphan = failure();
        assertThat(outbox.commit(() -> true, orphan)).isTrue(); // committed; the worker "dies" before send()
        BackupFailed relayed = events.probe().awaitEvent(BackupFailed.class,
                e -> e.messageId().equals(orphan.messageId()), Duration.ofSeconds(30));
        assertThat(relayed.reason()).isEqualTo("disk on fire");
        await().atMost(Duration.ofSeconds(10)).until(() -> publishedAt(orphan) != null);
    }

    @Test
    void aSentEventIsNotSentAgainAndAChangeThatDidNotHappenStoresNothing() {
        BackupFailed sent = failure();
        assertThat(outbox.commit(() -> true, sent)).isTrue();
        outbox.send(sent);
        assertThat(publishedAt(sent)).isNotNull();
        events.probe().awaitEvent(BackupFailed.class, e -> e.messageId().equals(sent.messageId()), Duration.ofSeconds(30));

        BackupFailed never = failure();
        assertThat(outbox.commit(() -> false, never)).isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM outbox WHERE message_id = :id").param("id", never.messageId())
                .query(Long.class).single()).isZero();

        // past the grace period (1 s) and several relay rounds (300 ms): neither is (re)sent
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                .until(() -> sent(sent) == 1 && sent(never) == 0);
    }
}
