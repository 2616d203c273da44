package dev.parley.platform.ai;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.parley.platform.client.ServiceTokenProvider;
import dev.parley.platform.config.ServiceUrls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.CDI;

/**
 * The chat model behind a service's AI services (session-service's titles, memory-service's extraction and summaries): the gateway's OpenAI-compatible API through
 * quarkus-langchain4j-openai's builder and REST client. One AI service bean serves every user and every model: the
 * call names both through {@link #actingFor}, and each request then carries the service's current service token,
 * {@code X-Parley-User} and {@code X-Parley-Session-Id} (headers supplied as the request is built, on the calling
 * thread) and goes to that model (one langchain4j model, hence one REST client, per model name).
 * <p>
 * LangChain4j's OpenAI client is the HTTP client here (not a Parley REST client: the AI service needs langchain4j's
 * own request and response mapping), so the base URL comes from {@link ServiceUrls} ({@code parley.gateway.url}) and
 * the timeout from {@link GatewayAiConfig} ({@code parley.ai.timeout}).
 */
@ApplicationScoped
public class GatewayChatModels {
    private record Acting(UUID userId, UUID sessionId, String model) { }

    private static final ThreadLocal<Acting> ACTING = new ThreadLocal<>();

    private final String baseUrl;
    private final ServiceTokenProvider tokens;
    private final Duration timeout;
    private final Map<String, ChatModel> models = new ConcurrentHashMap<>();
    private final Supplier<Map<String, String>> headers = this::headers;
    private final ChatModel routing = new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            return models.computeIfAbsent(acting().model(), GatewayChatModels.this::build).chat(request);
        }
    };

    public GatewayChatModels(ServiceUrls urls, GatewayAiConfig config, ServiceTokenProvider tokens) {
        this.baseUrl = ServiceUrls.base(urls.gateway()) + "/v1";
        this.tokens = tokens;
        this.timeout = config.timeout();
    }

    /** Runs {@code call} (an AI service call) against {@code model}, acting for the user within the session. */
    public <R> R actingFor(UUID userId, UUID sessionId, String model, Supplier<R> call) {
        Acting previous = ACTING.get();
        ACTING.set(new Acting(userId, sessionId, model));
        try {
            return call.get();
        } finally {
            if (previous == null) {
                ACTING.remove();
            } else {
                ACTING.set(previous);
            }
        }
    }

    ChatModel chatModel() {
        return routing;
    }

    private ChatModel build(String model) {
        return OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey("service-token")          // the Authorization header below replaces it on every request
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)                    // the gateway retries and falls back itself
                .customHeaders(headers)
                .build();
    }

    private static Acting acting() {
        Acting acting = ACTING.get();
        if (acting == null) {
            throw new IllegalStateException("a gateway AI service was called outside actingFor(...)");
        }
        return acting;
    }

    private Map<String, String> headers() {
        Acting acting = acting();
        Map<String, String> h = new HashMap<>(4);
        h.put("Authorization", "Bearer " + tokens.token());
        h.put("X-Parley-User", acting.userId().toString());
        if (acting.sessionId() != null) {
            h.put("X-Parley-Session-Id", acting.sessionId().toString());
        }
        return h;
    }

    /** For {@code @RegisterAiService(chatLanguageModelSupplier = ...)}. */
    public static final class ModelSupplier implements Supplier<ChatModel> {
        @Override
        public ChatModel get() {
            return CDI.current().select(GatewayChatModels.class).get().chatModel();
        }
    }
}
