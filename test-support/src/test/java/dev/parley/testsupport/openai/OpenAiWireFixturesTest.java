package dev.parley.testsupport.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.parley.testsupport.OpenAiSpec;
import org.junit.jupiter.api.Test;

/**
 * Every fixture under {@code openai/wire/} is what OpenAI's API description allows: each JSON body against its
 * response schema, each chunk of each stream against {@code CreateChatCompletionStreamResponse}, and each stream
 * closes with {@code data: [DONE]}. Also the stream details the schema cannot express, and one round trip through
 * the WireMock stubs.
 */
class OpenAiWireFixturesTest {
    static final Map<String, String> JSON_FIXTURES = Map.of(
            "chat-completion.json", "CreateChatCompletionResponse",
            "chat-completion-tool-calls.json", "CreateChatCompletionResponse",
            "embeddings.json", "CreateEmbeddingResponse",
            "models.json", "ListModelsResponse",
            "error-400-context-length.json", "ErrorResponse",
            "error-401.json", "ErrorResponse",
            "error-429.json", "ErrorResponse",
            "error-500.json", "ErrorResponse");
    static final List<String> SSE_FIXTURES = List.of(
            "chat-stream.sse", "chat-stream-no-usage.sse", "chat-stream-tool-calls.sse");

    private final OpenAiSpec spec = OpenAiSpec.get();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void everyJsonFixtureValidatesAgainstItsSchema() {
        JSON_FIXTURES.forEach((name, schema) -> spec.assertValid(schema, OpenAiWire.fixture(name)));
    }

    @Test
    void everyChunkOfEveryStreamValidatesAndEachStreamEndsWithDone() {
        for (String name : SSE_FIXTURES) {
            String body = OpenAiWire.fixture(name);
            assertTrue(body.endsWith("\n\ndata: [DONE]\n\n"), name + " must end with data: [DONE]");
            List<String> chunks = OpenAiWire.sseDataLines(body);
            assertFalse(chunks.isEmpty(), name);
            for (String chunk : chunks) {
                spec.assertValid("CreateChatCompletionStreamResponse", chunk);
            }
            // the exact framing: "data: <json>\n\n" per event and nothing else
            String reframed = chunks.stream().map(c -> "data: " + c + "\n\n").collect(Collectors.joining())
                    + "data: [DONE]\n\n";
            assertEquals(reframed, body, name + " framing");
        }
    }

    @Test
    void noFixtureGoesUnvalidated() throws Exception {
        URL dir = OpenAiWire.class.getResource("/openai/wire/");
        if (dir == null || !"file".equals(dir.getProtocol())) {
            return; // packed in a jar: the listing is the build's job
        }
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            TreeSet<String> present = files.map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            TreeSet<String> covered = new TreeSet<>(JSON_FIXTURES.keySet());
            covered.addAll(SSE_FIXTURES);
            assertEquals(covered, present);
        }
    }

    @Test
    void includeUsageStreamsCarryUsageNullThenAFinalUsageOnlyChunk() throws Exception {
        for (String name : List.of("chat-stream.sse", "chat-stream-tool-calls.sse")) {
            List<JsonNode> chunks = parse(name);
            JsonNode last = chunks.get(chunks.size() - 1);
            assertEquals(0, last.get("choices").size(), name + ": the usage chunk has no choices");
            assertTrue(last.get("usage").isObject(), name);
            JsonNode usage = last.get("usage");
            assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(),
                    usage.get("total_tokens").asInt(), name);
            for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
                assertTrue(chunk.has("usage") && chunk.get("usage").isNull(), name + ": usage is null before the end");
                assertEquals(1, chunk.get("choices").size(), name);
            }
            assertSameIdCreatedModel(name, chunks);
        }
        List<JsonNode> plain = parse("chat-stream-no-usage.sse");
        for (JsonNode chunk : plain) {
            assertFalse(chunk.has("usage"), "without include_usage no chunk has a usage field");
            assertEquals(1, chunk.get("choices").size());
        }
        assertSameIdCreatedModel("chat-stream-no-usage.sse", plain);
    }

    @Test
    void textStreamsOpenWithTheRoleAndCloseWithStop() throws Exception {
        for (String name : List.of("chat-stream.sse", "chat-stream-no-usage.sse")) {
            List<JsonNode> choices = parse(name).stream().filter(c -> c.get("choices").size() == 1)
                    .map(c -> c.get("choices").get(0)).toList();
            assertEquals(mapper.readTree("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"),
                    choices.get(0).get("delta"), name);
            JsonNode end = choices.get(choices.size() - 1);
            assertEquals(0, end.get("delta").size(), name + ": the finishing chunk has an empty delta");
            assertEquals("stop", end.get("finish_reason").asText(), name);
            StringBuilder text = new StringBuilder();
            for (JsonNode choice : choices.subList(0, choices.size() - 1)) {
                assertTrue(choice.get("finish_reason").isNull(), name);
                text.append(choice.get("delta").get("content").asText());
            }
            JsonNode whole = mapper.readTree(OpenAiWire.fixture("chat-completion.json"));
            assertEquals(whole.at("/choices/0/message/content").asText(), text.toString(), name);
        }
    }

    @Test
    void toolCallStreamAssemblesToTheTwoParallelCalls() throws Exception {
        List<JsonNode> choices = parse("chat-stream-tool-calls.sse").stream()
                .filter(c -> c.get("choices").size() == 1).map(c -> c.get("choices").get(0)).toList();
        String[] ids = new String[2];
        String[] names = new String[2];
        StringBuilder[] args = {new StringBuilder(), new StringBuilder()};
        for (JsonNode choice : choices.subList(0, choices.size() - 1)) {
            assertTrue(choice.get("finish_reason").isNull());
            JsonNode calls = choice.get("delta").get("tool_calls");
            assertEquals(1, calls.size());
            JsonNode call = calls.get(0);
            int i = call.get("index").asInt();
            if (ids[i] == null) { // the first delta of a call names it and opens empty arguments
                ids[i] = call.get("id").asText();
                assertEquals("function", call.get("type").asText());
                names[i] = call.get("function").get("name").asText();
                assertEquals("", call.get("function").get("arguments").asText());
            } else {
                assertFalse(call.has("id") || call.has("type") || call.get("function").has("name"),
                        "later deltas carry argument fragments only");
            }
            args[i].append(call.get("function").get("arguments").asText());
        }
        JsonNode end = choices.get(choices.size() - 1);
        assertEquals("tool_calls", end.get("finish_reason").asText());
        assertEquals(0, end.get("delta").size());

        JsonNode whole = mapper.readTree(OpenAiWire.fixture("chat-completion-tool-calls.json"));
        JsonNode message = whole.at("/choices/0/message");
        assertTrue(message.get("content").isNull());
        assertEquals("tool_calls", whole.at("/choices/0/finish_reason").asText());
        for (int i = 0; i < 2; i++) {
            JsonNode call = message.get("tool_calls").get(i);
            assertEquals(call.get("id").asText(), ids[i]);
            assertEquals(call.at("/function/name").asText(), names[i]);
            assertEquals(call.at("/function/arguments").asText(), args[i].toString());
            assertTrue(mapper.readTree(args[i].toString()).isObject(), "arguments are a JSON object in a string");
        }
    }

    @Test
    void sseDataLinesFollowsTheSseRules() {
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}", "x"),
                OpenAiWire.sseDataLines(": keep-alive\r\n\r\ndata: {\"a\":1}\r\n\r\nevent: e\ndata:{\"b\":2}\n\ndata: x\rdata: [DONE]\n\n"));
        assertEquals("/v1/models", OpenAiWire.path("/v1/", "/models"));
        assertEquals("/openai/v1/models", OpenAiWire.path("openai/v1", "/models"));
        assertEquals("/models", OpenAiWire.path("", "/models"));
    }

    @Test
    void stubsServeTheFixturesAtAnyBasePath() throws Exception {
        WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            OpenAiWire.chat(wm, "/openai/v1", "chat-completion.json");
            OpenAiWire.chatStream(wm, "", "chat-stream.sse");
            OpenAiWire.embeddings(wm, "embeddings.json");
            OpenAiWire.models(wm, "models.json");

            HttpResponse<String> plain = http.send(post(wm, "/openai/v1/chat/completions", "{\"model\":\"m\"}"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals(OpenAiWire.fixture("chat-completion.json"), plain.body());

            HttpResponse<byte[]> stream = http.send(post(wm, "/chat/completions", "{\"model\":\"m\",\"stream\":true}"),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, stream.statusCode());
            assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            assertEquals(OpenAiWire.fixture("chat-stream.sse"), new String(stream.body(), StandardCharsets.UTF_8));
            assertEquals(404, http.send(post(wm, "/chat/completions", "{\"model\":\"m\"}"),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "a stream stub answers stream requests only");

            assertEquals(OpenAiWire.fixture("embeddings.json"), http.send(post(wm, "/v1/embeddings", "{}"),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(OpenAiWire.fixture("models.json"), http.send(
                    HttpRequest.newBuilder(URI.create(wm.baseUrl() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());

            OpenAiWire.chatError(wm, 429, "error-429.json", OpenAiWire.RATE_LIMITED_HEADERS);
            HttpResponse<String> limited = http.send(post(wm, "/v1/chat/completions", "{\"stream\":true}"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(429, limited.statusCode());
            assertEquals("1", limited.headers().firstValue("retry-after").orElseThrow());
            assertEquals("0", limited.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
            assertEquals("application/json", limited.headers().firstValue("content-type").orElseThrow());
            assertEquals(OpenAiWire.fixture("error-429.json"), limited.body());
        } finally {
            wm.stop();
        }
    }

    private static HttpRequest post(WireMockServer wm, String path, String body) {
        return HttpRequest.newBuilder(URI.create(wm.baseUrl() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private List<JsonNode> parse(String name) throws Exception {
        List<String> lines = OpenAiWire.sseDataLines(OpenAiWire.fixture(name));
        JsonNode[] out = new JsonNode[lines.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = mapper.readTree(lines.get(i));
        }
        return List.of(out);
    }

    private static void assertSameIdCreatedModel(String name, List<JsonNode> chunks) {
        JsonNode first = chunks.get(0);
        for (JsonNode chunk : chunks) {
            for (String field : List.of("id", "object", "created", "model", "system_fingerprint")) {
                assertEquals(first.get(field), chunk.get(field), name + ": every chunk repeats " + field);
            }
        }
    }
}
