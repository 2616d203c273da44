package dev.parley.gateway.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.ChatJson;
import dev.parley.testsupport.OpenAiSpec;
import dev.parley.testsupport.openai.OpenAiWire;

/** Test helpers: run a provider's stream through a translator as the gateway does, compare whole JSON documents. */
final class WireTranslation {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private WireTranslation() { }

    static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static ObjectNode obj(String s) {
        return (ObjectNode) json(s);
    }

    /** The chunks a client receives for an SSE fixture: translated, then normalised as the proxy does. */
    static List<ObjectNode> stream(StreamTranslator t, String sse, String model) {
        List<ObjectNode> out = new ArrayList<>();
        BitSet seen = new BitSet();
        for (String data : OpenAiWire.sseDataLines(sse)) {
            for (ObjectNode c : t.onEvent(json(data))) {
                ChatJson.normalizeChunk(c, model, seen);
                out.add(c);
            }
        }
        for (ObjectNode c : t.end()) {
            ChatJson.normalizeChunk(c, model, seen);
            out.add(c);
        }
        return out;
    }

    /** Every chunk validates against OpenAI's description of a stream chunk. */
    static void assertValidChunks(List<ObjectNode> chunks) {
        for (ObjectNode c : chunks) {
            OpenAiSpec.get().assertValid("CreateChatCompletionStreamResponse", c.toString());
        }
    }

    /** Compares whole documents with the wall-clock {@code created} and random tool call ids fixed. */
    static void assertSameJson(String expected, Object actual) {
        assertEquals(json(expected), json(stable(actual.toString())));
    }

    /** One JSON document per line, comparable as a whole. */
    static void assertSameChunks(String expectedLines, List<ObjectNode> chunks) {
        List<JsonNode> expected = new ArrayList<>();
        for (String line : expectedLines.strip().split("\n")) {
            expected.add(json(line));
        }
        List<JsonNode> actual = new ArrayList<>();
        for (ObjectNode c : chunks) {
            actual.add(json(stable(c.toString())));
        }
        assertEquals(expected, actual);
    }

    private static String stable(String json) {
        return json.replaceAll("\"created\":\\d+", "\"created\":0")
                .replaceAll("\"call_[0-9a-f]+", "\"call_X")
                .replaceAll("\"chatcmpl-[0-9a-f]{32}\"", "\"chatcmpl-X\"");
    }
}
