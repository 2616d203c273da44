package dev.parley.gateway.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.inject.Singleton;

/** OpenAI itself: {@code openai/<model>} at {@code https://api.openai.com/v1}, or at the user's key's base URL. */
@Singleton
public class OpenAiProvider extends OpenAiCompatibleProvider {
    public static final String NAME = "openai";
    public static final String BASE_URL = "https://api.openai.com/v1";

    public OpenAiProvider() {
        super(NAME, BASE_URL);
    }

    /** OpenAI's own API: {@code thinking} becomes {@code reasoning_effort} alone (it refuses other servers' fields). */
    @Override
    public ObjectNode request(ObjectNode openAi, String model, boolean stream, boolean embeddings) {
        return OpenAiWire.request(openAi, model, stream, true);
    }
}
