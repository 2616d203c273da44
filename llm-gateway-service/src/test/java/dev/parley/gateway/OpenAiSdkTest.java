package dev.parley.gateway;

import static dev.parley.gateway.GatewayFixtures.accessKey;
import static dev.parley.gateway.GatewayFixtures.json;
import static dev.parley.gateway.GatewayFixtures.providerKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.parley.testsupport.AuthServiceStub;
import dev.parley.testsupport.EmbeddedRedis;
import dev.parley.testsupport.ParleyTestEnvironment;
import dev.parley.testsupport.anthropic.AnthropicWire;
import dev.parley.testsupport.gemini.GeminiWire;
import com.openai.helpers.ChatCompletionAccumulator;
import dev.parley.testsupport.openai.OpenAiWire;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, pointed at the gateway with a Parley access key, works unchanged. */
@QuarkusTest
@QuarkusTestResource(ParleyTestEnvironment.class)
@QuarkusTestResource(AuthServiceStub.class)
@QuarkusTestResource(GatewayStubs.class)
@QuarkusTestResource(EmbeddedRedis.class)
class OpenAiSdkTest {
    private String base;
    private UUID user;
    private OpenAIClient client;

    @BeforeEach
    void sdkWithAccessKey() {
        AuthServiceStub.resetToDefaults();
        user = UUID.randomUUID();
        String key = accessKey(user);
        base = "/sdk-" + user + "/v1";
        providerKey(user, "mine", "openai_compatible", GatewayStubs.providers().baseUrl() + base, "sk-user");
        providerKey(user, "anthropic", "anthropic", GatewayStubs.providers().baseUrl() + "/ant-" + user + "/v1", "sk-ant-user");
        providerKey(user, "gemini", "gemini", GatewayStubs.providers().baseUrl() + "/gem-" + user + "/v1beta", "AIza-user");
        client = OpenAIOkHttpClient.builder().apiKey(key)
                .baseUrl(RestAssured.baseURI + ":" + RestAssured.port + "/v1").maxRetries(0).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void plainChat() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion.json");
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mine/gpt-4o-mini").addUserMessage("Hi").build());
        c.validate();
        JsonNode fixture = json(OpenAiWire.fixture("chat-completion.json"));
        assertEquals(fixture.path("choices").path(0).path("message").path("content").asText(),
                c.choices().get(0).message().content().orElseThrow());
        assertEquals(fixture.path("usage").path("total_tokens").asLong(), c.usage().orElseThrow().totalTokens());
    }

    @Test
    void streamedChat() {
        OpenAiWire.chatStream(GatewayStubs.providers(), base, "chat-stream.sse");
        StringBuilder text = new StringBuilder();
        long[] usage = {0};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("mine/gpt-4o-mini").addUserMessage("Hi")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        StringBuilder expected = new StringBuilder();
        for (String c : OpenAiWire.sseDataLines(OpenAiWire.fixture("chat-stream.sse"))) {
            JsonNode d = json(c).path("choices").path(0).path("delta").path("content");
            if (d.isTextual()) {
                expected.append(d.asText());
            }
        }
        assertEquals(expected.toString(), text.toString());
        assertTrue(usage[0] > 0);
    }

    @Test
    void toolCall() {
        OpenAiWire.chat(GatewayStubs.providers(), base, "chat-completion-tool-calls.json");
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("mine/gpt-4o").addUserMessage("Weather in Paris and Tokyo?")
                .addFunctionTool(FunctionDefinition.builder().name("get_weather")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                                .build())
                        .build())
                .build());
        c.validate();
        List<ChatCompletionMessageFunctionToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow()
                .stream().map(t -> t.asFunction()).toList();
        JsonNode fixtureCalls = json(OpenAiWire.fixture("chat-completion-tool-calls.json"))
                .path("choices").path(0).path("message").path("tool_calls");
        assertEquals(fixtureCalls.size(), calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals(fixtureCalls.path(i).path("id").asText(), calls.get(i).id());
            assertEquals(fixtureCalls.path(i).path("function").path("arguments").asText(), calls.get(i).function().arguments());
        }
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
        JsonNode sent = json(GatewayFixtures.received(base, "/chat/completions").get(0).getBodyAsString());
        assertEquals("get_weather", sent.path("tools").path(0).path("function").path("name").asText());
    }

    @Test
    void streamedParallelToolCallThroughAnAnthropicBackedModel() {
        AnthropicWire.messagesStream(GatewayStubs.providers(), "/ant-" + user + "/v1", "stream-tool-use-parallel.sse");
        assertStreamedWeatherCalls("anthropic/claude-sonnet-4-5",
                List.of("{\"location\":\"Paris, France\"}", "{\"location\":\"Tokyo, Japan\"}"));
    }

    @Test
    void streamedParallelToolCallThroughAGeminiBackedModel() {
        GeminiWire.streamGenerateContent(GatewayStubs.providers(), "/gem-" + user + "/v1beta", "gemini-2.5-flash",
                "stream-function-calls.sse");
        assertStreamedWeatherCalls("gemini/gemini-2.5-flash",
                List.of("{\"location\":\"Paris, France\"}", "{\"location\":\"Tokyo, Japan\"}"));
    }

    /** What an SDK user does with a streamed tool call: accumulate the chunks into one completion and run the calls. */
    private void assertStreamedWeatherCalls(String model, List<String> expectedArguments) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(model).addUserMessage("Weather in Paris and Tokyo?")
                        .addFunctionTool(weatherTool())
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                accumulator.accumulate(chunk);
            });
        }
        ChatCompletion c = accumulator.chatCompletion();
        List<ChatCompletionMessageFunctionToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow()
                .stream().map(t -> t.asFunction()).toList();
        assertEquals(expectedArguments.size(), calls.size());
        for (int i = 0; i < calls.size(); i++) {
            assertEquals("get_weather", calls.get(i).function().name());
            assertEquals(json(expectedArguments.get(i)), json(calls.get(i).function().arguments()));
            assertTrue(!calls.get(i).id().isBlank());
        }
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
        assertTrue(c.usage().orElseThrow().promptTokens() > 0);
    }

    private static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .build())
                .build();
    }

    @Test
    void embeddings() {
        OpenAiWire.embeddings(GatewayStubs.providers(), base, "embeddings.json");
        CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("mine/text-embedding-3-small").input("hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        r.validate();
        JsonNode fixture = json(OpenAiWire.fixture("embeddings.json"));
        assertEquals(fixture.path("data").size(), r.data().size());
        assertEquals((float) fixture.path("data").path(0).path("embedding").path(0).asDouble(), r.data().get(0).embedding().get(0));
        assertEquals(fixture.path("usage").path("prompt_tokens").asLong(), r.usage().promptTokens());
    }

    @Test
    void anUnknownModelRaisesTheSdksNotFoundException() {
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("nobody/x").addUserMessage("Hi").build()));
        assertEquals("model_not_found", e.code().orElseThrow());
    }
}
