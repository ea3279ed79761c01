package io.taskagent.backup.alert;

import io.taskagent.backup.alert.channel.Severity;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Defaults exist without any yml; a bad setting stops start-up naming the property; secrets never show. */
class AlertPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(AlertProperties.class)
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
    void defaultsAreValidAndEveryWebhookIsOff() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            AlertProperties p = context.getBean(AlertProperties.class);
            assertThat(p.mail().enabled()).isTrue();
            assertThat(p.mail().recipients()).isEmpty();
            assertThat(p.slack().configured()).isFalse();
            assertThat(p.discord().configured()).isFalse();
            assertThat(p.webhook().configured()).isFalse();
            assertThat(p.webhook().signed()).isFalse();
            assertThat(p.http().connectTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.http().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.throttle().window()).isEqualTo(Duration.ofMinutes(30));
            assertThat(p.notifyRestoreCompleted()).isFalse();
            assertThat(p.alertOnFailure()).isTrue();
            assertThat(p.anomaly().enabled()).isTrue();
            assertThat(p.anomaly().history()).isEqualTo(5);
            assertThat(p.anomaly().minHistory()).isEqualTo(3);
            assertThat(p.anomaly().minRatio()).isEqualTo(0.5);
            assertThat(p.anomaly().maxRatio()).isEqualTo(3.0);
            assertThat(p.anomaly().maxTableLoss()).isEqualTo(0.2);
            assertThat(p.routing().channels()).isEmpty();
            assertThat(p.routing().kinds()).isEmpty();
            assertThat(p.routing().severities()).isEmpty();
        });
    }

    @Test
    void routingBindsFromPropertiesAndEnvironmentStyleLists() {
        runner.withPropertyValues("alert.routing.channels.warning=slack,discord",
                "alert.routing.kinds.DiskSpaceLow=webhook",
                "alert.routing.severities.BackupStale=critical").run(context -> {
            AlertProperties.Routing routing = context.getBean(AlertProperties.class).routing();
            assertThat(routing.channels().get(Severity.WARNING)).containsExactly("slack", "discord");
            assertThat(routing.kinds().values()).containsExactly(List.of("webhook"));
            assertThat(routing.severities().values()).containsExactly(Severity.CRITICAL);
        });
    }

    @Test
    void badValuesAreRefusedByNameWithoutEchoingSecrets() {
        runner.withPropertyValues("alert.slack.url=not a url/secret-token-1").run(context -> {
            String failure = failure(context.getStartupFailure());
            assertThat(failure).contains("slack.urlValid").contains("must be an http(s) URL")
                    .doesNotContain("secret-token-1");
        });
        runner.withPropertyValues("alert.webhook.url=ftp://host/secret-token-2").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("webhook.urlValid").doesNotContain("secret-token-2"));
        runner.withPropertyValues("alert.discord.url=discord").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("discord.urlValid"));
        runner.withPropertyValues("alert.throttle.window=-1m").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("throttle.windowValid"));
        runner.withPropertyValues("alert.anomaly.min-history=6").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("anomaly.historyConsistent").contains("min-history"));
        runner.withPropertyValues("alert.anomaly.min-ratio=1.5").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("anomaly.minRatio"));
        runner.withPropertyValues("alert.anomaly.max-table-loss=0").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("anomaly.maxTableLoss"));
        runner.withPropertyValues("alert.routing.channels.critical=email,pager").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("alert.routing.channels").contains("pager"));
        runner.withPropertyValues("alert.routing.severities.BackupFailed=urgent").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("alert.routing.severities"));
        runner.withPropertyValues("alert.mail.recipients=not-an-address").run(context ->
                assertThat(failure(context.getStartupFailure())).contains("alert.mail.recipients"));
    }

    @Test
    void secretsNeverShowInToString() {
        runner.withPropertyValues("alert.slack.url=https://hooks.slack.com/services/T0/B0/slack-secret",
                "alert.discord.url=https://discord.com/api/webhooks/1/discord-secret",
                "alert.webhook.url=https://example.com/hook?token=hook-secret",
                "alert.webhook.secret=signing-secret").run(context -> {
            AlertProperties p = context.getBean(AlertProperties.class);
            assertThat(p.slack().configured()).isTrue();
            assertThat(p.webhook().signed()).isTrue();
            assertThat(p.toString()).doesNotContain("slack-secret").doesNotContain("discord-secret")
                    .doesNotContain("hook-secret").doesNotContain("signing-secret").doesNotContain("hooks.slack.com")
                    .contains("(set)");
        });
    }
}
