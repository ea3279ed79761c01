package io.taskagent.backup.alert.anomaly;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.model.BackupAnomaly;
import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.model.messaging.Retry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Early signs of data loss: each successful backup (BackupCompleted) is recorded in the target's history and
 * compared with the previous ones ({@link AnomalyRules}). A departure is published as BackupAnomaly (jobId = the
 * backup's job); this service receives it back from its queue and alerts on it like on any other event, so the
 * alert goes through the same routing, de-duplication and throttling. Detection happens once per backup: the
 * anomaly is stored with the backup in the same transaction and re-published (same message id) only until the
 * broker confirmed it.
 */
@Service
public class AnomalyDetector {

    private static final Logger log = LoggerFactory.getLogger(AnomalyDetector.class);

    private final AlertProperties.Anomaly rules;
    private final BackupHistory history;
    private final TransactionTemplate transactions;
    private final ConfirmingPublisher publisher;
    private final Retry retry;

    AnomalyDetector(AlertProperties properties, BackupHistory history, TransactionTemplate transactions,
                    ConfirmingPublisher publisher, Retry retry) {
        this.rules = properties.anomaly();
        this.history = history;
        this.transactions = transactions;
        this.publisher = publisher;
        this.retry = retry;
    }

    /** Records the backup and publishes BackupAnomaly when it departs from the target's history. */
    public void check(BackupCompleted backup) {
        if (!rules.enabled()) {
            return;
        }
        String pending = retry.get("recording backup " + backup.jobId() + " of " + backup.target(),
                () -> transactions.execute(status -> record(backup)));
        if (pending == null) {
            return;
        }
        BackupAnomaly anomaly = MessageJson.read(pending.getBytes(StandardCharsets.UTF_8), BackupAnomaly.class);
        retry.run("publishing BackupAnomaly for job " + backup.jobId(), () -> publisher.publishEvent(anomaly));
        retry.run("recording the publication of BackupAnomaly for job " + backup.jobId(),
                () -> history.markPublished(backup.jobId()));
        log.warn("backup job {} of {} departs from its history: {}", backup.jobId(), backup.target(),
                String.join("; ", anomaly.findings()));
    }

    /** The anomaly (JSON) still to publish for this backup, or null. */
    private String record(BackupCompleted backup) {
        Optional<BackupHistory.Recorded> earlier = history.find(backup.jobId());
        if (earlier.isEmpty()) {
            List<AnomalyRules.Snapshot> previous = history.previous(backup.target(), backup.occurredAt(),
                    backup.jobId(), rules.history());
            List<String> findings = AnomalyRules.findings(new AnomalyRules.Snapshot(backup.sizeBytes(),
                    backup.totalRows(), backup.rowCounts()), previous, rules);
            String anomaly = findings.isEmpty() ? null : new String(MessageJson.write(BackupAnomaly.of(backup.jobId(),
                    backup.target(), backup.backupType(), backup.fileName(), findings)), StandardCharsets.UTF_8);
            if (history.record(backup, anomaly)) {
                return anomaly;
            }
            earlier = history.find(backup.jobId());
        }
        return earlier.filter(r -> r.anomaly() != null && !r.published()).map(BackupHistory.Recorded::anomaly)
                .orElse(null);
    }
}
