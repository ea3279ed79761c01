package io.taskagent.backup.worker;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad setting stops start-up with a message naming the property and the value. */
class WorkerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(WorkerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    private static String failure(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }

    @Test
    void defaultsAreValid() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            WorkerProperties p = context.getBean(WorkerProperties.class);
            assertThat(p.storage().compression()).isEqualTo("zstd");
            assertThat(p.source().url()).isEqualTo("jdbc:postgresql://localhost:5432/taskagent");
            assertThat(p.worker().concurrency()).isEqualTo(1);
            assertThat(p.worker().readers()).as("one reader per core, at least 2")
                    .isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
        });
        runner.withPropertyValues("backup.worker.parallelism=3").run(context ->
                assertThat(context.getBean(WorkerProperties.class).worker().readers()).isEqualTo(3));
        runner.withPropertyValues("backup.restore.parallelism=3").run(context -> {
            WorkerProperties.Restore restore = context.getBean(WorkerProperties.class).restore();
            assertThat(restore.connections()).isEqualTo(3);
            assertThat(restore.checkHelpers()).as("the server's parallel workers beside a one-transaction read-back")
                    .isEqualTo(2);
        });
        runner.withPropertyValues("backup.restore.parallelism=1").run(context ->
                assertThat(context.getBean(WorkerProperties.class).restore().checkHelpers()).isZero());
    }

    @Test
    void badValuesAreRefusedByName() {
        runner.withPropertyValues("backup.storage.compression=lz4").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("storage.compression").contains("lz4"));
        runner.withPropertyValues("backup.source.url=mysql://x").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("source.url"));
        runner.withPropertyValues("backup.worker.concurrency=0").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("worker.concurrency"));
        runner.withPropertyValues("backup.worker.parallelism=-1").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("worker.parallelism"));
        runner.withPropertyValues("backup.source.socket-timeout=soon").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("backup.source.socket-timeout"));
    }

    @Test
    void thePasswordNeverShowsInToString() {
        runner.withPropertyValues("backup.source.password=s3cr3t-value").run(context ->
                assertThat(context.getBean(WorkerProperties.class).toString()).doesNotContain("s3cr3t-value"));
    }
}
