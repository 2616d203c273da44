package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input on every operation that takes a JSON body, generated (property-based, from a fixed seed so a failure
 * replays): malformed JSON, each declared field with a wrong type, huge strings, deep nesting, invalid UTF-8 and
 * bodies over the limit. Every answer must be a 4xx in the error shape (OpenAI's on /v1), never a 5xx.
 */
@Order(4)
class BadInputIT {
    static final long SEED = Long.getLong("parley.e2e.seed", 20261130L);
    static final int CASES_PER_OPERATION = Integer.getInteger("parley.e2e.cases", 100);
    /** Operations left out: a garbage body must not be able to rotate the signing key mid-suite (tested elsewhere). */
    static final Set<String> SKIP = Set.of("POST /api/v1/auth/signing-keys/rotate", "POST /api/v1/provider-keys/re-encrypt");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final AtomicInteger SENT = new AtomicInteger();

    private static E2e e2e;
    private static E2e.User user;
    private static String admin;
    private static Map<String, String> owned;
    private static Map<String, JsonNode> docs;

    @BeforeAll
    static void setUp() throws Exception {
        e2e = E2e.get();
        user = e2e.register("fuzz");
        admin = e2e.adminToken();
        owned = new LinkedHashMap<>();
        owned.put("provider-key", e2e.providerKey(user, "openai", MockProvider.OPENAI, "sk-e2e-fuzz-not-a-real-key"));
        Api.Response key = e2e.api.post("/api/v1/access-keys", user.accessToken(), Map.of("name", "fuzzed"));
        owned.put("access-key", key.path("id").asText());
        Api.Response s = e2e.api.post("/api/v1/sessions", user.accessToken(), Map.of("model", "openai/gpt-4o-mini",
                "memory_mode", "DISABLED"));
        owned.put("session", s.path("id").asText());
        Api.Response t = e2e.api.post("/api/v1/sessions/" + owned.get("session") + "/messages", user.accessToken(),
                Map.of("content", "hello"));
        owned.put("message", t.path("assistant_message").path("id").asText());
        owned.put("memory", e2e.api.post("/api/v1/memories", user.accessToken(), Map.of("content", "Fuzz likes figs"))
                .path("id").asText());
        docs = new LinkedHashMap<>();
        for (String service : SecurityIT.SERVICES) {
            docs.put(service, new Api(e2e.platform.serviceUrl(service)).get("/q/openapi?format=json", null).json());
        }
    }

    @AfterAll
    static void report() {
        System.out.println("BadInputIT: " + SENT.get() + " bad requests sent (seed " + SEED + ")");
    }

    @TestFactory
    Stream<DynamicTest> everyOperationAnswersBadInputWithA4xxInTheErrorShape() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String service : SecurityIT.SERVICES) {
            JsonNode doc = docs.get(service);
            doc.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(o -> {
                String method = o.getKey().toUpperCase();
                String path = p.getKey();
                JsonNode schema = o.getValue().path("requestBody").path("content").path("application/json").path("schema");
                if (path.startsWith("/internal/") || schema.isMissingNode() || SKIP.contains(method + " " + path)) {
                    return;
                }
                boolean adminOnly = o.getValue().path("security").toString().contains("\"admin\"");
                tests.add(DynamicTest.dynamicTest(method + " " + path, () -> fuzz(doc, method, path, schema, adminOnly)));
            }));
        }
        assertTrue(tests.size() > 25, "operations with a JSON body: " + tests.size());
        return tests.stream();
    }

    private void fuzz(JsonNode doc, String method, String path, JsonNode schema, boolean adminOnly) {
        Random random = new Random(SEED ^ (method + path).hashCode());
        String filled = fillPath(path);
        String token = adminOnly ? admin : user.accessToken();
        JsonNode resolved = resolve(doc, schema);
        List<String> failures = new ArrayList<>();
        Iterator<byte[]> cases = cases(doc, resolved, random).iterator();
        int n = 0;
        while (cases.hasNext() && n < CASES_PER_OPERATION) {
            byte[] body = cases.next();
            n++;
            Api.Response r = e2e.api.send(method, filled, token, body, Map.of());
            SENT.incrementAndGet();
            String shown = body.length > 200 ? new String(body, 0, 200, StandardCharsets.UTF_8) + "…(" + body.length + " bytes)"
                    : new String(body, StandardCharsets.UTF_8);
            if (r.status() >= 500) {
                failures.add(r.status() + " for " + shown + ": " + r.text());
            } else if (r.status() >= 400) {
                JsonNode error = r.json().path("error");
                boolean shaped = error.isObject() && error.hasNonNull("message")
                        && (path.startsWith("/v1/") ? error.has("type") : error.hasNonNull("code") && r.json().hasNonNull("request_id"));
                if (!shaped) {
                    failures.add(r.status() + " not in the error shape for " + shown + ": " + r.text());
                }
            } else if (!lenient(body)) {
                failures.add(r.status() + " (accepted) for " + shown + ": " + r.text());
            }
        }
        // one body over every service's limit (32 MB on the gateway and session-service): 413, not a 5xx
        byte[] huge = new byte[33 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) 'a');
        huge[0] = '"';
        huge[huge.length - 1] = '"';
        Api.Response big = e2e.api.send(method, filled, token, huge, Map.of());
        SENT.incrementAndGet();
        if (big.status() != 413) {
            failures.add("a 33 MB body answered " + big.status() + ": " + big.text().substring(0, Math.min(300, big.text().length())));
        }
        assertEquals(List.of(), failures, method + " " + path);
    }

    /** Generated cases that may legitimately be accepted: a JSON null where the whole body is optional. */
    private static boolean lenient(byte[] body) {
        return new String(body, StandardCharsets.UTF_8).equals("null");
    }

    private static String fillPath(String path) {
        String id = SecurityIT.resourceFor(path, owned);
        Map<String, String> values = new LinkedHashMap<>();
        if (path.contains("{")) {
            String first = path.substring(path.indexOf('{') + 1, path.indexOf('}'));
            values.put(first, id != null ? id : first.contains("user") ? user.id() : UUID.randomUUID().toString());
        }
        return SecurityIT.fill(path, values);
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        JsonNode s = schema;
        for (int i = 0; i < 5 && s.has("$ref"); i++) {
            String ref = s.path("$ref").asText();
            s = doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return s;
    }

    /** An endless supply of invalid bodies for the schema. */
    private static Stream<byte[]> cases(JsonNode doc, JsonNode schema, Random random) {
        List<String> fields = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(fields::add);
        return Stream.generate(() -> {
            int kind = random.nextInt(8);
            return switch (kind) {
                case 0 -> malformed(random);
                case 1 -> invalidUtf8(random);
                case 2 -> deep(random);
                case 3, 4 -> wrongType(doc, schema, fields, random);
                case 5 -> hugeString(fields, random);
                case 6 -> notAnObject(random);
                default -> unknownAndWrong(fields, random);
            };
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] malformed(Random random) {
        String[] broken = {"{", "}", "{\"a\":", "{\"a\" 1}", "{'a':1}", "{\"a\":1,}", "[1,2", "{\"a\":tru}", "nul",
                "{\"a\":\"unterminated}", "{\"a\":1}}", "{\"a\":01}", "{\"a\":NaN}", "\u0000", "{\"a\":\"\\x41\"}",
                "{\"content\":\"hi\"} trailing", "<xml/>", "--", "{\"a\":1e999999}"};
        return bytes(broken[random.nextInt(broken.length)]);
    }

    private static byte[] invalidUtf8(Random random) {
        byte[] prefix = bytes("{\"content\":\"");
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] out = new byte[prefix.length + bad.length + 2];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        for (int i = 0; i < bad.length; i++) {
            out[prefix.length + i] = bad[random.nextInt(bad.length)];
        }
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    private static byte[] deep(Random random) {
        int depth = 2_000 + random.nextInt(20_000);
        StringBuilder sb = new StringBuilder(depth * 8);
        sb.append("{\"content\":");
        for (int i = 0; i < depth; i++) {
            sb.append(random.nextBoolean() ? "[" : "{\"a\":");
        }
        return bytes(sb.toString()); // never closed: deep and malformed both
    }

    private static byte[] notAnObject(Random random) {
        String[] values = {"[]", "[{}]", "42", "\"text\"", "true", "null", "[[[]]]", "-0.0"};
        return bytes(values[random.nextInt(values.length)]);
    }

    private static byte[] hugeString(List<String> fields, Random random) {
        String field = fields.isEmpty() ? "content" : fields.get(random.nextInt(fields.size()));
        int length = 2_000_000 + random.nextInt(1_000_000);
        StringBuilder sb = new StringBuilder(length + 64).append("{\"").append(field).append("\":\"");
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return bytes(sb.append("\"}").toString());
    }

    /**
     * A property's JSON type: OpenAPI 3.0's {@code "type":"string"} or 3.1's {@code "type":["string","null"]} (the
     * non-null one: null itself may be allowed, so it is never sent as the wrong value), {@code object} for a schema
     * with properties, empty when the schema says nothing.
     */
    static String typeOf(JsonNode prop) {
        JsonNode t = prop.path("type");
        if (t.isArray()) {
            for (JsonNode each : t) {
                if (!"null".equals(each.asText())) {
                    return each.asText();
                }
            }
        }
        if (t.isTextual()) {
            return t.asText();
        }
        for (String combinator : List.of("anyOf", "oneOf", "allOf")) {
            for (JsonNode each : prop.path(combinator)) {
                String inner = typeOf(each);
                if (!inner.isEmpty() && !inner.equals("null")) {
                    return inner;
                }
            }
        }
        return prop.has("properties") ? "object" : "";
    }

    /** One declared field with a value of a type its schema does not allow; the other fields absent. */
    private static byte[] wrongType(JsonNode doc, JsonNode schema, List<String> fields, Random random) {
        if (fields.isEmpty()) {
            return malformed(random);
        }
        String field = fields.get(random.nextInt(fields.size()));
        JsonNode prop = resolve(doc, schema.path("properties").path(field));
        String type = typeOf(prop);
        ObjectNode body = F.objectNode();
        List<JsonNode> wrong = new ArrayList<>();
        if (!type.equals("string")) {
            wrong.add(F.textNode("not-a-" + (type.isEmpty() ? "value" : type)));
        }
        if (!type.equals("integer") && !type.equals("number")) {
            wrong.add(F.numberNode(random.nextInt(1000) - 500));
        }
        if (!type.equals("boolean")) {
            wrong.add(F.booleanNode(random.nextBoolean()));
        }
        if (!type.equals("array")) {
            ArrayNode a = F.arrayNode().add(1).add("two");
            wrong.add(a);
        }
        if (!type.equals("object") && !type.isEmpty()) {
            wrong.add(F.objectNode().put("x", 1));
        }
        if (wrong.isEmpty()) {
            wrong.add(F.arrayNode());
        }
        body.set(field, wrong.get(random.nextInt(wrong.size())));
        return bytes(body.toString());
    }

    private static byte[] unknownAndWrong(List<String> fields, Random random) {
        ObjectNode body = F.objectNode();
        body.put("no_such_field_" + random.nextInt(1000), "x");
        if (!fields.isEmpty()) {
            body.putArray(fields.get(random.nextInt(fields.size()))).add(F.objectNode());
        }
        return bytes(body.toString());
    }
}
