package io.taskagent.backup.gateway.contract;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.RequestBackup;
import io.taskagent.backup.model.RequestRestore;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.testsupport.Infrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recipe of docs/messages.md ("Broker credentials and automation"), run as written there with {@code rabbitmqctl}
 * against the real broker: a user that may only publish {@code RequestBackup} gets its {@code backup.request}
 * confirmed, and any other routing key, exchange or declaration refused with ACCESS_REFUSED (403).
 * <p>
 * Everything happens in a virtual host of its own, with {@link Topology}'s exchanges, queues and bindings declared
 * there, so that no worker of another test ever receives these commands; the user and the virtual host are deleted
 * afterwards. {@code rabbitmqctl} administers the broker on this machine ({@code RABBITMQCTL} may name another
 * command, e.g. {@code docker exec rabbitmq rabbitmqctl}); without it the test is skipped, saying so, or fails under
 * {@code CI=true}, as {@link Infrastructure} does for a missing broker.
 */
class TopicPermissionIT {

    private static final Path MESSAGES_MD = Path.of("").toAbsolutePath().getParent().resolve("docs/messages.md");
    private static final String DOC_USER = "backup-automation";
    private static final String DOC_PASSWORD = "$AUTOMATION_PASSWORD";
    private static final String DOC_VHOST = "/";

    private static Infrastructure infra;
    private static List<String> rabbitmqctl;
    private static String vhost;
    private static String user;
    private static String password;
    private static boolean vhostCreated;
    private static boolean userCreated;
    /** Why the test cannot run here (no broker, no rabbitmqctl), null when it can: each test is skipped saying so. */
    private static String unavailable;

    @BeforeAll
    static void createUserAsTheRecipeSays() throws Exception {
        try {
            infra = Infrastructure.get(); // fails under CI=true when there is no broker
        } catch (TestAbortedException e) {
            unavailable = e.getMessage();
            return;
        }
        rabbitmqctl = rabbitmqctl();
        if (rabbitmqctl == null) {
            return;
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        vhost = "topic-permission-it-" + suffix;
        user = DOC_USER + "-it-" + suffix;
        password = UUID.randomUUID().toString();

        run(List.of("add_vhost", vhost));
        vhostCreated = true;
        run(List.of("set_permissions", "-p", vhost, infra.rabbitUser, ".*", ".*", ".*"));
        declareTopology();

        List<List<String>> recipe = recipe();
        assertThat(recipe.stream().map(command -> command.get(1)).toList()).as("the commands of the recipe")
                .containsExactly("add_user", "set_permissions", "set_topic_permissions");
        for (List<String> command : recipe) {
            run(instantiate(command.subList(1, command.size())));
            userCreated = true;
        }
    }

    @BeforeEach
    void emptyTheWorkersQueue() throws Exception {
        Assumptions.assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        try (Connection connection = connect(infra.rabbitUser, infra.rabbitPassword);
             Channel channel = connection.createChannel()) {
            channel.queuePurge(Topology.WORKER_COMMANDS_QUEUE);
        }
    }

    @AfterAll
    static void deleteUserAndVirtualHost() throws Exception {
        if (userCreated) {
            run(List.of("delete_user", user));
        }
        if (vhostCreated) {
            run(List.of("delete_vhost", vhost));
        }
    }

    @Test
    void theUserMayPublishRequestBackupWithItsRoutingKey() throws Exception {
        RequestBackup request = RequestBackup.newJob("taskagent", "manual", "automation");
        try (Connection connection = connect(user, password); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            publish(channel, Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST, request);
            channel.waitForConfirmsOrDie(10_000); // confirmed (a nack or a time-out throws)
        }
        GetResponse delivered = take(Topology.WORKER_COMMANDS_QUEUE);
        assertThat(delivered).as("the command reached the worker's queue").isNotNull();
        assertThat(MessageJson.read(delivered.getBody(), RequestBackup.class)).isEqualTo(request);
    }

    @Test
    void anyOtherRoutingKeyIsRefusedWithAccessRefused() throws Exception {
        RequestRestore restore = restore();
        try (Connection connection = connect(user, password)) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            publish(channel, Topology.COMMANDS_EXCHANGE, Topology.RK_RESTORE_REQUEST, restore);
            assertRefused(channel, "topic '" + Topology.RK_RESTORE_REQUEST + "' in exchange '" + Topology.COMMANDS_EXCHANGE + "'");
            assertThat(connection.isOpen()).as("only the channel is closed").isTrue();
        }
        assertThat(take(Topology.WORKER_COMMANDS_QUEUE)).as("nothing reached the worker's queue").isNull();
    }

    @Test
    void anotherExchangeOrADeclarationIsRefusedToo() throws Exception {
        try (Connection connection = connect(user, password)) {
            Channel events = connection.createChannel();
            events.confirmSelect();
            publish(events, Topology.EVENTS_EXCHANGE, Topology.RK_BACKUP_FAILED, restore());
            assertRefused(events, "exchange '" + Topology.EVENTS_EXCHANGE + "'");

            Channel declare = connection.createChannel();
            assertThatThrownBy(() -> declare.queueDeclare("automation-" + UUID.randomUUID(), false, true, true, null))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(accessRefused(e.getCause())).as("declaring a queue").isTrue());
        }
    }

    /**
     * The broker checks the routing key, not the body, so a worker command of another kind published with
     * {@code backup.request} reaches the worker's queue; the consumers' read refuses it there (its type is not the one
     * its routing key is for), so it is dead-lettered, never run (docs/messages.md says so).
     */
    @Test
    void theBrokerChecksTheRoutingKeyNotTheBody() throws Exception {
        RequestRestore restore = restore();
        try (Connection connection = connect(user, password); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            publish(channel, Topology.COMMANDS_EXCHANGE, Topology.RK_BACKUP_REQUEST, restore);
            channel.waitForConfirmsOrDie(10_000);
        }
        GetResponse delivered = take(Topology.WORKER_COMMANDS_QUEUE);
        assertThat(delivered).isNotNull();
        assertThat(MessageJson.read(delivered.getBody())).isEqualTo(restore);
        assertThatThrownBy(() -> MessageJson.readReceived(delivered.getBody(), delivered.getEnvelope().getRoutingKey()))
                .isInstanceOf(io.taskagent.backup.model.InvalidMessageException.class)
                .hasMessageContaining("RequestRestore").hasMessageContaining("'backup.request'")
                .hasMessageContaining("'restore.request'");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static RequestRestore restore() {
        return new RequestRestore(UUID.randomUUID(), UUID.randomUUID(), "taskagent", Instant.now(),
                BackupMessage.CURRENT_VERSION, UUID.randomUUID(), null, null, false, false, null, null, null, "automation");
    }

    /** As ConfirmingPublisher does: persistent, JSON, ids and type as properties, mandatory. */
    private static void publish(Channel channel, String exchange, String routingKey, BackupMessage message)
            throws IOException {
        AMQP.BasicProperties properties = MessageProperties.PERSISTENT_BASIC.builder()
                .contentType("application/json").contentEncoding("UTF-8")
                .messageId(message.messageId().toString()).correlationId(message.jobId().toString())
                .type(message.getClass().getSimpleName()).build();
        channel.basicPublish(exchange, routingKey, true, properties, MessageJson.write(message));
    }

    /** The broker closes the channel with 403 ACCESS_REFUSED; waiting for the confirm sees it. */
    private static void assertRefused(Channel channel, String about) {
        assertThatThrownBy(() -> channel.waitForConfirmsOrDie(10_000))
                .isInstanceOf(ShutdownSignalException.class);
        ShutdownSignalException closed = channel.getCloseReason();
        assertThat(closed).as("the channel was closed by the broker").isNotNull();
        assertThat(closed.getReason()).isInstanceOf(AMQP.Channel.Close.class);
        AMQP.Channel.Close close = (AMQP.Channel.Close) closed.getReason();
        assertThat(close.getReplyCode()).isEqualTo(AMQP.ACCESS_REFUSED);
        assertThat(close.getReplyText()).startsWith("ACCESS_REFUSED").contains(about);
        assertThat(channel.isOpen()).isFalse();
    }

    private static boolean accessRefused(Throwable e) {
        return e instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close
                && close.getReplyCode() == AMQP.ACCESS_REFUSED;
    }

    private static Connection connect(String username, String secret) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(infra.rabbitHost);
        factory.setPort(infra.rabbitPort);
        factory.setVirtualHost(vhost);
        factory.setUsername(username);
        factory.setPassword(secret);
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection("topic-permission-it");
    }

    /** One message from a queue of the test's virtual host, as the broker's admin user; null when it is empty. */
    private static GetResponse take(String queue) throws Exception {
        try (Connection connection = connect(infra.rabbitUser, infra.rabbitPassword);
             Channel channel = connection.createChannel()) {
            return channel.basicGet(queue, true);
        }
    }

    /** Topology's exchanges, queues and bindings in the test's virtual host, as every service declares them. */
    private static void declareTopology() {
        CachingConnectionFactory factory = new CachingConnectionFactory(infra.rabbitHost, infra.rabbitPort);
        factory.setUsername(infra.rabbitUser);
        factory.setPassword(infra.rabbitPassword);
        factory.setVirtualHost(vhost);
        try {
            RabbitAdmin admin = new RabbitAdmin(factory);
            for (Declarable declarable : Topology.declarables().getDeclarables()) {
                if (declarable instanceof Exchange exchange) {
                    admin.declareExchange(exchange);
                } else if (declarable instanceof Queue queue) {
                    admin.declareQueue(queue);
                } else if (declarable instanceof Binding binding) {
                    admin.declareBinding(binding);
                }
            }
        } finally {
            factory.destroy();
        }
    }

    /** The rabbitmqctl commands of the recipe in docs/messages.md, split into words as a shell would. */
    private static List<List<String>> recipe() throws IOException {
        String doc = Files.readString(MESSAGES_MD);
        int section = doc.indexOf("\n## Broker credentials and automation");
        assertThat(section).as("docs/messages.md has the section 'Broker credentials and automation'").isPositive();
        Matcher block = Pattern.compile("^```sh\\s*$(.*?)^```\\s*$", Pattern.MULTILINE | Pattern.DOTALL)
                .matcher(doc.substring(section));
        assertThat(block.find()).as("the section shows the commands in a ```sh block").isTrue();
        List<List<String>> commands = new ArrayList<>();
        for (String line : block.group(1).strip().split("\n")) {
            List<String> words = shellWords(line);
            assertThat(words.get(0)).as("a recipe line: %s", line).isEqualTo("rabbitmqctl");
            commands.add(words);
        }
        return commands;
    }

    /** The recipe's names replaced by the test's own: user, password, virtual host (the word after -p). */
    private static List<String> instantiate(List<String> words) {
        List<String> result = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            boolean isVhost = i > 0 && words.get(i - 1).equals("-p") && word.equals(DOC_VHOST);
            result.add(word.equals(DOC_USER) ? user : word.equals(DOC_PASSWORD) ? password : isVhost ? vhost : word);
        }
        return result;
    }

    /** Words of a command line: '...' literal, "..." literal (a $VARIABLE is kept as written), \ escapes. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (c == '\\' && i + 1 < line.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(line.charAt(++i));
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        assertThat(quote == 0).as("balanced quotes in: %s", line).isTrue();
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * The rabbitmqctl to use, checked to answer; when it does not, null with {@link #unavailable} saying why (the
     * tests are skipped), or a failure with CI=true.
     */
    private static List<String> rabbitmqctl() {
        String configured = System.getenv("RABBITMQCTL");
        List<String> command = configured == null || configured.isBlank() ? List.of("rabbitmqctl")
                : Arrays.asList(configured.trim().split("\\s+"));
        String problem;
        try {
            Result status = exec(append(command, List.of("list_vhosts")));
            problem = status.code() == 0 ? null
                    : String.join(" ", command) + " list_vhosts exited " + status.code() + ": " + status.output().strip();
        } catch (IOException e) {
            problem = String.join(" ", command) + " cannot be run: " + e.getMessage();
        }
        if (problem != null) {
            String message = "TopicPermissionIT administers the broker with rabbitmqctl: " + problem
                    + ". Run it where rabbitmqctl reaches the broker, or set RABBITMQCTL (e.g. 'docker exec <container> rabbitmqctl').";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message);
            }
            System.err.println("WARNING: " + message);
            unavailable = message;
            return null;
        }
        return command;
    }

    private static void run(List<String> arguments) throws Exception {
        Result result = exec(append(rabbitmqctl, arguments));
        String shown = String.join(" ", arguments).replace(password, "<password>");
        assertThat(result.code()).as("rabbitmqctl %s: %s", shown, result.output().replace(password, "<password>"))
                .isZero();
    }

    private record Result(int code, String output) {
    }

    private static Result exec(List<String> command) throws IOException {
        Path output = Files.createTempFile("rabbitmqctl", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "no answer within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static List<String> append(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
