package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, unchanged, with a Parley access key against the ingress's /v1. */
@Order(2)
class OpenAiSdkIT {
    private static OpenAIClient client;

    @BeforeAll
    static void client() {
        E2e e2e = E2e.get();
        E2e.User carol = e2e.register("carol");
        e2e.providerKey(carol, "openai", MockProvider.OPENAI, "sk-e2e-sdk-not-a-real-key");
        client = OpenAIOkHttpClient.builder().apiKey(e2e.accessKey(carol)).baseUrl(e2e.platform.ingressUrl() + "/v1")
                .maxRetries(0).build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @Test
    void chat() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("openai/gpt-4o-mini").addUserMessage("Hi").build());
        c.validate();
        assertEquals("Hello! How can I help you today?", c.choices().get(0).message().content().orElseThrow());
        assertEquals(20, c.usage().orElseThrow().totalTokens());
    }

    @Test
    void streamedChat() {
        StringBuilder text = new StringBuilder();
        long[] usage = {0};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("openai/gpt-4o-mini").addUserMessage("Hi")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                chunk.usage().ifPresent(u -> usage[0] = u.totalTokens());
            });
        }
        assertEquals("Hello! How can I help you today?", text.toString());
        assertEquals(20, usage[0]);
    }

    @Test
    void tools() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("openai/gpt-4o").addUserMessage("Weather in Paris and Tokyo?")
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
        assertEquals(2, calls.size());
        assertTrue(calls.stream().allMatch(t -> t.function().name().equals("get_weather")));
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().get(0).finishReason());
    }

    @Test
    void embeddingsFromTheProviderAndFromTheLocalModel() {
        CreateEmbeddingResponse remote = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("openai/text-embedding-3-small").input("hello").build());
        remote.validate();
        assertTrue(remote.data().get(0).embedding().size() > 0);
        CreateEmbeddingResponse local = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("parley/all-minilm-l6-v2").input("hello").build());
        local.validate();
        assertEquals(384, local.data().get(0).embedding().size(), "memory-service's local model, through the gateway");
    }
}
