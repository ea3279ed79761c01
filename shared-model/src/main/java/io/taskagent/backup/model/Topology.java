package io.taskagent.backup.model;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of the broker's exchanges, queues and routing keys, and the one place that declares them.
 * <p>
 * Every service declares the whole topology at start-up (idempotently, with identical arguments), so a command
 * is routable and kept even while its consumer is down. Each consuming queue is a quorum queue with a delivery
 * limit and its own dead-letter queue, reached through {@link #DEAD_LETTER_EXCHANGE} with at-least-once
 * dead-lettering.
 */
public final class Topology {

    public static final String COMMANDS_EXCHANGE = "backup.commands";
    public static final String EVENTS_EXCHANGE = "backup.events";
    public static final String DEAD_LETTER_EXCHANGE = "backup.dlx";

    public static final String RK_BACKUP_REQUEST = "backup.request";
    public static final String RK_BACKUP_STARTED = "backup.started";
    public static final String RK_BACKUP_COMPLETED = "backup.completed";
    public static final String RK_BACKUP_FAILED = "backup.failed";
    public static final String RK_BACKUP_PROGRESS = "backup.progress";
    public static final String RK_BACKUP_OVERSIZED = "backup.oversized";
    public static final String RK_BACKUP_ANOMALY = "backup.anomaly";
    public static final String RK_BACKUP_STALE = "backup.stale";
    public static final String RK_BACKUP_REPLICATED = "backup.replicated";
    public static final String RK_REPLICATION_FAILED = "backup.replication_failed";
    public static final String RK_VERIFY_REQUEST = "verify.request";
    public static final String RK_DRILL_REQUEST = "drill.request";
    public static final String RK_DRILL_PASSED = "drill.passed";
    public static final String RK_DRILL_FAILED = "drill.failed";
    public static final String RK_DRILL_OVERDUE = "drill.overdue";
    public static final String RK_VERIFY_COMPLETED = "verify.completed";
    public static final String RK_VERIFY_FAILED = "verify.failed";
    public static final String RK_RESTORE_REQUEST = "restore.request";
    public static final String RK_RESTORE_COMPLETED = "restore.completed";
    public static final String RK_RESTORE_FAILED = "restore.failed";
    public static final String RK_DISK_SPACE_LOW = "storage.disk_low";
    public static final String RK_HEALTH_CHECK_FAILED = "health.failed";
    public static final String RK_ALERT_SENT = "alert.sent";
    public static final String RK_SCHEDULER_START = "scheduler.start";
    public static final String RK_SCHEDULER_STOP = "scheduler.stop";
    public static final String RK_SCHEDULER_CONFIGURE = "scheduler.configure";
    public static final String RK_SCHEDULE_REJECTED = "scheduler.rejected";
    public static final String RK_SCHEDULER_STATE_CHANGED = "scheduler.state_changed";
    public static final String RK_CLEANUP_REQUEST = "cleanup.request";
    public static final String RK_CLEANUP_EXECUTE = "cleanup.execute";
    public static final String RK_CLEANUP_COMPLETED = "cleanup.completed";
    public static final String RK_ALERTS_CONFIGURE = "alerts.configure";
    public static final String RK_ALERT_SETTINGS_CHANGED = "alerts.settings_changed";

    /** Commands the backup workers consume. */
    public static final List<String> WORKER_COMMAND_KEYS = List.of(RK_BACKUP_REQUEST, RK_VERIFY_REQUEST,
            RK_RESTORE_REQUEST, RK_CLEANUP_EXECUTE, RK_DRILL_REQUEST);

    /** Commands the scheduler consumes: start, stop, configure, and cleanup requests (which it decides). */
    public static final List<String> SCHEDULER_COMMAND_KEYS = List.of(RK_SCHEDULER_START, RK_SCHEDULER_STOP,
            RK_SCHEDULER_CONFIGURE, RK_CLEANUP_REQUEST);

    /**
     * Events the alert service consumes: failures and warnings, completions (for anomaly detection and the optional
     * RestoreCompleted notice).
     */
    public static final List<String> ALERT_EVENT_KEYS = List.of(RK_BACKUP_FAILED, RK_BACKUP_OVERSIZED,
            RK_BACKUP_COMPLETED, RK_BACKUP_ANOMALY, RK_BACKUP_STALE, RK_VERIFY_FAILED, RK_RESTORE_FAILED,
            RK_RESTORE_COMPLETED, RK_DISK_SPACE_LOW, RK_HEALTH_CHECK_FAILED, RK_REPLICATION_FAILED, RK_DRILL_FAILED,
            RK_DRILL_OVERDUE);

    /** Commands the alert service consumes, from the commands exchange into its one queue (beside the events). */
    public static final List<String> ALERT_COMMAND_KEYS = List.of(RK_ALERTS_CONFIGURE);

    /** Commands for the backup workers (competing consumers). */
    public static final String WORKER_COMMANDS_QUEUE = "backup-worker.commands";
    /** Commands for the schedulers (competing consumers; their state is shared through the catalog). */
    public static final String SCHEDULER_COMMANDS_QUEUE = "scheduler-service.commands";
    /** Events the alert service turns into notifications. */
    public static final String ALERT_EVENTS_QUEUE = "alert-service.events";

    /** Every consuming queue (each has its dead-letter queue {@link #deadLetterQueue}). */
    public static final List<String> CONSUMING_QUEUES = List.of(WORKER_COMMANDS_QUEUE, SCHEDULER_COMMANDS_QUEUE,
            ALERT_EVENTS_QUEUE);

    /** Redeliveries after which the broker dead-letters a message (e.g. a worker crashing on it each time). */
    public static final int DELIVERY_LIMIT = 5;

    private Topology() {
    }

    /** The dead-letter queue of {@code queue}. */
    public static String deadLetterQueue(String queue) {
        return queue + ".dlq";
    }

    /** Everything this system declares on the broker. */
    public static Declarables declarables() {
        TopicExchange commands = new TopicExchange(COMMANDS_EXCHANGE, true, false);
        TopicExchange events = new TopicExchange(EVENTS_EXCHANGE, true, false);
        DirectExchange dlx = new DirectExchange(DEAD_LETTER_EXCHANGE, true, false);

        List<Declarable> all = new ArrayList<>(List.of(commands, events, dlx));
        Queue worker = consumingQueue(WORKER_COMMANDS_QUEUE, dlx, all);
        WORKER_COMMAND_KEYS.forEach(key -> all.add(BindingBuilder.bind(worker).to(commands).with(key)));

        Queue scheduler = consumingQueue(SCHEDULER_COMMANDS_QUEUE, dlx, all);
        SCHEDULER_COMMAND_KEYS.forEach(key -> all.add(BindingBuilder.bind(scheduler).to(commands).with(key)));

        Queue alerts = consumingQueue(ALERT_EVENTS_QUEUE, dlx, all);
        ALERT_EVENT_KEYS.forEach(key -> all.add(BindingBuilder.bind(alerts).to(events).with(key)));
        ALERT_COMMAND_KEYS.forEach(key -> all.add(BindingBuilder.bind(alerts).to(commands).with(key)));
        return new Declarables(all);
    }

    private static Queue consumingQueue(String name, DirectExchange dlx, List<Declarable> all) {
        Queue queue = QueueBuilder.durable(name)
                .quorum()
                .deliveryLimit(DELIVERY_LIMIT)
                .deadLetterExchange(DEAD_LETTER_EXCHANGE)
                .deadLetterRoutingKey(name)
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .withArgument("x-dead-letter-strategy", "at-least-once")
                .build();
        Queue dlq = QueueBuilder.durable(deadLetterQueue(name)).quorum().build();
        Binding dlqBinding = BindingBuilder.bind(dlq).to(dlx).with(name);
        all.add(queue);
        all.add(dlq);
        all.add(dlqBinding);
        return queue;
    }
}
