package io.taskagent.backup.gateway;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayPropertiesTest {

    @Configuration
    @EnableConfigurationProperties(GatewayProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void aTokenDigestThatIsNotSha256StopsStartUpNamingTheTokenButNotTheSecret() {
        runner.withPropertyValues("gateway.admin-token=admin-secret-xyz", "gateway.tokens[0].name=ci",
                "gateway.tokens[0].sha256=plain-secret", "gateway.tokens[0].scopes=backup:read").run(context -> {
            StringBuilder all = new StringBuilder();
            for (Throwable c = context.getStartupFailure(); c != null; c = c.getCause()) {
                all.append(c.getMessage());
            }
            assertThat(all.toString()).contains("tokens[0].sha256").doesNotContain("admin-secret-xyz");
        });
    }
}
