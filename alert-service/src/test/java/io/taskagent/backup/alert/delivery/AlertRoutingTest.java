package io.taskagent.backup.alert.delivery;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Severity;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertRoutingTest {

    @Configuration
    @EnableConfigurationProperties(AlertProperties.class)
    static class Config {
    }

    private void routing(Consumer<AlertRouting> check, String... properties) {
        new ApplicationContextRunner().withUserConfiguration(Config.class).withPropertyValues(properties)
                .run(context -> check.accept(new AlertRouting(context.getBean(AlertProperties.class))));
    }

    @Test
    void byDefaultEveryFailureAndWarningGoesEverywhereAndRestoreCompletedNowhere() {
        routing(r -> {
            Map<String, Severity> expected = new java.util.HashMap<>(Map.of("BackupFailed", Severity.CRITICAL,
                    "RestoreFailed", Severity.CRITICAL, "VerifyFailed", Severity.CRITICAL,
                    "BackupAnomaly", Severity.CRITICAL, "BackupOversized", Severity.WARNING,
                    "BackupStale", Severity.WARNING, "DiskSpaceLow", Severity.WARNING,
                    "HealthCheckFailed", Severity.WARNING, "ReplicationFailed", Severity.WARNING,
                    "DrillFailed", Severity.CRITICAL));
            expected.put("DrillOverdue", Severity.WARNING);
            expected.forEach((kind, severity) -> {
                AlertRouting.Route route = r.route(kind).orElseThrow();
                assertThat(route.severity()).as(kind).isEqualTo(severity);
                assertThat(route.channels()).as(kind).containsExactly("email", "slack", "discord", "webhook");
            });
            assertThat(r.route("RestoreCompleted")).isEmpty();
            assertThat(r.route("BackupCompleted")).isEmpty();
            assertThat(r.route("BackupStarted")).isEmpty();
            assertThat(r.route("AlertSent")).isEmpty();
        });
    }

    @Test
    void restoreCompletedIsAnInfoWhenSwitchedOn() {
        routing(r -> assertThat(r.route("RestoreCompleted").orElseThrow().severity()).isEqualTo(Severity.INFO),
                "alert.notify-restore-completed=true");
    }

    @Test
    void severitiesChannelsAndKindsAreConfigurable() {
        routing(r -> {
            assertThat(r.route("BackupFailed").orElseThrow().channels()).containsExactly("email", "slack");
            assertThat(r.route("BackupStale").orElseThrow().severity()).isEqualTo(Severity.CRITICAL);
            assertThat(r.route("BackupStale").orElseThrow().channels()).containsExactly("email", "slack");
            assertThat(r.route("BackupOversized").orElseThrow().channels()).containsExactly("discord");
            assertThat(r.route("DiskSpaceLow").orElseThrow().channels()).containsExactly("webhook");
            assertThat(r.route("HealthCheckFailed").orElseThrow().channels()).isEmpty();
        }, "alert.routing.channels.critical=email,slack", "alert.routing.channels.warning=discord",
                "alert.routing.severities.backup-stale=critical", "alert.routing.kinds.DISKSPACELOW=webhook",
                "alert.routing.kinds.HealthCheckFailed=");
    }

    @Test
    void unknownKindsAreRefusedNamingTheSetting() {
        new ApplicationContextRunner().withUserConfiguration(Config.class)
                .withPropertyValues("alert.routing.kinds.BackupExploded=email")
                .run(context -> assertThatThrownBy(() -> new AlertRouting(context.getBean(AlertProperties.class)))
                        .hasMessageContaining("alert.routing.kinds").hasMessageContaining("BackupExploded"));
    }

    @Test
    void everyKnownKindIsRoutedWhenRestoreNoticesAreOn() {
        routing(r -> assertThat(r.routes()).extracting(AlertRouting.Route::kind)
                .containsExactlyInAnyOrderElementsOf(List.copyOf(AlertRouting.DEFAULT_SEVERITIES.keySet())),
                "alert.notify-restore-completed=true");
    }
}
