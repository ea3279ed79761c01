package io.taskagent.backup.alert;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

import java.time.Clock;

/** The alert service: turns failure events into notifications people read. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AlertServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(AlertServiceApplication.class, args);
    }

    /** Time of throttling windows and webhook timestamps. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
