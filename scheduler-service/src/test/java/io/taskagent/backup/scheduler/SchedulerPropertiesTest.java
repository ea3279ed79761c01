package io.taskagent.backup.scheduler;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class SchedulerPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(SchedulerProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void intervalHoursOutsideOneTo168StopStartUpNamingTheProperty() {
        runner.run(context -> assertThat(context.getBean(SchedulerProperties.class).intervalHours()).isEqualTo(6));
        for (String bad : new String[]{"0", "169", "six"}) {
            runner.withPropertyValues("scheduler.interval-hours=" + bad).run(context -> {
                StringBuilder all = new StringBuilder();
                for (Throwable c = context.getStartupFailure(); c != null; c = c.getCause()) {
                    all.append(c.getMessage());
                }
                assertThat(all.toString()).as(bad).contains("interval");
            });
        }
    }
}
