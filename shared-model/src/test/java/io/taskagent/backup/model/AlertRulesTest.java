package io.taskagent.backup.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class AlertRulesTest {

    private static ConfigureAlerts recipients(String... addresses) {
        return ConfigureAlerts.of(UUID.randomUUID(), "taskagent", Arrays.asList(addresses), null, null, "admin");
    }

    @Test
    void ordinaryAddressesAnEmptyListAndNoListAtAllAreAccepted() {
        assertThat(AlertRules.problems(recipients("oncall@taskagent.test", "first.last+backups@mail.example.com",
                "o'brien@example.co.uk", "ops@localhost", "x@xn--bcher-kva.example", "a_b-c@sub-domain.example"))).isEmpty();
        assertThat(AlertRules.problems(recipients())).isEmpty();
        assertThat(AlertRules.problems(ConfigureAlerts.of(UUID.randomUUID(), "taskagent", null, false, false, "admin")))
                .isEmpty();
    }

    @Test
    void eachBadAddressIsNamedByItsIndex() {
        Map<String, String> problems = AlertRules.problems(recipients("ok@example.com", "no-at-sign", "", null,
                "two@@example.com", " padded@example.com", "Name <n@example.com>", ".dot@example.com",
                "a..b@example.com", "a@-bad.example", "a@exa_mple.com", "a@example..com", "a@", "@example.com",
                "ok@example.com"));
        assertThat(problems.keySet()).containsExactly("emailRecipients[1]", "emailRecipients[2]",
                "emailRecipients[3]", "emailRecipients[4]", "emailRecipients[5]", "emailRecipients[6]",
                "emailRecipients[7]", "emailRecipients[8]", "emailRecipients[9]", "emailRecipients[10]",
                "emailRecipients[11]", "emailRecipients[12]", "emailRecipients[13]", "emailRecipients[14]");
        assertThat(problems.get("emailRecipients[1]"))
                .isEqualTo("'no-at-sign' is not an e-mail address of the form local-part@domain");
        assertThat(problems.get("emailRecipients[2]")).isEqualTo("must not be blank");
        assertThat(problems.get("emailRecipients[3]")).isEqualTo("must not be blank");
        assertThat(problems.get("emailRecipients[5]")).contains("spaces around it");
        assertThat(problems.get("emailRecipients[6]")).contains("the part before '@'");
        assertThat(problems.get("emailRecipients[9]")).contains("the domain must be");
        assertThat(problems.get("emailRecipients[14]"))
                .isEqualTo("'ok@example.com' is listed twice (also emailRecipients[0])");
    }

    @Test
    void lengthsAreBounded() {
        String local64 = "l".repeat(64);
        assertThat(AlertRules.addressProblem(local64 + "@example.com")).isNull();
        assertThat(AlertRules.addressProblem("l" + local64 + "@example.com")).contains("longer than 64");
        assertThat(AlertRules.addressProblem("a@" + "d".repeat(63) + ".example")).isNull();
        assertThat(AlertRules.addressProblem("a@" + "d".repeat(64) + ".example")).contains("the domain");
        String long255 = "a@" + String.join(".", List.of("d".repeat(60), "d".repeat(60), "d".repeat(60), "d".repeat(70)));
        assertThat(AlertRules.addressProblem(long255.substring(0, 255))).isEqualTo("is longer than 254 characters");
    }

    @Test
    void atMostFiftyRecipients() {
        List<String> fifty = new ArrayList<>(IntStream.range(0, 50).mapToObj(i -> "r" + i + "@example.com").toList());
        assertThat(AlertRules.problems(recipients(fifty.toArray(String[]::new)))).isEmpty();
        fifty.add("r50@example.com");
        assertThat(AlertRules.problems(recipients(fifty.toArray(String[]::new))))
                .containsExactly(Map.entry("emailRecipients", "at most 50 recipients, got 51"));
    }

    @Test
    void theFailureEventsAreTheThreeFailedKinds() {
        assertThat(AlertRules.isFailureEvent(BackupFailed.of(UUID.randomUUID(), "t", "manual", "r", 1))).isTrue();
        assertThat(AlertRules.isFailureEvent(RestoreFailed.of(UUID.randomUUID(), "t", UUID.randomUUID(), "db", "r")))
                .isTrue();
        assertThat(AlertRules.isFailureEvent(VerifyFailed.of(UUID.randomUUID(), "t", UUID.randomUUID(), "f",
                List.of("x")))).isTrue();
        assertThat(AlertRules.isFailureEvent(DiskSpaceLow.of(UUID.randomUUID(), "t", "/d", 1, 2))).isFalse();
    }
}
