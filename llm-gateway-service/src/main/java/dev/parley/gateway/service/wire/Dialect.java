package dev.parley.gateway.service.wire;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;
import io.vertx.core.MultiMap;

/**
 * A provider's own wire format behind the OpenAI-compatible surface: how an OpenAI request becomes the provider's
 * request, and how its answers, stream events and errors become exactly what OpenAI's API would have answered.
 * Implementations are stateless and thread-safe; the state of one stream lives in its {@link StreamTranslator}.
 */
public interface Dialect {

    /** The path (and query) to POST to, relative to the deployment's base URL. */
    String path(String model, boolean stream, boolean embeddings);

    /** Puts the API key where the provider expects it: always a header, never the URL. */
    void authenticate(MultiMap headers, String apiKey);

    /** The provider's request for an OpenAI chat or embeddings request; a request it cannot express is a 400. */
    ObjectNode request(ObjectNode openAi, String model, boolean stream, boolean embeddings) throws OpenAiException;

    /** The provider's non-streamed chat answer as an OpenAI {@code chat.completion}. */
    ObjectNode completion(JsonNode answer, String model) throws OpenAiException;

    /** The provider's embeddings answer as OpenAI's {@code list} of embeddings. */
    ObjectNode embeddings(JsonNode answer, ObjectNode openAiRequest, String model) throws OpenAiException;

    /** A fresh translator for one streamed answer. */
    StreamTranslator stream(String model);

    /** Tokens written to the provider's prompt cache, from a non-streamed answer (0 when the provider has none). */
    long cacheWriteTokens(JsonNode answer);

    /** The provider's error answer in OpenAI's shape (status, type, code, message; Retry-After when it said one). */
    OpenAiException error(int status, JsonNode body, long retryAfterMs);

    /** Translates one streamed answer, event by event. */
    interface StreamTranslator {
        /**
         * The OpenAI chunks for one provider event (often none). A provider error inside the stream is thrown as an
         * {@link OpenAiException}.
         */
        List<ObjectNode> onEvent(JsonNode event) throws OpenAiException;

        /** Chunks still owed when the provider's stream ends (the finish reason, the usage chunk). */
        List<ObjectNode> end();

        /** Whether the provider's stream said it was complete (a stream cut short is an error, not an answer). */
        boolean complete();

        long cacheWriteTokens();
    }
}
