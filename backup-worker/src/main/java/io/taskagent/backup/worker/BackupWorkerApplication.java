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
        if (args.length > 0 && args[0].equals("decrypt")) {
            // a tool, not the service: decrypts a backup file by hand (docs/backup-format.md)
            System.exit(io.taskagent.backup.worker.format.DecryptCommand.run(
                    java.util.List.of(args).subList(1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("keyset")) {
            System.exit(io.taskagent.backup.worker.format.KeysetCommand.run(
                    java.util.List.of(args).subList(1, args.length), System.out, System.err));
        }
        SpringApplication.run(BackupWorkerApplication.class, args);
    }
}
