package io.taskagent.backup.alert.webhook;

import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertComposer;
import io.taskagent.backup.alert.channel.Severity;
import io.taskagent.backup.model.BackupFailed;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.VerifyFailed;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookPayloadsTest {

    private final AlertComposer composer = new AlertComposer();

    private Alert failed(String reason) {
        return composer.compose(BackupFailed.of(UUID.randomUUID(), "taskagent", "manual", reason, 1), Severity.CRITICAL, 3,
                Instant.parse("2026-11-28T10:00:00Z"));
    }

    @Test
    void slackGetsTextWithTheSubjectTheFactsAndEscapedControlCharacters() {
        Alert alert = failed("<@channel> & co");
        JsonNode json = MessageJson.mapper().readTree(SlackChannel.payload(alert));
        assertThat(json.propertyNames()).containsExactly("text");
        String text = json.get("text").asString();
        assertThat(text).startsWith(":rotating_light: *[backup] FAILED: manual backup of taskagent (+3 suppressed)*\nA backup failed.\n```\n")
                .contains("Job:         " + alert.jobId()).contains("&lt;@channel&gt; &amp; co")
                .contains("3 similar alerts suppressed").doesNotContain("<@channel>");
    }

    @Test
    void discordGetsContentOfAtMost2000CharactersWithoutMentions() {
        List<String> problems = IntStream.range(0, 200).mapToObj(i -> "public.table_" + i + ": 10 rows read, manifest says 11").toList();
        Alert alert = composer.compose(VerifyFailed.of(UUID.randomUUID(), "taskagent", UUID.randomUUID(), "f.json.zst", problems),
                Severity.CRITICAL, 0, null);
        JsonNode json = MessageJson.mapper().readTree(DiscordChannel.payload(alert));
        String content = json.get("content").asString();
        assertThat(content).hasSizeLessThanOrEqualTo(DiscordChannel.MAX_CONTENT).hasSizeGreaterThan(1900)
                .startsWith("**[backup] VERIFY FAILED: backup f.json.zst of taskagent**\n")
                .contains("public.table_0").endsWith("\n```\n" + alert.footer());
        assertThat(json.get("allowed_mentions").get("parse").size()).isZero();

        String small = MessageJson.mapper().readTree(DiscordChannel.payload(failed("```boom```"))).get("content").asString();
        assertThat(small).contains("'''boom'''").contains("Reason:      '''boom'''");
    }

    @Test
    void theGenericWebhookGetsTheAlertAndTheEventItself() {
        Alert alert = failed("disk full");
        Instant sent = Instant.parse("2026-11-28T10:00:05Z");
        JsonNode json = MessageJson.mapper().readTree(JsonWebhookChannel.payload(alert, sent));
        assertThat(json.get("alert").get("kind").asString()).isEqualTo("BackupFailed");
        assertThat(json.get("alert").get("severity").asString()).isEqualTo("critical");
        assertThat(json.get("alert").get("subject").asString()).isEqualTo(alert.subject());
        assertThat(json.get("alert").get("suppressedCount").asInt()).isEqualTo(3);
        assertThat(json.get("alert").get("suppressedSince").asString()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(json.get("alert").get("sentAt").asLong()).isEqualTo(sent.getEpochSecond());
        assertThat(json.get("alert").get("sourceMessageId").asString()).isEqualTo(alert.messageId().toString());
        assertThat(MessageJson.read(MessageJson.mapper().writeValueAsBytes(json.get("event")))).isEqualTo(alert.event());
    }

    @Test
    void theSignatureIsHmacSha256OfTheRawBody() {
        // RFC 4231, test case 2
        assertThat(Hmac.sha256Hex("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
