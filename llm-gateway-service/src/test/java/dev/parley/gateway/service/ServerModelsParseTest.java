package dev.parley.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.gateway.service.ServerModels.ServerModel;
import org.junit.jupiter.api.Test;

/** Each server's real {@code GET /v1/models} answer → its models and the context window it reports. */
class ServerModelsParseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<ServerModel> parse(String fixture) throws IOException {
        try (InputStream in = ServerModelsParseTest.class.getResourceAsStream("/server-models/" + fixture)) {
            return ServerModels.parse(JSON.readTree(in), 500);
        }
    }

    @Test
    void vllmReportsMaxModelLen() throws IOException {
        assertEquals(List.of(new ServerModel("meta-llama/Llama-3.1-8B-Instruct", 32768, null)), parse("vllm.json"));
    }

    @Test
    void groqReportsContextWindowAndMaxCompletionTokens() throws IOException {
        assertEquals(new ServerModel("llama-3.3-70b-versatile", 131072, 32768), parse("groq.json").get(0));
    }

    @Test
    void openRouterReportsContextLengthAndTheTopProvidersOutputLimit() throws IOException {
        assertEquals(List.of(new ServerModel("openai/gpt-4o-mini", 128000, 16384)), parse("openrouter.json"));
    }

    @Test
    void lmStudioReportsMaxContextLength() throws IOException {
        assertEquals(new ServerModel("meta-llama-3.1-8b-instruct", 131072, null), parse("lmstudio.json").get(1));
    }

    @Test
    void llamaCppReportsTheTrainedContextInMeta() throws IOException {
        assertEquals(List.of(new ServerModel("Qwen2.5-7B-Instruct-Q4_K_M.gguf", 32768, null)), parse("llamacpp.json"));
    }

    @Test
    void ollamaReportsNoContextWindow() throws IOException {
        List<ServerModel> models = parse("ollama.json");
        assertEquals(2, models.size());
        assertEquals("llama3.2:latest", models.get(0).id());
        assertNull(models.get(0).contextWindow());
    }

    @Test
    void anythingElseIsNotAModelList() throws IOException {
        for (String garbage : List.of("{}", "[]", "{\"data\":{}}", "\"models\"", "{\"error\":{\"message\":\"no\"}}")) {
            JsonNode node = JSON.readTree(garbage);
            assertThrows(IllegalArgumentException.class, () -> ServerModels.parse(node, 500), garbage);
        }
        JsonNode odd = JSON.readTree("{\"data\":[{\"id\":42},{\"name\":\"x\"},{\"id\":\"ok\",\"max_model_len\":\"8k\"},{\"id\":\"ok\"}]}");
        assertEquals(List.of(new ServerModel("ok", null, null)), ServerModels.parse(odd, 500), "bad entries are skipped");
        JsonNode many = JSON.readTree("{\"data\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]}");
        assertEquals(2, ServerModels.parse(many, 2).size(), "at most max-models");
    }
}
