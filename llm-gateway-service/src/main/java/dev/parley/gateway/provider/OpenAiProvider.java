package dev.parley.gateway.provider;

import jakarta.inject.Singleton;

/** OpenAI itself: {@code openai/<model>} at {@code https://api.openai.com/v1}, or at the user's key's base URL. */
@Singleton
public class OpenAiProvider extends OpenAiCompatibleProvider {
    public static final String NAME = "openai";
    public static final String BASE_URL = "https://api.openai.com/v1";

    public OpenAiProvider() {
        super(NAME, BASE_URL);
    }
}
