package io.taskagent.backup.model.health;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.health.DataSourceHealthIndicator;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Health component {@code db} of every service (its catalog database): Spring Boot's own check
 * ({@link DataSourceHealthIndicator}: a connection from the pool, validated), answered within
 * {@code backup.health.db-timeout} ({@code BACKUP_HEALTH_DB_TIMEOUT}, default 1 s; {@link TimeBoundHealth}). While
 * the database is down, the pool waits its whole connection time-out (10 s) for a connection; without the bound a
 * service's health would not answer for that long, and the gateway's {@code /api/backup/health} would show the
 * service {@code UNREACHABLE} rather than {@code DOWN} with its {@code db} component.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
        before = DataSourceHealthContributorAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, DataSourceHealthIndicator.class, DataSource.class})
public class HealthAutoConfiguration {

    @Bean
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean(name = {"dbHealthIndicator", "dbHealthContributor"})
    HealthIndicator dbHealthIndicator(DataSource dataSource,
                                      @Value("${backup.health.db-timeout:1s}") Duration timeout) {
        DataSourceHealthIndicator check = new DataSourceHealthIndicator(dataSource);
        return new TimeBoundHealth("the catalog database", check, timeout);
    }
}
