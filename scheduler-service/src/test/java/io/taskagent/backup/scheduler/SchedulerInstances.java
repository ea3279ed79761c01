package io.taskagent.backup.scheduler;

import io.taskagent.backup.scheduler.settings.SchedulerProperties;
import io.taskagent.backup.testsupport.Infrastructure;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whole scheduler instances (application contexts) against a test catalog, started and closed by a test. */
final class SchedulerInstances {

    private SchedulerInstances() {
    }

    /**
     * A scheduler instance on {@code catalog} without web server and without its own timer (the test ticks). The
     * properties take precedence over every configuration file; the instance is refused unless they are in force.
     */
    static ConfigurableApplicationContext start(String catalog, Map<String, String> properties) {
        Map<String, Object> all = new LinkedHashMap<>(Infrastructure.get().springProperties(catalog));
        all.put("scheduler.timer-enabled", "false");
        all.putAll(properties);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SchedulerApplication.class)
                .web(WebApplicationType.NONE)
                .initializers(c -> c.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", all)))
                .run();
        String url = context.getEnvironment().getProperty("spring.datasource.url");
        String target = context.getBean(SchedulerProperties.class).target();
        if (!Infrastructure.get().jdbcUrl(catalog).equals(url) || !target.equals(properties.get("scheduler.target"))) {
            context.close();
            throw new IllegalStateException("test properties not in force: catalog " + url + ", target " + target);
        }
        return context;
    }
}
