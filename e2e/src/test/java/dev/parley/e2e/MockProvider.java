package dev.parley.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.parley.testsupport.anthropic.AnthropicWire;
import dev.parley.testsupport.gemini.GeminiWire;
import dev.parley.testsupport.openai.OpenAiWire;

/**
 * The LLM providers, mocked at their HTTP boundary on loopback with their real wire formats (test-support's fixtures,
 * taken from the providers' API references): OpenAI under {@code /openai/v1}, Anthropic under {@code /anthropic/v1},
 * Gemini under {@code /gemini/v1beta}. Users point their provider keys' base_url here; the local launcher's egress
 * policy allows loopback.
 */
final class MockProvider {
    static final String OPENAI = "/openai/v1";
    static final String ANTHROPIC = "/anthropic/v1";
    static final String GEMINI = "/gemini/v1beta";
    /** What the mocked model "extracts" from any exchange when memory-service asks (AUTO memories). */
    static final String EXTRACTED = "The user keeps bees on a rooftop in Lisbon";

    final WireMockServer server;

    MockProvider() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().asynchronousResponseEnabled(true)
                .containerThreads(64));
        server.start();
        reset();
    }

    String url(String basePath) {
        return "http://127.0.0.1:" + server.port() + basePath;
    }

    /** Every provider answering normally again. */
    void reset() {
        server.resetAll();
        OpenAiWire.chat(server, OPENAI, "chat-completion.json");
        OpenAiWire.chatStream(server, OPENAI, "chat-stream.sse");
        OpenAiWire.embeddings(server, OPENAI, "embeddings.json");
        OpenAiWire.models(server, OPENAI, "models.json");
        // memory-service's extraction prompt: answer one durable fact in the JSON its AI service asks for
        server.stubFor(post(urlPathEqualTo(OPENAI + "/chat/completions"))
                .withRequestBody(containing("You maintain a long-term memory about a user"))
                .atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(chatCompletionSaying("{\"memories\":[{\"action\":\"ADD\",\"content\":\"" + EXTRACTED
                                + "\",\"type\":\"fact\",\"importance\":0.7,\"keywords\":[\"bees\",\"lisbon\"]}]}"))));
        // a tool definition in the request: the model calls the tool
        server.stubFor(post(urlPathEqualTo(OPENAI + "/chat/completions"))
                .withRequestBody(containing("\"tools\""))
                .atPriority(2)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(OpenAiWire.fixture("chat-completion-tool-calls.json"))));
        AnthropicWire.messages(server, ANTHROPIC, "message.json");
        AnthropicWire.messagesStream(server, ANTHROPIC, "stream.sse");
        GeminiWire.generateContent(server, GEMINI, "gemini-2.5-flash", "generate-content.json");
        GeminiWire.streamGenerateContent(server, GEMINI, "gemini-2.5-flash", "stream.sse");
    }

    /** OpenAI's chat completion fixture with its message content replaced. */
    static String chatCompletionSaying(String content) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode body = (ObjectNode) json.readTree(OpenAiWire.fixture("chat-completion.json"));
            ((ObjectNode) body.path("choices").get(0).path("message")).put("content", content);
            return json.writeValueAsString(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop() {
        server.stop();
    }
}
