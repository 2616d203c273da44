package dev.parley.gateway.provider;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.gateway.openai.OpenAiException;

/** Translates one streamed answer, event by event, into OpenAI chunks. */
public interface StreamTranslator {

    /**
     * The OpenAI chunks for one provider event (often none). An event already in OpenAI's shape is returned itself,
     * so the gateway can forward the provider's bytes. A provider error inside the stream is thrown as an
     * {@link OpenAiException}.
     */
    List<ObjectNode> onEvent(JsonNode event) throws OpenAiException;

    /** Chunks still owed when the provider's stream ends (the finish reason, the usage chunk). */
    List<ObjectNode> end();

    /** Whether the provider's stream said it was complete (a stream cut short is an error, not an answer). */
    boolean complete();

    /** Tokens the answer wrote to the provider's prompt cache (0 when the provider has none). */
    long cacheWriteTokens();
}
