package io.taskagent.backup.system;

import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.MessageJson;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Payloads no consumer may act on, derived from one valid message of the queue (seeded, so a failure repeats):
 * random bytes, the message cut short, a required envelope field removed or of the wrong type, a timestamp without
 * zone, bytes that are not UTF-8 inside a string, nesting deeper than the reader allows, and the valid message under
 * another routing key of the same queue (what a topic permission lets through). Each is published with a routing key
 * the queue is bound to.
 */
final class PoisonMessages {

    /** One payload and the routing key it is published with. */
    record Poison(String kind, String routingKey, byte[] body) {
    }

    private PoisonMessages() {
    }

    static List<Poison> of(BackupMessage valid, List<String> queueKeys, int count, long seed) {
        Random random = new Random(seed);
        String json = new String(MessageJson.write(valid), StandardCharsets.UTF_8);
        String key = valid.routingKey();
        List<String> others = queueKeys.stream().filter(k -> !k.equals(key)).toList();
        List<Poison> all = new ArrayList<>();
        byte[] validBytes = json.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; all.size() < count; i++) {
            switch (i % 8) {
                case 0 -> {
                    byte[] bytes = new byte[random.nextInt(200)];
                    random.nextBytes(bytes);
                    all.add(new Poison("random bytes", key, bytes));
                }
                case 1 -> all.add(new Poison("cut short", key,
                        json.substring(0, random.nextInt(json.length() - 1)).getBytes(StandardCharsets.UTF_8)));
                case 2 -> {
                    String field = List.of("messageId", "jobId", "target", "occurredAt", "version")
                            .get(random.nextInt(5));
                    all.add(new Poison("without " + field, key,
                            json.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+),?", "")
                                    .replace(",}", "}").getBytes(StandardCharsets.UTF_8)));
                }
                case 3 -> {
                    String[] swap = List.of(new String[]{"\"version\":1", "\"version\":\"one\""},
                            new String[]{"\"jobId\":\"", "\"jobId\":12,\"x\":\""},
                            new String[]{"\"messageId\":\"", "\"messageId\":\"not-a-uuid-"}).get(random.nextInt(3));
                    all.add(new Poison("wrong type", key, json.replaceFirst(java.util.regex.Pattern.quote(swap[0]),
                            java.util.regex.Matcher.quoteReplacement(swap[1])).getBytes(StandardCharsets.UTF_8)));
                }
                case 4 -> all.add(new Poison("timestamp without zone", key,
                        json.replaceFirst("\"occurredAt\":\"([^\"Z]*)Z\"", "\"occurredAt\":\"$1\"")
                                .getBytes(StandardCharsets.UTF_8)));
                case 5 -> {
                    byte[] bytes = json.replaceFirst("\"target\":\"[^\"]*\"", "\"target\":\"@@\"")
                            .getBytes(StandardCharsets.UTF_8);
                    String text = new String(bytes, StandardCharsets.ISO_8859_1);
                    int at = text.indexOf("@@");
                    bytes[at] = (byte) 0xC3; // a lead byte followed by '@': not UTF-8
                    all.add(new Poison("not UTF-8", key, bytes));
                }
                case 6 -> {
                    int depth = 2000 + random.nextInt(2000);
                    String nested = "[".repeat(depth) + "]".repeat(depth);
                    all.add(new Poison("nested " + depth + " deep", key,
                            json.replaceFirst("\\{", "{\"deep\":" + nested + ",").getBytes(StandardCharsets.UTF_8)));
                }
                default -> all.add(new Poison("another routing key", others.isEmpty() ? "no.such.key"
                        : others.get(random.nextInt(others.size())), json.getBytes(StandardCharsets.UTF_8)));
            }
            Poison last = all.get(all.size() - 1);
            if (!last.kind().equals("another routing key") && java.util.Arrays.equals(last.body(), validBytes)) {
                all.remove(all.size() - 1); // the mutation found nothing to change: not a poison, drop it
            }
        }
        return all;
    }
}
