package io.taskagent.backup.gateway.contract;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Names;
import io.taskagent.backup.model.Topology;
import io.taskagent.backup.model.messaging.ConfirmingPublisher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.ExchangeTypes;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code docs/asyncapi.yaml} against the code: every {@link BackupMessage} record of shared-model (found by scanning
 * its package, so a new record is caught) is a message there with exactly its fields, their JSON types and formats,
 * on the channel of its exchange and routing key, published by the services whose code builds it; every queue is
 * {@link Topology}'s, with its arguments and bindings. Every JSON example of {@code docs/messages.md} is validated
 * against its message's payload schema and read by {@link MessageJson}, and mutated examples (a field removed, set to
 * null, given a malformed value) must be accepted or refused by the schema exactly as {@link MessageJson#read} does.
 * Nothing runs: files, reflection and the reader only.
 */
class AsyncApiContractTest {

    /** The repository root: the module's parent directory. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String MODEL_PACKAGE = BackupMessage.class.getPackageName();
    private static final String MESSAGE_REF = "#/components/messages/";
    /** Python's {@code datetime.utcnow().isoformat()}: no zone, no offset. */
    private static final String TIMESTAMP_WITHOUT_ZONE = "2026-12-07T10:15:30.123456";
    /** Modules that are not services (they publish nothing). */
    private static final Set<String> NOT_SERVICES = Set.of("shared-model", "test-support", "system-tests");

    private static JsonNode doc;
    private static List<Class<?>> records;
    /** Every JSON example of docs/messages.md by message name, with the heading it stands under. */
    private static Map<String, List<Example>> examples;
    private static SchemaRegistry schemas;

    record Example(String heading, ObjectNode json) {
    }

    @BeforeAll
    static void load() throws IOException {
        doc = YAMLMapper.builder().build().readTree(Files.readString(ROOT.resolve("docs/asyncapi.yaml")));
        records = messageRecords();
        examples = examples(Files.readString(ROOT.resolve("docs/messages.md")));
        // format assertions on: uuid and date-time are checked, not only annotations
        schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2019_09, builder -> builder
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    }

    /** Every record in the model package that implements BackupMessage, by scanning the package (not a list). */
    private static List<Class<?>> messageRecords() {
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AssignableTypeFilter(BackupMessage.class));
        List<Class<?>> found = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(MODEL_PACKAGE)) {
            try {
                Class<?> type = Class.forName(candidate.getBeanClassName());
                if (type.isRecord() && type.getPackageName().equals(MODEL_PACKAGE)) {
                    found.add(type);
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        found.sort((a, b) -> a.getSimpleName().compareTo(b.getSimpleName()));
        assertThat(found).as("message records found in " + MODEL_PACKAGE).isNotEmpty();
        assertThat(found).as("records found by scanning = the types BackupMessage permits")
                .containsExactlyInAnyOrder(BackupMessage.class.getPermittedSubclasses());
        return found;
    }

    /** The ```json blocks of docs/messages.md, each under the nearest "## " heading before it, keyed by its "type". */
    private static Map<String, List<Example>> examples(String markdown) {
        Map<String, List<Example>> byType = new TreeMap<>();
        Matcher block = Pattern.compile("^```json\\s*$(.*?)^```\\s*$", Pattern.MULTILINE | Pattern.DOTALL).matcher(markdown);
        Pattern heading = Pattern.compile("^## (.+?)\\s*$", Pattern.MULTILINE);
        while (block.find()) {
            Matcher h = heading.matcher(markdown.substring(0, block.start()));
            String under = null;
            while (h.find()) {
                under = h.group(1);
            }
            JsonNode json = MessageJson.mapper().readTree(block.group(1));
            assertThat(json.isObject() && json.has("type")).as("the JSON example under '## %s' names its message in \"type\"", under).isTrue();
            byType.computeIfAbsent(json.get("type").asString(), k -> new ArrayList<>()).add(new Example(under, (ObjectNode) json));
        }
        return byType;
    }

    // ---- the document and the records --------------------------------------------------------------------------

    @Test
    void everyRecordIsAMessageOfTheDocumentAndEveryMessageARecord() {
        Set<String> recordNames = records.stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = new TreeSet<>(doc.at("/components/messages").propertyNames());
        assertThat(documented).as("messages in docs/asyncapi.yaml (components.messages) vs BackupMessage records in "
                + MODEL_PACKAGE).isEqualTo(recordNames);
        assertThat(doc.get("asyncapi").asString()).isEqualTo("3.0.0");
        assertThat(doc.get("defaultContentType").asString()).isEqualTo(MessageProperties.CONTENT_TYPE_JSON);
        for (String name : recordNames) {
            JsonNode message = message(name);
            assertThat(message.get("name").asString()).as("%s: name", name).isEqualTo(name);
            assertThat(message.get("contentType").asString()).as("%s: contentType (ConfirmingPublisher)", name)
                    .isEqualTo(MessageProperties.CONTENT_TYPE_JSON);
            assertThat(resolve(message.get("bindings")).at("/amqp/messageType").asString())
                    .as("%s: AMQP type property (ConfirmingPublisher sets the record's name)", name).isEqualTo(name);
            assertThat(resolve(message.get("bindings")).at("/amqp/contentEncoding").asString()).isEqualTo("UTF-8");
            assertThat(resolve(message.get("headers")).at("/properties").has(ConfirmingPublisher.TYPE_HEADER))
                    .as("%s: header %s", name, ConfirmingPublisher.TYPE_HEADER).isTrue();
            assertThat(resolve(message.get("correlationId")).get("location").asString())
                    .as("%s: correlation_id is the jobId", name).isEqualTo("$message.payload#/jobId");
        }
    }

    @Test
    void everyPayloadListsExactlyTheRecordsFieldsWithTheirJsonTypes() {
        assertThat(MessageJson.mapper().serializationConfig().getPropertyNamingStrategy())
                .as("MessageJson writes the records' component names as they are (camelCase)").isNull();
        for (Class<?> record : records) {
            String name = record.getSimpleName();
            JsonNode payload = resolve(message(name).get("payload"));
            Set<String> expected = new LinkedHashSet<>();
            expected.add("type");
            Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).forEach(expected::add);
            assertThat(new LinkedHashSet<>(payload.get("properties").propertyNames()))
                    .as("%s: payload properties = \"type\" + the record's components", name)
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(resolve(payload.at("/properties/type")).get("const").asString()).as("%s: type", name).isEqualTo(name);
            assertThat(strings(payload.get("required"))).as("%s: required", name).contains("type")
                    .isSubsetOf(expected);
            for (RecordComponent component : record.getRecordComponents()) {
                checkType(name + "." + component.getName(), component.getType(), component.getGenericType(),
                        payload.at("/properties/" + component.getName()));
            }
            // what MessageJson really writes, for the documented example
            for (Example example : examplesOf(name)) {
                JsonNode written = MessageJson.mapper().readTree(MessageJson.write(MessageJson.read(bytes(example.json()))));
                assertThat(new LinkedHashSet<>(written.propertyNames())).as("%s: fields MessageJson writes", name)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    /** The JSON type and format of one Java type; records are compared field by field. */
    private static void checkType(String where, Class<?> type, Type generic, JsonNode declared) {
        JsonNode schema = resolve(declared);
        assertThat(schema.isMissingNode() || schema.isNull()).as("%s is in the document", where).isFalse();
        Set<String> types = strings(schema.get("type"));
        if (type.isPrimitive()) {
            assertThat(types).as("%s is a Java primitive: null is refused (FAIL_ON_NULL_FOR_PRIMITIVES)", where)
                    .doesNotContain("null");
        }
        types.remove("null");
        String format = schema.has("format") ? schema.get("format").asString() : null;
        if (type == String.class) {
            assertThat(types).as(where).containsExactly("string");
        } else if (type == UUID.class) {
            assertThat(types).as(where).containsExactly("string");
            assertThat(format).as("%s: format", where).isEqualTo("uuid");
        } else if (type == Instant.class) {
            assertThat(types).as(where).containsExactly("string");
            assertThat(format).as("%s: format", where).isEqualTo("date-time");
        } else if (Set.of(int.class, long.class, short.class, Integer.class, Long.class, Short.class).contains(type)) {
            assertThat(types).as(where).containsExactly("integer");
        } else if (type == boolean.class || type == Boolean.class) {
            assertThat(types).as(where).containsExactly("boolean");
        } else if (Set.of(double.class, float.class, Double.class, Float.class, java.math.BigDecimal.class).contains(type)) {
            assertThat(types).as(where).containsExactly("number");
        } else if (type.isEnum()) {
            assertThat(types).as(where).containsExactly("string");
            assertThat(strings(schema.get("enum"))).as("%s: enum", where).containsAll(
                    Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
        } else if (Collection.class.isAssignableFrom(type)) {
            assertThat(types).as(where).containsExactly("array");
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            checkType(where + "[]", raw(element), element, schema.get("items"));
        } else if (Map.class.isAssignableFrom(type)) {
            assertThat(types).as(where).containsExactly("object");
            Type[] arguments = ((ParameterizedType) generic).getActualTypeArguments();
            assertThat(raw(arguments[0])).as("%s: JSON object keys are strings", where).isEqualTo(String.class);
            checkType(where + "{}", raw(arguments[1]), arguments[1], schema.get("additionalProperties"));
        } else if (type.isRecord()) {
            assertThat(types).as(where).containsExactly("object");
            Set<String> components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toSet());
            assertThat(new HashSet<>(schema.get("properties").propertyNames())).as("%s: properties", where)
                    .isEqualTo(components);
            assertThat(strings(schema.get("required"))).as("%s: required", where).isSubsetOf(components);
            for (RecordComponent component : type.getRecordComponents()) {
                checkType(where + "." + component.getName(), component.getType(), component.getGenericType(),
                        schema.at("/properties/" + component.getName()));
            }
        } else {
            fail("%s: no JSON type known for %s; extend AsyncApiContractTest.checkType", where, type);
        }
    }

    @Test
    void theNamingPatternsAreTheOnesTheRecordsCheck() {
        assertThat(schema("Target").get("pattern").asString()).isEqualTo("^" + Names.TARGET_REGEX + "$");
        assertThat(schema("BackupType").get("pattern").asString()).isEqualTo("^" + Names.BACKUP_TYPE.pattern() + "$");
        Map<String, String> byProperty = Map.of(
                "fileName", "^(?!.*\\.\\.)" + Names.PLAIN_FILE_NAME.pattern() + "$",
                "removedFiles", "^(?!.*\\.\\.)" + Names.PLAIN_FILE_NAME.pattern() + "$",
                "destination", "^" + Names.DESTINATION_REGEX + "$",
                "dropCopies", "^" + Names.DESTINATION_REGEX + "$",
                "createDatabase", "^" + Names.DATABASE_REGEX + "$");
        List<String> checked = new ArrayList<>();
        forEachProperty(doc.get("components"), "components", (where, property, schema) -> {
            String expected = byProperty.get(property);
            JsonNode node = schema.has("items") ? schema.get("items") : schema;
            if (expected != null && node.has("pattern")) {
                assertThat(node.get("pattern").asString()).as(where).isEqualTo(expected);
                checked.add(where);
            }
        });
        assertThat(checked).as("properties whose pattern was compared with Names").hasSizeGreaterThan(10);
    }

    @Test
    void versionIsTheContractVersion() {
        String current = String.valueOf(BackupMessage.CURRENT_VERSION);
        assertThat(doc.at("/info/version").asString()).as("info.version = BackupMessage.CURRENT_VERSION").isEqualTo(current);
        assertThat(schema("Version").get("minimum").asInt()).isEqualTo(1);
        assertThat(schema("Version").get("maximum").asInt()).isEqualTo(BackupMessage.CURRENT_VERSION);
        ObjectNode newer = firstExample("RequestBackup").deepCopy();
        newer.put("version", BackupMessage.CURRENT_VERSION + 1);
        assertThat(validate("RequestBackup", newer)).as("schema: a newer version").isNotEmpty();
        assertThatThrownBy(() -> MessageJson.read(bytes(newer))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("version");
        ObjectNode unknownField = firstExample("RequestBackup").deepCopy();
        unknownField.put("addedLater", "x");
        assertThat(validate("RequestBackup", unknownField)).as("schema: an unknown field is allowed").isEmpty();
        assertThat(MessageJson.read(bytes(unknownField))).as("MessageJson ignores an unknown field").isNotNull();
    }

    // ---- channels, queues, operations --------------------------------------------------------------------------

    @Test
    void everyMessageIsOnTheChannelOfItsExchangeAndRoutingKey() {
        Map<String, Exchange> exchanges = declared(Exchange.class).stream()
                .collect(Collectors.toMap(Exchange::getName, e -> e));
        for (Class<?> record : records) {
            String name = record.getSimpleName();
            for (Example example : examplesOf(name)) {
                BackupMessage message = MessageJson.read(bytes(example.json()));
                List<String> channels = channelsCarrying(name, "routingKey");
                assertThat(channels).as("%s: one routing-key channel carries it", name).hasSize(1);
                JsonNode channel = doc.at("/channels/" + channels.get(0));
                JsonNode amqp = resolve(channel.get("bindings")).get("amqp");
                assertThat(channel.get("address").asString()).as("%s: channel address = routingKey()", name)
                        .isEqualTo(message.routingKey());
                assertThat(amqp.at("/exchange/name").asString()).as("%s: exchange()", name).isEqualTo(message.exchange());
                Exchange exchange = exchanges.get(message.exchange());
                assertThat(exchange).as("%s: Topology declares %s", name, message.exchange()).isNotNull();
                assertThat(amqp.at("/exchange/type").asString()).isEqualTo(exchange.getType()).isEqualTo(ExchangeTypes.TOPIC);
                assertThat(amqp.at("/exchange/durable").asBoolean()).isEqualTo(exchange.isDurable()).isTrue();
                assertThat(amqp.at("/exchange/autoDelete").asBoolean()).isEqualTo(exchange.isAutoDelete());
                assertThat(operations("send", channels.get(0), name)).as("%s: a send operation publishes it", name).isNotEmpty();
            }
        }
    }

    @Test
    void everyQueueIsTopologysWithItsArgumentsBindingsAndDeadLetterQueue() {
        List<Binding> bindings = declared(Binding.class);
        Set<String> documentedQueues = new TreeSet<>();
        for (Queue queue : declared(Queue.class)) {
            String id = queueChannel(queue.getName());
            JsonNode amqp = resolve(doc.at("/channels/" + id + "/bindings")).get("amqp");
            String where = "queue " + queue.getName();
            assertThat(amqp.at("/queue/durable").asBoolean()).as(where).isEqualTo(queue.isDurable());
            assertThat(amqp.at("/queue/exclusive").asBoolean()).as(where).isEqualTo(queue.isExclusive());
            assertThat(amqp.at("/queue/autoDelete").asBoolean()).as(where).isEqualTo(queue.isAutoDelete());
            assertThat(amqp.get("x-arguments")).as("%s: arguments (quorum, delivery limit, dead-lettering)", where)
                    .isEqualTo(MessageJson.mapper().valueToTree(queue.getArguments()));
            Map<String, Set<String>> expectedKeys = new TreeMap<>();
            bindings.stream().filter(b -> b.getDestination().equals(queue.getName()))
                    .forEach(b -> expectedKeys.computeIfAbsent(b.getExchange(), k -> new TreeSet<>()).add(b.getRoutingKey()));
            assertThat(bindingKeys(amqp)).as("%s: bindings (Topology's key lists)", where).isEqualTo(expectedKeys);
            if (queue.getArguments().containsKey("x-dead-letter-exchange")) {
                assertThat(queue.getArguments().get("x-dead-letter-exchange")).isEqualTo(Topology.DEAD_LETTER_EXCHANGE);
                assertThat(amqp.get("x-dead-letter-queue").asString()).as(where)
                        .isEqualTo(Topology.deadLetterQueue(queue.getName()));
                assertThat(operationsOn("receive", id)).as("%s: a receive operation consumes it", where).hasSize(1);
            }
            documentedQueues.add(queue.getName());
        }
        // the binding lists by name, as the brief of the topology states them
        assertThat(keysOf(Topology.WORKER_COMMANDS_QUEUE, Topology.COMMANDS_EXCHANGE))
                .containsExactlyInAnyOrderElementsOf(Topology.WORKER_COMMAND_KEYS);
        assertThat(keysOf(Topology.SCHEDULER_COMMANDS_QUEUE, Topology.COMMANDS_EXCHANGE))
                .containsExactlyInAnyOrderElementsOf(Topology.SCHEDULER_COMMAND_KEYS);
        assertThat(keysOf(Topology.ALERT_EVENTS_QUEUE, Topology.EVENTS_EXCHANGE))
                .containsExactlyInAnyOrderElementsOf(Topology.ALERT_EVENT_KEYS);
        assertThat(keysOf(Topology.ALERT_EVENTS_QUEUE, Topology.COMMANDS_EXCHANGE))
                .containsExactlyInAnyOrderElementsOf(Topology.ALERT_COMMAND_KEYS);
        // a queue channel Topology does not declare is a per-instance queue (the gateway's live events)
        doc.get("channels").properties().forEach(channel -> {
            JsonNode amqp = resolve(channel.getValue().get("bindings")).get("amqp");
            if ("queue".equals(amqp.get("is").asString()) && !documentedQueues.contains(amqp.at("/queue/name").asString())) {
                assertThat(amqp.at("/queue/exclusive").asBoolean() && amqp.at("/queue/autoDelete").asBoolean())
                        .as("channel %s: a queue Topology does not declare must be exclusive and auto-deleted",
                                channel.getKey()).isTrue();
            }
        });
    }

    @Test
    void everyQueueChannelCarriesExactlyTheMessagesItsBindingsRouteToIt() {
        Map<String, BackupMessage> byName = new TreeMap<>();
        for (Class<?> record : records) {
            byName.put(record.getSimpleName(), MessageJson.read(bytes(firstExample(record.getSimpleName()))));
        }
        doc.get("channels").properties().forEach(channel -> {
            JsonNode amqp = resolve(channel.getValue().get("bindings")).get("amqp");
            if (!"queue".equals(amqp.get("is").asString())) {
                return;
            }
            Map<String, Set<String>> keys = bindingKeys(amqp);
            Set<String> expected = new TreeSet<>();
            String source = amqp.at("/queue/name").asString();
            if (keys.containsKey(Topology.DEAD_LETTER_EXCHANGE)) {
                // a dead-letter queue holds what its queue held
                source = keys.get(Topology.DEAD_LETTER_EXCHANGE).iterator().next();
                keys = bindingKeys(resolve(doc.at("/channels/" + queueChannel(source) + "/bindings")).get("amqp"));
            }
            Map<String, Set<String>> routes = keys;
            byName.forEach((name, message) -> {
                if (routes.getOrDefault(message.exchange(), Set.of()).stream()
                        .anyMatch(key -> topicMatches(key, message.routingKey()))) {
                    expected.add(name);
                }
            });
            assertThat(new TreeSet<>(channel.getValue().get("messages").propertyNames()))
                    .as("channel %s (%s): messages routed to it", channel.getKey(), source).isEqualTo(expected);
            channel.getValue().get("messages").properties().forEach(m -> assertThat(m.getValue().get("$ref").asString())
                    .isEqualTo(MESSAGE_REF + m.getKey()));
            Set<String> expectedRefs = expected.stream().map(n -> "#/channels/" + channel.getKey() + "/messages/" + n)
                    .collect(Collectors.toCollection(TreeSet::new));
            for (String operation : operationsOn("receive", channel.getKey())) {
                Set<String> refs = operationMessages(operation);
                assertThat(refs).as("operation %s: messages", operation).isEqualTo(expectedRefs);
            }
        });
    }

    /**
     * Who publishes what: a service's send operations name exactly the messages its main code builds
     * ({@code new X(...)} or a factory {@code X.of(...)}): a claim no code backs, or a publisher the document misses,
     * fails.
     */
    @Test
    void sendOperationsNameExactlyTheServicesWhoseCodeBuildsTheMessage() throws IOException {
        Set<String> services = new TreeSet<>();
        doc.at("/info/tags").forEach(tag -> services.add(tag.get("name").asString()));
        try (Stream<Path> modules = Files.list(ROOT)) {
            Set<String> serviceModules = modules.filter(m -> Files.isDirectory(m.resolve("src/main/java")))
                    .map(m -> m.getFileName().toString()).filter(m -> !NOT_SERVICES.contains(m))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(serviceModules).as("services (info.tags) = the repository's service modules").isEqualTo(services);
        }
        Map<String, Set<String>> documented = new TreeMap<>();
        doc.get("operations").properties().forEach(op -> {
            if (op.getValue().get("action").asString().equals("send")) {
                JsonNode tags = op.getValue().get("tags");
                assertThat(tags).as("operation %s names its service in tags", op.getKey()).hasSize(1);
                for (String ref : operationMessages(op.getKey())) {
                    String name = resolve(MessageJson.mapper().createObjectNode().put("$ref", ref)).get("name").asString();
                    documented.computeIfAbsent(name, k -> new TreeSet<>()).add(tags.get(0).get("name").asString());
                }
            }
        });
        Map<String, Set<String>> inCode = new TreeMap<>();
        for (String service : services) {
            String code = sources(ROOT.resolve(service).resolve("src/main/java"));
            for (Class<?> record : records) {
                String name = record.getSimpleName();
                if (Pattern.compile("new " + name + "\\(|\\b" + name + "\\.\\w+\\(").matcher(code).find()) {
                    inCode.computeIfAbsent(name, k -> new TreeSet<>()).add(service);
                }
            }
        }
        assertThat(documented).as("publishers by message: send operations in docs/asyncapi.yaml vs main code")
                .isEqualTo(inCode);
        assertThat(inCode.keySet()).as("every message has a publisher")
                .containsExactlyInAnyOrderElementsOf(records.stream().map(Class::getSimpleName).toList());
    }

    // ---- docs/messages.md against the schemas and the reader ------------------------------------------------------

    @Test
    void everyExampleInMessagesMdIsValidForItsSchemaAndReadsIntoItsRecord() {
        Set<String> names = records.stream().map(Class::getSimpleName).collect(Collectors.toSet());
        assertThat(examples.keySet()).as("messages of the JSON examples in docs/messages.md").isSubsetOf(names);
        assertThat(names).as("every message has an example in docs/messages.md").isSubsetOf(examples.keySet());
        int count = 0;
        for (var entry : examples.entrySet()) {
            for (Example example : entry.getValue()) {
                String name = entry.getKey();
                assertThat(example.heading()).as("the example of %s stands under its heading", name).isEqualTo(name);
                assertThat(validate(name, example.json())).as("example of %s against its payload schema", name).isEmpty();
                assertThat(MessageJson.read(bytes(example.json())).getClass().getSimpleName()).isEqualTo(name);
                count++;
            }
        }
        assertThat(count).isGreaterThanOrEqualTo(records.size());
    }

    @Test
    void anExampleWithoutARequiredFieldIsRejectedByTheSchemaAndByTheReader() {
        ObjectNode noJobId = firstExample("RequestBackup").deepCopy();
        assertThat(validate("RequestBackup", noJobId)).isEmpty();
        noJobId.remove("jobId");
        List<Error> errors = validate("RequestBackup", noJobId);
        assertThat(errors).as("schema errors without jobId").isNotEmpty();
        assertThat(errors.toString()).contains("jobId");
        assertThatThrownBy(() -> MessageJson.read(bytes(noJobId))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("jobId");
    }

    /**
     * A timestamp without zone or offset, as Python's {@code datetime.utcnow().isoformat()} writes it, is refused
     * (the message is dead-lettered), by MessageJson and by the schema; with {@code Z} or an offset it is read.
     * docs/asyncapi.yaml and docs/messages.md say so.
     */
    @Test
    void aTimestampWithoutZoneIsRefusedOneWithZoneOrOffsetIsRead() throws IOException {
        ObjectNode message = firstExample("RequestBackup").deepCopy();
        message.put("occurredAt", TIMESTAMP_WITHOUT_ZONE);
        assertThatThrownBy(() -> MessageJson.read(bytes(message))).isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining(TIMESTAMP_WITHOUT_ZONE);
        assertThat(validate("RequestBackup", message)).as("schema: date-time without offset").isNotEmpty();

        message.put("occurredAt", TIMESTAMP_WITHOUT_ZONE + "Z");
        assertThat(MessageJson.read(bytes(message)).occurredAt()).isEqualTo(Instant.parse("2026-12-07T10:15:30.123456Z"));
        assertThat(validate("RequestBackup", message)).isEmpty();
        message.put("occurredAt", TIMESTAMP_WITHOUT_ZONE + "+01:00");
        assertThat(MessageJson.read(bytes(message)).occurredAt()).isEqualTo(Instant.parse("2026-12-07T09:15:30.123456Z"));
        assertThat(validate("RequestBackup", message)).isEmpty();

        for (String timestamp : List.of("OccurredAt", "Timestamp", "NullableTimestamp")) {
            assertThat(schema(timestamp).get("format").asString()).isEqualTo("date-time");
            assertThat(schema(timestamp).get("description").asString()).as("%s states the rule", timestamp)
                    .contains("without zone or offset").contains(TIMESTAMP_WITHOUT_ZONE);
        }
        assertThat(Files.readString(ROOT.resolve("docs/messages.md"))).as("docs/messages.md states the rule")
                .contains(TIMESTAMP_WITHOUT_ZONE);
    }

    /**
     * The schemas and the reader agree on what is a message: each example with one field removed, set to null, or
     * given a malformed value (a string breaking any pattern, a malformed UUID, a timestamp without zone, a negative
     * or zero count) is valid for the schema exactly when MessageJson reads it. Nested records (schedules,
     * deletions, decisions, retention) are mutated too.
     */
    @Test
    void theSchemasAcceptExactlyWhatMessageJsonReads() {
        List<String> disagreements = new ArrayList<>();
        int[] mutations = {0};
        for (var entry : examples.entrySet()) {
            String name = entry.getKey();
            for (Example example : entry.getValue()) {
                JsonNode payload = inline(message(name).get("payload"));
                mutateEveryField(example.json(), example.json(), payload, "", (mutated, what) -> {
                    mutations[0]++;
                    boolean schemaAccepts = validate(name, mutated).isEmpty();
                    boolean readerAccepts;
                    String reason = "";
                    try {
                        MessageJson.read(bytes(mutated));
                        readerAccepts = true;
                    } catch (InvalidMessageException e) {
                        readerAccepts = false;
                        reason = e.getMessage();
                    }
                    if (schemaAccepts != readerAccepts) {
                        disagreements.add(name + " " + what + ": schema " + (schemaAccepts ? "accepts" : "refuses")
                                + ", MessageJson " + (readerAccepts ? "reads it" : "refuses it (" + reason + ")"));
                    }
                });
            }
        }
        assertThat(mutations[0]).as("mutations tried").isGreaterThan(300);
        assertThat(disagreements).as("mutated examples the schema and MessageJson judge differently").isEmpty();
    }

    private interface Mutation {
        void check(ObjectNode root, String what);
    }

    private static void mutateEveryField(ObjectNode root, ObjectNode object, JsonNode schema, String path, Mutation mutation) {
        for (String field : List.copyOf(schema.get("properties").propertyNames())) {
            if (path.isEmpty() && field.equals("type")) {
                continue;
            }
            JsonNode fieldSchema = schema.get("properties").get(field);
            JsonNode original = object.get(field);
            String where = path + field;
            object.remove(field);
            mutation.check(root, "without " + where);
            object.putNull(field);
            mutation.check(root, where + " null");
            Set<String> types = strings(fieldSchema.get("type"));
            List<JsonNode> malformed = new ArrayList<>();
            if (types.contains("string")) {
                String format = fieldSchema.has("format") ? fieldSchema.get("format").asString() : "";
                malformed.add(JsonNodeFactory.instance.stringNode(switch (format) {
                    case "uuid" -> "not-a-uuid";
                    case "date-time" -> TIMESTAMP_WITHOUT_ZONE;
                    default -> "Not/a valid ..name";
                }));
            }
            if (types.contains("integer") && !field.equals("version")) {
                malformed.add(JsonNodeFactory.instance.numberNode(-1));
                malformed.add(JsonNodeFactory.instance.numberNode(0));
            }
            for (JsonNode value : malformed) {
                object.set(field, value);
                mutation.check(root, where + " = " + value);
            }
            if (original == null) {
                object.remove(field);
            } else {
                object.set(field, original);
            }
            // nested records: mutate the first element of an array of them, or the object itself
            JsonNode nested = fieldSchema.has("items") ? fieldSchema.get("items") : fieldSchema;
            JsonNode value = original != null && original.isArray() && !original.isEmpty() ? original.get(0) : original;
            if (nested.has("properties") && value != null && value.isObject()) {
                mutateEveryField(root, (ObjectNode) value, nested, where + (original.isArray() ? "[0]." : "."), mutation);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static List<Error> validate(String message, JsonNode json) {
        Schema schema = schemas.getSchema(inline(message(message).get("payload")));
        return schema.validate(json);
    }

    private static JsonNode message(String name) {
        JsonNode message = doc.at("/components/messages/" + name);
        assertThat(message.isObject()).as("docs/asyncapi.yaml has components.messages.%s", name).isTrue();
        return message;
    }

    private static JsonNode schema(String name) {
        return doc.at("/components/schemas/" + name);
    }

    private static List<Example> examplesOf(String name) {
        List<Example> found = examples.getOrDefault(name, List.of());
        assertThat(found).as("docs/messages.md has a JSON example of %s", name).isNotEmpty();
        return found;
    }

    private static ObjectNode firstExample(String name) {
        return examplesOf(name).get(0).json();
    }

    /** A local reference ({@code $ref: '#/...'}) followed to what it names; anything else as it is. */
    private static JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current != null && current.isObject() && current.has("$ref"); hops++) {
            String ref = current.get("$ref").asString();
            assertThat(ref).as("only local references").startsWith("#/");
            assertThat(hops).as("reference chain of %s", ref).isLessThan(10);
            current = doc.at(ref.substring(1));
            assertThat(current.isMissingNode()).as("%s exists in docs/asyncapi.yaml", ref).isFalse();
        }
        return current;
    }

    /** A schema with every local reference replaced by what it names, to validate with on its own. */
    private static JsonNode inline(JsonNode node) {
        JsonNode resolved = resolve(node);
        if (resolved.isObject()) {
            ObjectNode copy = MessageJson.mapper().createObjectNode();
            resolved.properties().forEach(e -> copy.set(e.getKey(), inline(e.getValue())));
            return copy;
        }
        if (resolved.isArray()) {
            ArrayNode copy = MessageJson.mapper().createArrayNode();
            resolved.forEach(item -> copy.add(inline(item)));
            return copy;
        }
        return resolved;
    }

    private interface PropertyVisitor {
        void visit(String where, String property, JsonNode schema);
    }

    private static void forEachProperty(JsonNode node, String where, PropertyVisitor visitor) {
        if (node.isObject()) {
            if (node.get("properties") instanceof ObjectNode properties) {
                properties.properties().forEach(p -> visitor.visit(where + "." + p.getKey(), p.getKey(), p.getValue()));
            }
            node.properties().forEach(e -> forEachProperty(e.getValue(), where + "." + e.getKey(), visitor));
        } else if (node.isArray()) {
            node.forEach(item -> forEachProperty(item, where + "[]", visitor));
        }
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> values = new LinkedHashSet<>();
        if (node == null || node.isMissingNode()) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(v -> values.add(v.isNull() ? "null" : v.asString()));
        } else {
            values.add(node.asString());
        }
        return values;
    }

    /** Ids of the channels of the given kind ({@code routingKey} or {@code queue}) that carry message {@code name}. */
    private static List<String> channelsCarrying(String name, String kind) {
        List<String> ids = new ArrayList<>();
        doc.get("channels").properties().forEach(channel -> {
            JsonNode amqp = resolve(channel.getValue().get("bindings")).get("amqp");
            JsonNode messages = channel.getValue().get("messages");
            if (kind.equals(amqp.get("is").asString()) && messages != null && messages.has(name)) {
                assertThat(messages.get(name).get("$ref").asString()).isEqualTo(MESSAGE_REF + name);
                ids.add(channel.getKey());
            }
        });
        return ids;
    }

    private static String queueChannel(String queue) {
        List<String> ids = new ArrayList<>();
        doc.get("channels").properties().forEach(channel -> {
            JsonNode amqp = resolve(channel.getValue().get("bindings")).get("amqp");
            if ("queue".equals(amqp.get("is").asString()) && queue.equals(amqp.at("/queue/name").asString())) {
                assertThat(channel.getValue().get("address").asString()).isEqualTo(queue);
                ids.add(channel.getKey());
            }
        });
        assertThat(ids).as("one queue channel for %s (declared by Topology)", queue).hasSize(1);
        return ids.get(0);
    }

    private static Map<String, Set<String>> bindingKeys(JsonNode amqp) {
        Map<String, Set<String>> keys = new TreeMap<>();
        JsonNode bindings = amqp.get("x-bindings");
        if (bindings != null) {
            bindings.forEach(b -> b.get("routingKeys").forEach(k ->
                    keys.computeIfAbsent(b.get("exchange").asString(), e -> new TreeSet<>()).add(k.asString())));
        }
        return keys;
    }

    private static Set<String> keysOf(String queue, String exchange) {
        return bindingKeys(resolve(doc.at("/channels/" + queueChannel(queue) + "/bindings")).get("amqp"))
                .getOrDefault(exchange, Set.of());
    }

    /** Ids of the operations with this action on this channel. */
    private static List<String> operationsOn(String action, String channel) {
        List<String> ids = new ArrayList<>();
        doc.get("operations").properties().forEach(op -> {
            if (op.getValue().get("action").asString().equals(action)
                    && op.getValue().at("/channel/$ref").asString().equals("#/channels/" + channel)) {
                ids.add(op.getKey());
            }
        });
        return ids;
    }

    private static List<String> operations(String action, String channel, String message) {
        return operationsOn(action, channel).stream()
                .filter(op -> operationMessages(op).contains("#/channels/" + channel + "/messages/" + message)).toList();
    }

    private static Set<String> operationMessages(String operation) {
        Set<String> refs = new TreeSet<>();
        doc.at("/operations/" + operation + "/messages").forEach(m -> {
            String ref = m.get("$ref").asString();
            resolve(m); // must exist
            refs.add(ref);
        });
        return refs;
    }

    /** Topic-exchange matching: {@code *} one word, {@code #} zero or more. */
    static boolean topicMatches(String pattern, String routingKey) {
        return matches(pattern.split("\\."), 0, routingKey.split("\\."), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] words, int w) {
        if (p == pattern.length) {
            return w == words.length;
        }
        if (pattern[p].equals("#")) {
            return matches(pattern, p + 1, words, w) || (w < words.length && matches(pattern, p, words, w + 1));
        }
        return w < words.length && (pattern[p].equals("*") || pattern[p].equals(words[w]))
                && matches(pattern, p + 1, words, w + 1);
    }

    private static <T> List<T> declared(Class<T> kind) {
        List<T> found = new ArrayList<>();
        for (Declarable declarable : Topology.declarables().getDeclarables()) {
            if (kind.isInstance(declarable)) {
                found.add(kind.cast(declarable));
            }
        }
        return found;
    }

    private static Class<?> raw(Type type) {
        return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    }

    private static String sources(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                all.append(Files.readString(file)).append('\n');
            }
            return all.toString();
        }
    }

    private static byte[] bytes(JsonNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
