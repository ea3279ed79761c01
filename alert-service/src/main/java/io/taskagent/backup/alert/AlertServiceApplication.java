package io.taskagent.backup.alert;

import io.taskagent.backup.model.command.CommandLog;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

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

    /** The alert commands handled ({@code alerts.commands}), by message id. */
    @Bean
    CommandLog commandLog(JdbcClient jdbc) {
        return new CommandLog(jdbc);
    }
}
