package io.taskagent.backup.scheduler;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Settings of the scheduler ({@code scheduler.*}).
 *
 * @param enabled       whether scheduled backups run ({@code SCHEDULER_ENABLED})
 * @param target        the database the schedule backs up
 * @param intervalHours hours between interval backups, 1 to 168 ({@code SCHEDULER_INTERVAL_HOURS}, default 6)
 * @param pollInterval  how often the scheduler checks for a due fire
 */
@Validated
@ConfigurationProperties("scheduler")
public record SchedulerProperties(@DefaultValue("true") boolean enabled,
                                  @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9_-]{0,62}") @DefaultValue("taskagent") String target,
                                  @Min(1) @Max(168) @DefaultValue("6") int intervalHours,
                                  @NotNull @DefaultValue("30s") Duration pollInterval) {
}
