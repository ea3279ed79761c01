package io.taskagent.backup.scheduler;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
}
