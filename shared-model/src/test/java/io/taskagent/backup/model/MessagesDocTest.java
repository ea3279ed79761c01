package io.taskagent.backup.model;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/messages.md shows one example per message; each must parse into its record and re-serialize identically. */
class MessagesDocTest {

    private static final Pattern SECTION = Pattern.compile("^## (\\w+)\\s*$(.*?)^```json\\s*$(.*?)^```\\s*$",
            Pattern.MULTILINE | Pattern.DOTALL);

    @Test
    void everyMessageHasAnExampleThatRoundTripsExactly() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "messages.md"));
        Map<String, String> examples = new LinkedHashMap<>();
        Matcher m = SECTION.matcher(doc);
        while (m.find()) {
            examples.put(m.group(1), m.group(3));
        }
        var expected = Arrays.stream(BackupMessage.class.getPermittedSubclasses())
                .map(Class::getSimpleName).collect(Collectors.toSet());
        assertThat(examples.keySet()).as("messages documented in docs/messages.md").containsExactlyInAnyOrderElementsOf(expected);

        examples.forEach((name, json) -> {
            BackupMessage message = MessageJson.read(json.getBytes());
            assertThat(message.getClass().getSimpleName()).as("type of the example under '## %s'", name).isEqualTo(name);
            JsonNode documented = MessageJson.mapper().readTree(json);
            JsonNode written = MessageJson.mapper().readTree(MessageJson.write(message));
            assertThat(written).as("example of %s re-serialized (a field was added, renamed or removed?)", name)
                    .isEqualTo(documented);
        });
    }
}
