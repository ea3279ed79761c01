package io.taskagent.backup.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The backup worker: consumes backup commands, writes dumps, records them in the catalog, emits events. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BackupWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(BackupWorkerApplication.class, args);
    }
}
