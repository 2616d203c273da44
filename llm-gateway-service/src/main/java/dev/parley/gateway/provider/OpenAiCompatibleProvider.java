package dev.parley.gateway.provider;

import jakarta.inject.Singleton;

/**
 * OpenAI's wire format (every {@link Provider} default): the type of a user's {@code openai_compatible} provider key
 * and of an operator's provider of that type (Ollama, llama.cpp, vLLM, Groq, Together, OpenRouter…), which give their
 * own base URL. A built-in OpenAI-compatible provider is a subclass that names itself and its home: see
 * {@link OpenAiProvider}, the whole of what one takes.
 */
@Singleton
public class OpenAiCompatibleProvider implements Provider {
    public static final String TYPE = "openai_compatible";

    private final String name;
    private final String defaultBaseUrl;

    public OpenAiCompatibleProvider() {
        this(TYPE, null);
    }

    protected OpenAiCompatibleProvider(String name, String defaultBaseUrl) {
        this.name = name;
        this.defaultBaseUrl = defaultBaseUrl;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String defaultBaseUrl() {
        return defaultBaseUrl;
    }
}
