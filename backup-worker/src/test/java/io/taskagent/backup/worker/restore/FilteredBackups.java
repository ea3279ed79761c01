package io.taskagent.backup.worker.restore;

import io.taskagent.backup.model.BackupCompleted;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.RestoreCompleted;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import io.taskagent.backup.testsupport.CapturedEvents;
import io.taskagent.backup.worker.format.BackupFileReader;
import io.taskagent.backup.worker.storage.Destinations;
import io.taskagent.backup.worker.storage.LocalStorage;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

/**
 * What the filtered-backup tests share: a worker (whose table filter each subclass configures) backing up the exotic
 * fixture, and rebuilding a backup into a new database through the broker.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class FilteredBackups {

    @RegisterExtension
    static final CapturedEvents events = new CapturedEvents();

    @Autowired
    ConfirmingPublisher publisher;
    @Autowired
    Destinations destinations;

    BackupCompleted backUp() {
        RequestBackup backup = RequestBackup.newJob("taskagent", "manual", "it");
        publisher.publishCommand(backup);
        return events.probe().awaitEvent(BackupCompleted.class, e -> e.jobId().equals(backup.jobId()),
                Duration.ofSeconds(90));
    }

    BackupFileReader header(BackupCompleted backup) throws IOException {
        return BackupFileReader.header(((LocalStorage) destinations.primary()).resolve(backup.fileName()));
    }

    RestoreCompleted rebuild(BackupCompleted backup, String database) {
        RequestRestore restore = RequestRestore.of(UUID.randomUUID(), "taskagent", backup.jobId(), null, null, false,
                false, null, database, "it");
        publisher.publishCommand(restore);
        return events.probe().awaitEvent(RestoreCompleted.class, e -> e.jobId().equals(restore.jobId()),
                Duration.ofSeconds(120));
    }
}
