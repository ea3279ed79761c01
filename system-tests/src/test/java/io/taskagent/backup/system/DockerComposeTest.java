package io.taskagent.backup.system;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Guards docker-compose.yml and the files it refers to, without running anything: the expected services exist,
 * build contexts are modules with a Dockerfile, every environment variable set on a service is one that service
 * reads (a {@code ${NAME}} placeholder in its application.yml or in the shared backup-common.yml), every mounted
 * repository file exists, and Prometheus scrapes every service.
 */
class DockerComposeTest {

    private static final List<String> APP_SERVICES =
            List.of("api-gateway", "backup-worker", "scheduler-service", "alert-service");
    private static final List<String> INFRASTRUCTURE_SERVICES = List.of("postgres", "rabbitmq", "prometheus", "grafana");
    private static final Pattern MAIL_CATCHER_IMAGE =
            Pattern.compile("mailpit|mailhog|maildev|smtp4dev|greenmail", Pattern.CASE_INSENSITIVE);
    private static final Path COMMON_CONFIG = Path.of("shared-model", "src", "main", "resources", "backup-common.yml");
    private static final Path APP_CONFIG = Path.of("src", "main", "resources", "application.yml");
    private static final String PROMETHEUS_CONFIG_IN_CONTAINER = "/etc/prometheus/prometheus.yml";
    private static final Pattern DEFAULT_SERVER_PORT = Pattern.compile("\\$\\{SERVER_PORT:(\\d+)}");
    private static final Pattern JDBC_HOST = Pattern.compile("^jdbc:postgresql://([^/:?]+)");

    /** The repository root: surefire runs with the module directory as working directory. */
    private static Path root;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void loadComposeFile() throws IOException {
        root = Files.isRegularFile(Path.of("..", "docker-compose.yml")) ? Path.of("..") : Path.of(".");
        Path composeFile = root.resolve("docker-compose.yml");
        if (!Files.isRegularFile(composeFile)) {
            fail("no docker-compose.yml in " + root.toAbsolutePath().normalize() + " or its parent");
        }
        Map<String, Object> compose = map(loadYaml(composeFile), "docker-compose.yml");
        Map<String, Object> rawServices = map(compose.get("services"), "docker-compose.yml: services");
        services = new LinkedHashMap<>();
        rawServices.forEach((name, definition) -> services.put(name, map(definition, "service '" + name + "'")));
    }

    @Test
    void definesTheWholeSystem() {
        List<String> problems = new ArrayList<>();
        for (String name : concat(INFRASTRUCTURE_SERVICES, APP_SERVICES)) {
            if (!services.containsKey(name)) {
                problems.add("service '" + name + "' is missing");
            }
        }
        Optional<String> mailCatcher = mailCatcher();
        if (mailCatcher.isEmpty()) {
            problems.add("no mail catcher service (a service whose image matches " + MAIL_CATCHER_IMAGE + ")");
        } else if (services.containsKey("alert-service")) {
            String mailHost = environment("alert-service").get("SPRING_MAIL_HOST");
            if (!mailCatcher.get().equals(mailHost)) {
                problems.add("service 'alert-service' must send mail to the mail catcher: SPRING_MAIL_HOST is '"
                        + mailHost + "', expected '" + mailCatcher.get() + "'");
            }
        }
        assertNoProblems("docker-compose.yml does not define the whole system", problems);
    }

    /** Every image is pinned to a version (a tag with a digit, never latest): a rebuild gets the same system. */
    @Test
    void everyImageIsPinnedToAVersion() {
        List<String> problems = new ArrayList<>();
        services.forEach((name, service) -> {
            Object image = service.get("image");
            if (image != null) {
                String ref = image.toString();
                String tag = ref.contains(":") ? ref.substring(ref.lastIndexOf(':') + 1) : "";
                if (!tag.matches(".*\\d.*") || tag.equals("latest")) {
                    problems.add("service '" + name + "': image '" + ref + "' is not pinned to a version");
                }
            }
        });
        assertNoProblems("docker-compose.yml has unpinned images", problems);
    }

    /** The gateway starts after the worker is healthy: it reads the worker's read contract. */
    @Test
    void theGatewayStartsAfterTheWorker() {
        Object dependsOn = services.get("api-gateway").get("depends_on");
        assertThat(dependsOn).as("api-gateway depends_on").isInstanceOf(Map.class);
        Object worker = ((Map<?, ?>) dependsOn).get("backup-worker");
        assertThat(worker).as("api-gateway depends on backup-worker").isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) worker).get("condition")).isEqualTo("service_healthy");
    }

    @Test
    void buildContextsAreModulesWithADockerfile() {
        List<String> problems = new ArrayList<>();
        for (String service : APP_SERVICES) {
            if (services.containsKey(service) && buildContext(service).isEmpty()) {
                problems.add("service '" + service + "' has no build: (expected build: ./" + service + ")");
            }
        }
        for (String service : services.keySet()) {
            Optional<String> context = buildContext(service);
            if (context.isEmpty()) {
                continue;
            }
            Path dir = root.resolve(context.get()).normalize();
            if (!Files.isDirectory(dir)) {
                problems.add("service '" + service + "': build context '" + context.get() + "' is not a directory");
                continue;
            }
            Path dockerfile = dir.resolve(dockerfileName(service));
            if (!Files.isRegularFile(dockerfile)) {
                problems.add("service '" + service + "': build context '" + context.get() + "' has no "
                        + dockerfileName(service));
            }
            if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
                problems.add("service '" + service + "': build context '" + context.get()
                        + "' is not a Maven module (no pom.xml)");
            }
            if (Files.isRegularFile(dockerfile)) {
                String module = dir.getFileName().toString();
                String text = read(dockerfile);
                if (!Pattern.compile("(?m)^\\s*COPY\\s+(--\\S+\\s+)*target/" + Pattern.quote(module)
                        + "-\\S*-exec\\.jar\\s").matcher(text).find()) {
                    problems.add("service '" + service + "': " + context.get() + "/" + dockerfileName(service)
                            + " does not COPY target/" + module + "-<version>-exec.jar");
                }
                Matcher user = Pattern.compile("(?m)^\\s*USER\\s+(\\S+)").matcher(text);
                String lastUser = null;
                while (user.find()) {
                    lastUser = user.group(1);
                }
                if (lastUser == null || lastUser.equals("root") || lastUser.startsWith("root:")
                        || lastUser.equals("0") || lastUser.startsWith("0:")) {
                    problems.add("service '" + service + "': " + context.get() + "/" + dockerfileName(service)
                            + " does not switch to a non-root USER");
                }
            }
        }
        assertNoProblems("docker-compose.yml build contexts are broken", problems);
    }

    @Test
    void appServicesSetOnlyVariablesTheyRead() {
        List<String> problems = new ArrayList<>();
        String common = read(root.resolve(COMMON_CONFIG));
        for (String service : APP_SERVICES) {
            if (!services.containsKey(service)) {
                problems.add("service '" + service + "' is missing");
                continue;
            }
            if (services.get(service).containsKey("env_file")) {
                problems.add("service '" + service + "' uses env_file, whose variables this test cannot check; "
                        + "set them under environment:");
            }
            Path appConfig = moduleDir(service).resolve(APP_CONFIG);
            if (!Files.isRegularFile(appConfig)) {
                problems.add("service '" + service + "': " + root.relativize(appConfig) + " does not exist");
                continue;
            }
            String own = read(appConfig);
            for (String variable : environment(service).keySet()) {
                Pattern placeholder = Pattern.compile("\\$\\{" + Pattern.quote(variable) + "[:}]");
                if (!placeholder.matcher(own).find() && !placeholder.matcher(common).find()) {
                    problems.add("service '" + service + "' sets " + variable + ", which it does not read: no ${"
                            + variable + "} placeholder in " + root.relativize(appConfig).toString().replace('\\', '/')
                            + " or " + COMMON_CONFIG.toString().replace('\\', '/'));
                }
            }
        }
        assertNoProblems("docker-compose.yml sets environment variables that no service reads", problems);
    }

    @Test
    void connectionSettingsNameComposeServices() {
        List<String> problems = new ArrayList<>();
        for (String service : APP_SERVICES) {
            if (!services.containsKey(service)) {
                continue;
            }
            environment(service).forEach((variable, value) -> {
                String host = null;
                if (variable.endsWith("_HOST")) {
                    host = value;
                } else if (variable.endsWith("_URL") && value != null) {
                    Matcher jdbc = JDBC_HOST.matcher(value);
                    host = jdbc.find() ? jdbc.group(1) : null;
                }
                if (host != null && !host.startsWith("${") && !services.containsKey(host)) {
                    problems.add("service '" + service + "': " + variable + " names host '" + host
                            + "', which is not a service of docker-compose.yml");
                }
            });
            String token = environment(service).get("BACKUP_ADMIN_TOKEN");
            if (environment(service).containsKey("BACKUP_ADMIN_TOKEN")
                    && (token == null || !token.startsWith("${") || !token.endsWith("}"))) {
                problems.add("service '" + service + "': BACKUP_ADMIN_TOKEN must come from the host environment "
                        + "(${BACKUP_ADMIN_TOKEN:?...}), not a literal in the file");
            }
        }
        assertNoProblems("docker-compose.yml connection settings are wrong", problems);
    }

    @Test
    void mountedRepositoryFilesExist() {
        List<String> problems = new ArrayList<>();
        services.forEach((service, definition) -> {
            for (Object volume : list(definition.get("volumes"))) {
                String source = bindSource(volume);
                if (source != null && isRepositoryPath(source) && !Files.exists(root.resolve(source).normalize())) {
                    problems.add("service '" + service + "' mounts " + source + ", which does not exist");
                }
            }
        });
        assertNoProblems("docker-compose.yml mounts missing repository files", problems);
    }

    @Test
    void prometheusScrapesEveryAppService() {
        Map<String, Object> prometheus = services.get("prometheus");
        if (prometheus == null) {
            fail("service 'prometheus' is missing");
        }
        String source = null;
        for (Object volume : list(prometheus.get("volumes"))) {
            if (PROMETHEUS_CONFIG_IN_CONTAINER.equals(bindTarget(volume))) {
                source = bindSource(volume);
            }
        }
        if (source == null || !isRepositoryPath(source)) {
            fail("service 'prometheus' does not mount a repository file on " + PROMETHEUS_CONFIG_IN_CONTAINER);
        }
        Path config = root.resolve(source).normalize();
        if (!Files.isRegularFile(config)) {
            fail("service 'prometheus' mounts " + source + ", which does not exist");
        }

        // host:port -> metrics paths it is scraped on
        Map<String, TreeSet<String>> scraped = new LinkedHashMap<>();
        Map<String, Object> parsed = map(loadYaml(config), source);
        for (Object job : list(parsed.get("scrape_configs"))) {
            Map<String, Object> scrape = map(job, source + ": scrape_configs entry");
            String path = scrape.get("metrics_path") == null ? "/metrics" : scrape.get("metrics_path").toString();
            for (Object staticConfig : list(scrape.get("static_configs"))) {
                for (Object target : list(map(staticConfig, source + ": static_configs entry").get("targets"))) {
                    scraped.computeIfAbsent(String.valueOf(target), t -> new TreeSet<>()).add(path);
                }
            }
        }

        List<String> problems = new ArrayList<>();
        for (String service : APP_SERVICES) {
            if (!services.containsKey(service)) {
                problems.add("service '" + service + "' is missing");
                continue;
            }
            Optional<String> port = serverPort(service);
            if (port.isEmpty()) {
                problems.add("service '" + service + "': cannot tell its port (no SERVER_PORT in docker-compose.yml "
                        + "and no ${SERVER_PORT:<port>} in its application.yml)");
                continue;
            }
            String target = service + ":" + port.get();
            if (!scraped.getOrDefault(target, new TreeSet<>()).contains("/actuator/prometheus")) {
                problems.add("service '" + service + "' is not scraped: " + source + " has no target " + target
                        + " with metrics_path /actuator/prometheus (scraped: " + scraped + ")");
            }
        }
        assertNoProblems("prometheus.yml does not scrape every service", problems);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Optional<String> mailCatcher() {
        return services.entrySet().stream()
                .filter(e -> e.getValue().get("image") != null
                        && MAIL_CATCHER_IMAGE.matcher(e.getValue().get("image").toString()).find())
                .map(Map.Entry::getKey)
                .findFirst();
    }

    private static Optional<String> buildContext(String service) {
        Object build = services.get(service).get("build");
        if (build == null) {
            return Optional.empty();
        }
        if (build instanceof Map<?, ?> map) {
            Object context = map.get("context");
            return Optional.of(context == null ? "." : context.toString());
        }
        return Optional.of(build.toString());
    }

    private static String dockerfileName(String service) {
        if (services.get(service).get("build") instanceof Map<?, ?> map && map.get("dockerfile") != null) {
            return map.get("dockerfile").toString();
        }
        return "Dockerfile";
    }

    /** The module an app service is built from (its build context), or the directory named after it. */
    private static Path moduleDir(String service) {
        return root.resolve(buildContext(service).orElse(service)).normalize();
    }

    private static Optional<String> serverPort(String service) {
        String configured = environment(service).get("SERVER_PORT");
        if (configured != null && configured.matches("\\d+")) {
            return Optional.of(configured);
        }
        Path appConfig = moduleDir(service).resolve(APP_CONFIG);
        if (!Files.isRegularFile(appConfig)) {
            return Optional.empty();
        }
        Matcher matcher = DEFAULT_SERVER_PORT.matcher(read(appConfig));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** The service's environment, from either the map form or the list form ({@code - KEY=value}). */
    private static Map<String, String> environment(String service) {
        Object environment = services.get(service).get("environment");
        Map<String, String> variables = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((key, value) -> variables.put(String.valueOf(key), value == null ? null : value.toString()));
        } else if (environment instanceof List<?> entries) {
            for (Object entry : entries) {
                String text = String.valueOf(entry);
                int equals = text.indexOf('=');
                variables.put(equals < 0 ? text : text.substring(0, equals), equals < 0 ? null : text.substring(equals + 1));
            }
        } else if (environment != null) {
            fail("service '" + service + "': environment is neither a map nor a list: " + environment);
        }
        return variables;
    }

    /** The host side of a bind mount (short {@code ./src:/dst[:ro]} or long {@code type: bind} syntax), else null. */
    private static String bindSource(Object volume) {
        if (volume instanceof Map<?, ?> map) {
            return "volume".equals(map.get("type")) || map.get("source") == null ? null : map.get("source").toString();
        }
        String[] parts = String.valueOf(volume).split(":");
        return parts.length >= 2 ? parts[0] : null;
    }

    private static String bindTarget(Object volume) {
        if (volume instanceof Map<?, ?> map) {
            return map.get("target") == null ? null : map.get("target").toString();
        }
        String[] parts = String.valueOf(volume).split(":");
        return parts.length >= 2 ? parts[1] : null;
    }

    private static boolean isRepositoryPath(String source) {
        return source.startsWith("./") || source.startsWith("../") || source.equals(".");
    }

    private static Object loadYaml(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml().load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            fail(what + " is not a YAML mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> list ? list : List.of();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static void assertNoProblems(String heading, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(heading + ":\n  - " + String.join("\n  - ", problems));
        }
    }
}
