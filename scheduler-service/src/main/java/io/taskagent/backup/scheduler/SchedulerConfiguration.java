package io.taskagent.backup.scheduler;

import io.taskagent.backup.model.command.CommandLog;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Clock;

/** Beans of the scheduler that are not components of a feature. */
@Configuration(proxyBeanMethods = false)
class SchedulerConfiguration {

    /** The time every component reads; a test replaces it (or drives the ticks with its own instants). */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The scheduler commands handled ({@code scheduler.commands}), by message id. */
    @Bean
    CommandLog commandLog(JdbcClient jdbc) {
        return new CommandLog(jdbc);
    }
}
