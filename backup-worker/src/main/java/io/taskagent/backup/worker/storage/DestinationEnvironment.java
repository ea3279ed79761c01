package io.taskagent.backup.worker.storage;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads destinations from environment variables named as documented,
 * {@code BACKUP_STORAGE_DESTINATIONS_<NAME>_<SETTING>} (e.g. {@code ..._OFFSITE_SECRET_ACCESS_KEY}): Spring's own
 * mapping would read {@code SECRET_ACCESS_KEY} as three levels, so each variable is turned here into
 * {@code backup.storage.destinations.<name>.<setting>} (the name lower-cased, an underscore in it a dash).
 */
public class DestinationEnvironment implements EnvironmentPostProcessor {

    static final String PREFIX = "BACKUP_STORAGE_DESTINATIONS_";
    /** The settings of a destination, longest first (a name may end like a shorter one). */
    static final List<String> SETTINGS = List.of("SERVER_SIDE_ENCRYPTION", "SECRET_ACCESS_KEY", "ACCESS_KEY_ID",
            "STORAGE_CLASS", "PART_SIZE_MB", "PATH_STYLE", "ENDPOINT", "BUCKET", "PREFIX", "REGION", "QUOTA", "TYPE",
            "PATH");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> properties = properties(System.getenv());
        if (!properties.isEmpty()) {
            environment.getPropertySources().addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new MapPropertySource("backupStorageDestinations", properties));
        }
    }

    static Map<String, Object> properties(Map<String, String> env) {
        Map<String, Object> properties = new LinkedHashMap<>();
        env.forEach((variable, value) -> {
            if (!variable.startsWith(PREFIX)) {
                return;
            }
            String rest = variable.substring(PREFIX.length());
            for (String setting : SETTINGS) {
                if (rest.endsWith("_" + setting) && rest.length() > setting.length() + 1) {
                    String name = rest.substring(0, rest.length() - setting.length() - 1)
                            .toLowerCase(Locale.ROOT).replace('_', '-');
                    properties.put("backup.storage.destinations." + name + "."
                            + setting.toLowerCase(Locale.ROOT).replace('_', '-'), value);
                    return;
                }
            }
        });
        return properties;
    }
}
